package io.loganalytics.sdk.impl.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemSleeperTest {
  @Test
  void aZeroWaitPassesAtOnce() throws Exception {
    assertThat(Sleeper.system().sleep(Duration.ZERO)).isTrue();
  }

  @Test
  void aWakeUpBeforeTheWaitIsNotLostAndEndsOnlyOneWait() throws Exception {
    Sleeper sleeper = Sleeper.system();
    sleeper.wakeUp();

    assertThat(sleeper.sleep(Duration.ofHours(1))).isFalse();
    assertThat(sleeper.sleep(Duration.ZERO)).isTrue();
  }

  @Test
  void aWakeUpFromAnotherThreadEndsALongWait() throws Exception {
    Sleeper sleeper = Sleeper.system();
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return sleeper.sleep(Duration.ofHours(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    });

    sleeper.wakeUp(); // before or during the wait: either way it ends early

    assertThat(waiting.get(30, TimeUnit.SECONDS)).isFalse();
  }
}
