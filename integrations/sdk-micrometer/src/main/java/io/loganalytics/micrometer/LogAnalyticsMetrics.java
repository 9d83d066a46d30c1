package io.loganalytics.micrometer;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link LogAnalyticsClient}'s {@link ClientStats} as Micrometer meters:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>unit</th></tr>
 *   <tr><td>{@code loganalytics.records.accepted}</td><td>function counter</td><td>records</td></tr>
 *   <tr><td>{@code loganalytics.records.sent}</td><td>function counter</td><td>records</td></tr>
 *   <tr><td>{@code loganalytics.records.dropped}, tag {@code reason} ({@code buffer_overflow}, {@code corrupted},
 *       {@code retries_exhausted}, {@code rejected}, {@code too_large})</td><td>function counter</td>
 *       <td>records</td></tr>
 *   <tr><td>{@code loganalytics.bytes.sent}</td><td>function counter</td><td>bytes</td></tr>
 *   <tr><td>{@code loganalytics.requests}</td><td>function counter</td><td>requests</td></tr>
 *   <tr><td>{@code loganalytics.retries}</td><td>function counter</td><td>retries</td></tr>
 *   <tr><td>{@code loganalytics.buffer.records}</td><td>gauge</td><td>records</td></tr>
 *   <tr><td>{@code loganalytics.buffer.bytes}</td><td>gauge</td><td>bytes</td></tr>
 *   <tr><td>{@code loganalytics.oldest.unsent.age}</td><td>time gauge (0 when the buffer is empty)</td>
 *       <td>seconds</td></tr>
 *   <tr><td>{@code loganalytics.last.success.age}</td><td>time gauge (NaN before the first delivery)</td>
 *       <td>seconds</td></tr>
 *   <tr><td>{@code loganalytics.certificate.expiry}</td><td>time gauge: time left until the agent certificate
 *       expires, negative once expired (NaN on transports without a certificate)</td><td>seconds</td></tr>
 *   <tr><td>{@code loganalytics.credential.expiry}</td><td>time gauge: time left until the Entra ID access token
 *       the client holds expires, negative once expired (NaN before the first token and on transports without
 *       one). The client renews the token before it expires: a value that keeps falling below zero means renewal
 *       fails.</td><td>seconds</td></tr>
 * </table>
 *
 * <p>Every meter carries the tags given to the constructor (for example {@code stream} or {@code appender}), so
 * that several clients can be told apart. Meters read one {@link ClientStats} snapshot per scrape: a snapshot is
 * reused for at most one second. When the stats source has no client (an appender that is stopped), the counters
 * keep their last values and the gauges read NaN.
 *
 * <p>Thread-safe. The registry keeps the meters' state alive; the binder itself need not be kept.
 */
public final class LogAnalyticsMetrics implements MeterBinder {
  private static final Duration SNAPSHOT_TTL = Duration.ofSeconds(1);

  private final Source source;
  private final Tags tags;

  /**
   * Meters for a client.
   *
   * @param client the client
   * @param tags tags for every meter
   */
  public LogAnalyticsMetrics(LogAnalyticsClient client, Iterable<Tag> tags) {
    this(Objects.requireNonNull(client, "client")::stats, tags, Clock.systemUTC());
  }

  /**
   * Meters for a client that may come and go, such as an appender's ({@code appender::getClient}).
   *
   * @param stats returns a snapshot, or {@code null} when there is no client now
   * @param tags tags for every meter
   */
  public LogAnalyticsMetrics(Supplier<ClientStats> stats, Iterable<Tag> tags) {
    this(stats, tags, Clock.systemUTC());
  }

  LogAnalyticsMetrics(Supplier<ClientStats> stats, Iterable<Tag> tags, Clock clock) {
    this.source = new Source(Objects.requireNonNull(stats, "stats"), clock);
    this.tags = Tags.of(tags == null ? Tags.empty() : tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "loganalytics.records.accepted", "Records the client accepted into its buffer", "records",
        Tags.empty(), ClientStats::recordsAccepted);
    counter(registry, "loganalytics.records.sent", "Records delivered to the workspace", "records", Tags.empty(),
        ClientStats::recordsSent);
    for (DropReason reason : DropReason.values()) {
      counter(registry, "loganalytics.records.dropped", "Records that left the client undelivered", "records",
          Tags.of("reason", reason.name().toLowerCase(Locale.ROOT)), s -> s.recordsDropped().get(reason));
    }
    counter(registry, "loganalytics.bytes.sent", "Request body bytes delivered", "bytes", Tags.empty(),
        ClientStats::bytesSent);
    counter(registry, "loganalytics.requests", "Upload requests made", "requests", Tags.empty(),
        ClientStats::requests);
    counter(registry, "loganalytics.retries", "Upload retries made", "retries", Tags.empty(), ClientStats::retries);

    // Gauges hold the source strongly: the function counters' weak references to it then stay valid for as long
    // as the registry holds the meters.
    Gauge.builder("loganalytics.buffer.records", source, src -> src.gauge(ClientStats::bufferedRecords))
        .description("Records waiting in the disk buffer").baseUnit("records").tags(tags).strongReference(true)
        .register(registry);
    Gauge.builder("loganalytics.buffer.bytes", source, src -> src.gauge(ClientStats::bufferedBytes))
        .description("Bytes held by the disk buffer").baseUnit("bytes").tags(tags).strongReference(true)
        .register(registry);
    TimeGauge.builder("loganalytics.oldest.unsent.age", source, TimeUnit.SECONDS,
            src -> src.gaugeDouble(s -> s.oldestUnsentAge().map(LogAnalyticsMetrics::seconds).orElse(0.0)))
        .description("Age of the oldest record not yet delivered").tags(tags).strongReference(true)
        .register(registry);
    TimeGauge.builder("loganalytics.last.success.age", source, TimeUnit.SECONDS,
            src -> src.gaugeDouble(s -> s.lastSuccess().map(t -> seconds(Duration.between(t, src.now())))
                .orElse(Double.NaN)))
        .description("Time since the last delivery").tags(tags).strongReference(true).register(registry);
    TimeGauge.builder("loganalytics.certificate.expiry", source, TimeUnit.SECONDS,
            src -> src.gaugeDouble(s -> s.certificateExpiry().map(t -> seconds(Duration.between(src.now(), t)))
                .orElse(Double.NaN)))
        .description("Time left until the agent certificate expires").tags(tags).strongReference(true)
        .register(registry);
    TimeGauge.builder("loganalytics.credential.expiry", source, TimeUnit.SECONDS,
            src -> src.gaugeDouble(s -> s.credentialExpiry().map(t -> seconds(Duration.between(src.now(), t)))
                .orElse(Double.NaN)))
        .description("Time left until the client's access token expires").tags(tags).strongReference(true)
        .register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, String unit, Tags extra,
      ToDoubleFunction<ClientStats> value) {
    FunctionCounter.builder(name, source, src -> src.counter(value)).description(description).baseUnit(unit)
        .tags(tags.and(extra)).register(registry);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** One snapshot per scrape, and the last one kept for counters while there is no client. Thread-safe. */
  static final class Source {
    private final Supplier<ClientStats> stats;
    private final Clock clock;
    private ClientStats last;
    private Instant takenAt;
    private boolean present;

    Source(Supplier<ClientStats> stats, Clock clock) {
      this.stats = stats;
      this.clock = clock;
    }

    Instant now() {
      return clock.instant();
    }

    private synchronized ClientStats snapshot() {
      Instant now = clock.instant();
      if (takenAt == null || !now.isBefore(takenAt.plus(SNAPSHOT_TTL)) || now.isBefore(takenAt)) {
        ClientStats s;
        try {
          s = stats.get();
        } catch (RuntimeException e) {
          s = null;
        }
        present = s != null;
        if (s != null) {
          last = s;
        }
        takenAt = now;
      }
      return present ? last : null;
    }

    double counter(ToDoubleFunction<ClientStats> f) {
      snapshot();
      ClientStats s;
      synchronized (this) {
        s = last;
      }
      return s == null ? 0 : f.applyAsDouble(s);
    }

    double gauge(ToDoubleFunction<ClientStats> f) {
      ClientStats s = snapshot();
      return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    double gaugeDouble(ToDoubleFunction<ClientStats> f) {
      return gauge(f);
    }
  }
}
