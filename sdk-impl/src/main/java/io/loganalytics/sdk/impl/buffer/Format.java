package io.loganalytics.sdk.impl.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Byte layout constants and codecs of the buffer files, version 1. The layout is drawn in the Javadoc of
 * {@link FileDiskBuffer}; all integers are big-endian. Stateless; thread-safe.
 */
final class Format {
  /** "LABS": Log Analytics Buffer Segment. */
  static final int SEGMENT_MAGIC = 0x4C414253;
  /** "LAAK": Log Analytics Acknowledgement state. */
  static final int ACK_MAGIC = 0x4C41414B;
  /** The only format version written and read. */
  static final short VERSION = 1;
  /** Bytes of a segment file header. */
  static final int SEGMENT_HEADER_BYTES = 32;
  /** Bytes of a record frame before its payload. */
  static final int FRAME_HEADER_BYTES = 24;
  /** Suffix of live segment files. */
  static final String SEGMENT_SUFFIX = ".seg";
  /** Suffix of files being created; they are deleted on open. */
  static final String TEMP_SUFFIX = ".tmp";

  private Format() {}

  /**
   * The file name of a segment: its first sequence number, 20 digits, so that names sort in sequence order.
   *
   * @param firstSeq the sequence number of the segment's first record
   * @return the name
   */
  static String segmentName(long firstSeq) {
    String digits = Long.toString(firstSeq);
    return "0".repeat(20 - digits.length()) + digits + SEGMENT_SUFFIX;
  }

  /**
   * Parses a segment file name.
   *
   * @param name a file name
   * @return the first sequence number, or -1 when the name is not a segment's
   */
  static long parseSegmentName(String name) {
    if (name.length() != 20 + SEGMENT_SUFFIX.length() || !name.endsWith(SEGMENT_SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Encodes a segment header.
   *
   * @param firstSeq the first sequence number
   * @param createdMillis creation time, epoch milliseconds
   * @return a buffer positioned at 0 with 32 bytes remaining
   */
  static ByteBuffer segmentHeader(long firstSeq, long createdMillis) {
    ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    b.putInt(SEGMENT_MAGIC).putShort(VERSION).putShort((short) SEGMENT_HEADER_BYTES);
    b.putLong(firstSeq).putLong(createdMillis).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 28);
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  /**
   * Checks a segment header.
   *
   * @param b 32 header bytes from position 0
   * @param expectedFirstSeq the first sequence number named by the file
   * @return {@code null} when valid, else what is wrong
   */
  static String checkSegmentHeader(ByteBuffer b, long expectedFirstSeq) {
    if (b.remaining() < SEGMENT_HEADER_BYTES) {
      return "header is " + b.remaining() + " bytes, expected " + SEGMENT_HEADER_BYTES;
    }
    int magic = b.getInt(0);
    if (magic != SEGMENT_MAGIC) {
      return "bad magic 0x" + Integer.toHexString(magic);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), b.arrayOffset(), 28);
    int stored = b.getInt(28);
    if (stored != (int) crc.getValue()) {
      return "header CRC32C mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
          + Integer.toHexString((int) crc.getValue()) + ")";
    }
    short version = b.getShort(4);
    if (version != VERSION) {
      return "unsupported format version " + version + " (this code reads " + VERSION + ")";
    }
    long first = b.getLong(8);
    if (first != expectedFirstSeq) {
      return "header names first sequence " + first + " but the file name says " + expectedFirstSeq;
    }
    return null;
  }

  /**
   * Writes one frame at {@code dst}'s position: header fields, payload, then the CRC over the length and everything
   * after the CRC field. Does not allocate.
   *
   * @param dst a buffer with room for the frame; its position ends after the frame
   * @param crc a reusable checksum
   * @param seq the record's sequence number
   * @param appendMillis append time, epoch milliseconds
   * @param payload the record bytes
   */
  static void putFrame(ByteBuffer dst, CRC32C crc, long seq, long appendMillis, byte[] payload) {
    int start = dst.position();
    dst.putInt(payload.length).putInt(0).putLong(seq).putLong(appendMillis).put(payload);
    int end = dst.position();
    dst.putInt(start + 4, frameCrc(dst, crc, start, end));
  }

  /**
   * The CRC32C of a frame in {@code b} spanning {@code [start, end)}: over bytes {@code start..start+4} (the length)
   * and {@code start+8..end} (sequence, time, payload). Leaves {@code b}'s position and limit as they were.
   */
  static int frameCrc(ByteBuffer b, CRC32C crc, int start, int end) {
    int pos = b.position();
    int lim = b.limit();
    crc.reset();
    b.limit(start + 4).position(start);
    crc.update(b);
    b.limit(end).position(start + 8);
    crc.update(b);
    b.limit(lim).position(pos);
    return (int) crc.getValue();
  }
}
