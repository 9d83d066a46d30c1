package io.loganalytics.sdk.impl.buffer;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A buffer's daemon thread that runs a task each time it is asked to ({@link #request}), started by the first
 * request: requests that arrive while the task runs, or before the thread took the last one, are served by one more
 * run. It ends once the buffer is closed and no request is left.
 *
 * <p>Thread-safe. {@link #requested} is lock-free; {@link #signal} is a leaf monitor in the buffer's lock order
 * (nothing is acquired while holding it) and guards {@link #thread}. The task runs without this monitor (it takes
 * the buffer's locks itself, in the order written in {@link FileDiskBuffer}).
 */
final class DaemonLoop {
  /** Wakes the thread. A leaf monitor. */
  private final Object signal = new Object();
  /**
   * A run was asked for and the thread has not taken the request yet. Lock-free: a caller that finds it already set
   * needs no wake-up (the thread clears it before it runs the task, which then sees that caller's work); one that
   * sets it wakes the thread under {@link #signal}.
   */
  private final AtomicBoolean requested = new AtomicBoolean();
  /** Guarded by {@link #signal}. */
  private Thread thread;

  private final String name;
  /** Whether the buffer is closed (a volatile read). */
  private final BooleanSupplier closed;
  /** While true, requests wait (tests); {@link #wake} after it turns false. */
  private final BooleanSupplier held;
  /** Called without any lock. */
  private final Runnable task;

  DaemonLoop(String name, BooleanSupplier closed, BooleanSupplier held, Runnable task) {
    this.name = name;
    this.closed = closed;
    this.held = held;
    this.task = task;
  }

  /** Asks for a run, starting the thread if needed. With or without the buffer's lock (the monitor is a leaf). */
  void request() {
    if (requested.getAndSet(true)) {
      return;
    }
    synchronized (signal) {
      if (thread == null && !closed.getAsBoolean()) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
      }
      signal.notifyAll();
    }
  }

  /** Wakes the thread: to see the buffer closed and end, or a hold lifted. */
  void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** @return the thread, or null if none was started */
  Thread thread() {
    synchronized (signal) {
      return thread;
    }
  }

  private void loop() {
    while (true) {
      synchronized (signal) {
        while ((!requested.get() || held.getAsBoolean()) && !closed.getAsBoolean()) {
          try {
            signal.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (!requested.get()) {
          return;
        }
      }
      requested.set(false);
      task.run();
    }
  }
}
