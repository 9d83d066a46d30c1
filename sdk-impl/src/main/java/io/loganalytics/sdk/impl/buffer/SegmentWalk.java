package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Walks the frames of one segment in sequence order and steps over damage, so that every valid frame after a
 * damaged stretch is still found: the engine shared by reading ({@link ReadCursor}), recovery ({@link LogLoader}) and
 * {@link Verifier}, so that all three see the same records and the same damage.
 *
 * <p>Each {@link #next} returns one of:
 * <ul>
 *   <li>{@link #RECORD}: the frame of {@link #seq()} - 1 was read (its fields are in {@link #frame()});
 *   <li>{@link #DAMAGE}: sequences {@code [damageFrom, damageTo)} cannot be read: the frame expected at
 *       {@link #damageOffset} is damaged (length, checksum or sequence) or missing, and the next valid frame carries
 *       {@code damageTo} (or the segment ends). The range may be empty when only bytes between frames are damaged;
 *   <li>{@link #END}: the frames of the segment end: for a segment with a known end, every sequence up to it was
 *       returned; for the newest segment (end unknown), no valid frame follows; {@link #tailAt} says where the frames
 *       end, and {@link #tailTorn} tells a torn write from damage.
 * </ul>
 * Never moves backwards: every call returns a larger sequence or a larger offset than the call before, or
 * {@link #END}. Not thread-safe: one walk per scan, on a channel the caller guards.
 */
final class SegmentWalk {
  static final int RECORD = 0;
  static final int DAMAGE = 1;
  static final int END = 2;
  /** The end sequence of the newest segment, whose frames end wherever they end. */
  static final long UNKNOWN_END = Long.MAX_VALUE;

  private final FileChannel channel;
  private final FrameReader reader;
  private final long fileEnd;
  private final long endSeq;
  private long offset;
  private long seq;

  /** After {@link #DAMAGE}: the unreadable sequences and where the damage starts. */
  long damageFrom;
  long damageTo;
  long damageOffset;
  String problem;
  /** After {@link #END} of the newest segment: where the valid frames end, and the reader's status there. */
  long tailAt;
  int tailStatus;
  int tailClaimedLength;

  /**
   * Creates a walk.
   *
   * @param channel the segment file
   * @param from the offset of the frame of {@code firstSeq}
   * @param fileEnd the end of the region to read (the file size, or the valid end of the active segment)
   * @param maxPayload the largest payload a frame may claim
   * @param firstSeq the sequence expected at {@code from}
   * @param endSeq the first sequence of the next segment, or {@link #UNKNOWN_END}
   */
  SegmentWalk(FileChannel channel, long from, long fileEnd, int maxPayload, long firstSeq, long endSeq) {
    this.channel = channel;
    this.reader = new FrameReader(channel, from, fileEnd, maxPayload);
    this.fileEnd = fileEnd;
    this.endSeq = endSeq;
    this.offset = from;
    this.seq = firstSeq;
  }

  /** @return the sequence expected next */
  long seq() {
    return seq;
  }

  /** @return the offset of the next frame */
  long offset() {
    return offset;
  }

  /** @return the reader positioned after the frame a {@link #RECORD} returned; its fields describe that frame */
  FrameReader frame() {
    return reader;
  }

  /**
   * Steps to the next record, damage or end.
   *
   * @return {@link #RECORD}, {@link #DAMAGE} or {@link #END}
   * @throws IOException when the file cannot be read
   */
  int next() throws IOException {
    if (seq >= endSeq) {
      return END;
    }
    long badAt = offset;
    int status = reader.next(true, -1);
    if (status == FrameReader.OK && reader.seq == seq) {
      offset = reader.position();
      seq++;
      return RECORD;
    }
    int claimed = reader.claimedLength;
    boolean onlyZerosAfter = status == FrameReader.END && Format.allZero(channel, badAt, fileEnd);
    String why = status == FrameReader.OK ? "sequence " + reader.seq + " where " + seq + " was expected"
        : status != FrameReader.END ? reader.problem
        : badAt >= fileEnd ? "the frames end before sequence " + seq
        : onlyZerosAfter ? "zeros from here, before sequence " + seq
        : "a frame length of 0 followed by non-zero bytes, before sequence " + seq;
    if (endSeq == UNKNOWN_END && onlyZerosAfter) {
      end(badAt, status, claimed);
      return END;
    }
    long maxSeq = endSeq != UNKNOWN_END ? endSeq
        : seq + (fileEnd - badAt) / (Format.FRAME_HEADER_BYTES + 1) + 1;
    if (reader.resync(badAt, seq, maxSeq)) {
      damageFrom = seq;
      damageTo = reader.foundSeq;
      damageOffset = badAt;
      problem = why;
      offset = reader.position();
      seq = damageTo;
      return DAMAGE;
    }
    if (endSeq == UNKNOWN_END) {
      problem = why;
      end(badAt, status, claimed);
      return END;
    }
    damageFrom = seq;
    damageTo = endSeq;
    damageOffset = badAt;
    problem = why;
    offset = fileEnd;
    seq = endSeq;
    return DAMAGE;
  }

  private void end(long at, int status, int claimed) {
    tailAt = at;
    tailStatus = status;
    tailClaimedLength = claimed;
    offset = at;
  }

  /**
   * After {@link #END} of the newest segment: whether the bytes after its last valid frame are what a crash leaves
   * (nothing, zeros, a frame cut off by the end of the file, or a damaged last frame followed only by zeros), rather
   * than damage. Records at or above {@code durableEnd} may be torn; one below it was forced, so a bad frame there is
   * damage whatever follows.
   *
   * @param durableEnd every sequence below it was forced once (0 when unknown)
   * @return true for a torn (or clean) tail, false for damage
   * @throws IOException when the file cannot be read
   */
  boolean tailTorn(long durableEnd) throws IOException {
    if (tailAt >= fileEnd || (tailStatus == FrameReader.END && Format.allZero(channel, tailAt, fileEnd))) {
      return seq >= durableEnd;
    }
    if (seq < durableEnd) {
      return false;
    }
    if (tailStatus == FrameReader.TRUNCATED) {
      return true;
    }
    if (tailStatus == FrameReader.CORRUPT) {
      long badEnd = tailClaimedLength > 0 ? tailAt + Format.FRAME_HEADER_BYTES + tailClaimedLength : fileEnd;
      return badEnd >= fileEnd || Format.allZero(channel, badEnd, fileEnd);
    }
    return false;
  }

  /** @return whether the bytes after the last valid frame hold anything but zeros */
  boolean tailHasBytes() throws IOException {
    return tailAt < fileEnd && !Format.allZero(channel, tailAt, fileEnd);
  }
}
