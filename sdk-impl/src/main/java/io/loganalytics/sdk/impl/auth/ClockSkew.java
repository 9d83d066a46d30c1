package io.loganalytics.sdk.impl.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The offset of the service's clock from ours, learned from the {@code Date} header of its answers, and a clock
 * corrected by it for signing. Small offsets (under {@link #THRESHOLD}) are ignored: HTTP dates have one-second
 * resolution and requests take time. Thread-safe.
 */
public final class ClockSkew {
  /** Offsets below this are treated as no skew. */
  public static final Duration THRESHOLD = Duration.ofSeconds(5);

  private final Clock local;
  private volatile Duration offset = Duration.ZERO;

  /**
   * Creates a tracker.
   *
   * @param local the local clock
   */
  public ClockSkew(Clock local) {
    this.local = local;
  }

  /**
   * Learns from an answer's {@code Date} header.
   *
   * @param dateHeader the header value (RFC 1123), or {@code null}
   * @return the new offset when it changed by at least {@link #THRESHOLD}, else empty
   */
  public Optional<Duration> observe(String dateHeader) {
    Optional<Duration> raw = measure(local, dateHeader);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    Duration measured = raw.get();
    if (measured.abs().compareTo(THRESHOLD) < 0) {
      measured = Duration.ZERO;
    }
    Duration previous = offset;
    offset = measured;
    if (measured.minus(previous).abs().compareTo(THRESHOLD) >= 0) {
      return Optional.of(measured);
    }
    return Optional.empty();
  }

  /**
   * Measures the offset of a server's clock from a local one from one {@code Date} header, without learning it.
   *
   * @param local the local clock
   * @param dateHeader the header value (RFC 1123), or {@code null}
   * @return the server's time minus the local time, or empty when the header is missing or malformed
   */
  public static Optional<Duration> measure(Clock local, String dateHeader) {
    if (dateHeader == null) {
      return Optional.empty();
    }
    try {
      Instant server = ZonedDateTime.parse(dateHeader.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(Duration.between(local.instant(), server));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** @return the service's time minus ours, zero when unknown or small */
  public Duration offset() {
    return offset;
  }

  /** @return a clock that reads the local time plus the learned offset */
  public Clock correctedClock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return local.getZone();
      }

      @Override
      public Clock withZone(ZoneId zone) {
        // Stays live: a later observe() moves the returned clock too.
        Clock zoned = local.withZone(zone);
        ClockSkew self = ClockSkew.this;
        return new Clock() {
          @Override
          public ZoneId getZone() {
            return zone;
          }

          @Override
          public Clock withZone(ZoneId other) {
            return self.correctedClock().withZone(other);
          }

          @Override
          public Instant instant() {
            return zoned.instant().plus(self.offset);
          }
        };
      }

      @Override
      public Instant instant() {
        return local.instant().plus(offset);
      }
    };
  }
}
