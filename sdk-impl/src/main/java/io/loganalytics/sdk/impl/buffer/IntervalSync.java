package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer's sync thread: it keeps a spare segment file ready, so that a roll on an appending thread neither
 * creates nor forces a new file, and in {@link io.loganalytics.sdk.Durability#INTERVAL} mode it also forces what was
 * written every interval (through the buffer's periodic round; {@link SegmentLog#rollDeferred}). In SYNC mode it has
 * no periodic round: it only prepares spares (preallocated there, {@link SegmentLog#takeSpare}). In both modes it
 * forces {@code ack.state} soon after an acknowledgement was written without a force ({@link AckLog}). A daemon thread
 * rather than the group-commit leader, because the leader is an appending thread whose caller, and every appender
 * behind it, would wait for the spare's write of a segment's size of zeros and its two forces; here they run between
 * the appenders' forces, on their own thread.
 *
 * <p>Thread-safety: {@link #spareFailed} is guarded by the buffer's lock ({@code FileDiskBuffer.lock}, the lock this
 * part is given); {@link #wake()} and {@link #spareWanted()} are called with it held. The thread takes the buffer's
 * lock only to wait on {@link #wake} and to read or set that state; it creates and forces a spare without any lock
 * ({@link SegmentLog#prepareSpare}) and runs the periodic round and the force of acknowledgements without holding
 * any lock (they take the buffer's locks themselves, in the order written in {@link FileDiskBuffer}).
 * {@link #ackWritten()} and {@link #spareTaken()} are called with the buffer's lock held. {@link #prepareSpare()} is also called by
 * the thread opening the buffer, before {@link #start()}.
 */
final class IntervalSync {
  private static final Logger LOG = LoggerFactory.getLogger(IntervalSync.class);

  private final ReentrantLock lock;
  /**
   * Wakes the thread: by {@code close()} to stop it, by a roll that took the spare so it prepares the next one. Of
   * the buffer's lock.
   */
  private final Condition wake;
  private final SegmentLog log;
  private final Path dir;
  private final long intervalNanos;
  /** Whether the buffer is closed; read with the buffer's lock held. */
  private final BooleanSupplier closed;
  /** The periodic force (called without any lock); false once the buffer is closed. Null in SYNC mode: none. */
  private final BooleanSupplier periodicRound;
  /** Forces acknowledgements written without a force (called without any lock). */
  private final Runnable ackForce;
  /** An acknowledgement was written without a force: force it. Guarded by the buffer's lock. */
  private boolean ackForceWanted;
  /** Creating a spare failed; tried again after the next periodic force. Guarded by the buffer's lock. */
  private boolean spareFailed;
  /** Set once by {@link #start()}, before the buffer is handed out. */
  private Thread thread;

  IntervalSync(ReentrantLock lock, SegmentLog log, Path dir, Duration interval, BooleanSupplier closed,
      BooleanSupplier periodicRound, Runnable ackForce) {
    this.ackForce = ackForce;
    this.lock = lock;
    this.wake = lock.newCondition();
    this.log = log;
    this.dir = dir;
    this.intervalNanos = interval.toNanos();
    this.closed = closed;
    this.periodicRound = periodicRound;
  }

  /** Starts the daemon thread. Called once, on open, without the buffer's lock. */
  void start() {
    thread = new Thread(this::run, "loganalytics-buffer-sync-" + dir.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  /** @return the thread, or null if not started */
  Thread thread() {
    return thread;
  }

  /** Wakes the thread (a roll took the spare, or the buffer closes). Buffer's lock held. */
  void wake() {
    wake.signalAll();
  }

  private void run() {
    long deadline = System.nanoTime() + intervalNanos;
    while (true) {
      boolean wantSpare;
      boolean wantAckForce;
      lock.lock();
      try {
        long left = periodicRound == null ? Long.MAX_VALUE : deadline - System.nanoTime();
        while (!closed.getAsBoolean() && left > 0 && !spareWanted() && !ackForceWanted) {
          left = wake.awaitNanos(left);
        }
        if (closed.getAsBoolean()) {
          return;
        }
        wantSpare = spareWanted();
        wantAckForce = ackForceWanted;
        ackForceWanted = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      if (wantAckForce) {
        ackForce.run(); // first: it bounds the acknowledgements a power cut can undo
      }
      if (wantSpare) {
        prepareSpare();
      }
      if (periodicRound != null && deadline - System.nanoTime() <= 0) {
        if (!periodicRound.getAsBoolean()) {
          return;
        }
        lock.lock();
        try {
          spareFailed = false;
        } finally {
          lock.unlock();
        }
        deadline = System.nanoTime() + intervalNanos;
      }
    }
  }

  /**
   * A SYNC roll took the spare, or created its segment itself: wakes the thread for the next spare, trying again
   * after a failure (in SYNC mode there is no periodic force after which to retry). Buffer's lock held.
   */
  void spareTaken() {
    spareFailed = false;
    wake.signalAll();
  }

  /** An acknowledgement was written without a force: the thread forces it next. Buffer's lock held. */
  void ackWritten() {
    ackForceWanted = true;
    wake.signalAll();
  }

  /** Whether the thread should create a spare for the next roll. Buffer's lock held. */
  private boolean spareWanted() {
    return !log.hasSpare() && !spareFailed;
  }

  /**
   * Creates the spare segment file the next roll takes, without the buffer's lock while it creates and forces it. A
   * failure is logged; a roll then creates its file itself. Called without the buffer's lock.
   */
  void prepareSpare() {
    SegmentLog.Spare spare;
    try {
      spare = log.prepareSpare();
    } catch (IOException e) {
      LOG.debug("Buffer {}: could not prepare the next segment file: {}", dir, FileDiskBuffer.describe(e));
      lock.lock();
      try {
        spareFailed = true;
      } finally {
        lock.unlock();
      }
      return;
    }
    lock.lock();
    try {
      log.installSpare(spare, !closed.getAsBoolean());
    } finally {
      lock.unlock();
    }
  }
}
