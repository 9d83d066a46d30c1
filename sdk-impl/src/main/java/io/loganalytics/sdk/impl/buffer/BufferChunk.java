package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import java.time.Instant;
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
  final FileDiskBuffer.Position start;
  /** Where the record after the chunk starts, to resume reading without a scan; may be stale. */
  final FileDiskBuffer.Position end;

  /** Records of this chunk whose segment was evicted or quarantined while it was outstanding. */
  long evictedRecords;
  long evictedBytes;
  DropReason evictedReason;

  BufferChunk(FileDiskBuffer owner, FileDiskBuffer.Position start, List<byte[]> records, Instant oldest,
      long payloadBytes, FileDiskBuffer.Position end) {
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

  /** Marks the records in {@code [start, end)} as evicted; returns how many of them belong to this chunk. */
  long markEvicted(long start, long end, DropReason reason) {
    long a = Math.max(start, firstSeq);
    long b = Math.min(end, endSeq);
    if (b <= a) {
      return 0;
    }
    for (long s = a; s < b; s++) {
      evictedBytes += records.get((int) (s - firstSeq)).length;
    }
    evictedRecords += b - a;
    evictedReason = reason;
    return b - a;
  }

  @Override
  public String toString() {
    return "Chunk{sequences " + firstSeq + ".." + (endSeq - 1) + ", " + records.size() + " records, " + payloadBytes
        + " bytes}";
  }
}
