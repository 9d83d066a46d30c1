package io.loganalytics.sdk.impl.transport;

import java.util.Objects;

/**
 * The body of one upload request, built once and sent as many times as retries need: the bytes on the wire (the
 * signature of the Data Collector path is computed over exactly these) and what they hold. Internal, not API.
 * Immutable; the byte array must not be modified.
 */
public final class PreparedBody {
  private final String type;
  private final String ipName;
  private final int records;
  private final long jsonBytes;
  private final byte[] bytes;

  /**
   * Creates a body.
   *
   * @param type the records' type
   * @param ipName the records' IPName, empty for none
   * @param records how many records it holds
   * @param jsonBytes the JSON size before compression
   * @param bytes the bytes to send
   */
  public PreparedBody(String type, String ipName, int records, long jsonBytes, byte[] bytes) {
    this.type = Objects.requireNonNull(type, "type");
    this.ipName = Objects.requireNonNull(ipName, "ipName");
    this.records = records;
    this.jsonBytes = jsonBytes;
    this.bytes = Objects.requireNonNull(bytes, "bytes");
  }

  /** @return the records' type */
  public String type() {
    return type;
  }

  /** @return the IPName, empty on the Data Collector path */
  public String ipName() {
    return ipName;
  }

  /** @return the records in the body */
  public int records() {
    return records;
  }

  /** @return the JSON bytes before compression */
  public long jsonBytes() {
    return jsonBytes;
  }

  /** @return the bytes sent */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public String toString() {
    return "PreparedBody{" + type + (ipName.isEmpty() ? "" : "/" + ipName) + ", " + records + " records, "
        + jsonBytes + " JSON bytes, " + bytes.length + " sent}";
  }
}
