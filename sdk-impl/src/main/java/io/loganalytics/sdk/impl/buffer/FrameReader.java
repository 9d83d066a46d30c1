package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads record frames one after another from a region of a segment file, through a block buffer so that small
 * records cost no system call each. After {@link #next} returns {@link #OK}, the fields describe the frame just read
 * and {@link #position()} is the offset after it. Not thread-safe; one reader per scan.
 */
final class FrameReader {
  /** A valid frame was read. */
  static final int OK = 0;
  /** The frames end here: the region ends, or a length field of 0 starts the zero-filled tail. */
  static final int END = 1;
  /** The region ends inside the frame: a torn tail. */
  static final int TRUNCATED = 2;
  /** The frame's bytes are inconsistent (length, checksum or sequence). */
  static final int CORRUPT = 3;

  private static final int BLOCK = 64 * 1024;

  private final FileChannel channel;
  private final long end;
  private final int maxPayload;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buf = ByteBuffer.allocate(BLOCK);
  private long bufStart;
  private long position;
  private long payloadAt;

  /** The sequence number of the frame just read. */
  long seq;
  /** The append time of the frame just read. */
  long appendMillis;
  /** The payload length of the frame just read. */
  int length;
  /** When {@link #next} found a problem, what it was. */
  String problem;
  /** The length field of a corrupt or truncated frame, or -1 when not even that was readable. */
  int claimedLength;
  /** After {@link #resync} found a frame: its sequence. */
  long foundSeq;

  /**
   * Creates a reader.
   *
   * @param channel the segment file
   * @param from the first frame's offset
   * @param end the end of the region (the file's valid size)
   * @param maxPayload the largest payload a frame may claim
   */
  FrameReader(FileChannel channel, long from, long end, int maxPayload) {
    this.channel = channel;
    this.position = from;
    this.end = end;
    this.maxPayload = maxPayload;
    this.bufStart = from;
    buf.limit(0);
  }

  /** @return the offset of the next frame */
  long position() {
    return position;
  }

  /** @return the offset of the frame just read (valid after {@link #next} returned {@link #OK}) */
  long frameStart() {
    return payloadAt - Format.FRAME_HEADER_BYTES;
  }

  /**
   * Reads the next frame.
   *
   * @param checkCrc whether to verify the checksum (the payload is read either way only when checked)
   * @param expectedSeq the sequence the frame must carry, or -1 to accept any
   * @return {@link #OK}, {@link #END}, {@link #TRUNCATED} or {@link #CORRUPT}
   * @throws IOException when the file cannot be read
   */
  int next(boolean checkCrc, long expectedSeq) throws IOException {
    problem = null;
    claimedLength = -1;
    if (position == end) {
      return END;
    }
    if (end - position < Format.FRAME_HEADER_BYTES) {
      if (fill((int) (end - position)) && isZero((int) (position - bufStart), (int) (end - position))) {
        return END;
      }
      problem = "frame header cut off after " + (end - position) + " bytes";
      return TRUNCATED;
    }
    if (!fill(Format.FRAME_HEADER_BYTES)) {
      problem = "file shorter than expected";
      return TRUNCATED;
    }
    int at = (int) (position - bufStart);
    int len = buf.getInt(at);
    claimedLength = len;
    if (len == 0) {
      return END;
    }
    if (len < 0 || len > maxPayload) {
      problem = "frame length " + len + " outside 1.." + maxPayload;
      return CORRUPT;
    }
    long frameEnd = position + Format.FRAME_HEADER_BYTES + len;
    if (frameEnd > end) {
      problem = "frame of " + len + " bytes cut off after " + (end - position) + " bytes";
      return TRUNCATED;
    }
    long s = buf.getLong(at + 8);
    long t = buf.getLong(at + 16);
    if (checkCrc) {
      if (!fill(Format.FRAME_HEADER_BYTES + len)) {
        problem = "file shorter than expected";
        return TRUNCATED;
      }
      at = (int) (position - bufStart);
      int stored = buf.getInt(at + 4);
      int computed = Format.frameCrc(buf, crc, at, at + Format.FRAME_HEADER_BYTES + len);
      if (stored != computed) {
        problem = "CRC32C mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
            + Integer.toHexString(computed) + ")";
        return CORRUPT;
      }
    }
    if (expectedSeq >= 0 && s != expectedSeq) {
      problem = "sequence " + s + " where " + expectedSeq + " was expected";
      return CORRUPT;
    }
    seq = s;
    appendMillis = t;
    length = len;
    payloadAt = position + Format.FRAME_HEADER_BYTES;
    position = frameEnd;
    return OK;
  }

  /**
   * Looks for the first valid frame at or after offset {@code from}: one whose length fits the region, whose
   * sequence lies in {@code [minSeq, maxSeq)} and whose checksum matches. Used to step over damage: frames carry
   * their own length, sequence and checksum, so the valid ones after a damaged stretch can be found again.
   *
   * @param from the first offset to try
   * @param minSeq the smallest sequence accepted
   * @param maxSeq the first sequence not accepted
   * @return whether one was found; if so, {@link #position()} is its offset and {@link #next} reads it
   * @throws IOException when the file cannot be read
   */
  boolean resync(long from, long minSeq, long maxSeq) throws IOException {
    for (long o = Math.max(from, 0); o + Format.FRAME_HEADER_BYTES <= end; o++) {
      position = o;
      if (!fill(Format.FRAME_HEADER_BYTES)) {
        break;
      }
      int at = (int) (o - bufStart);
      int len = buf.getInt(at);
      if (len < 1 || len > maxPayload || o + Format.FRAME_HEADER_BYTES + len > end) {
        continue;
      }
      long s = buf.getLong(at + 8);
      if (s < minSeq || s >= maxSeq) {
        continue;
      }
      if (!fill(Format.FRAME_HEADER_BYTES + len)) {
        continue;
      }
      at = (int) (o - bufStart);
      if (buf.getInt(at + 4) == Format.frameCrc(buf, crc, at, at + Format.FRAME_HEADER_BYTES + len)) {
        position = o;
        foundSeq = s;
        return true;
      }
    }
    position = end;
    return false;
  }

  /** @return the end of the region this reader reads */
  long end() {
    return end;
  }

  /**
   * Copies the payload of the frame just read (which must have been read with {@code checkCrc}).
   *
   * @return a new array with the payload
   * @throws IOException when the file cannot be read
   */
  byte[] payload() throws IOException {
    byte[] out = new byte[length];
    long rel = payloadAt - bufStart;
    if (rel >= 0 && rel + length <= buf.limit()) {
      buf.get((int) rel, out);
    } else {
      ByteBuffer dst = ByteBuffer.wrap(out);
      long p = payloadAt;
      while (dst.hasRemaining()) {
        int n = channel.read(dst, p);
        if (n < 0) {
          throw new IOException("segment ended while reading a payload at offset " + payloadAt);
        }
        p += n;
      }
    }
    return out;
  }

  private boolean isZero(int at, int n) {
    for (int i = 0; i < n; i++) {
      if (buf.get(at + i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Makes {@code n} bytes from {@link #position} available in {@link #buf}; false when the file is shorter. */
  private boolean fill(int n) throws IOException {
    long rel = position - bufStart;
    if (rel >= 0 && rel + n <= buf.limit()) {
      return true;
    }
    if (buf.capacity() < n) {
      buf = ByteBuffer.allocate(Math.max(n, BLOCK));
    }
    buf.clear();
    int want = (int) Math.min(buf.capacity(), Math.max(n, end - position));
    buf.limit(want);
    bufStart = position;
    long p = position;
    while (buf.position() < n) {
      int r = channel.read(buf, p + buf.position());
      if (r < 0) {
        buf.flip();
        return false;
      }
      if (r == 0 && !buf.hasRemaining()) {
        break;
      }
    }
    buf.flip();
    return buf.limit() >= n;
  }
}
