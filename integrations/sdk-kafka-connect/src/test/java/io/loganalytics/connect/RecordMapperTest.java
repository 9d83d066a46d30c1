package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.UploadResult;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class RecordMapperTest {
  /** Captures what the mapper hands to the encoder. */
  private static final class Capture implements ChunkUploader {
    Map<String, ?> map;
    String json;

    @Override
    public byte[] encode(String type, Map<String, ?> record) {
      map = record;
      return new byte[1];
    }

    @Override
    public byte[] encodeJson(String type, String jsonObject) {
      json = jsonObject;
      return new byte[1];
    }

    @Override
    public UploadResult upload(Chunk chunk) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private final Capture capture = new Capture();

  private static SinkRecord record(Object value) {
    return new SinkRecord("t", 0, null, null, null, value, 0);
  }

  @Test
  void nestedStructsWithLogicalTypesAndBytesBecomeMapsOfPlainValues() {
    Schema inner = SchemaBuilder.struct().field("ip", Schema.STRING_SCHEMA).build();
    Schema schema = SchemaBuilder.struct()
        .field("at", Timestamp.SCHEMA)
        .field("amount", Decimal.schema(2))
        .field("raw", Schema.BYTES_SCHEMA)
        .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
        .field("peer", inner)
        .field("note", Schema.OPTIONAL_STRING_SCHEMA)
        .build();
    Struct s = new Struct(schema).put("at", new Date(0)).put("amount", new BigDecimal("1.50"))
        .put("raw", new byte[] {1, 2, 3}).put("tags", List.of("a", "b"))
        .put("peer", new Struct(inner).put("ip", "10.0.0.1"));

    RecordMapper.encode(capture, "T", record(s));

    Map<String, Object> expected = new HashMap<>();
    expected.put("at", new Date(0));
    expected.put("amount", new BigDecimal("1.50"));
    expected.put("raw", "AQID");
    expected.put("tags", List.of("a", "b"));
    expected.put("peer", Map.of("ip", "10.0.0.1"));
    expected.put("note", null);
    assertThat(capture.map).isEqualTo(expected);
  }

  @Test
  void textAndUtf8BytesArePassedAsJsonAndBadBytesAreRefused() {
    RecordMapper.encode(capture, "T", record("{\"a\":\"é\"}"));
    assertThat(capture.json).isEqualTo("{\"a\":\"é\"}");
    RecordMapper.encode(capture, "T", record(ByteBuffer.wrap("{\"b\":1}".getBytes(StandardCharsets.UTF_8))));
    assertThat(capture.json).isEqualTo("{\"b\":1}");
    assertThatThrownBy(() -> RecordMapper.encode(capture, "T", record(new byte[] {'{', (byte) 0xC3, '}'})))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("UTF-8");
  }

  @Test
  void tombstonesScalarsAndNonStringKeysAreInvalidRecords() {
    assertThatThrownBy(() -> RecordMapper.encode(capture, "T", record(null)))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("tombstone");
    assertThatThrownBy(() -> RecordMapper.encode(capture, "T", record(7)))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("java.lang.Integer");
    assertThatThrownBy(() -> RecordMapper.encode(capture, "T", record(Map.of(1, "x"))))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("map keys must be strings");
  }
}
