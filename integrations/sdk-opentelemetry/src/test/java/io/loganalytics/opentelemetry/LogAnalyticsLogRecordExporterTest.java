package io.loganalytics.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.EntraCredential;
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
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.logs.TestLogRecordData;
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
 * emulator (Logs Ingestion with an app registration's secret, TLS on loopback).
 */
class LogAnalyticsLogRecordExporterTest {
  private static final Duration AWAIT = Duration.ofSeconds(15);
  private static final String DCR = "dcr-00aa11bb22cc33dd44ee55ff66778899";
  private static final String CLIENT_ID = "7d3e9c1a-2b4f-4c6d-9e8f-1a2b3c4d5e6f";
  private static final String CLIENT_SECRET = "Sec~otel-test-3f9a0c";
  private static final String STREAM = "Custom-OtelLogs_CL";

  @TempDir Path tmp;
  private WorkspaceEmulator emulator;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().start();
    EmulatorCustomizer.emulator = emulator;
    emulator.registerClientSecret(CLIENT_ID, CLIENT_SECRET);
    emulator.createDataCollectionRule(DCR, STREAM, "Custom-AutoLogs_CL");
    emulator.grantPublisher(DCR, CLIENT_ID);
  }

  @AfterEach
  void stop() {
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("otel.") || k.equals("LA_CLIENT_SECRET")) {
        System.clearProperty(k);
      }
    }
    emulator.close();
  }

  private LogAnalyticsClient client() {
    return LogAnalyticsClient.builder()
        .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
        .entraCredential(EntraCredential.clientSecret(emulator.tenantId(), CLIENT_ID, CLIENT_SECRET))
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .retryPolicy(EmulatorCustomizer.FAST)
        .build();
  }

  @Test
  void batchProcessorDeliversEveryColumnWithTheActiveSpansTraceContext() throws Exception {
    try (LogAnalyticsClient client = client()) {
      LogAnalyticsLogRecordExporter exporter = LogAnalyticsLogRecordExporter.create(client, STREAM, "TimeGenerated");
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
      List<ReceivedRecord> rows = emulator.records(STREAM);
      assertThat(rows).hasSize(2);

      ReceivedRecord first = rows.get(0);
      assertThat(first.transport()).isEqualTo(ReceivedRecord.LOGS_INGESTION);
      assertThat(first.field("TimeGenerated")).isEqualTo("2026-12-05T10:15:30.123456789Z");
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
      assertThat(Instant.parse((String) second.field("TimeGenerated"))).as("observed time when no timestamp")
          .isEqualTo(Instant.parse((String) second.field("ObservedTimestamp")));

      assertThat(loggers.shutdown().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      tracers.close();
      client.send(STREAM, Map.of("TimeGenerated", Instant.now().toString(), "Body", "client still open"));
    }
  }

  @Test
  void scopeNameVersionAndAttributesAndResourceAttributesArriveAsColumns() throws Exception {
    try (LogAnalyticsClient client = client()) {
      LogAnalyticsLogRecordExporter exporter = LogAnalyticsLogRecordExporter.create(client, STREAM, "TimeGenerated");
      Resource resource = Resource.create(Attributes.builder()
          .put("service.name", "payments").put("service.instance.id", "pod-7f9c")
          .put(AttributeKey.longKey("process.pid"), 4242L)
          .put(AttributeKey.booleanKey("deployment.canary"), true)
          .put(AttributeKey.stringArrayKey("host.ip"), List.of("10.0.0.5", "fe80::1")).build());
      // Scope attributes: set by instrumentation through the incubating API, which the stable API lacks.
      InstrumentationScopeInfo scope = InstrumentationScopeInfo.builder("io.example.payments.client")
          .setVersion("4.1.0").setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
          .setAttributes(Attributes.builder().put("library.language", "java")
              .put(AttributeKey.longKey("library.revision"), 17L).build()).build();
      LogRecordData withScope = TestLogRecordData.builder().setResource(resource)
          .setInstrumentationScopeInfo(scope).setTimestamp(Instant.parse("2026-12-05T08:00:00Z"))
          .setObservedTimestamp(Instant.parse("2026-12-05T08:00:01Z")).setSeverity(Severity.INFO)
          .setBody("charged").setAttributes(Attributes.empty()).setTotalAttributeCount(0)
          .setSpanContext(io.opentelemetry.api.trace.SpanContext.getInvalid()).build();
      LogRecordData bareScope = TestLogRecordData.builder().setResource(Resource.empty())
          .setInstrumentationScopeInfo(InstrumentationScopeInfo.create("io.example.bare"))
          .setTimestamp(Instant.parse("2026-12-05T08:00:02Z")).setSeverity(Severity.DEBUG).setBody("bare")
          .setAttributes(Attributes.empty()).setTotalAttributeCount(0)
          .setSpanContext(io.opentelemetry.api.trace.SpanContext.getInvalid()).build();

      assertThat(exporter.export(List.of(withScope, bareScope)).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(client.flush(AWAIT)).isTrue();

      List<ReceivedRecord> rows = emulator.records(STREAM);
      assertThat(rows).hasSize(2);
      ReceivedRecord row = rows.get(0);
      assertThat(row.field("ScopeName")).isEqualTo("io.example.payments.client");
      assertThat(row.field("ScopeVersion")).isEqualTo("4.1.0");
      assertThat(row.field("ScopeAttributes")).isEqualTo(Map.of("library.language", "java",
          "library.revision", 17L));
      assertThat(row.field("Resource")).isEqualTo(Map.of("service.name", "payments",
          "service.instance.id", "pod-7f9c", "process.pid", 4242L, "deployment.canary", true,
          "host.ip", List.of("10.0.0.5", "fe80::1")));
      assertThat(row.field("TimeGenerated")).isEqualTo("2026-12-05T08:00:00Z");

      ReceivedRecord bare = rows.get(1);
      assertThat(bare.field("ScopeName")).isEqualTo("io.example.bare");
      assertThat(bare.fields()).as("empty values are left out")
          .doesNotContainKeys("ScopeVersion", "ScopeAttributes", "Resource", "Attributes", "TraceId");
    }
  }

  @Test
  void exportSucceedsOnceBufferedWhileTheWorkspaceFailsAndDeliversLater() throws Exception {
    try (LogAnalyticsClient client = client()) {
      LogAnalyticsLogRecordExporter exporter = LogAnalyticsLogRecordExporter.create(client, STREAM, "TimeGenerated");
      SdkLoggerProvider loggers = SdkLoggerProvider.builder()
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build()).build();
      emulator.faults().failNext(100_000, 503, null, false);
      Logger log = loggers.get("com.example.outage");
      for (int i = 0; i < 200; i++) {
        log.logRecordBuilder().setBody("during outage " + i).emit();
      }
      CompletableResultCode flushed = loggers.forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(client.stats().recordsAccepted()).isEqualTo(200);
      assertThat(emulator.records(STREAM)).isEmpty();
      assertThat(exporter.getRefusedCount()).isZero();
      assertThat(flushed.isDone()).isTrue(); // the client's flush timed out; export itself never failed

      emulator.faults().clear();
      assertThat(exporter.flush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(emulator.records(STREAM)).hasSize(200);
      loggers.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(exporter.export(List.of()).isSuccess()).as("nothing accepted after shutdown").isFalse();
    }
  }

  private void autoconfigureProperties() {
    System.setProperty("otel.logs.exporter", "loganalytics");
    System.setProperty("otel.traces.exporter", "none");
    System.setProperty("otel.metrics.exporter", "none");
    System.setProperty("otel.service.name", "autoconfigured-app");
    System.setProperty("otel.exporter.loganalytics.endpoint", emulator.logsIngestionEndpoint().toString());
    System.setProperty("otel.exporter.loganalytics.dcr", DCR);
    System.setProperty("otel.exporter.loganalytics.tenant.id", emulator.tenantId());
    System.setProperty("otel.exporter.loganalytics.client.id", CLIENT_ID);
    System.setProperty("LA_CLIENT_SECRET", CLIENT_SECRET);
    System.setProperty("otel.exporter.loganalytics.client.secret.variable", "LA_CLIENT_SECRET");
    System.setProperty("otel.exporter.loganalytics.stream", "Custom-AutoLogs_CL");
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

    List<ReceivedRecord> rows = emulator.records("Custom-AutoLogs_CL");
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
          assertThat(all.toString()).contains("bufferDirectory").doesNotContain(CLIENT_SECRET);
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
    assertThat(config).containsKeys("otel.exporter.loganalytics.endpoint", "otel.exporter.loganalytics.dcr",
        "otel.exporter.loganalytics.stream", "otel.exporter.loganalytics.tenant.id",
        "otel.exporter.loganalytics.client.id", "otel.exporter.loganalytics.client.secret.variable");
    // The file as the README shows it, with only the target swapped for the emulator's (same keys).
    config.put("otel.exporter.loganalytics.endpoint", emulator.logsIngestionEndpoint().toString());
    config.put("otel.exporter.loganalytics.dcr", DCR);
    config.put("otel.exporter.loganalytics.tenant.id", emulator.tenantId());
    config.put("otel.exporter.loganalytics.client.id", CLIENT_ID);
    config.put("otel.exporter.loganalytics.buffer.directory", tmp.resolve("li-buffer").toString());
    config.put("otel.exporter.loganalytics.trust.certificates",
        emulator.writeCaCertificate(tmp.resolve("li-ca.pem")).toString());
    config.put("otel.exporter.loganalytics.customizer", EmulatorCustomizer.class.getName());
    config.put("otel.traces.exporter", "none");
    config.put("otel.metrics.exporter", "none");
    emulator.createDataCollectionRule(DCR, config.get("otel.exporter.loganalytics.stream"));
    System.setProperty("AZURE_CLIENT_SECRET", CLIENT_SECRET);
    try {
      OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> config).build()
          .getOpenTelemetrySdk();
      sdk.getLogsBridge().get("com.example.readme").logRecordBuilder().setBody("from the README's file").emit();
      assertThat(sdk.shutdown().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      System.clearProperty("AZURE_CLIENT_SECRET");
    }
    List<ReceivedRecord> rows = emulator.records(config.get("otel.exporter.loganalytics.stream"));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).field("Body")).isEqualTo("from the README's file");
    assertThat(rows.get(0).field("Resource")).asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsEntry("service.name", "checkout");
  }
}
