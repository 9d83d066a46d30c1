package io.loganalytics.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.Transport;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.WorkspaceEmulator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter behind the OpenTelemetry SDK's batch processor, and through autoconfigure, against the workspace
 * emulator (Data Collector transport, TLS on loopback).
 */
class LogAnalyticsLogRecordExporterTest {
  private static final Duration AWAIT = Duration.ofSeconds(15);

  @TempDir Path tmp;
  private WorkspaceEmulator emulator;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().start();
    EmulatorCustomizer.emulator = emulator;
  }

  @AfterEach
  void stop() {
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("otel.") || k.equals("LA_SHARED_KEY")) {
        System.clearProperty(k);
      }
    }
    emulator.close();
  }

  private LogAnalyticsClient client() {
    return LogAnalyticsClient.builder()
        .transport(Transport.DATA_COLLECTOR)
        .credentials(emulator.credentials())
        .timeGeneratedField("EventTime")
        .cloud(emulator.cloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .retryPolicy(EmulatorCustomizer.FAST)
        .build();
  }

  @Test
  void batchProcessorDeliversEveryColumnWithTheActiveSpansTraceContext() throws Exception {
    try (LogAnalyticsClient client = client()) {
      LogAnalyticsLogRecordExporter exporter = LogAnalyticsLogRecordExporter.create(client, "OtelLogs", "EventTime");
      SdkLoggerProvider loggers = SdkLoggerProvider.builder()
          .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "checkout",
              AttributeKey.stringKey("host.name"), "web-1")))
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build())
          .build();
      // Without a span processor the SDK hands out non-recording spans with an invalid context.
      SdkTracerProvider tracers = SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(SpanExporter.composite())).build();
      Tracer tracer = tracers.get("test");
      Logger log = loggers.loggerBuilder("com.example.checkout").setInstrumentationVersion("1.2.3").build();
      Instant when = Instant.parse("2026-12-05T10:15:30.123456789Z");

      Span span = tracer.spanBuilder("checkout").startSpan();
      Scope scope = span.makeCurrent();
      try {
        log.logRecordBuilder().setTimestamp(when).setSeverity(Severity.WARN).setSeverityText("warning")
            .setBody("payment slow").setAttribute(AttributeKey.longKey("order.id"), 42L)
            .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("eu", "vip")).emit();
      } finally {
        scope.close();
        span.end();
      }
      log.logRecordBuilder().setSeverity(Severity.INFO)
          .setBody(Value.of(Map.of("event", Value.of("login"), "attempt", Value.of(2L)))).emit();
      loggers.loggerBuilder("io.loganalytics.sdk.impl.upload").build().logRecordBuilder()
          .setBody("the SDK's own line, bridged from its logging").emit();

      assertThat(loggers.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(emulator.awaitRecords(2, AWAIT)).isTrue();
      List<ReceivedRecord> rows = emulator.records("OtelLogs");
      assertThat(rows).hasSize(2);

      ReceivedRecord first = rows.get(0);
      assertThat(first.field("EventTime")).isEqualTo("2026-12-05T10:15:30.123456789Z");
      assertThat(Instant.parse((String) first.field("ObservedTimestamp"))).isAfter(when);
      assertThat(first.field("SeverityNumber")).isEqualTo(13L);
      assertThat(first.field("SeverityText")).isEqualTo("warning");
      assertThat(first.field("Body")).isEqualTo("payment slow");
      assertThat(first.field("Attributes")).isEqualTo(Map.of("order.id", 42L, "tags", List.of("eu", "vip")));
      assertThat(first.field("TraceId")).isEqualTo(span.getSpanContext().getTraceId());
      assertThat(first.field("SpanId")).isEqualTo(span.getSpanContext().getSpanId());
      assertThat(first.field("TraceFlags")).isEqualTo(span.getSpanContext().getTraceFlags().asHex());
      assertThat(span.getSpanContext().isSampled()).isTrue();
      assertThat(first.field("Resource")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("service.name", "checkout")
          .containsEntry("host.name", "web-1");
      assertThat(first.field("ScopeName")).isEqualTo("com.example.checkout");
      assertThat(first.field("ScopeVersion")).isEqualTo("1.2.3");

      ReceivedRecord second = rows.get(1);
      assertThat(second.field("Body")).isEqualTo(Map.of("event", "login", "attempt", 2L));
      assertThat(second.field("SeverityText")).isEqualTo("INFO");
      assertThat(second.fields()).doesNotContainKeys("TraceId", "SpanId", "Attributes");
      assertThat(Instant.parse((String) second.field("EventTime"))).as("observed time when no timestamp")
          .isEqualTo(Instant.parse((String) second.field("ObservedTimestamp")));

      assertThat(loggers.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      tracers.close();
      client.send("OtelLogs", Map.of("EventTime", Instant.now().toString(), "Body", "client still open"));
    }
  }

  @Test
  void exportSucceedsOnceBufferedWhileTheWorkspaceFailsAndDeliversLater() throws Exception {
    try (LogAnalyticsClient client = client()) {
      LogAnalyticsLogRecordExporter exporter = LogAnalyticsLogRecordExporter.create(client, "OtelLogs", "EventTime");
      SdkLoggerProvider loggers = SdkLoggerProvider.builder()
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build()).build();
      emulator.faults().failNext(100_000, 503, null, false);
      Logger log = loggers.get("com.example.outage");
      for (int i = 0; i < 200; i++) {
        log.logRecordBuilder().setBody("during outage " + i).emit();
      }
      CompletableResultCode flushed = loggers.forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(client.stats().recordsAccepted()).isEqualTo(200);
      assertThat(emulator.records("OtelLogs")).isEmpty();
      assertThat(exporter.getRefusedCount()).isZero();
      assertThat(flushed.isDone()).isTrue(); // the client's flush timed out; export itself never failed

      emulator.faults().clear();
      assertThat(exporter.flush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(emulator.records("OtelLogs")).hasSize(200);
      loggers.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(exporter.export(List.of()).isSuccess()).as("nothing accepted after shutdown").isFalse();
    }
  }

  private void autoconfigureProperties() {
    System.setProperty("otel.logs.exporter", "loganalytics");
    System.setProperty("otel.traces.exporter", "none");
    System.setProperty("otel.metrics.exporter", "none");
    System.setProperty("otel.service.name", "autoconfigured-app");
    System.setProperty("otel.exporter.loganalytics.transport", "DATA_COLLECTOR");
    System.setProperty("otel.exporter.loganalytics.workspace.id", emulator.workspaceId());
    System.setProperty("LA_SHARED_KEY", emulator.sharedKey());
    System.setProperty("otel.exporter.loganalytics.shared.key.variable", "LA_SHARED_KEY");
    System.setProperty("otel.exporter.loganalytics.stream", "AutoLogs");
    System.setProperty("otel.exporter.loganalytics.buffer.directory", tmp.resolve("auto-buffer").toString());
    System.setProperty("otel.exporter.loganalytics.trust.certificates",
        emulator.writeCaCertificate(tmp.resolve("auto-ca.pem")).toString());
    System.setProperty("otel.exporter.loganalytics.customizer", EmulatorCustomizer.class.getName());
  }

  @Test
  void autoconfigureFindsTheExporterByNameAndShutdownDelivers() {
    autoconfigureProperties();
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder().build().getOpenTelemetrySdk();
    sdk.getLogsBridge().get("com.example.auto").logRecordBuilder().setSeverity(Severity.ERROR)
        .setBody("configured by properties").emit();
    assertThat(sdk.shutdown().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();

    List<ReceivedRecord> rows = emulator.records("AutoLogs");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).field("Body")).isEqualTo("configured by properties");
    assertThat(rows.get(0).field("SeverityNumber")).isEqualTo(17L);
    assertThat(rows.get(0).field("Resource")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("service.name", "autoconfigured-app");
  }

  @Test
  void autoconfigureWithoutABufferDirectoryFailsNamingItAndNotTheSecret() {
    autoconfigureProperties();
    System.clearProperty("otel.exporter.loganalytics.buffer.directory");
    assertThatThrownBy(() -> AutoConfiguredOpenTelemetrySdk.builder().build())
        .satisfies(e -> {
          StringBuilder all = new StringBuilder();
          for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
          }
          assertThat(all.toString()).contains("bufferDirectory").doesNotContain(emulator.sharedKey());
        });
  }

  @Test
  void theReadmeLogsIngestionPropertiesAreAllValidSettings() throws Exception {
    String file = new String(getClass().getResourceAsStream("/otel-logs-ingestion.properties").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(java.nio.file.Files.readString(Path.of("../../README.md"))).as("README.md shows the file as it is")
        .contains(file);
    java.util.Properties p = new java.util.Properties();
    p.load(new java.io.StringReader(file));
    Map<String, String> config = new java.util.HashMap<>();
    p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k)));
    config.put("otel.exporter.loganalytics.buffer.directory", tmp.resolve("li-buffer").toString());
    config.put("otel.traces.exporter", "none");
    config.put("otel.metrics.exporter", "none");
    System.setProperty("AZURE_CLIENT_SECRET", "not-a-real-secret-7f3a");
    try {
      OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> config).build()
          .getOpenTelemetrySdk();
      sdk.shutdown().join(10, TimeUnit.SECONDS); // the Logs Ingestion transport is wired: the exporter was built
    } catch (RuntimeException e) {
      // Until the Logs Ingestion transport is wired the client cannot be built; no setting may be the reason.
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(t).isNotInstanceOf(io.loganalytics.sdk.ConfigurationException.class);
        assertThat(String.valueOf(t.getMessage())).doesNotContain("not-a-real-secret-7f3a");
      }
      assertThat(e).rootCause().isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("Logs Ingestion");
    } finally {
      System.clearProperty("AZURE_CLIENT_SECRET");
    }
  }
}
