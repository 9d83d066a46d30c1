package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Group commit: the appends written since the last force form the {@link #pending} round; one force makes a round
 * durable. Appenders waiting at the same moment share it: the first waiter (the leader) forces for all, the others
 * wait for its result, so N blocking appenders cost about one force, not N. Asynchronous appends add a future to the
 * round; it is completed, through the buffer's events, after the locks are released.
 *
 * <p>Thread-safety: {@link #pending} and {@link #inFlight}, and a round's {@code writes} and {@code futures}, are
 * guarded by the buffer's lock; a round's {@code done} and {@code error}, and the leadership, by {@link #monitor}, a
 * leaf in the lock order (nothing is acquired while holding it). A monitor rather than a lock and condition: waiting
 * on a monitor allocates nothing, and every SYNC append waits once.
 */
final class GroupCommit {
  /** A batch of appends that one force makes durable. */
  static final class Round {
    /** Whether anything was written in it. Guarded by the buffer's lock. */
    boolean writes;
    /** Futures of asynchronous appends in it, or null. Guarded by the buffer's lock. */
    List<CompletableFuture<Void>> futures;
    /** Guarded by the monitor. */
    boolean done;
    /** Guarded by the monitor. */
    BufferException error;

    void addFuture(CompletableFuture<Void> f) {
      if (futures == null) {
        futures = new ArrayList<>(4);
      }
      futures.add(f);
    }
  }

  private final Object monitor = new Object();
  private final BufferEvents events;
  /** Guarded by {@link #monitor}. */
  private boolean leaderActive;
  /** The round the next append joins. Guarded by the buffer's lock. */
  Round pending = new Round();
  /** The round being forced right now, if any. Guarded by the buffer's lock. */
  Round inFlight;
  /** In SYNC mode, every sequence below this is forced. Guarded by the buffer's lock. */
  long durableSeq;

  GroupCommit(BufferEvents events) {
    this.events = events;
  }

  /**
   * Starts a new pending round and returns the old one (to complete or force). Buffer's lock held.
   *
   * @return the round that was pending
   */
  Round swap() {
    Round r = pending;
    pending = new Round();
    return r;
  }

  /**
   * Completes a round: wakes its waiters; its futures complete through the events (after the locks are released).
   * Idempotent: a round completes once. With or without the buffer's lock.
   *
   * @param r the round
   * @param error why it failed, or null when it is durable
   */
  void complete(Round r, BufferException error) {
    synchronized (monitor) {
      if (r.done) {
        return;
      }
      r.done = true;
      r.error = error;
      monitor.notifyAll();
    }
    List<CompletableFuture<Void>> futures = r.futures;
    if (futures != null) {
      events.run(() -> {
        for (CompletableFuture<Void> f : futures) {
          if (error == null) {
            f.complete(null);
          } else {
            f.completeExceptionally(error);
          }
        }
      });
    }
  }

  /**
   * Waits until {@code r} is forced; the first waiter forces for everybody by running {@code forceOnce}, which forces
   * the pending round and completes it. Waiting is not interruptible: an interrupt that arrives meanwhile is restored
   * before returning. Called without the buffer's lock.
   *
   * @param r the round
   * @param forceOnce forces the pending round (takes the buffer's lock itself)
   * @return the round's error, or null when it is durable
   */
  BufferException await(Round r, Runnable forceOnce) {
    boolean interrupted = false;
    while (true) {
      synchronized (monitor) {
        while (!r.done && leaderActive) {
          try {
            monitor.wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (r.done) {
          break;
        }
        leaderActive = true;
      }
      try {
        forceOnce.run();
      } finally {
        synchronized (monitor) {
          leaderActive = false;
          monitor.notifyAll();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    synchronized (monitor) {
      return r.error;
    }
  }
}
