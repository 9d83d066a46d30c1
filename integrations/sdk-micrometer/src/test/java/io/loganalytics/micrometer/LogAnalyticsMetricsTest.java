package io.loganalytics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.MutableClock;
import io.loganalytics.testkit.WorkspaceEmulator;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogAnalyticsMetricsTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  @TempDir Path tmp;
  private final MutableClock clock = new MutableClock(T0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static ClientStats stats(long accepted, long sent, Map<DropReason, Long> dropped, long retries,
      Duration oldest, long buffered, long bufferedBytes, Instant lastSuccess, Instant certificateExpiry) {
    return new ClientStats(accepted, sent, dropped, 4096, 7, retries, lastSuccess, oldest, buffered, bufferedBytes,
        certificateExpiry);
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private double timeGauge(String name) {
    return registry.get(name).timeGauge().value(TimeUnit.SECONDS);
  }

  @Test
  void everyMeterTracksTheClientStatsWithMicrometerNamesUnitsAndTheUsersTags() {
    EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    dropped.put(DropReason.BUFFER_OVERFLOW, 12L);
    dropped.put(DropReason.REJECTED, 3L);
    AtomicReference<ClientStats> now = new AtomicReference<>(stats(100, 80, dropped, 5, Duration.ofMillis(2500), 8,
        1234, T0.minusSeconds(30), T0.plus(Duration.ofDays(20))));
    new LogAnalyticsMetrics(now::get, Tags.of("appender", "orders"), clock).bindTo(registry);

    assertThat(counter("loganalytics.records.accepted")).isEqualTo(100);
    assertThat(counter("loganalytics.records.sent")).isEqualTo(80);
    assertThat(counter("loganalytics.records.dropped", "reason", "buffer_overflow")).isEqualTo(12);
    assertThat(counter("loganalytics.records.dropped", "reason", "rejected")).isEqualTo(3);
    assertThat(counter("loganalytics.records.dropped", "reason", "retries_exhausted")).isZero();
    assertThat(registry.get("loganalytics.records.dropped").functionCounters()).hasSize(DropReason.values().length);
    assertThat(counter("loganalytics.retries")).isEqualTo(5);
    assertThat(counter("loganalytics.requests")).isEqualTo(7);
    assertThat(counter("loganalytics.bytes.sent")).isEqualTo(4096);
    assertThat(gauge("loganalytics.buffer.records")).isEqualTo(8);
    assertThat(gauge("loganalytics.buffer.bytes")).isEqualTo(1234);
    assertThat(timeGauge("loganalytics.oldest.unsent.age")).isEqualTo(2.5);
    assertThat(timeGauge("loganalytics.last.success.age")).isEqualTo(30);
    assertThat(timeGauge("loganalytics.certificate.expiry")).isEqualTo(Duration.ofDays(20).toSeconds());

    assertThat(registry.getMeters()).isNotEmpty().allSatisfy(m -> {
      assertThat(m.getId().getName()).matches("loganalytics(\\.[a-z]+)+");
      assertThat(m.getId().getTags()).contains(Tag.of("appender", "orders"));
    });
    Meter.Id bytes = registry.get("loganalytics.buffer.bytes").gauge().getId();
    assertThat(bytes.getBaseUnit()).isEqualTo("bytes");
    assertThat(bytes.getDescription()).isNotBlank();

    // The stats move on; one snapshot serves a scrape for up to a second, then the meters follow.
    now.set(stats(150, 149, Map.of(), 6, null, 1, 10, T0.plusSeconds(1), T0.plus(Duration.ofDays(20))));
    assertThat(counter("loganalytics.records.accepted")).isEqualTo(100);
    clock.advance(Duration.ofSeconds(1));
    assertThat(counter("loganalytics.records.accepted")).isEqualTo(150);
    assertThat(counter("loganalytics.records.sent")).isEqualTo(149);
    assertThat(gauge("loganalytics.buffer.records")).isEqualTo(1);
    assertThat(timeGauge("loganalytics.oldest.unsent.age")).as("empty buffer").isZero();
    assertThat(timeGauge("loganalytics.last.success.age")).isZero();

    // Expired certificate: negative time left.
    clock.advance(Duration.ofDays(21));
    assertThat(timeGauge("loganalytics.certificate.expiry")).isEqualTo(-Duration.ofDays(1).plusSeconds(1)
        .toSeconds());
  }

  @Test
  void theAccessTokensExpiryIsATimeGaugeOfTheTimeLeft() {
    ClientStats withToken = stats(1, 1, Map.of(), 0, null, 0, 0, T0, null)
        .withCredentialExpiry(T0.plus(Duration.ofMinutes(45)));
    AtomicReference<ClientStats> now = new AtomicReference<>(withToken);
    new LogAnalyticsMetrics(now::get, Tags.of("appender", "orders"), clock).bindTo(registry);

    io.micrometer.core.instrument.TimeGauge g = registry.get("loganalytics.credential.expiry").timeGauge();
    assertThat(g.getId().getTags()).contains(Tag.of("appender", "orders"));
    assertThat(g.getId().getDescription()).contains("access token");
    assertThat(g.value(TimeUnit.SECONDS)).isEqualTo(Duration.ofMinutes(45).toSeconds());
    assertThat(g.value(TimeUnit.MINUTES)).isEqualTo(45);
    assertThat(timeGauge("loganalytics.certificate.expiry")).as("no certificate on this transport").isNaN();

    clock.advance(Duration.ofMinutes(50)); // renewal failed: the token ran out five minutes ago
    assertThat(timeGauge("loganalytics.credential.expiry")).isEqualTo(-Duration.ofMinutes(5).toSeconds());

    now.set(withToken.withCredentialExpiry(clock.instant().plus(Duration.ofHours(1)))); // renewed
    clock.advance(Duration.ofSeconds(1));
    assertThat(timeGauge("loganalytics.credential.expiry")).isEqualTo(Duration.ofHours(1).toSeconds() - 1);

    now.set(withToken.withCredentialExpiry(null)); // a transport without tokens
    clock.advance(Duration.ofSeconds(1));
    assertThat(timeGauge("loganalytics.credential.expiry")).isNaN();
    now.set(null); // no client
    clock.advance(Duration.ofSeconds(1));
    assertThat(timeGauge("loganalytics.credential.expiry")).isNaN();
  }

  @Test
  void withoutAClientGaugesReadNaNAndCountersKeepTheirLastValues() {
    AtomicReference<ClientStats> now = new AtomicReference<>(stats(10, 9, Map.of(), 0, null, 1, 100, null, null));
    new LogAnalyticsMetrics(now::get, List.of(), clock).bindTo(registry);
    assertThat(counter("loganalytics.records.accepted")).isEqualTo(10);
    assertThat(timeGauge("loganalytics.certificate.expiry")).as("no certificate on this transport").isNaN();
    assertThat(timeGauge("loganalytics.credential.expiry")).as("no token on this transport").isNaN();
    assertThat(timeGauge("loganalytics.last.success.age")).as("nothing delivered yet").isNaN();

    now.set(null); // the appender stopped
    clock.advance(Duration.ofSeconds(2));
    assertThat(counter("loganalytics.records.accepted")).isEqualTo(10);
    assertThat(gauge("loganalytics.buffer.records")).isNaN();

    now.set(stats(12, 12, Map.of(), 0, null, 0, 0, T0, null));
    clock.advance(Duration.ofSeconds(2));
    assertThat(counter("loganalytics.records.accepted")).isEqualTo(12);
    assertThat(gauge("loganalytics.buffer.records")).isZero();
  }

  @Test
  void theReadmeShowsTheSnippetThisTestCompiles() throws Exception {
    String source = java.nio.file.Files.readString(Path.of(
        "src/test/java/io/loganalytics/micrometer/LogAnalyticsMetricsTest.java"));
    int begin = source.indexOf("// README:begin\n") + "// README:begin\n".length();
    String snippet = source.substring(begin, source.indexOf("      // README:end", begin));
    String unindented = snippet.lines().map(l -> l.substring(Math.min(6, l.length())))
        .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    assertThat(java.nio.file.Files.readString(Path.of("../../README.md"))).contains("```java\n" + unindented + "```");
  }

  @Test
  void aStatsSourceThatThrowsReadsAsNoClient() {
    new LogAnalyticsMetrics(() -> {
      throw new IllegalStateException("closed");
    }, List.of(), clock).bindTo(registry);
    assertThat(counter("loganalytics.records.sent")).isZero();
    assertThat(gauge("loganalytics.buffer.bytes")).isNaN();
  }

  private static final String DCR = "dcr-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private static final String STREAM = "Custom-Metered_CL";

  /** A Logs Ingestion client of the emulator, whose tokens live 30 minutes. */
  private LogAnalyticsClient logsIngestionClient(WorkspaceEmulator emulator) {
    String app = "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7";
    EntraCredential credential = emulator.registerClientSecret(app, "Sec~metrics-test-71c2");
    emulator.createDataCollectionRule(DCR, STREAM);
    emulator.grantPublisher(DCR, app);
    emulator.tokenLifetime(Duration.ofMinutes(30));
    return LogAnalyticsClient.builder()
        .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
        .entraCredential(credential)
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofMillis(50))
            .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(50)).build())
        .build();
  }

  @Test
  void aRealClientsDeliveriesShowInTheMeters() throws Exception {
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start();
        LogAnalyticsClient client = logsIngestionClient(emulator)) {
      new LogAnalyticsMetrics(client::stats, Tags.of("stream", "Metered"), clock).bindTo(registry);
      SimpleMeterRegistry live = new SimpleMeterRegistry();
      new LogAnalyticsMetrics(client, Tags.of("stream", "Metered")).bindTo(live); // the system clock
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      java.util.function.Supplier<LogAnalyticsClient> source = () -> client;
      // README:begin
      new LogAnalyticsMetrics(client, Tags.of("stream", "Custom-MyApp_CL")).bindTo(registry);
      // An appender's client comes and goes with the appender (source = appender::getClient):
      new LogAnalyticsMetrics(() -> {
        LogAnalyticsClient c = source.get();
        return c == null ? null : c.stats();
      }, Tags.of("appender", "LOGANALYTICS")).bindTo(registry);
      // README:end
      assertThat(registry.get("loganalytics.records.accepted").tag("appender", "LOGANALYTICS").functionCounter())
          .isNotNull();
      assertThat(registry.get("loganalytics.records.accepted").tag("stream", "Custom-MyApp_CL").functionCounter())
          .isNotNull();
      emulator.faults().failNext(2, 503, null, false);
      for (int i = 0; i < 10; i++) {
        client.send(STREAM, Map.of("n", i));
      }
      assertThat(client.flush(Duration.ofSeconds(15))).isTrue();
      clock.advance(Duration.ofSeconds(1));

      assertThat(counter("loganalytics.records.accepted")).isEqualTo(10);
      assertThat(counter("loganalytics.records.sent")).isEqualTo(10);
      assertThat(counter("loganalytics.retries")).isEqualTo(client.stats().retries()).isGreaterThanOrEqualTo(2);
      assertThat(gauge("loganalytics.buffer.records")).isZero();
      assertThat(counter("loganalytics.bytes.sent")).isPositive();
      // The emulator issued a token valid for 30 minutes: that is the time left, give or take the test's run.
      assertThat(live.get("loganalytics.credential.expiry").timeGauge().value(TimeUnit.MINUTES))
          .isBetween(25.0, 30.0);
    }
  }
}
