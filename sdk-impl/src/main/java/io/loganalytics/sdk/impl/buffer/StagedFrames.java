package io.loganalytics.sdk.impl.buffer;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Frames built by appends and not yet written: one reused direct buffer, so appends do not allocate, and the leader
 * of the next write (or force) writes them all with one call. Frames are laid out as {@link Format} draws, with
 * consecutive sequence numbers following the buffer's next sequence.
 *
 * <p>Not thread-safe: every field is guarded by the buffer's lock ({@code FileDiskBuffer.lock}), which every caller
 * holds.
 */
final class StagedFrames {
  /** The size of the buffer: a larger frame is written on its own, not staged. */
  static final int CAPACITY = 256 * 1024;

  private final ByteBuffer scratch = ByteBuffer.allocateDirect(CAPACITY);
  private final CRC32C crc = new CRC32C();
  private int bytes;
  private int records;
  private long payload;

  /** @return the bytes staged */
  int bytes() {
    return bytes;
  }

  /** @return the records staged */
  int records() {
    return records;
  }

  /** @return the payload bytes of the records staged */
  long payload() {
    return payload;
  }

  /**
   * Stages one frame after those already staged. The caller checked that it fits ({@code bytes() + frame <=
   * CAPACITY}).
   *
   * @param nextSeq the sequence of the first staged record (the buffer's next sequence)
   */
  void add(long nextSeq, long millis, byte[] record) {
    scratch.limit(scratch.capacity()).position(bytes);
    Format.putFrame(scratch, crc, nextSeq + records, millis, record);
    bytes += Format.FRAME_HEADER_BYTES + record.length;
    records++;
    payload += record.length;
  }

  /**
   * @return the staged frames, from the first byte to the last; valid until the next {@link #add} (call
   *     {@link #clear} before writing them, so that a failed write leaves nothing staged)
   */
  ByteBuffer frames() {
    scratch.limit(bytes).position(0);
    return scratch;
  }

  /** Forgets the staged frames (written, or never to be written). */
  void clear() {
    bytes = 0;
    records = 0;
    payload = 0;
  }
}
