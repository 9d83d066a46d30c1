package io.loganalytics.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} a test moves by hand: 30 seconds or three months in one line, so no test waits out a backoff or a
 * certificate's expiry. Give it to the SDK ({@code LogAnalyticsClientBuilder.clock}) and to the emulator
 * ({@code WorkspaceEmulator.Builder.clock}). Clocks derived with {@link #withZone} share its time.
 *
 * <p>Thread-safe.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /**
   * A clock standing at {@code start}, in UTC.
   *
   * @param start the time it shows until moved
   */
  public MutableClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * A clock standing at an ISO-8601 instant.
   *
   * @param isoInstant such as {@code 2026-01-05T10:00:00Z}
   * @return the clock
   */
  public static MutableClock at(String isoInstant) {
    return new MutableClock(Instant.parse(isoInstant));
  }

  /**
   * Moves the clock forward (or back, with a negative duration).
   *
   * @param duration how far
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    now.updateAndGet(i -> i.plus(duration));
  }

  /**
   * Sets the clock.
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public MutableClock withZone(ZoneId newZone) {
    return new MutableClock(now, Objects.requireNonNull(newZone, "zone"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public String toString() {
    return "MutableClock{" + now.get() + ", " + zone + "}";
  }
}
