package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BufferOptionsTest {
  private static final Path DIR = Path.of("buffer");

  @Test
  void defaultsAreDocumented() {
    BufferOptions o = BufferOptions.builder(DIR).build();

    assertThat(o.directory()).isEqualTo(DIR);
    assertThat(o.capacityBytes()).isEqualTo(10_000_000L).isEqualTo(BufferOptions.DEFAULT_CAPACITY_BYTES);
    assertThat(o.segmentBytes()).isEqualTo(1_048_576);
    assertThat(o.overflowPolicy()).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(o.blockTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.durability()).isEqualTo(Durability.SYNC);
    assertThat(o.syncInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o).hasToString("BufferOptions{directory=buffer, capacityBytes=10000000, segmentBytes=1048576, "
        + "overflowPolicy=DROP_OLDEST, blockTimeout=PT5S, durability=SYNC, syncInterval=PT1S}");
  }

  @Test
  void directoryIsRequired() {
    ConfigurationException e = configurationError(() -> BufferOptions.builder(null));

    assertThat(e.field()).isEqualTo("buffer.directory");
    assertThat(e.getMessage()).isEqualTo("buffer.directory: is missing");
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        arguments("buffer.capacityBytes", step(b -> b.capacityBytes(65_535)), "65535 is below the minimum of 65536"),
        arguments("buffer.capacityBytes", step(b -> b.capacityBytes(0)), "0 is below the minimum"),
        arguments("buffer.capacityBytes", step(b -> b.capacityBytes(-1)), "-1 is below the minimum"),
        arguments("buffer.segmentBytes", step(b -> b.segmentBytes(4095)), "4095 is outside 4096..1073741824"),
        arguments("buffer.segmentBytes", step(b -> b.segmentBytes((1 << 30) + 1)), "is outside 4096..1073741824"),
        arguments("buffer.segmentBytes", step(b -> b.segmentBytes(Integer.MIN_VALUE)), "is outside"),
        arguments("buffer.blockTimeout", step(b -> b.blockTimeout(null)), "must be zero or positive, was null"),
        arguments("buffer.blockTimeout", step(b -> b.blockTimeout(Duration.ofMillis(-1))), "was PT-0.001S"),
        arguments("buffer.syncInterval", step(b -> b.syncInterval(null)), "must be positive, was null"),
        arguments("buffer.syncInterval", step(b -> b.syncInterval(Duration.ZERO)), "must be positive, was PT0S"),
        arguments("buffer.syncInterval", step(b -> b.syncInterval(Duration.ofSeconds(-1))), "was PT-1S"),
        arguments("buffer.segmentBytes", step(b -> b.capacityBytes(100_000).build()),
            "1048576 exceeds capacityBytes 100000; lower segmentBytes or raise capacityBytes"),
        arguments("buffer.segmentBytes", step(b -> b.capacityBytes(65_536).segmentBytes(65_537).build()),
            "65537 exceeds capacityBytes 65536"));
  }

  /** Wraps a builder step (which may end in build()) as a consumer. */
  private static Consumer<BufferOptions.Builder> step(java.util.function.Function<BufferOptions.Builder, ?> f) {
    return b -> f.apply(b);
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("invalidSettings")
  void builderRefusesInvalidValuesNamingTheField(String field, Consumer<BufferOptions.Builder> step, String problem) {
    ConfigurationException e = configurationError(() -> step.accept(BufferOptions.builder(DIR)));

    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).startsWith(field + ": ").contains(problem);
  }

  @Test
  void builderAcceptsTheBoundaries() {
    BufferOptions smallest = BufferOptions.builder(DIR).capacityBytes(65_536).segmentBytes(4096)
        .blockTimeout(Duration.ZERO).syncInterval(Duration.ofNanos(1)).build();
    assertThat(smallest.capacityBytes()).isEqualTo(65_536);
    assertThat(smallest.segmentBytes()).isEqualTo(4096);
    assertThat(smallest.blockTimeout()).isZero();

    BufferOptions oneSegment = BufferOptions.builder(DIR).capacityBytes(65_536).segmentBytes(65_536).build();
    assertThat(oneSegment.segmentBytes()).isEqualTo(65_536);

    BufferOptions largest = BufferOptions.builder(DIR).capacityBytes(Long.MAX_VALUE).segmentBytes(1 << 30).build();
    assertThat(largest.segmentBytes()).isEqualTo(1 << 30);
  }

  @Test
  void enumsAreRequired() {
    assertThatNullPointerException().isThrownBy(() -> BufferOptions.builder(DIR).overflowPolicy(null))
        .withMessage("overflowPolicy");
    assertThatNullPointerException().isThrownBy(() -> BufferOptions.builder(DIR).durability(null))
        .withMessage("durability");
  }

  @Test
  void toBuilderRoundTripsEveryField() {
    BufferOptions custom = BufferOptions.builder(DIR).capacityBytes(50_000_000).segmentBytes(4 << 20)
        .overflowPolicy(OverflowPolicy.BLOCK).blockTimeout(Duration.ofMillis(250)).durability(Durability.INTERVAL)
        .syncInterval(Duration.ofMillis(200)).build();

    BufferOptions copy = custom.toBuilder().build();

    assertThat(copy).isEqualTo(custom).hasSameHashCodeAs(custom).hasToString(custom.toString()).isNotSameAs(custom);
    assertThat(copy.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
    assertThat(copy.durability()).isEqualTo(Durability.INTERVAL);
    assertThat(custom.toBuilder().overflowPolicy(OverflowPolicy.REJECT_NEW).build()).isNotEqualTo(custom);
    assertThat(BufferOptions.builder(Path.of("other")).build()).isNotEqualTo(BufferOptions.builder(DIR).build());
    assertThat(BufferOptions.builder(DIR).build()).isNotEqualTo(null).isNotEqualTo(DIR);
  }
}
