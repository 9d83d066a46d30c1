package io.loganalytics.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UploadResultTest {
  @Test
  void givenUpIndexesAreSortedCopiedAndCarryTheirReason() {
    Map<Integer, String> given = new HashMap<>(Map.of(7, "REJECTED: 400", 2, "TOO_LARGE: alone"));
    UploadResult r = new UploadResult("id", UploadResult.Outcome.GIVEN_UP, 3, 6, 2, "TOO_LARGE: alone", given);
    given.put(9, "later");

    assertThat(r.givenUpIndexes()).containsExactly(2, 7);
    assertThat(r.givenUpReason(7)).contains("REJECTED: 400");
    assertThat(r.givenUpReason(3)).isEmpty();
    assertThatThrownBy(() -> r.givenUpIndexes().add(1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theOlderConstructorSaysNothingAboutIndexes() {
    UploadResult r = new UploadResult("id", UploadResult.Outcome.GIVEN_UP, 1, 0, 3, "x");
    assertThat(r.recordsGivenUp()).isEqualTo(3);
    assertThat(r.givenUpIndexes()).isEmpty();
  }

  @Test
  void refusesNegativeIndexesAndMissingReasons() {
    assertThatThrownBy(() -> new UploadResult("id", UploadResult.Outcome.GIVEN_UP, 1, 0, 1, "x", Map.of(-1, "r")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("givenUp");
    Map<Integer, String> nullReason = new HashMap<>();
    nullReason.put(0, null);
    assertThatThrownBy(() -> new UploadResult("id", UploadResult.Outcome.GIVEN_UP, 1, 0, 1, "x", nullReason))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
