package io.loganalytics.sdk.impl.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand. Thread-safe. */
public final class FakeClock extends Clock {
  private volatile Instant now;

  /**
   * A clock at a time.
   *
   * @param start the time
   */
  public FakeClock(Instant start) {
    this.now = start;
  }

  /** @return a clock at 2026-01-05T10:00:00Z */
  public static FakeClock atDefault() {
    return new FakeClock(Instant.parse("2026-01-05T10:00:00Z"));
  }

  /**
   * Moves the clock.
   *
   * @param d how far
   */
  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }
}
