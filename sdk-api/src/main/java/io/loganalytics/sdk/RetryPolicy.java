package io.loganalytics.sdk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When to upload, how long to wait between tries, and when to give a chunk up. The defaults are the legacy agent's
 * documented behaviour:
 *
 * <ul>
 *   <li>an upload is attempted every {@linkplain Builder#uploadInterval 20 s};
 *   <li>after a failed try the wait is {@linkplain Builder#initialBackoff 30 s}, doubling at every further failure
 *       (60 s, 120 s, 240 s, 480 s, 960 s), never more than {@linkplain Builder#maxBackoff 16 min};
 *   <li>each wait is spread by {@linkplain Builder#jitter ±12.5 %} so that many agents do not retry together;
 *   <li>a chunk is retried {@linkplain Builder#maxRetries 6 times} after its first try; when the sixth retry fails
 *       it is given up ({@link GiveUpAction#DISCARD} by default, or {@link GiveUpAction#DEAD_LETTER}), reported,
 *       and the next chunk goes.
 *   <li>except when the service refuses our credentials (401/403, or on the agent path an expired or refused
 *       certificate): those tries use no retry budget and the data is never given up for it; the chunk is retried
 *       with waits growing to {@linkplain Builder#maxBackoff the maximum} until the credentials work again or the
 *       client closes, and stays in the buffer meanwhile (a regenerated key must not delete data).
 * </ul>
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()}, derive with {@link #toBuilder()}.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULT = builder().build();

  private final Duration uploadInterval;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final int maxRetries;
  private final double jitter;
  private final GiveUpAction giveUpAction;
  private final Path deadLetterDirectory;

  private RetryPolicy(Builder b) {
    this.uploadInterval = b.uploadInterval;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.maxRetries = b.maxRetries;
    this.jitter = b.jitter;
    this.giveUpAction = b.giveUpAction;
    this.deadLetterDirectory = b.deadLetterDirectory;
  }

  /**
   * The agent's documented behaviour: 20 s interval, 30 s doubling to 16 min, 6 retries, ±12.5 % jitter, discard.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return DEFAULT;
  }

  /**
   * A builder pre-filled with the {@linkplain #defaults() defaults}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder pre-filled with this policy's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.uploadInterval = uploadInterval;
    b.initialBackoff = initialBackoff;
    b.maxBackoff = maxBackoff;
    b.multiplier = multiplier;
    b.maxRetries = maxRetries;
    b.jitter = jitter;
    b.giveUpAction = giveUpAction;
    b.deadLetterDirectory = deadLetterDirectory;
    return b;
  }

  /**
   * The nominal wait before retry number {@code retry} (1-based), without jitter:
   * {@code min(initialBackoff × multiplier^(retry-1), maxBackoff)}.
   *
   * @param retry 1 for the wait after the first failed try, up to {@link #maxRetries()}
   * @return the wait
   * @throws IllegalArgumentException when {@code retry} is less than 1
   */
  public Duration nominalBackoff(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1, was " + retry);
    }
    double millis = millis(initialBackoff) * Math.pow(multiplier, retry - 1);
    long capped = (long) Math.min(millis, (double) millis(maxBackoff));
    return Duration.ofMillis(capped);
  }

  /**
   * The wait before retry number {@code retry}, with jitter applied from a uniform random value: the nominal wait
   * times {@code 1 + jitter × (2 × unitRandom − 1)}, then capped at {@link #maxBackoff()}. A {@code unitRandom} of
   * 0.5 gives the nominal wait exactly; 0 gives the shortest, values near 1 the longest.
   *
   * @param retry 1-based retry number
   * @param unitRandom a value in [0, 1), usually from the uploader's injected random source
   * @return the wait
   * @throws IllegalArgumentException when {@code retry} is less than 1 or {@code unitRandom} is outside [0, 1]
   */
  public Duration backoff(int retry, double unitRandom) {
    if (!(unitRandom >= 0.0 && unitRandom <= 1.0)) {
      throw new IllegalArgumentException("unitRandom must be in [0, 1], was " + unitRandom);
    }
    long nominal = nominalBackoff(retry).toMillis();
    double factor = 1.0 + jitter * (2.0 * unitRandom - 1.0);
    long millis = Math.round(nominal * factor); // saturates at Long.MAX_VALUE
    return Duration.ofMillis(Math.min(millis, millis(maxBackoff)));
  }

  /** Milliseconds of a duration, saturated: a cap of "forever" must not overflow. */
  private static long millis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The nominal waits of a chunk that fails every try, one per retry: with the defaults 30 s, 60 s, 120 s, 240 s,
   * 480 s, 960 s.
   *
   * @return {@link #maxRetries()} waits
   */
  public List<Duration> nominalSchedule() {
    List<Duration> waits = new ArrayList<>(maxRetries);
    for (int i = 1; i <= maxRetries; i++) {
      waits.add(nominalBackoff(i));
    }
    return List.copyOf(waits);
  }

  /**
   * How often the uploader sends what the buffer holds. Default 20 s.
   *
   * @return the interval
   */
  public Duration uploadInterval() {
    return uploadInterval;
  }

  /**
   * The wait after the first failed try. Default 30 s.
   *
   * @return the wait
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * The longest wait between two tries, including jitter and {@code Retry-After}. Default 16 min.
   *
   * @return the cap
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * The growth of the wait from one retry to the next. Default 2.
   *
   * @return the multiplier
   */
  public double multiplier() {
    return multiplier;
  }

  /**
   * How many times a chunk is retried after its first try before it is given up. Default 6. Retries after an
   * authentication failure are not counted (see the class description).
   *
   * @return the retry count
   */
  public int maxRetries() {
    return maxRetries;
  }

  /**
   * The relative spread of each wait: 0.125 means ±12.5 %. Default 0.125.
   *
   * @return the jitter fraction, 0 to 0.5
   */
  public double jitter() {
    return jitter;
  }

  /**
   * What happens to a chunk that is given up. Default {@link GiveUpAction#DISCARD}.
   *
   * @return the action
   */
  public GiveUpAction giveUpAction() {
    return giveUpAction;
  }

  /**
   * Where given-up chunks are written when the action is {@link GiveUpAction#DEAD_LETTER}.
   *
   * @return the directory, or empty with {@link GiveUpAction#DISCARD}
   */
  public Optional<Path> deadLetterDirectory() {
    return Optional.ofNullable(deadLetterDirectory);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RetryPolicy)) {
      return false;
    }
    RetryPolicy p = (RetryPolicy) o;
    return maxRetries == p.maxRetries && Double.compare(multiplier, p.multiplier) == 0
        && Double.compare(jitter, p.jitter) == 0 && uploadInterval.equals(p.uploadInterval)
        && initialBackoff.equals(p.initialBackoff) && maxBackoff.equals(p.maxBackoff)
        && giveUpAction == p.giveUpAction && Objects.equals(deadLetterDirectory, p.deadLetterDirectory);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uploadInterval, initialBackoff, maxBackoff, multiplier, maxRetries, jitter, giveUpAction,
        deadLetterDirectory);
  }

  @Override
  public String toString() {
    return "RetryPolicy{uploadInterval=" + uploadInterval + ", initialBackoff=" + initialBackoff + ", maxBackoff="
        + maxBackoff + ", multiplier=" + multiplier + ", maxRetries=" + maxRetries + ", jitter=" + jitter
        + ", giveUpAction=" + giveUpAction
        + (deadLetterDirectory == null ? "" : ", deadLetterDirectory=" + deadLetterDirectory) + "}";
  }

  /** Builds a {@link RetryPolicy}; every setter validates at once and names the field when it refuses a value. */
  public static final class Builder {
    private Duration uploadInterval = Duration.ofSeconds(20);
    private Duration initialBackoff = Duration.ofSeconds(30);
    private Duration maxBackoff = Duration.ofMinutes(16);
    private double multiplier = 2.0;
    private int maxRetries = 6;
    private double jitter = 0.125;
    private GiveUpAction giveUpAction = GiveUpAction.DISCARD;
    private Path deadLetterDirectory;

    private Builder() {}

    /**
     * How often to upload. Default 20 s.
     *
     * @param interval at least 1 ms
     * @return this builder
     */
    public Builder uploadInterval(Duration interval) {
      this.uploadInterval = positive("uploadInterval", interval);
      return this;
    }

    /**
     * The wait after the first failure. Default 30 s.
     *
     * @param wait at least 1 ms
     * @return this builder
     */
    public Builder initialBackoff(Duration wait) {
      this.initialBackoff = positive("initialBackoff", wait);
      return this;
    }

    /**
     * The longest wait between tries. Default 16 min. A huge value (up to {@code ChronoUnit.FOREVER.getDuration()})
     * means no cap; it never overflows.
     *
     * @param wait at least 1 ms
     * @return this builder
     */
    public Builder maxBackoff(Duration wait) {
      this.maxBackoff = positive("maxBackoff", wait);
      return this;
    }

    /**
     * How much the wait grows per retry. Default 2.
     *
     * @param multiplier at least 1
     * @return this builder
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new ConfigurationException("multiplier", multiplier + " must be a finite number of at least 1");
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Retries per chunk after its first try. Default 6.
     *
     * @param retries 0 to 100
     * @return this builder
     */
    public Builder maxRetries(int retries) {
      if (retries < 0 || retries > 100) {
        throw new ConfigurationException("maxRetries", retries + " is outside 0..100");
      }
      this.maxRetries = retries;
      return this;
    }

    /**
     * The relative spread of each wait. Default 0.125 (±12.5 %); 0 turns jitter off.
     *
     * @param fraction 0 to 0.5
     * @return this builder
     */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0.0 && fraction <= 0.5)) {
        throw new ConfigurationException("jitter", fraction + " is outside 0..0.5");
      }
      this.jitter = fraction + 0.0; // -0.0 becomes 0.0, so that equal policies are equal
      return this;
    }

    /**
     * Discard given-up chunks (the default). Clears any dead-letter directory.
     *
     * @return this builder
     */
    public Builder discardOnGiveUp() {
      this.giveUpAction = GiveUpAction.DISCARD;
      this.deadLetterDirectory = null;
      return this;
    }

    /**
     * Write given-up chunks to a directory instead of deleting them.
     *
     * @param directory the dead-letter directory; created when needed
     * @return this builder
     */
    public Builder deadLetterTo(Path directory) {
      this.deadLetterDirectory = Objects.requireNonNull(directory, "deadLetterDirectory");
      this.giveUpAction = GiveUpAction.DEAD_LETTER;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws ConfigurationException naming {@code maxBackoff} when it is shorter than {@code initialBackoff}
     */
    public RetryPolicy build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new ConfigurationException("maxBackoff", maxBackoff + " is shorter than initialBackoff "
            + initialBackoff);
      }
      return new RetryPolicy(this);
    }

    private static Duration positive(String field, Duration d) {
      // Below a millisecond the waits round to zero and the uploader would spin.
      if (d == null || d.compareTo(Duration.ofMillis(1)) < 0) {
        throw new ConfigurationException(field, "must be a duration of at least 1 ms, was " + d);
      }
      return d;
    }
  }
}
