package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit: the appends staged or written since the last force form the {@link #pending} round; one write of
 * its staged frames and one force make a round durable. Appenders waiting at the same moment share it: the first
 * waiter (the leader) writes and forces for all, the others wait for its result, so N blocking appenders cost about
 * one write and one force, not N. Asynchronous appends add a future to the
 * round; it is completed, through the buffer's events, after the locks are released.
 *
 * <p>Waiting is by {@link LockSupport#park}: a waiter registers on its round and sleeps; completing a round wakes only
 * that round's waiters, and a leader that finishes wakes one waiter of the next round to lead it. So with many
 * appenders a round costs one wake-up per appender, without a herd contending for one monitor.
 *
 * <p>Thread-safety: {@link #pending} and {@link #inFlight}, and a round's {@code writes} and {@code futures}, are
 * guarded by the buffer's lock ({@link #pending} is also read without it, as a hint of whom to wake); a round's
 * {@code done}, {@code error} and waiters, and the leadership, are lock-free (volatile fields, an atomic flag, a
 * concurrent queue); the only lock is a round's own monitor, held by {@link #complete} just to mark it done once (a
 * leaf in the buffer's lock order: nothing is acquired while holding it).
 */
final class GroupCommit {
  /** A batch of appends that one force makes durable. */
  static final class Round {
    /** Whether anything was written (or staged) in it. Guarded by the buffer's lock. */
    boolean writes;
    /** Futures of asynchronous appends in it, or null. Guarded by the buffer's lock. */
    List<CompletableFuture<Void>> futures;
    /** Set once, after {@link #error}. */
    volatile boolean done;
    /** Why it failed, or null; written before {@link #done}. */
    volatile BufferException error;
    /** Threads parked until it is done. */
    final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

    void addFuture(CompletableFuture<Void> f) {
      if (futures == null) {
        futures = new ArrayList<>(4);
      }
      futures.add(f);
    }
  }

  private final BufferEvents events;
  private final AtomicBoolean leader = new AtomicBoolean();
  /** The round the next append joins. Written under the buffer's lock; read without it only to pick whom to wake. */
  volatile Round pending = new Round();
  /** The round being forced right now, if any. Guarded by the buffer's lock. */
  Round inFlight;
  /** Every sequence below this is forced. Guarded by the buffer's lock. */
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
    synchronized (r) {
      if (r.done) {
        return;
      }
      r.error = error;
      r.done = true;
    }
    Thread t;
    while ((t = r.waiters.poll()) != null) {
      LockSupport.unpark(t);
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
    Thread me = Thread.currentThread();
    while (!r.done) {
      if (leader.compareAndSet(false, true)) {
        try {
          if (!r.done) {
            forceOnce.run();
          }
        } finally {
          leader.set(false);
          wakeNextLeader();
        }
        continue;
      }
      r.waiters.add(me);
      if (r.done || !leader.get()) {
        r.waiters.remove(me);
        continue;
      }
      LockSupport.park(this);
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      me.interrupt();
    }
    return r.error;
  }

  /** After a leader is done: one waiter of the round now pending (if any) wakes to lead its force. */
  private void wakeNextLeader() {
    Thread next = pending.waiters.peek();
    if (next != null) {
      LockSupport.unpark(next);
    }
  }
}
