package io.loganalytics.sdk.impl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ClockSkewTest {
  private final Clock local = Clock.fixed(Instant.parse("2024-01-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void learnsTheServersOffsetFromItsDateHeader() {
    ClockSkew skew = new ClockSkew(local);
    assertThat(skew.observe("Mon, 01 Jan 2024 12:07:03 GMT")).contains(Duration.ofSeconds(423));
    assertThat(skew.offset()).isEqualTo(Duration.ofSeconds(423));
    assertThat(skew.correctedClock().instant()).isEqualTo(Instant.parse("2024-01-01T12:07:03Z"));
  }

  @Test
  void ignoresSmallOffsetsAndMalformedHeaders() {
    ClockSkew skew = new ClockSkew(local);
    assertThat(skew.observe("Mon, 01 Jan 2024 12:00:02 GMT")).isEmpty();
    assertThat(skew.observe("yesterday")).isEmpty();
    assertThat(skew.observe(null)).isEmpty();
    assertThat(skew.offset()).isZero();
  }

  @Test
  void correctedClockInAnotherZoneFollowsLaterObservations() {
    ClockSkew skew = new ClockSkew(local);
    Clock zoned = skew.correctedClock().withZone(ZoneOffset.ofHours(-7));
    skew.observe("Mon, 01 Jan 2024 11:50:00 GMT");
    assertThat(zoned.instant()).isEqualTo(Instant.parse("2024-01-01T11:50:00Z"));
    assertThat(zoned.getZone()).isEqualTo(ZoneOffset.ofHours(-7));
  }

  @Test
  void measuresWithoutLearning() {
    assertThat(ClockSkew.measure(local, "Mon, 01 Jan 2024 11:59:00 GMT")).contains(Duration.ofSeconds(-60));
    assertThat(ClockSkew.measure(local, null)).isEmpty();
  }
}
