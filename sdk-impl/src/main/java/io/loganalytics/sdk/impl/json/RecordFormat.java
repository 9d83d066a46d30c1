package io.loganalytics.sdk.impl.json;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of one record as the client stores it in the {@link io.loganalytics.sdk.DiskBuffer}: a small header
 * naming the record's type, then the record's JSON object exactly as it will be sent. Internal, not API.
 *
 * <p><b>Layout, version 1.</b>
 *
 * <pre>
 * offset       size  field
 * 0            1     version, 0x01
 * 1            1     T = length of the type in bytes, 1..100
 * 2            T     type, ASCII (the DataType on the agent path, the Log-Type on the Data Collector path)
 * 2+T          1     I = length of the IPName in bytes, 0..100 (0 on the Data Collector path)
 * 3+T          I     IPName, ASCII
 * 3+T+I        rest  the record: one JSON object, UTF-8, no surrounding whitespace
 * </pre>
 *
 * <p>The header is everything before the JSON; two records belong in the same request exactly when their headers
 * are equal byte for byte. Type and IPName are restricted to ASCII letters, digits, {@code _} and {@code .} by the
 * callers, so they never need escaping in JSON or in an HTTP header. The buffer checksums and frames each record;
 * this format has no framing of its own. A record whose first byte is not {@code 0x01} or whose lengths run past its
 * end is rejected with {@link IllegalArgumentException} naming the offsets (the uploader gives such records up as
 * rejected rather than crash).
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordFormat {
  /** The only version written and read. */
  public static final byte VERSION = 1;

  /** The longest type or IPName, in bytes. */
  public static final int MAX_NAME_BYTES = 100;

  private RecordFormat() {}

  /**
   * Builds a record from its header fields and JSON bytes.
   *
   * @param type the type, ASCII, 1 to 100 bytes
   * @param ipName the IPName, ASCII, up to 100 bytes; empty for none
   * @param json the JSON object bytes
   * @param offset where the JSON starts in {@code json}
   * @param length the JSON's length
   * @return the record bytes
   */
  public static byte[] build(String type, String ipName, byte[] json, int offset, int length) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    byte[] i = ipName.getBytes(StandardCharsets.US_ASCII);
    if (t.length < 1 || t.length > MAX_NAME_BYTES || i.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException("type must be 1.." + MAX_NAME_BYTES + " bytes and ipName at most "
          + MAX_NAME_BYTES + " bytes");
    }
    byte[] out = new byte[3 + t.length + i.length + length];
    out[0] = VERSION;
    out[1] = (byte) t.length;
    System.arraycopy(t, 0, out, 2, t.length);
    out[2 + t.length] = (byte) i.length;
    System.arraycopy(i, 0, out, 3 + t.length, i.length);
    System.arraycopy(json, offset, out, 3 + t.length + i.length, length);
    return out;
  }

  /**
   * The length of a record's header, which is also the offset of its JSON.
   *
   * @param record the record bytes
   * @return the header length
   * @throws IllegalArgumentException when the record is not in this format
   */
  public static int headerLength(byte[] record) {
    if (record.length < 4 || record[0] != VERSION) {
      throw new IllegalArgumentException("record is not in record format " + VERSION + " (length "
          + record.length + (record.length > 0 ? ", first byte " + record[0] : "") + ")");
    }
    int t = record[1] & 0xff;
    if (t < 1 || 3 + t > record.length) {
      throw new IllegalArgumentException("record header is corrupt: type length " + t + " in a record of "
          + record.length + " bytes");
    }
    int i = record[2 + t] & 0xff;
    int header = 3 + t + i;
    if (i > MAX_NAME_BYTES || header >= record.length) {
      throw new IllegalArgumentException("record header is corrupt: IPName length " + i + " in a record of "
          + record.length + " bytes");
    }
    return header;
  }

  /**
   * The record's type.
   *
   * @param record the record bytes
   * @return the type
   */
  public static String type(byte[] record) {
    headerLength(record);
    return new String(record, 2, record[1] & 0xff, StandardCharsets.US_ASCII);
  }

  /**
   * The record's IPName.
   *
   * @param record the record bytes
   * @return the IPName, empty for none
   */
  public static String ipName(byte[] record) {
    headerLength(record);
    int t = record[1] & 0xff;
    return new String(record, 3 + t, record[2 + t] & 0xff, StandardCharsets.US_ASCII);
  }

  /**
   * The record's JSON object, as a string (for tests and dead letters; the upload path never decodes it).
   *
   * @param record the record bytes
   * @return the JSON text
   */
  public static String json(byte[] record) {
    int h = headerLength(record);
    return new String(record, h, record.length - h, StandardCharsets.UTF_8);
  }
}
