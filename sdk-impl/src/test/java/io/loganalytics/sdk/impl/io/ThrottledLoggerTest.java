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

    assertThat(log.lines).containsExactly("WARN dropped 5 records from buf", "DEBUG dropped 7 records from buf",
        "DEBUG dropped 1 records from buf", "WARN dropped 10 records from buf");
  }
}
