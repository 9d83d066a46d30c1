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
 * that round's waiters, and a leader that finishes wakes one waiter of the next round to lead it, before it wakes
 * the waiters of the rounds it completed (so the next force does not wait for those wake-ups). So with many
 * appenders a round costs one wake-up per appender, without a herd contending for one monitor.
 *
 * <p>Blocking appends are combined ({@link Request}): an appender queues its record instead of taking the buffer's
 * lock; whoever holds the lock when it is released, or the next leader before it forces, stages every queued record
 * and registers its appender as a waiter of the round, so the appender parks once, until that round is forced, and
 * many appenders do not hand the lock to each other one by one.
 *
 * <p>Thread-safety: {@link #pending} and {@link #inFlight}, and a round's {@code writes} and {@code futures}, are
 * guarded by the buffer's lock ({@link #pending} is also read without it, as a hint of whom to wake), and
 * {@link #drain} is called with it held; a round's {@code done}, {@code error} and waiters, the queue of requests
 * and the leadership are lock-free (volatile fields, an atomic flag, concurrent queues); the only lock is a
 * round's own monitor, held by {@link #complete} just to mark it done once (a leaf in the buffer's lock order:
 * nothing is acquired while holding it).
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

  /**
   * A blocking SYNC append handed to whichever thread holds the buffer's lock next (flat combining): the appender
   * queues its record and parks once, until the force of the round its record was staged into, instead of taking
   * the contended lock itself. A record that does not fit the fast path (room to make, a roll, a closed buffer) is
   * handed back, and its appender stages it the ordinary way.
   */
  static final class Request {
    static final int QUEUED = 0;
    static final int STAGED = 1;
    static final int HANDED_BACK = 2;

    final byte[] record;
    final Thread owner;
    /** The round its frame was staged into; written before {@link #state}. */
    volatile Round round;
    volatile int state;

    Request(byte[] record, Thread owner) {
      this.record = record;
      this.owner = owner;
    }

    boolean finished() {
      int st = state;
      return st == HANDED_BACK || (st == STAGED && round.done);
    }
  }

  /** Stages a queued record. Called with the buffer's lock held. */
  interface Stager {
    /** @return the round the record's frame was staged into, or null to hand it back to its appender */
    Round stage(byte[] record);
  }

  private final BufferEvents events;
  private final AtomicBoolean leader = new AtomicBoolean();
  /** The thread leading a force right now, or null. Written by that thread only. */
  private volatile Thread leaderThread;
  /**
   * Rounds the current leader completed; their waiters are woken after it hands the leadership on. Touched only by
   * the thread holding {@link #leader}.
   */
  private final List<Round> completedByLeader = new ArrayList<>(2);
  /** Appends waiting to be staged by whoever holds the buffer's lock next. Lock-free. */
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
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
    if (Thread.currentThread() == leaderThread) {
      // The leader wakes them once it handed the leadership on, so the next force does not wait for these wake-ups.
      completedByLeader.add(r);
    } else {
      wakeWaiters(r);
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
        lead(forceOnce, () -> !r.done);
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

  /**
   * Queues a blocking append for {@link #drain}; then call {@link #awaitRequest}. Called without the buffer's lock.
   *
   * @return the request
   */
  Request submit(byte[] record) {
    Request r = new Request(record, Thread.currentThread());
    requests.add(r);
    return r;
  }

  /** @return whether appends wait to be staged (a volatile read) */
  boolean hasRequests() {
    return !requests.isEmpty();
  }

  /**
   * Stages every queued request (or hands it back): a staged appender is registered as a waiter of the round, so
   * only that round's completion wakes it. Buffer's lock held.
   */
  void drain(Stager stager) {
    Request r;
    while ((r = requests.poll()) != null) {
      Round round;
      try {
        round = stager.stage(r.record);
      } catch (RuntimeException e) {
        round = null; // its appender stages it the ordinary way and meets the failure itself
      }
      if (round == null) {
        r.state = Request.HANDED_BACK;
        LockSupport.unpark(r.owner);
        continue;
      }
      round.waiters.add(r.owner);
      r.round = round;
      r.state = Request.STAGED;
    }
  }

  /**
   * Waits until a request is handed back, or staged and its round forced; leads forces meanwhile as {@link #await}
   * does (a leader's force stages every queued request first). Not interruptible, like {@link #await}. Called
   * without the buffer's lock.
   *
   * @return {@link Request#HANDED_BACK}, or {@link Request#STAGED} once its round is done (see its error)
   */
  int awaitRequest(Request r, Runnable forceOnce) {
    boolean interrupted = false;
    while (!r.finished()) {
      if (leader.compareAndSet(false, true)) {
        lead(forceOnce, () -> !r.finished());
        continue;
      }
      // Registered already (queued, or a waiter of its round): a leader that ends after this read wakes the next.
      if (r.finished() || !leader.get()) {
        continue;
      }
      LockSupport.park(this);
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return r.state;
  }

  /**
   * Leads one force (the leadership was just taken): runs {@code forceOnce} if still needed, hands the leadership on
   * (waking the next leader first), then wakes the waiters of the rounds it completed.
   */
  private void lead(Runnable forceOnce, java.util.function.BooleanSupplier needed) {
    leaderThread = Thread.currentThread();
    try {
      if (needed.getAsBoolean()) {
        forceOnce.run();
      }
    } finally {
      leaderThread = null;
      Round[] completed = completedByLeader.toArray(new Round[0]);
      completedByLeader.clear();
      leader.set(false);
      wakeNextLeader();
      for (Round done : completed) {
        wakeWaiters(done);
      }
    }
  }

  private static void wakeWaiters(Round r) {
    Thread t;
    while ((t = r.waiters.poll()) != null) {
      LockSupport.unpark(t);
    }
  }

  /**
   * After a leader is done: one waiter of the round now pending, or else the first queued appender, wakes to lead
   * the next force.
   */
  private void wakeNextLeader() {
    Thread next = pending.waiters.peek();
    if (next == null) {
      Request q = requests.peek();
      next = q == null ? null : q.owner;
    }
    if (next != null) {
      LockSupport.unpark(next);
    }
  }
}
