package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
  /** The largest value a uniform random source in [0, 1) can return. */
  private static final double ALMOST_ONE = Math.nextDown(1.0);

  @Test
  void defaultsAreTheLegacyAgentsDocumentedBehaviour() {
    RetryPolicy p = RetryPolicy.defaults();

    assertThat(p.uploadInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.initialBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.maxBackoff()).isEqualTo(Duration.ofMinutes(16));
    assertThat(p.multiplier()).isEqualTo(2.0);
    assertThat(p.maxRetries()).isEqualTo(6);
    assertThat(p.jitter()).isEqualTo(0.125);
    assertThat(p.giveUpAction()).isEqualTo(GiveUpAction.DISCARD);
    assertThat(p.deadLetterDirectory()).isEmpty();
    assertThat(RetryPolicy.builder().build()).isEqualTo(p).hasSameHashCodeAs(p);
    assertThat(RetryPolicy.defaults()).isSameAs(p);
  }

  @Test
  void nominalScheduleIsThirtySecondsDoublingToSixteenMinutes() {
    assertThat(RetryPolicy.defaults().nominalSchedule()).containsExactly(Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(240), Duration.ofSeconds(480),
        Duration.ofSeconds(960));
    // PROTOCOL.md §B7: the waits add up to 1890 s, so a chunk is held about 31.5 minutes before it is given up.
    assertThat(RetryPolicy.defaults().nominalSchedule().stream().reduce(Duration.ZERO, Duration::plus))
        .isEqualTo(Duration.ofSeconds(1890));
  }

  static Stream<Arguments> defaultBackoffs() {
    return Stream.of(
        // retry, unitRandom, expected milliseconds: nominal x (1 - 0.125), nominal, nominal x (1 + 0.125), capped
        arguments(1, 0.0, 26_250L), arguments(1, 0.5, 30_000L), arguments(1, ALMOST_ONE, 33_750L),
        arguments(2, 0.0, 52_500L), arguments(2, 0.5, 60_000L), arguments(2, ALMOST_ONE, 67_500L),
        arguments(3, 0.0, 105_000L), arguments(3, 0.5, 120_000L), arguments(3, ALMOST_ONE, 135_000L),
        arguments(4, 0.0, 210_000L), arguments(4, 0.5, 240_000L), arguments(4, ALMOST_ONE, 270_000L),
        arguments(5, 0.0, 420_000L), arguments(5, 0.5, 480_000L), arguments(5, ALMOST_ONE, 540_000L),
        arguments(6, 0.0, 840_000L), arguments(6, 0.5, 960_000L), arguments(6, ALMOST_ONE, 960_000L),
        arguments(6, 1.0, 960_000L), arguments(6, 0.75, 960_000L),
        arguments(1, 0.25, 28_125L), arguments(1, 0.75, 31_875L), arguments(1, 1.0, 33_750L),
        // beyond maxRetries the nominal wait stays at the cap
        arguments(7, 0.5, 960_000L), arguments(7, 0.0, 840_000L), arguments(50, 0.5, 960_000L),
        arguments(10_000, 0.0, 840_000L));
  }

  @ParameterizedTest(name = "retry {0}, random {1} -> {2} ms")
  @MethodSource("defaultBackoffs")
  void backoffSpreadsTheNominalWaitByTheInjectedRandomValue(int retry, double unitRandom, long expectedMillis) {
    assertThat(RetryPolicy.defaults().backoff(retry, unitRandom)).isEqualTo(Duration.ofMillis(expectedMillis));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.1, 0.5, 0.9, 1.0})
  void backoffWithoutJitterIsTheNominalWait(double unitRandom) {
    RetryPolicy p = RetryPolicy.builder().jitter(0).build();

    for (int retry = 1; retry <= 6; retry++) {
      assertThat(p.backoff(retry, unitRandom)).isEqualTo(p.nominalBackoff(retry));
    }
  }

  static Stream<Arguments> schedules() {
    return Stream.of(
        // initial ms, multiplier, max ms, retries, expected nominal waits in ms
        arguments(30_000L, 2.0, 960_000L, 0, List.of()),
        arguments(1_000L, 1.0, 5_000L, 3, List.of(1_000L, 1_000L, 1_000L)),
        arguments(1_000L, 3.0, 10_000L, 4, List.of(1_000L, 3_000L, 9_000L, 10_000L)),
        arguments(30_000L, 1.5, 960_000L, 3, List.of(30_000L, 45_000L, 67_500L)),
        arguments(30_000L, 10.0, 960_000L, 4, List.of(30_000L, 300_000L, 960_000L, 960_000L)),
        arguments(5_000L, 2.0, 5_000L, 3, List.of(5_000L, 5_000L, 5_000L)),
        arguments(1L, 1000.0, 1_000_000L, 4, List.of(1L, 1_000L, 1_000_000L, 1_000_000L)));
  }

  @ParameterizedTest
  @MethodSource("schedules")
  void nominalScheduleGrowsByTheMultiplierUntilTheCap(long initial, double multiplier, long max, int retries,
      List<Long> expected) {
    RetryPolicy p = RetryPolicy.builder().initialBackoff(Duration.ofMillis(initial)).multiplier(multiplier)
        .maxBackoff(Duration.ofMillis(max)).maxRetries(retries).build();

    assertThat(p.nominalSchedule()).extracting(Duration::toMillis).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @CsvSource({"2, 0.0, 262500", "2, 0.5, 300000", "2, 1.0, 337500", "3, 0.0, 840000", "3, 0.5, 960000",
      "3, 1.0, 960000"})
  void jitteredWaitIsCappedWhenTheMultiplierOvershoots(int retry, double unitRandom, long expectedMillis) {
    RetryPolicy p = RetryPolicy.builder().multiplier(10).build();

    assertThat(p.backoff(retry, unitRandom)).isEqualTo(Duration.ofMillis(expectedMillis))
        .isLessThanOrEqualTo(p.maxBackoff());
  }

  @Test
  void hugeMaxBackoffMeansNoCapAndNeverOverflows() {
    RetryPolicy p = RetryPolicy.builder().maxBackoff(ChronoUnit.FOREVER.getDuration()).multiplier(1_000_000)
        .maxRetries(100).build();

    assertThat(p.nominalBackoff(2)).isEqualTo(Duration.ofSeconds(30_000_000));
    assertThat(p.nominalBackoff(100)).isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
    assertThat(p.backoff(100, 1.0)).isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
    assertThat(p.nominalSchedule()).hasSize(100);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void retryNumbersStartAtOne(int retry) {
    assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.defaults().nominalBackoff(retry))
        .withMessage("retry must be at least 1, was " + retry);
    assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.defaults().backoff(retry, 0.5))
        .withMessageContaining("retry");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.0001, 1.0001, -1, 2, Double.NaN, Double.POSITIVE_INFINITY})
  void unitRandomOutsideZeroToOneIsRefused(double unitRandom) {
    assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.defaults().backoff(1, unitRandom))
        .withMessage("unitRandom must be in [0, 1], was " + unitRandom);
  }

  // ---------------------------------------------------------------- builder validation

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        arguments("uploadInterval", op(b -> b.uploadInterval(null)), "was null"),
        arguments("uploadInterval", op(b -> b.uploadInterval(Duration.ZERO)), "at least 1 ms, was PT0S"),
        arguments("uploadInterval", op(b -> b.uploadInterval(Duration.ofSeconds(-1))), "was PT-1S"),
        arguments("uploadInterval", op(b -> b.uploadInterval(Duration.ofNanos(999_999))), "at least 1 ms"),
        arguments("initialBackoff", op(b -> b.initialBackoff(null)), "was null"),
        arguments("initialBackoff", op(b -> b.initialBackoff(Duration.ZERO)), "at least 1 ms"),
        arguments("initialBackoff", op(b -> b.initialBackoff(Duration.ofNanos(1))), "at least 1 ms"),
        arguments("maxBackoff", op(b -> b.maxBackoff(null)), "was null"),
        arguments("maxBackoff", op(b -> b.maxBackoff(Duration.ofMillis(-5))), "at least 1 ms"),
        arguments("multiplier", op(b -> b.multiplier(0.99)), "0.99 must be a finite number of at least 1"),
        arguments("multiplier", op(b -> b.multiplier(0)), "at least 1"),
        arguments("multiplier", op(b -> b.multiplier(-2)), "at least 1"),
        arguments("multiplier", op(b -> b.multiplier(Double.NaN)), "NaN must be a finite number"),
        arguments("multiplier", op(b -> b.multiplier(Double.POSITIVE_INFINITY)), "finite"),
        arguments("maxRetries", op(b -> b.maxRetries(-1)), "-1 is outside 0..100"),
        arguments("maxRetries", op(b -> b.maxRetries(101)), "101 is outside 0..100"),
        arguments("jitter", op(b -> b.jitter(-0.01)), "-0.01 is outside 0..0.5"),
        arguments("jitter", op(b -> b.jitter(0.51)), "0.51 is outside 0..0.5"),
        arguments("jitter", op(b -> b.jitter(Double.NaN)), "NaN is outside 0..0.5"),
        arguments("maxBackoff", op(b -> b.maxBackoff(Duration.ofSeconds(10)).build()), "PT10S is shorter than "
            + "initialBackoff PT30S"),
        arguments("maxBackoff", op(b -> b.initialBackoff(Duration.ofMinutes(17)).build()), "shorter than "
            + "initialBackoff PT17M"));
  }

  private static UnaryOperator<RetryPolicy.Builder> op(BuilderStep step) {
    return b -> {
      step.apply(b);
      return b;
    };
  }

  /** One step on a builder; may build to trigger the cross-field check. */
  @FunctionalInterface
  interface BuilderStep {
    Object apply(RetryPolicy.Builder b);
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("invalidSettings")
  void builderRefusesInvalidValuesNamingTheField(String field, UnaryOperator<RetryPolicy.Builder> step,
      String problem) {
    ConfigurationException e = configurationError(() -> step.apply(RetryPolicy.builder()));

    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).startsWith(field + ": ").contains(problem);
  }

  @Test
  void builderAcceptsTheBoundaries() {
    RetryPolicy p = RetryPolicy.builder().multiplier(1).maxRetries(0).jitter(0.5).initialBackoff(Duration.ofMillis(1))
        .maxBackoff(Duration.ofMillis(1)).uploadInterval(Duration.ofMillis(1)).build();

    assertThat(p.multiplier()).isEqualTo(1.0);
    assertThat(p.maxRetries()).isZero();
    assertThat(p.nominalSchedule()).isEmpty();
    assertThat(p.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(1)); // 0.5 ms rounds up, never to zero
    assertThat(RetryPolicy.builder().maxRetries(100).jitter(0).build().nominalSchedule()).hasSize(100);
    assertThat(RetryPolicy.builder().maxBackoff(Duration.ofSeconds(30)).build().nominalSchedule())
        .containsOnly(Duration.ofSeconds(30));
  }

  // ---------------------------------------------------------------- give-up action

  @Test
  void deadLetterToSetsTheActionAndDiscardClearsTheDirectory() {
    Path dlq = Path.of("/var/lib/collector/dead-letter");

    RetryPolicy dead = RetryPolicy.builder().deadLetterTo(dlq).build();
    assertThat(dead.giveUpAction()).isEqualTo(GiveUpAction.DEAD_LETTER);
    assertThat(dead.deadLetterDirectory()).hasValue(dlq);
    assertThat(dead).hasToString("RetryPolicy{uploadInterval=PT20S, initialBackoff=PT30S, maxBackoff=PT16M, "
        + "multiplier=2.0, maxRetries=6, jitter=0.125, giveUpAction=DEAD_LETTER, deadLetterDirectory=" + dlq + "}");

    RetryPolicy discarded = dead.toBuilder().discardOnGiveUp().build();
    assertThat(discarded.giveUpAction()).isEqualTo(GiveUpAction.DISCARD);
    assertThat(discarded.deadLetterDirectory()).isEmpty();
    assertThat(discarded).isEqualTo(RetryPolicy.defaults());

    assertThatNullPointerException().isThrownBy(() -> RetryPolicy.builder().deadLetterTo(null))
        .withMessage("deadLetterDirectory");
  }

  // ---------------------------------------------------------------- toBuilder, equals, hashCode

  @Test
  void toBuilderRoundTripsEveryFieldAndLeavesTheOriginalAlone() {
    RetryPolicy custom = RetryPolicy.builder().uploadInterval(Duration.ofSeconds(5))
        .initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofMinutes(3)).multiplier(1.5).maxRetries(9)
        .jitter(0.2).deadLetterTo(Path.of("dlq")).build();

    RetryPolicy copy = custom.toBuilder().build();
    assertThat(copy).isEqualTo(custom).hasSameHashCodeAs(custom).hasToString(custom.toString()).isNotSameAs(custom);

    RetryPolicy.Builder builder = custom.toBuilder();
    builder.maxRetries(1).jitter(0).discardOnGiveUp();
    assertThat(custom.maxRetries()).isEqualTo(9);
    assertThat(custom.jitter()).isEqualTo(0.2);
    assertThat(custom.deadLetterDirectory()).hasValue(Path.of("dlq"));
  }

  static Stream<UnaryOperator<RetryPolicy.Builder>> oneFieldChanged() {
    return Stream.of(
        b -> b.uploadInterval(Duration.ofSeconds(21)),
        b -> b.initialBackoff(Duration.ofSeconds(31)),
        b -> b.maxBackoff(Duration.ofMinutes(17)),
        b -> b.multiplier(2.5),
        b -> b.maxRetries(5),
        b -> b.jitter(0.1),
        b -> b.deadLetterTo(Path.of("a")));
  }

  @ParameterizedTest
  @MethodSource("oneFieldChanged")
  void policiesDifferingInOneFieldAreNotEqual(UnaryOperator<RetryPolicy.Builder> change) {
    RetryPolicy changed = change.apply(RetryPolicy.builder()).build();

    assertThat(changed).isNotEqualTo(RetryPolicy.defaults());
    assertThat(change.apply(RetryPolicy.builder()).build()).isEqualTo(changed).hasSameHashCodeAs(changed);
  }

  @Test
  void equalityEdgeCases() {
    RetryPolicy a = RetryPolicy.builder().deadLetterTo(Path.of("a")).build();

    assertThat(a).isNotEqualTo(RetryPolicy.builder().deadLetterTo(Path.of("b")).build()).isNotEqualTo(null)
        .isNotEqualTo("RetryPolicy");
    assertThat(RetryPolicy.builder().jitter(-0.0).build()).isEqualTo(RetryPolicy.builder().jitter(0.0).build())
        .hasSameHashCodeAs(RetryPolicy.builder().jitter(0.0).build());
  }
}
