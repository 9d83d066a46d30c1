package io.loganalytics.sdk.impl.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes request bodies from {@linkplain RecordFormat records} with Jackson's streaming generator: each record's
 * JSON object goes into the body as a raw value, byte for byte, with no intermediate tree and no re-encoding.
 *
 * <ul>
 *   <li>{@link #writeOdsDeflated}: the agent path's envelope (PROTOCOL §B5a)
 *       {@code {"DataType":"..","IPName":"..","DataItems":[record,record,..]}}, zlib-deflated
 *       ({@code Content-Encoding: deflate}: an RFC 1950 stream, as Ruby's {@code Zlib::Deflate.deflate} makes).
 *   <li>{@link #writeDataCollector}: the Data Collector API's body (§B5d), a JSON array {@code [record,record,..]},
 *       not compressed (the API does not document compression).
 * </ul>
 *
 * <p><b>Compression level: 1 ({@link Deflater#BEST_SPEED}).</b> Per core on the reference machine Jackson writes
 * about 370 MB/s of JSON, deflate level 1 compresses about 125 MB/s and level 6 (zlib's default) about 42 MB/s. The
 * serialise-and-compress ceiling is therefore about 1/(1/370 + 1/125) = 93 MB/s at level 1 against
 * 1/(1/370 + 1/42) = 38 MB/s at level 6. Measured on this project's 300-byte syslog-like records in a 1 MB body,
 * level 1 compresses 2.68:1 and level 6 2.93:1: level 6 would cost 2.5 times the CPU of the whole upload path to
 * save about 9 % of the bytes on the wire. An embedded SDK shares the CPU with its host application and log traffic
 * rarely fills the uplink, so level 1 is the better trade.
 *
 * <p>Internal, not API. <b>Not thread-safe</b>: one instance per uploading thread; it keeps its buffers and its
 * {@link Deflater} between requests, and {@link #close()} frees the deflater's native memory.
 */
public final class PayloadWriter implements AutoCloseable {
  /** The deflate level; see the class comment for the measurement behind it. */
  public static final int DEFLATE_LEVEL = Deflater.BEST_SPEED;

  private static final int RETAINED_BYTES = 4 << 20;
  private static final byte[] ODS_PREFIX_TYPE = "{\"DataType\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ODS_PREFIX_IPNAME = "\",\"IPName\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ODS_PREFIX_ITEMS = "\",\"DataItems\":[".getBytes(StandardCharsets.US_ASCII);

  private final Deflater deflater = new Deflater(DEFLATE_LEVEL);
  private Deflater gzipDeflater;
  private final ByteSink out = new ByteSink(64 * 1024);
  private final RawSlice slice = new RawSlice();

  /** Creates a writer. */
  public PayloadWriter() {}

  /**
   * The bytes of JSON the agent envelope adds around its records, commas between records not included.
   *
   * @param dataType the DataType (ASCII, no escaping needed)
   * @param ipName the IPName (ASCII)
   * @return the overhead in bytes
   */
  public static int odsEnvelopeBytes(String dataType, String ipName) {
    return ODS_PREFIX_TYPE.length + dataType.length() + ODS_PREFIX_IPNAME.length + ipName.length()
        + ODS_PREFIX_ITEMS.length + 2;
  }

  /**
   * The bytes of JSON the Data Collector array adds around its records, commas not included.
   *
   * @return 2, for {@code [} and {@code ]}
   */
  public static int dataCollectorEnvelopeBytes() {
    return 2;
  }

  /**
   * The JSON bytes a range of records takes in a request body: their JSON objects and the commas between them.
   *
   * @param records the records
   * @return the bytes, envelope not included
   */
  public static long itemBytes(List<byte[]> records) {
    long n = Math.max(0, records.size() - 1);
    for (byte[] r : records) {
      n += r.length - RecordFormat.headerLength(r);
    }
    return n;
  }

  /**
   * Writes the agent envelope for records that all share one DataType and IPName, deflated.
   *
   * @param dataType the DataType
   * @param ipName the IPName
   * @param records the records, in {@link RecordFormat}
   * @return the deflated body
   */
  public byte[] writeOdsDeflated(String dataType, String ipName, List<byte[]> records) {
    out.reset();
    deflater.reset();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater, 64 * 1024);
        JsonGenerator g = RecordEncoder.FACTORY.createGenerator(z, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("DataType", dataType);
      g.writeStringField("IPName", ipName);
      g.writeArrayFieldStart("DataItems");
      writeItems(g, records);
      g.writeEndArray();
      g.writeEndObject();
      g.flush();
      z.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return finish();
  }

  /**
   * Writes the Data Collector body, a JSON array of the records, uncompressed.
   *
   * @param records the records, in {@link RecordFormat}
   * @return the body
   */
  public byte[] writeDataCollector(List<byte[]> records) {
    out.reset();
    try (JsonGenerator g = RecordEncoder.FACTORY.createGenerator((OutputStream) out, JsonEncoding.UTF8)) {
      g.writeStartArray();
      writeItems(g, records);
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return finish();
  }

  /**
   * Writes the Logs Ingestion body, a JSON array of the records, gzip-compressed (RFC 1952: a 10-byte header, the
   * raw deflate stream at {@link #DEFLATE_LEVEL}, CRC-32 and length).
   *
   * @param records the records, in {@link RecordFormat}
   * @return the gzip bytes
   */
  public byte[] writeJsonArrayGzipped(List<byte[]> records) {
    // The records are JSON already: they are staged with their commas and deflated as they come, so the
    // uncompressed array never exists as a whole (it did, and cost a copy of every request and a 64 KB buffer).
    if (gzipDeflater == null) {
      gzipDeflater = new Deflater(DEFLATE_LEVEL, true);
      staging = new byte[STAGING_BYTES];
      deflated = new byte[STAGING_BYTES];
    }
    gzipDeflater.reset();
    crc.reset();
    out.reset();
    out.write(GZIP_HEADER, 0, GZIP_HEADER.length);
    staged = 0;
    stage((byte) '[');
    boolean first = true;
    for (byte[] r : records) {
      if (!first) {
        stage((byte) ',');
      }
      first = false;
      int from = RecordFormat.headerLength(r);
      int n = r.length - from;
      if (n > staging.length - staged) {
        deflateStaged();
      }
      if (n > staging.length) {
        deflate(r, from, n);
      } else {
        System.arraycopy(r, from, staging, staged, n);
        staged += n;
      }
    }
    stage((byte) ']');
    deflateStaged();
    gzipDeflater.finish();
    while (!gzipDeflater.finished()) {
      int n = gzipDeflater.deflate(deflated);
      out.write(deflated, 0, n);
    }
    long c = crc.getValue();
    long size = gzipDeflater.getBytesRead(); // ISIZE: the input length modulo 2^32
    out.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
        (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)}, 0, 8);
    return finish();
  }

  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
  private static final int STAGING_BYTES = 64 * 1024;
  private final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
  private byte[] staging;
  private byte[] deflated;
  private int staged;

  private void stage(byte b) {
    if (staged == staging.length) {
      deflateStaged();
    }
    staging[staged++] = b;
  }

  private void deflateStaged() {
    if (staged > 0) {
      deflate(staging, 0, staged);
      staged = 0;
    }
  }

  /** Feeds bytes to the gzip deflater and the CRC, writing what the deflater gives to {@link #out}. */
  private void deflate(byte[] b, int off, int len) {
    crc.update(b, off, len);
    gzipDeflater.setInput(b, off, len);
    while (!gzipDeflater.needsInput()) {
      int n = gzipDeflater.deflate(deflated);
      out.write(deflated, 0, n);
    }
  }

  private void writeItems(JsonGenerator g, List<byte[]> records) throws IOException {
    for (byte[] r : records) {
      slice.set(r, RecordFormat.headerLength(r));
      g.writeRawValue(slice);
    }
  }

  private byte[] finish() {
    byte[] body = out.toByteArray();
    if (body.length > RETAINED_BYTES) {
      out.trimTo(RETAINED_BYTES);
    }
    return body;
  }

  /** Frees the deflater. */
  @Override
  public void close() {
    deflater.end();
    if (gzipDeflater != null) {
      gzipDeflater.end();
    }
  }

  /**
   * A record's JSON bytes seen by Jackson as a raw, already-encoded value; only the unquoted UTF-8 methods that
   * {@code writeRawValue} uses are supported.
   */
  private static final class RawSlice implements SerializableString {
    private byte[] bytes;
    private int offset;

    void set(byte[] bytes, int offset) {
      this.bytes = bytes;
      this.offset = offset;
    }

    private int length() {
      return bytes.length - offset;
    }

    @Override
    public String getValue() {
      return new String(bytes, offset, length(), StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return java.util.Arrays.copyOfRange(bytes, offset, bytes.length);
    }

    @Override
    public byte[] asQuotedUTF8() {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int at) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int at) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int at) {
      int n = length();
      if (at + n > buffer.length) {
        return -1;
      }
      System.arraycopy(bytes, offset, buffer, at, n);
      return n;
    }

    @Override
    public int appendUnquoted(char[] buffer, int at) {
      String s = getValue();
      if (at + s.length() > buffer.length) {
        return -1;
      }
      s.getChars(0, s.length(), buffer, at);
      return s.length();
    }

    @Override
    public int writeQuotedUTF8(OutputStream os) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream os) throws IOException {
      os.write(bytes, offset, length());
      return length();
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      int n = length();
      if (n > buffer.remaining()) {
        return -1;
      }
      buffer.put(bytes, offset, n);
      return n;
    }
  }
}
