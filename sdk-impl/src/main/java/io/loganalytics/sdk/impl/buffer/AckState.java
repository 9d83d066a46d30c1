package io.loganalytics.sdk.impl.buffer;

import java.util.Map;
import java.util.TreeMap;

/**
 * The acknowledgement state of a buffer: every sequence below {@link #frontier} is gone (acknowledged or dropped),
 * and the disjoint intervals of {@link #removed} above it are gone too (chunks acknowledged out of order, segments
 * lost to damage or evicted). Stored in {@code ack.state} by {@link AckLog} (the bytes: {@link Format}). Mutable; not
 * thread-safe: guarded by the buffer's lock, or confined to one thread (a copy being written, the verifier).
 */
final class AckState {
  static final String FILE = "ack.state";

  long frontier;
  /** Interval start to end (exclusive), disjoint, not adjacent, all above {@link #frontier}. */
  final TreeMap<Long, Long> removed = new TreeMap<>();

  AckState copy() {
    AckState c = new AckState();
    c.frontier = frontier;
    c.removed.putAll(removed);
    return c;
  }

  /**
   * Marks {@code [start, end)} as gone, merging intervals and advancing the frontier.
   *
   * @return how many sequences were not gone before
   */
  long remove(long start, long end) {
    start = Math.max(start, frontier);
    if (start >= end) {
      return 0;
    }
    long added = end - start;
    Map.Entry<Long, Long> before = removed.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      added -= Math.min(before.getValue(), end) - start;
      start = before.getKey();
      end = Math.max(end, before.getValue());
      removed.remove(before.getKey());
    }
    Map.Entry<Long, Long> after;
    while ((after = removed.ceilingEntry(start)) != null && after.getKey() <= end) {
      added -= Math.min(after.getValue(), end) - after.getKey();
      end = Math.max(end, after.getValue());
      removed.remove(after.getKey());
    }
    if (start <= frontier) {
      frontier = end;
    } else {
      removed.put(start, end);
    }
    return Math.max(0, added);
  }

  /** Raises the frontier to at least {@code seq}, dropping intervals below it. */
  void advanceTo(long seq) {
    if (seq > frontier) {
      frontier = seq;
    }
    Map.Entry<Long, Long> first;
    while ((first = removed.firstEntry()) != null && first.getKey() <= frontier) {
      frontier = Math.max(frontier, first.getValue());
      removed.remove(first.getKey());
    }
  }

  /** @return whether {@code seq} is gone */
  boolean isRemoved(long seq) {
    if (seq < frontier) {
      return true;
    }
    if (removed.isEmpty()) {
      return false; // the usual case; spares boxing the key in the lookup below
    }
    Map.Entry<Long, Long> e = removed.floorEntry(seq);
    return e != null && e.getValue() > seq;
  }

  /** @return the end of the gone interval holding {@code seq}, or {@code seq} when it is not gone */
  long skipRemoved(long seq) {
    if (seq < frontier) {
      seq = frontier;
    }
    Map.Entry<Long, Long> e = removed.floorEntry(seq);
    return e != null && e.getValue() > seq ? e.getValue() : seq;
  }

  /** @return how many sequences in {@code [start, end)} are gone */
  long removedIn(long start, long end) {
    long n = Math.max(0, Math.min(end, frontier) - start);
    long lo = Math.max(start, frontier);
    for (Map.Entry<Long, Long> e : removed.headMap(end, false).entrySet()) {
      long a = Math.max(e.getKey(), lo);
      long b = Math.min(e.getValue(), end);
      if (b > a) {
        n += b - a;
      }
    }
    return n;
  }

  /** @return how many sequences above the frontier are gone */
  long removedCount() {
    long n = 0;
    for (Map.Entry<Long, Long> e : removed.entrySet()) {
      n += e.getValue() - e.getKey();
    }
    return n;
  }

  /** @return the end of the last gone interval, or the frontier when there is none */
  long maxGone() {
    Map.Entry<Long, Long> last = removed.lastEntry();
    return last == null ? frontier : Math.max(frontier, last.getValue());
  }
}
