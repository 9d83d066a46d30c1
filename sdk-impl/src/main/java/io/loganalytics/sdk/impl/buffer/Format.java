package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Byte layout constants and codecs of the buffer files: segments of format version 2 (version 1 is still read),
 * {@code ack.state} of version 1. The layout is drawn in the Javadoc of {@link FileDiskBuffer}; all integers are
 * big-endian. Stateless; thread-safe.
 */
final class Format {
  /** "LABS": Log Analytics Buffer Segment. */
  static final int SEGMENT_MAGIC = 0x4C414253;
  /** "LAAK": Log Analytics Acknowledgement state. */
  static final int ACK_MAGIC = 0x4C41414B;
  /**
   * The segment format version written. Version 2 may hold a zero-filled (preallocated) tail after the last frame;
   * a frame whose length field is 0 marks the end of the frames.
   */
  static final short SEGMENT_VERSION = 2;
  /** The oldest segment format version read: version 1 files are read by the same rules (they have no zero tail). */
  static final short OLDEST_SEGMENT_VERSION = 1;
  /** The format version of {@code ack.state}, written and read. */
  static final short ACK_VERSION = 1;
  /** Bytes of a segment file header. */
  static final int SEGMENT_HEADER_BYTES = 32;
  /** Bytes of a record frame before its payload. */
  static final int FRAME_HEADER_BYTES = 24;
  /** Suffix of live segment files. */
  static final String SEGMENT_SUFFIX = ".seg";
  /** Suffix of files being created; they are deleted on open. */
  static final String TEMP_SUFFIX = ".tmp";

  private static final int ZERO_BLOCK = 64 * 1024;
  /** Zeros for preallocation; only ever read through duplicates. */
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_BLOCK).asReadOnlyBuffer();

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
    b.putInt(SEGMENT_MAGIC).putShort(SEGMENT_VERSION).putShort((short) SEGMENT_HEADER_BYTES);
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
    if (version < OLDEST_SEGMENT_VERSION || version > SEGMENT_VERSION) {
      return "unsupported format version " + version + " (this code reads " + OLDEST_SEGMENT_VERSION + " to "
          + SEGMENT_VERSION + ")";
    }
    long first = b.getLong(8);
    if (first != expectedFirstSeq) {
      return "header names first sequence " + first + " but the file name says " + expectedFirstSeq;
    }
    return null;
  }

  /**
   * Whether {@code [from, to)} of a file holds only zero bytes (or the file ends before {@code to}).
   *
   * @param ch the file
   * @param from the first offset
   * @param to the end offset
   * @return true when nothing but zeros is there
   * @throws IOException when the file cannot be read
   */
  static boolean allZero(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(ZERO_BLOCK, Math.max(0, to - from)));
    long p = from;
    while (p < to) {
      b.clear().limit((int) Math.min(b.capacity(), to - p));
      int n = ch.read(b, p);
      if (n < 0) {
        return true;
      }
      for (int i = 0; i < n; i++) {
        if (b.get(i) != 0) {
          return false;
        }
      }
      p += n;
    }
    return true;
  }

  /**
   * Writes zeros over {@code [from, to)} of a file (preallocation: the blocks are then allocated, so later writes
   * and forces in that range change no file metadata).
   *
   * @param ch the file
   * @param from the first offset
   * @param to the end offset
   * @throws IOException when the file cannot be written
   */
  static void writeZeros(FileChannel ch, long from, long to) throws IOException {
    long p = from;
    while (p < to) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), to - p));
      while (z.hasRemaining()) {
        p += ch.write(z, p);
      }
    }
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
