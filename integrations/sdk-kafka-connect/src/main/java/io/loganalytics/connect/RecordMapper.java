package io.loganalytics.connect;

import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.InvalidRecordException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a record's value into one encoded row with the uploader's encoder: a JSON object as {@code String} or UTF-8
 * {@code byte[]} (from {@code StringConverter}/{@code ByteArrayConverter}), a {@link Struct} (schemas, e.g.
 * {@code JsonConverter} with schemas or Avro), or a {@link Map} ({@code JsonConverter} without schemas). Struct
 * fields keep their names; logical types arrive as {@code java.util.Date}/{@code BigDecimal} and are written as
 * ISO-8601 and numbers; bytes become base64 text.
 *
 * <p>Stateless and thread-safe.
 */
final class RecordMapper {
  private RecordMapper() {}

  /**
   * Encodes a record's value.
   *
   * @param uploader the encoder
   * @param table the record type or stream
   * @param record the record
   * @return the encoded row
   * @throws InvalidRecordException when the value is not an object or is malformed, saying what it was
   * @throws io.loganalytics.sdk.RecordTooLargeException when it cannot fit one request
   */
  static byte[] encode(ChunkUploader uploader, String table, SinkRecord record) {
    Object v = record.value();
    if (v instanceof String) {
      return uploader.encodeJson(table, (String) v);
    }
    if (v instanceof byte[]) {
      return uploader.encodeJson(table, utf8((byte[]) v));
    }
    if (v instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) v).duplicate();
      byte[] a = new byte[b.remaining()];
      b.get(a);
      return uploader.encodeJson(table, utf8(a));
    }
    if (v instanceof Struct) {
      return uploader.encode(table, toMap((Struct) v));
    }
    if (v instanceof Map) {
      return uploader.encode(table, toMap((Map<?, ?>) v));
    }
    throw new InvalidRecordException("value", "a record value must be a JSON object (String or UTF-8 bytes), a Struct "
        + "or a Map; got " + (v == null ? "null (a tombstone)" : v.getClass().getName()));
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidRecordException("value", "the bytes are not UTF-8 text (" + e.getMessage() + ")");
    }
  }

  private static Map<String, Object> toMap(Struct s) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : s.schema().fields()) {
      out.put(f.name(), convert(s.get(f)));
    }
    return out;
  }

  private static Map<String, Object> toMap(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        throw new InvalidRecordException("value", "map keys must be strings, got "
            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
      }
      out.put((String) e.getKey(), convert(e.getValue()));
    }
    return out;
  }

  private static Object convert(Object v) {
    if (v instanceof Struct) {
      return toMap((Struct) v);
    }
    if (v instanceof Map) {
      return toMap((Map<?, ?>) v);
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) v) {
        out.add(convert(o));
      }
      return out;
    }
    if (v instanceof byte[]) {
      return Base64.getEncoder().encodeToString((byte[]) v);
    }
    if (v instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) v).duplicate();
      byte[] a = new byte[b.remaining()];
      b.get(a);
      return Base64.getEncoder().encodeToString(a);
    }
    if (v instanceof CharBuffer) {
      return v.toString();
    }
    return v;
  }
}
