package io.loganalytics.sdk.impl.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class ThrottledLoggerTest {
  /** Records what is logged, at every level. */
  static final class RecordingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    final List<String> lines = new ArrayList<>();

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args,
        Throwable t) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(format, args));
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }

  @Test
  void warnsAtMostOncePerIntervalOfTheInjectedClockWithTheAmountSinceTheLastWarning() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    RecordingLogger log = new RecordingLogger();
    ThrottledLogger throttle = new ThrottledLogger(log, clock, Duration.ofMinutes(1));

    assertThat(throttle.warn(5, "dropped {} records from {}", ThrottledLogger.AMOUNT, "buf")).isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(throttle.warn(7, "dropped {} records from {}", ThrottledLogger.AMOUNT, "buf")).isFalse();
    clock.advance(Duration.ofSeconds(29));
    assertThat(throttle.warn(1, "dropped {} records from {}", ThrottledLogger.AMOUNT, "buf")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.warn(2, "dropped {} records from {}", ThrottledLogger.AMOUNT, "buf")).isTrue();

    // At DEBUG too, the amount is the sum since the last warning (the words "since the last warning" hold).
    assertThat(log.lines).containsExactly("WARN dropped 5 records from buf", "DEBUG dropped 7 records from buf",
        "DEBUG dropped 8 records from buf", "WARN dropped 10 records from buf");
  }

  @Test
  void aStreakWarnsAtItsFirstOccurrenceAndCountsOccurrencesWarnedAboutElsewhere() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    RecordingLogger log = new RecordingLogger();
    ThrottledLogger throttle = new ThrottledLogger(log, clock, Duration.ofMinutes(1));

    throttle.restart(false);
    assertThat(throttle.warn(0, "failing")).isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(throttle.warn(1, "still failing ({} since)", ThrottledLogger.AMOUNT)).isFalse();
    throttle.count(1); // warned about elsewhere: no line, but counted
    // A new streak 20 s after the last warning: its first occurrence warns at once.
    clock.advance(Duration.ofSeconds(10));
    throttle.restart(false);
    assertThat(throttle.warn(0, "failing")).isTrue();
    // A streak whose first occurrence was warned about elsewhere: that warning starts the interval.
    clock.advance(Duration.ofSeconds(5));
    throttle.restart(true);
    clock.advance(Duration.ofSeconds(59));
    assertThat(throttle.warn(1, "still failing ({} since)", ThrottledLogger.AMOUNT)).isFalse();
    throttle.count(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.warn(1, "still failing ({} since)", ThrottledLogger.AMOUNT)).isTrue();

    assertThat(log.lines).containsExactly("WARN failing", "DEBUG still failing (1 since)", "WARN failing",
        "DEBUG still failing (1 since)", "WARN still failing (3 since)");
  }

  @Test
  void aPrintingThrottlePrintsOnlyItsWarningsFormatted() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    List<String> printed = new ArrayList<>();
    ThrottledLogger throttle = ThrottledLogger.printing(printed::add, clock, Duration.ofMinutes(1));
    for (int i = 0; i < 100; i++) {
      throttle.warn(1, "warning: {} refused ({} since the last warning)", "buf", ThrottledLogger.AMOUNT);
      clock.advance(Duration.ofSeconds(1));
    }
    // Warnings at 0 s and 60 s; the 39 calls after the second are held back.
    assertThat(printed).containsExactly("warning: buf refused (1 since the last warning)",
        "warning: buf refused (60 since the last warning)");
    clock.advance(Duration.ofMinutes(1));
    throttle.warn(1, "warning: {} refused ({} since the last warning)", "buf", ThrottledLogger.AMOUNT);
    assertThat(printed).last().isEqualTo("warning: buf refused (40 since the last warning)");
  }
}
