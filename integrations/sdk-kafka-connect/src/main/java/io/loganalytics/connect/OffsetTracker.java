package io.loganalytics.connect;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Per topic partition, which records the task received and which of them are finished (acknowledged by the service,
 * handed to the dead-letter queue, or dropped by the configured behaviour). {@link #committable()} gives, per
 * partition, the offset after the longest contiguous run of finished records starting at the oldest one still
 * tracked: the task never commits past a record the service has not acknowledged, whatever order the
 * acknowledgements arrive in.
 *
 * <p>A partition is tracked from {@link #open} until {@link #forget}; the {@link Partition} handle returned by
 * {@code open} stays valid for acknowledgements from upload threads, which are ignored once the partition was
 * forgotten (revoked), so a late acknowledgement can never advance a partition this task no longer owns, nor a new
 * assignment of the same partition.
 *
 * <p>Thread-safe: the task thread adds and reads, upload threads acknowledge.
 */
final class OffsetTracker {
  /** One assignment of one partition. */
  static final class Partition {
    final TopicPartition tp;
    /** Offset to finished flag, for records received and not yet behind the committable position. */
    private final TreeMap<Long, Boolean> pending = new TreeMap<>();
    /** The offset after the last record of the contiguous finished prefix, or -1 when nothing finished yet. */
    private long committable = -1;
    private boolean forgotten;

    private Partition(TopicPartition tp) {
      this.tp = tp;
    }
  }

  private final Map<TopicPartition, Partition> partitions = new HashMap<>();

  /**
   * Starts tracking a partition (again); a previous handle of it is forgotten.
   *
   * @param tp the original topic partition
   * @return the handle for {@link #add} and {@link #done}
   */
  synchronized Partition open(TopicPartition tp) {
    Partition old = partitions.get(tp);
    if (old != null) {
      old.forgotten = true;
    }
    Partition p = new Partition(tp);
    partitions.put(tp, p);
    return p;
  }

  /**
   * The handle of a tracked partition, opening it when it is not tracked yet.
   *
   * @param tp the original topic partition
   * @return the handle
   */
  synchronized Partition partition(TopicPartition tp) {
    Partition p = partitions.get(tp);
    return p != null ? p : open(tp);
  }

  /**
   * Records that a record was received and is not finished.
   *
   * @param p the partition
   * @param offset its original Kafka offset
   * @return {@code false} when the record is already tracked or behind the committable position (a redelivery the
   *     task has handled), so the caller must not process it twice
   */
  synchronized boolean add(Partition p, long offset) {
    if (p.forgotten || offset < p.committable || p.pending.containsKey(offset)) {
      return false;
    }
    p.pending.put(offset, Boolean.FALSE);
    return true;
  }

  /**
   * Marks a record finished. Ignored for a forgotten partition or an offset that is not tracked.
   *
   * @param p the partition
   * @param offset the original Kafka offset
   */
  synchronized void done(Partition p, long offset) {
    if (p.forgotten || !p.pending.containsKey(offset)) {
      return;
    }
    p.pending.put(offset, Boolean.TRUE);
    while (!p.pending.isEmpty() && p.pending.firstEntry().getValue()) {
      long first = p.pending.pollFirstEntry().getKey();
      p.committable = first + 1;
    }
  }

  /**
   * Stops tracking partitions (revoked or closed): their pending records are never committed by this task, and
   * later acknowledgements of them are ignored.
   *
   * @param tps the partitions
   */
  synchronized void forget(Iterable<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      Partition p = partitions.remove(tp);
      if (p != null) {
        p.forgotten = true;
      }
    }
  }

  /**
   * Whether a handle still belongs to a tracked assignment.
   *
   * @param p the handle
   * @return {@code false} once its partition was forgotten or opened again
   */
  synchronized boolean isLive(Partition p) {
    return !p.forgotten;
  }

  /**
   * The offsets safe to commit: per tracked partition with at least one finished record, the offset after the
   * contiguous finished prefix (Kafka's convention: the next offset to read).
   *
   * @return partition to offset; partitions with nothing finished are absent
   */
  synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Partition p : partitions.values()) {
      if (p.committable >= 0) {
        out.put(p.tp, new OffsetAndMetadata(p.committable));
      }
    }
    return out;
  }

  /**
   * Records received and not finished, over all partitions.
   *
   * @return the count
   */
  synchronized int pendingRecords() {
    int n = 0;
    for (Partition p : partitions.values()) {
      for (Boolean done : p.pending.values()) {
        if (!done) {
          n++;
        }
      }
    }
    return n;
  }
}
