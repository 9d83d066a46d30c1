package io.loganalytics.sdk.impl.io;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Logs a warning that may repeat (a full buffer, records dropped, a failing periodic force) at most once per
 * interval of an injected clock, so that tests move time instead of waiting; the calls in between are logged at
 * DEBUG. A warning can carry the amount summed over the calls since the previous warning (records dropped, failures
 * seen): the argument {@link #AMOUNT} is replaced by it. Thread-safe.
 */
public final class ThrottledLogger {
  /** An argument that {@link #warn} replaces with the amount (summed since the last warning, or this call's). */
  public static final Object AMOUNT = new Object() {
    @Override
    public String toString() {
      return "AMOUNT";
    }
  };

  private final Logger log;
  private final Clock clock;
  private final long intervalMillis;
  /** Guarded by this. */
  private long lastWarnMillis;
  /** Guarded by this. */
  private boolean warned;
  /** Guarded by this. */
  private long amountSinceWarn;

  /**
   * Creates a throttle.
   *
   * @param log where to log
   * @param clock the clock that measures the interval
   * @param interval the least time between two warnings
   */
  public ThrottledLogger(Logger log, Clock clock, Duration interval) {
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.intervalMillis = interval.toMillis();
  }

  /**
   * Counts {@code amount}, then logs at WARN when no warning was logged within the interval (where an argument is
   * {@link #AMOUNT}, with the amount summed since the previous warning), else at DEBUG (with this call's amount).
   *
   * @param amount what this occurrence adds (1 for a failure, n for n records)
   * @param format an SLF4J format
   * @param args its arguments; {@link #AMOUNT} stands for the amount
   * @return whether it logged at WARN
   */
  public boolean warn(long amount, String format, Object... args) {
    long now = clock.millis();
    long total;
    synchronized (this) {
      amountSinceWarn += amount;
      if (warned && now - lastWarnMillis < intervalMillis && now >= lastWarnMillis) {
        total = -1;
      } else {
        warned = true;
        lastWarnMillis = now;
        total = amountSinceWarn;
        amountSinceWarn = 0;
      }
    }
    Object[] all = args.clone();
    for (int i = 0; i < all.length; i++) {
      if (all[i] == AMOUNT) {
        all[i] = total < 0 ? amount : total;
      }
    }
    if (total < 0) {
      log.debug(format, all);
      return false;
    }
    log.warn(format, all);
    return true;
  }
}
