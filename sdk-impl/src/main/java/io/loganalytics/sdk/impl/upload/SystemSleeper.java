package io.loganalytics.sdk.impl.upload;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@link Sleeper} on {@link System#nanoTime()} and a monitor. Thread-safe. */
final class SystemSleeper implements Sleeper {
  private boolean wakePending;

  @Override
  public synchronized boolean sleep(Duration duration) throws InterruptedException {
    long end = System.nanoTime() + duration.toNanos();
    while (!wakePending) {
      long remaining = end - System.nanoTime();
      if (remaining <= 0) {
        return true;
      }
      TimeUnit.NANOSECONDS.timedWait(this, remaining);
    }
    wakePending = false;
    return false;
  }

  @Override
  public synchronized void wakeUp() {
    wakePending = true;
    notifyAll();
  }
}
