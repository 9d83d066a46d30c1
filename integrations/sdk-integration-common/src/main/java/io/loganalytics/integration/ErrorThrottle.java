package io.loganalytics.integration;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Lets the first failure of a kind through at once and then at most one report per interval, each saying how many
 * were held back since the previous one, so that an appender failing on every event cannot flood the framework's
 * status channel. Thread-safe.
 */
public final class ErrorThrottle {
  private final Clock clock;
  private final Duration interval;
  private Instant lastReport;
  private long suppressed;

  /**
   * A throttle.
   *
   * @param clock the time source
   * @param interval the least time between two reports
   */
  public ErrorThrottle(Clock clock, Duration interval) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.interval = Objects.requireNonNull(interval, "interval");
  }

  /**
   * Reports a failure when the interval allows it.
   *
   * @param message the failure's description
   * @param sink where the (possibly amended) message goes; called on this thread, outside any lock
   * @return whether it was reported
   */
  public boolean report(String message, Consumer<String> sink) {
    long held;
    synchronized (this) {
      Instant now = clock.instant();
      if (lastReport != null && now.isBefore(lastReport.plus(interval))) {
        suppressed++;
        return false;
      }
      lastReport = now;
      held = suppressed;
      suppressed = 0;
    }
    sink.accept(held == 0 ? message
        : message + " (" + held + " similar failure" + (held == 1 ? "" : "s") + " not reported since the last one)");
    return true;
  }

  /** @return failures held back since the last report */
  public synchronized long suppressed() {
    return suppressed;
  }
}
