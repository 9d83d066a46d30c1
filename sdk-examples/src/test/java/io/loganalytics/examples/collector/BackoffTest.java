package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void waitsGrowFromOneHundredMillisecondsToACapAndStartOverAfterReset() {
    Backoff b = new Backoff();
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      waits.add(b.next());
    }
    assertThat(waits).extracting(Duration::toMillis)
        .containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);

    b.reset();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
  }
}
