package io.loganalytics.sdk.impl.buffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code DROP_OLDEST} evictions finished off the appending thread ({@link io.loganalytics.sdk.Durability#INTERVAL}
 * mode). An eviction has two halves:
 * <ol>
 *   <li>logical, on the appending thread under the buffer's lock, with no system call: the segment leaves the log
 *       (its bytes no longer count against the capacity, its records are gone and no longer readable), and its drop
 *       reports join the in-memory journal ({@link AckLog}), so every {@code ack.state} written from then on holds
 *       them;</li>
 *   <li>durable, on this part's thread (daemon, named {@code loganalytics-buffer-evict-DIR}, started by the first
 *       eviction): {@code ack.state} is written with the drops ({@link #afterJournal} runs then, for tests), the
 *       segment files are deleted, and only then are the reports delivered to the listener.</li>
 * </ol>
 * A crash between the halves loses nothing: the segment file is still there and no {@code ack.state} on disk says its
 * records are gone (they are read again after the restart) unless that file also holds the drop report (which is
 * then delivered after the restart, once, and the file deleted). So every evicted record is delivered or reported,
 * exactly once, as with an eviction finished on the appending thread.
 *
 * <p>Bound: at most one evicted segment waits for its durable half at a time. An eviction that finds one still
 * waiting finishes it on the appending thread first, so the files on disk exceed the capacity by at most one
 * segment, and a failure to write {@code ack.state} reaches the appending thread as before.
 *
 * <p>Thread-safety: {@link #pending} is guarded by the buffer's lock ({@code FileDiskBuffer.lock}); the durable half
 * (the task given to the constructor) takes the buffer's locks itself, in the order written in
 * {@link FileDiskBuffer}, and runs without any of them while it writes and deletes. The thread is a
 * {@link DaemonLoop} (lock-free requests, a leaf monitor).
 */
final class Evictions {
  /** A segment evicted logically whose file is not deleted yet. */
  static final class Evicted {
    final Segment segment;
    final Path path;
    /** The ids of the drops it journals (those not held by a chunk are reported once the file is deleted). */
    final List<Long> dropIds;

    Evicted(Segment segment, List<Long> dropIds) {
      this.segment = segment;
      this.path = segment.path;
      this.dropIds = dropIds;
    }
  }

  /** Evicted segments waiting for their durable half, oldest first. Guarded by the buffer's lock. */
  private final List<Evicted> pending = new ArrayList<>();

  /** Runs between the write of {@code ack.state} and the deletes (tests: a crash at that moment). */
  volatile Runnable afterJournal;
  /** While set, the thread does not finish evictions (tests: a crash between the two halves). */
  volatile boolean paused;

  private final DaemonLoop loop;

  /**
   * Creates the part; its thread starts with the first eviction.
   *
   * @param finish the durable half of every pending eviction; called without any lock
   */
  Evictions(Path dir, BooleanSupplier closed, Runnable finish) {
    this.loop = new DaemonLoop("loganalytics-buffer-evict-" + dir.getFileName(), closed, () -> paused, finish);
  }

  /** Adds a logically evicted segment. Buffer's lock held; call {@link #request()} after. */
  void add(Evicted e) {
    pending.add(e);
  }

  /** @return whether an evicted segment waits for its durable half. Buffer's lock held. */
  boolean hasPending() {
    return !pending.isEmpty();
  }

  /** @return the evicted segments waiting now (a copy). Buffer's lock held. */
  List<Evicted> snapshot() {
    return new ArrayList<>(pending);
  }

  /**
   * Marks evicted segments finished (journaled and deleted).
   *
   * @return those of {@code done} that were still pending: their reports are due now (once)
   */
  List<Evicted> finished(List<Evicted> done) {
    List<Evicted> due = new ArrayList<>(done.size());
    for (Evicted e : done) {
      if (pending.remove(e)) {
        due.add(e);
      }
    }
    return due;
  }

  /** @return whether the drop {@code id} belongs to an eviction whose durable half is still to come. Lock held. */
  boolean owes(long id) {
    for (Evicted e : pending) {
      if (e.dropIds.contains(id)) {
        return true;
      }
    }
    return false;
  }

  /** Wakes (or starts) the thread. With or without the buffer's lock (its monitor is a leaf). */
  void request() {
    loop.request();
  }

  /** Wakes the thread so that it sees the buffer closed and ends. */
  void wake() {
    loop.wake();
  }

  /** Clears {@link #paused} and lets the thread finish what waits (tests). */
  void resume() {
    paused = false;
    loop.wake();
  }

  /** @return the thread, or null if none was started */
  Thread thread() {
    return loop.thread();
  }
}
