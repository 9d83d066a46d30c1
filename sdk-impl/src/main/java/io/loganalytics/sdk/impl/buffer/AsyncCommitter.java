package io.loganalytics.sdk.impl.buffer;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The committer of asynchronous appends: a daemon thread, started by the first request, that runs one commit round
 * (lead or join the force of the pending {@link GroupCommit} round) each time an asynchronous append asks for a
 * force, so that one thread can keep many appends in flight.
 *
 * <p>Thread-safe. {@link #commitRequested} is lock-free; {@link #signal} is a leaf monitor in the buffer's lock order
 * (nothing is acquired while holding it) and guards {@link #committer}. The round runs without this monitor (it takes
 * the buffer's locks itself, in the order written in {@link FileDiskBuffer}).
 */
final class AsyncCommitter {
  /** Wakes the committer. A leaf monitor. */
  private final Object signal = new Object();
  /**
   * A force was asked for by an asynchronous append and the committer has not taken the request yet. Lock-free: an
   * append that finds it already set needs no wake-up (the committer clears it before it reads the pending round,
   * which then holds that append's frame); one that sets it wakes the committer under {@link #signal}.
   */
  private final AtomicBoolean commitRequested = new AtomicBoolean();
  /** Guarded by {@link #signal}. */
  private Thread committer;

  private final Path dir;
  /** Whether the buffer is closed (a volatile read). */
  private final BooleanSupplier closed;
  /** One commit round: takes the pending round and awaits its force. Called without any lock. */
  private final Runnable round;

  AsyncCommitter(Path dir, BooleanSupplier closed, Runnable round) {
    this.dir = dir;
    this.closed = closed;
    this.round = round;
  }

  /** Wakes (or starts) the committer. Called without any lock, after the append's frame was staged. */
  void request() {
    if (commitRequested.getAndSet(true)) {
      return;
    }
    synchronized (signal) {
      if (committer == null) {
        committer = new Thread(this::loop, "loganalytics-buffer-commit-" + dir.getFileName());
        committer.setDaemon(true);
        committer.start();
      }
      signal.notifyAll();
    }
  }

  /** Wakes the committer so that it sees the buffer closed and ends. Called without any lock. */
  void wakeToStop() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** @return the committer thread, or null if none was started */
  Thread thread() {
    synchronized (signal) {
      return committer;
    }
  }

  private void loop() {
    while (true) {
      synchronized (signal) {
        while (!commitRequested.get() && !closed.getAsBoolean()) {
          try {
            signal.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (!commitRequested.get()) {
          return;
        }
      }
      commitRequested.set(false);
      round.run();
    }
  }
}
