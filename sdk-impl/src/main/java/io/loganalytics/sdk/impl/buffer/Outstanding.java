package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.Chunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chunks handed out by {@code read} and not yet acknowledged or released, by first sequence: which chunk holds a
 * sequence, whether a chunk a caller hands back is one of them, and what acknowledging one frees. Chunks hold
 * disjoint ranges of consecutive sequences, so the chunk with the largest first sequence also ends last.
 *
 * <p>Not thread-safe: guarded by the buffer's lock ({@code FileDiskBuffer.lock}); {@link ReadCursor} adds chunks,
 * {@link Drops} marks the records of chunks that are lost while they are out, the facade removes them.
 */
final class Outstanding {
  private final TreeMap<Long, BufferChunk> byFirst = new TreeMap<>();

  /** A chunk was handed out. */
  void add(BufferChunk c) {
    byFirst.put(c.firstSeq, c);
  }

  /** @return the outstanding chunk whose first sequence is {@code firstSeq}, or null */
  BufferChunk get(long firstSeq) {
    return byFirst.get(firstSeq);
  }

  /** A chunk was released or acknowledged: it is no longer out. */
  void remove(BufferChunk c) {
    byFirst.remove(c.firstSeq, c);
  }

  boolean isEmpty() {
    return byFirst.isEmpty();
  }

  /** @return the outstanding chunks in sequence order (a view: not to be kept while chunks are added or removed) */
  Collection<BufferChunk> all() {
    return Collections.unmodifiableCollection(byFirst.values());
  }

  /**
   * Removes every chunk (the buffer closes: none can be acknowledged any more).
   *
   * @return the chunks that were out, in sequence order
   */
  List<BufferChunk> takeAll() {
    List<BufferChunk> all = new ArrayList<>(byFirst.values());
    byFirst.clear();
    return all;
  }

  /** @return the outstanding chunk that holds {@code seq}, or null */
  BufferChunk holding(long seq) {
    Map.Entry<Long, BufferChunk> e = byFirst.floorEntry(seq);
    return e != null && e.getValue().endSeq > seq ? e.getValue() : null;
  }

  /** @return the outstanding chunk with the largest first sequence below {@code seq}, or null */
  BufferChunk before(long seq) {
    Map.Entry<Long, BufferChunk> e = byFirst.lowerEntry(seq);
    return e == null ? null : e.getValue();
  }

  /** @return whether an outstanding chunk holds {@code seq} or a later sequence */
  boolean holdsFrom(long seq) {
    Map.Entry<Long, BufferChunk> e = byFirst.lastEntry();
    return e != null && e.getValue().endSeq > seq;
  }

  /**
   * The chunk a caller hands back to acknowledge or release, checked.
   *
   * @param chunk what the caller passed
   * @param owner the buffer it must have been read from
   * @param dir that buffer's directory (for the message)
   * @return the chunk, outstanding
   * @throws IllegalArgumentException when it was not read from {@code owner}, or is not outstanding: acknowledged or
   *     released already, or being acknowledged
   */
  BufferChunk check(Chunk chunk, Object owner, Path dir) {
    if (!(chunk instanceof BufferChunk) || ((BufferChunk) chunk).owner != owner) {
      throw new IllegalArgumentException("chunk " + chunk + " was not read from buffer " + dir);
    }
    BufferChunk c = (BufferChunk) chunk;
    if (byFirst.get(c.firstSeq) != c || c.acknowledging) {
      throw new IllegalArgumentException("chunk " + chunk + " is not outstanding (already acknowledged or"
          + " released, or being acknowledged)");
    }
    return c;
  }

  /**
   * Subtracts an acknowledged chunk's payload from the segments of {@code log} that hold its records (records lost
   * while it was out were subtracted when they were dropped; records whose segment is gone are skipped).
   *
   * @param c the chunk
   * @param log the segments
   */
  static void subtractPayload(BufferChunk c, SegmentLog log) {
    for (int i = 0; i < c.records.size(); i++) {
      if (c.isLost(i)) {
        continue;
      }
      long seq = c.firstSeq + i;
      Segment s = log.segments.get(log.indexOf(seq));
      if (s.firstSeq <= seq) {
        s.livePayload = Math.max(0, s.livePayload - c.records.get(i).length);
      }
    }
  }
}
