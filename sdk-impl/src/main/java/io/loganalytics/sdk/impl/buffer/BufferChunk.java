package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import java.time.Instant;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;

/**
 * A chunk handed out by {@link FileDiskBuffer#read}: records with consecutive sequence numbers
 * {@code [firstSequence, endSequence)}. Immutable to callers; the bookkeeping fields are guarded by the buffer's lock.
 */
final class BufferChunk implements Chunk {
  final FileDiskBuffer owner;
  final long firstSeq;
  final long endSeq;
  final List<byte[]> records;
  final Instant oldest;
  final long payloadBytes;
  /** Where the chunk's first record starts, to read it again after a release; may be stale. */
  final ReadCursor.Position start;
  /** Where the record after the chunk starts, to resume reading without a scan; may be stale. */
  final ReadCursor.Position end;

  /**
   * Records of this chunk whose segment was evicted or quarantined while it was outstanding, by index; each is
   * counted once however often its range is dropped. Reported when the chunk is released (an acknowledged chunk was
   * delivered, so its records are not lost).
   */
  private final BitSet lost = new BitSet();
  /** Of {@link #lost}: records and payload bytes per reason, indexed by {@link DropReason#ordinal()}. */
  private final long[] lostRecords = new long[DropReason.values().length];
  private final long[] lostBytes = new long[DropReason.values().length];
  /** Its acknowledgement is being written (a second acknowledge or a release is refused meanwhile). */
  boolean acknowledging;

  BufferChunk(FileDiskBuffer owner, ReadCursor.Position start, List<byte[]> records, Instant oldest,
      long payloadBytes, ReadCursor.Position end) {
    this.owner = owner;
    this.start = start;
    this.firstSeq = start.seq;
    this.endSeq = firstSeq + records.size();
    this.records = Collections.unmodifiableList(records);
    this.oldest = oldest;
    this.payloadBytes = payloadBytes;
    this.end = end;
  }

  @Override
  public long firstSequence() {
    return firstSeq;
  }

  @Override
  public List<byte[]> records() {
    return records;
  }

  @Override
  public Instant oldestAppendTime() {
    return oldest;
  }

  @Override
  public int recordCount() {
    return records.size();
  }

  @Override
  public long payloadBytes() {
    return payloadBytes;
  }

  /**
   * Marks the records in {@code [start, end)} as lost for {@code reason}; records marked before keep their first
   * reason and are not counted again.
   *
   * @return how many of them were not marked before: the records of this chunk that this drop removes
   */
  long markEvicted(long start, long end, DropReason reason) {
    long a = Math.max(start, firstSeq);
    long b = Math.min(end, endSeq);
    if (b <= a) {
      return 0;
    }
    long marked = 0;
    for (int i = (int) (a - firstSeq); i < (int) (b - firstSeq); i++) {
      if (!lost.get(i)) {
        lost.set(i);
        lostRecords[reason.ordinal()]++;
        lostBytes[reason.ordinal()] += records.get(i).length;
        marked++;
      }
    }
    return marked;
  }

  /**
   * The records in {@code [start, end)} not yet marked lost, and their payload bytes, without marking them.
   *
   * @return {count, bytes}
   */
  long[] unmarked(long start, long end) {
    long a = Math.max(start, firstSeq);
    long b = Math.min(end, endSeq);
    long n = 0;
    long bytes = 0;
    for (long s = a; s < b; s++) {
      int i = (int) (s - firstSeq);
      if (!lost.get(i)) {
        n++;
        bytes += records.get(i).length;
      }
    }
    return new long[] {n, bytes};
  }

  /** @return whether record {@code index} was marked lost */
  boolean isLost(int index) {
    return lost.get(index);
  }

  /** @return how many records of this chunk were lost for {@code reason} while it was outstanding */
  long lostRecords(DropReason reason) {
    return lostRecords[reason.ordinal()];
  }

  /** @return the payload bytes of {@link #lostRecords(DropReason)} */
  long lostBytes(DropReason reason) {
    return lostBytes[reason.ordinal()];
  }

  @Override
  public String toString() {
    return "Chunk{sequences " + firstSeq + ".." + (endSeq - 1) + ", " + records.size() + " records, " + payloadBytes
        + " bytes}";
  }
}
