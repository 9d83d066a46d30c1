package io.loganalytics.sdk.impl.upload;

import java.time.Duration;

/**
 * Waits between upload tries. Injected so that tests move a fake clock instead of sleeping, and so that closing the
 * uploader can end a wait at once. Internal, not API.
 *
 * <p>Implementations are thread-safe: {@link #wakeUp} is called from another thread than {@link #sleep}.
 */
public interface Sleeper {
  /**
   * Waits for {@code duration}, or less when {@link #wakeUp} is called.
   *
   * @param duration how long to wait
   * @return {@code true} when the whole duration passed, {@code false} when woken early
   * @throws InterruptedException when the thread is interrupted
   */
  boolean sleep(Duration duration) throws InterruptedException;

  /**
   * Ends the wait in progress early; when no wait is in progress, the next one returns at once (so a wake-up that
   * races with the start of a wait is never lost). The caller re-checks its state after an early return.
   */
  void wakeUp();

  /**
   * A sleeper on the system's monotonic clock.
   *
   * @return a new sleeper
   */
  static Sleeper system() {
    return new SystemSleeper();
  }
}
