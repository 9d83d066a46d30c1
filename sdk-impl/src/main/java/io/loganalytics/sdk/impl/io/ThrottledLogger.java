package io.loganalytics.sdk.impl.io;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Logs a warning that may repeat (a full buffer, records dropped, a failing periodic force, failed uploads) at most
 * once per interval of an injected clock, so that tests move time instead of waiting; the calls in between are logged
 * at DEBUG. A warning can carry the amount summed over the calls since the previous warning (records dropped,
 * failures seen): the argument {@link #AMOUNT} is replaced by it. The one throttle of the repeated warnings of
 * sdk-impl and the collector: the disk buffer, the uploader, the agent session, and the collector's receivers and
 * {@code tail} (which print their warnings on standard error, {@link #printing}). The logging integrations do not
 * use it: they see sdk-impl only at run time (through the service loader) and report to their framework's status
 * channel, never through SLF4J (which could feed their own appender).
 *
 * <p>A streak (uploads failing until one succeeds) {@link #restart}s the throttle when it begins, so that its first
 * occurrence is always a warning; an occurrence that was warned about elsewhere (its own WARN line) is
 * {@link #count}ed without a line.
 *
 * <p>Thread-safe: its state is guarded by its own monitor, a leaf in every lock order (nothing is acquired while it
 * is held; the line is logged after it is released).
 */
public final class ThrottledLogger {
  /**
   * An argument that {@link #warn} replaces with the amount summed since the last warning, this call's included (at
   * WARN and at DEBUG alike).
   */
  public static final Object AMOUNT = new Object() {
    @Override
    public String toString() {
      return "AMOUNT";
    }
  };

  /** Where the lines go. */
  private interface Out {
    void warn(String format, Object[] args);

    void debug(String format, Object[] args);
  }

  private final Out out;
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
    this(new Out() {
      @Override
      public void warn(String format, Object[] args) {
        log.warn(format, args);
      }

      @Override
      public void debug(String format, Object[] args) {
        log.debug(format, args);
      }
    }, clock, interval);
    Objects.requireNonNull(log, "log");
  }

  private ThrottledLogger(Out out, Clock clock, Duration interval) {
    this.out = out;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.intervalMillis = interval.toMillis();
  }

  /**
   * A throttle that prints its warnings as lines instead of logging them (a command line's standard error, where the
   * user reads them); the calls in between print nothing. The format is SLF4J's ({@code {}} for each argument).
   *
   * @param lines where a warning's line goes, formatted
   * @param clock the clock that measures the interval
   * @param interval the least time between two warnings
   * @return the throttle
   */
  public static ThrottledLogger printing(Consumer<String> lines, Clock clock, Duration interval) {
    Objects.requireNonNull(lines, "lines");
    return new ThrottledLogger(new Out() {
      @Override
      public void warn(String format, Object[] args) {
        lines.accept(MessageFormatter.basicArrayFormat(format, args));
      }

      @Override
      public void debug(String format, Object[] args) {
        // not printed
      }
    }, clock, interval);
  }

  /**
   * Counts {@code amount}, then logs at WARN when no warning was logged within the interval, else at DEBUG; where an
   * argument is {@link #AMOUNT}, it is the amount summed since the previous warning, this one's included.
   *
   * @param amount what this occurrence adds (1 for a failure, n for n records)
   * @param format an SLF4J format
   * @param args its arguments; {@link #AMOUNT} stands for the amount
   * @return whether it logged at WARN
   */
  public boolean warn(long amount, String format, Object... args) {
    long now = clock.millis();
    long total;
    boolean warn;
    synchronized (this) {
      amountSinceWarn += amount;
      total = amountSinceWarn;
      warn = !warned || now - lastWarnMillis >= intervalMillis || now < lastWarnMillis;
      if (warn) {
        warned = true;
        lastWarnMillis = now;
        amountSinceWarn = 0;
      }
    }
    Object[] all = args.clone();
    for (int i = 0; i < all.length; i++) {
      if (all[i] == AMOUNT) {
        all[i] = total;
      }
    }
    if (warn) {
      out.warn(format, all);
    } else {
      out.debug(format, all);
    }
    return warn;
  }

  /**
   * Counts {@code amount} without a line: an occurrence that has its own warning elsewhere. The next warning's
   * {@link #AMOUNT} includes it; it does not start an interval.
   *
   * @param amount what the occurrence adds
   */
  public synchronized void count(long amount) {
    amountSinceWarn += amount;
  }

  /**
   * Starts over, for the first occurrence of a new streak: the amount is forgotten, and the next {@link #warn} logs
   * at WARN, unless {@code warnedElsewhere}: this first occurrence was warned about elsewhere just now, which starts
   * the interval instead.
   *
   * @param warnedElsewhere whether the first occurrence already has its own warning
   */
  public synchronized void restart(boolean warnedElsewhere) {
    amountSinceWarn = 0;
    warned = warnedElsewhere;
    lastWarnMillis = clock.millis();
  }
}
