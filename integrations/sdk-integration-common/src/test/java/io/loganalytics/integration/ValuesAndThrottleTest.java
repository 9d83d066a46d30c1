package io.loganalytics.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesAndThrottleTest {
  @Test
  void sizesAndDurationsParseAsConfigurationFilesWriteThem() {
    assertThat(Values.parseSize("capacity", "10MB")).isEqualTo(10L << 20);
    assertThat(Values.parseSize("capacity", " 64 kib ")).isEqualTo(65_536);
    assertThat(Values.parseSize("capacity", "1GB")).isEqualTo(1L << 30);
    assertThat(Values.parseSize("capacity", "4096")).isEqualTo(4096);
    assertThatThrownBy(() -> Values.parseSize("capacity", "-1MB")).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("capacity:");
    assertThatThrownBy(() -> Values.parseSize("capacity", "99999999999999999999GB"))
        .isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> Values.parseSize("capacity", "9999999999999GB")).hasMessageContaining("too large");
    assertThat(Values.parseDuration("t", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Values.parseDuration("t", "5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Values.parseDuration("t", "2min")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Values.parseDuration("t", "PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Values.parseDuration("t", "100")).isEqualTo(Duration.ofMillis(100));
    assertThatThrownBy(() -> Values.parseDuration("flushTimeout", "soon")).hasMessageStartingWith("flushTimeout:");
    assertThatThrownBy(() -> Values.parseDuration("t", "PT-1S")).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void truncationKeepsWholeCharactersWithinTheByteLimit() {
    assertThat(Values.truncateUtf8("short", 64)).isEqualTo("short");
    assertThat(Values.truncateUtf8(null, 64)).isNull();
    String emoji = "\uD83D\uDE00".repeat(100); // 400 UTF-8 bytes
    String cut = Values.truncateUtf8(emoji, 100);
    assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(100);
    assertThat(cut).endsWith("...[truncated]").doesNotContain("\uFFFD");
    assertThat(cut.codePoints().filter(c -> c == 0x1F600).count()).isEqualTo(21);
    String exact = "é".repeat(50); // 100 bytes
    assertThat(Values.truncateUtf8(exact, 100)).isEqualTo(exact);
  }

  @Test
  void columnValuesKeepJsonTypesAndStringifyTheRest() {
    assertThat(Values.columnValue(7)).isEqualTo(7);
    assertThat(Values.columnValue(true)).isEqualTo(true);
    assertThat(Values.columnValue(Double.NaN)).isEqualTo("NaN");
    assertThat(Values.columnValue(new StringBuilder("sb"))).isEqualTo("sb");
    Object hostile = new Object() {
      @Override
      public String toString() {
        throw new IllegalStateException("boom");
      }
    };
    assertThat((String) Values.columnValue(hostile)).contains("toString() failed");
  }

  static final class StepClock extends Clock {
    Instant now = Instant.parse("2026-12-05T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void throttleReportsFirstThenOncePerIntervalWithTheHeldBackCount() {
    StepClock clock = new StepClock();
    ErrorThrottle t = new ErrorThrottle(clock, Duration.ofMinutes(1));
    List<String> out = new ArrayList<>();
    assertThat(t.report("disk full", out::add)).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(t.report("disk full", out::add)).isFalse();
    }
    assertThat(t.suppressed()).isEqualTo(5);
    clock.now = clock.now.plusSeconds(60);
    assertThat(t.report("disk full", out::add)).isTrue();
    assertThat(out).containsExactly("disk full", "disk full (5 similar failures not reported since the last one)");
  }
}
