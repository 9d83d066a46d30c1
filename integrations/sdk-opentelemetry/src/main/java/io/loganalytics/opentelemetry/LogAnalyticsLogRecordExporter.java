package io.loganalytics.opentelemetry;

import io.loganalytics.integration.IntegrationSettings;
import io.loganalytics.integration.RecordSink;
import io.loganalytics.integration.Values;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenTelemetry {@link LogRecordExporter} that writes log records to a Log Analytics table through the SDK's
 * disk buffer. Use it behind a {@code BatchLogRecordProcessor}, or through autoconfigure with
 * {@code OTEL_LOGS_EXPORTER=loganalytics} (see {@link LogAnalyticsLogRecordExporterProvider}).
 *
 * <p><b>Columns.</b> {@code TimeGenerated} (the record's timestamp, or its observed timestamp when it has none;
 * ISO-8601 UTC; the column is {@code timeColumn}), {@code ObservedTimestamp}, {@code SeverityNumber} (1 to 24),
 * {@code SeverityText} (the record's, else the severity's name such as {@code WARN}), {@code Body} (a string, or a
 * JSON value for a structured body), {@code Attributes} (JSON object), {@code EventName} when set,
 * {@code TraceId}, {@code SpanId} (lowercase hex) and {@code TraceFlags} (two hex digits) when a valid span context
 * is present, {@code Resource} (the resource attributes, JSON object), {@code ScopeName}, {@code ScopeVersion} and
 * {@code ScopeAttributes} (JSON object). Empty values are left out.
 *
 * <p><b>Results.</b> {@link #export} returns success once every record is in the buffer: the SDK owns retries and
 * delivery, so an outage of the workspace never fails or slows the processor. Records the buffer refuses make the
 * result a failure and are reported (SLF4J, at most once a minute per kind). {@link #flush()} waits for delivery up
 * to the flush timeout; {@link #shutdown()} flushes and closes the client when this exporter owns it.
 *
 * <p><b>No loops.</b> Records whose instrumentation scope is the SDK's ({@code io.loganalytics...}) or OkHttp's
 * ({@code okhttp3...}) are dropped: with the OpenTelemetry Logback or Log4j appender installed, the SDK's own log
 * lines would otherwise come back through this exporter.
 *
 * <p>Thread-safe.
 */
public final class LogAnalyticsLogRecordExporter implements LogRecordExporter {
  private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsLogRecordExporter.class);

  private final RecordSink sink;
  private final boolean ownsClient;
  private final String timeColumn;
  private final int maxFieldBytes;
  private final Duration flushTimeout;
  private final AtomicBoolean shutdown = new AtomicBoolean();

  private LogAnalyticsLogRecordExporter(RecordSink sink, boolean ownsClient, String timeColumn, int maxFieldBytes,
      Duration flushTimeout) {
    this.sink = sink;
    this.ownsClient = ownsClient;
    this.timeColumn = timeColumn;
    this.maxFieldBytes = maxFieldBytes;
    this.flushTimeout = flushTimeout;
  }

  /**
   * An exporter that writes to a client you own: {@link #shutdown()} flushes it but leaves it open.
   *
   * @param client the client
   * @param stream the stream (Logs Ingestion, such as {@code Custom-MyApp_CL}) or Log-Type (Data Collector)
   * @param timeColumn the event-time column: {@code TimeGenerated} on Logs Ingestion, a column of your own (the
   *     client's {@code timeGeneratedField}) on Data Collector, where {@code TimeGenerated} is reserved
   * @return the exporter
   */
  public static LogAnalyticsLogRecordExporter create(LogAnalyticsClient client, String stream, String timeColumn) {
    Objects.requireNonNull(client, "client");
    RecordSink sink = new RecordSink(Objects.requireNonNull(stream, "stream"), LogAnalyticsLogRecordExporter::report,
        Clock.systemUTC());
    sink.start(client);
    return new LogAnalyticsLogRecordExporter(sink, false, Objects.requireNonNull(timeColumn, "timeColumn"),
        IntegrationSettings.DEFAULT_MAX_FIELD_BYTES, Duration.ofSeconds(5));
  }

  /**
   * An exporter with its own client, built from settings; {@link #shutdown()} closes the client.
   *
   * @param settings the settings
   * @return the exporter
   * @throws io.loganalytics.sdk.ConfigurationException naming the setting that is missing or invalid
   */
  public static LogAnalyticsLogRecordExporter create(IntegrationSettings settings) {
    String stream = settings.stream();
    String timeColumn = settings.timeColumn();
    int maxFieldBytes = settings.maxFieldBytes();
    Duration flushTimeout = settings.flushTimeout();
    RecordSink sink = new RecordSink(stream, LogAnalyticsLogRecordExporter::report, Clock.systemUTC());
    sink.start(settings.buildClient(sink.listener()));
    return new LogAnalyticsLogRecordExporter(sink, true, timeColumn, maxFieldBytes, flushTimeout);
  }

  private static void report(String message, Throwable cause) {
    if (cause == null) {
      LOG.warn(message);
    } else {
      LOG.warn(message, cause);
    }
  }

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    if (shutdown.get()) {
      return CompletableResultCode.ofFailure();
    }
    if (RecordSink.isSending()) {
      return CompletableResultCode.ofSuccess();
    }
    boolean all = true;
    List<Map<String, Object>> rows = new ArrayList<>(logs.size());
    for (LogRecordData log : logs) {
      if (RecordSink.isOwnLogger(log.getInstrumentationScopeInfo().getName())) {
        continue;
      }
      try {
        rows.add(toRow(log));
      } catch (RuntimeException e) {
        report("Log Analytics: a log record could not be turned into a row: " + e, e);
        all = false;
      }
    }
    // One sendAll per export: the batch processor's batch becomes one write to the disk buffer.
    if (!rows.isEmpty() && sink.offerAll(rows) > 0) {
      all = false;
    }
    return all ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  Map<String, Object> toRow(LogRecordData log) {
    Map<String, Object> row = new LinkedHashMap<>(24);
    long ts = log.getTimestampEpochNanos() != 0 ? log.getTimestampEpochNanos() : log.getObservedTimestampEpochNanos();
    row.put(timeColumn, iso(ts));
    if (log.getObservedTimestampEpochNanos() != 0) {
      row.put("ObservedTimestamp", iso(log.getObservedTimestampEpochNanos()));
    }
    Severity severity = log.getSeverity();
    if (severity != null && severity != Severity.UNDEFINED_SEVERITY_NUMBER) {
      row.put("SeverityNumber", severity.getSeverityNumber());
    }
    String text = log.getSeverityText();
    if (text != null && !text.isEmpty()) {
      row.put("SeverityText", text);
    } else if (severity != null && severity != Severity.UNDEFINED_SEVERITY_NUMBER) {
      row.put("SeverityText", severity.name());
    }
    Value<?> body = log.getBodyValue();
    if (body != null) {
      Object b = value(body);
      if (b != null) {
        row.put("Body", b);
      }
    }
    putMap(row, "Attributes", log.getAttributes());
    String eventName = log.getEventName();
    if (eventName != null && !eventName.isEmpty()) {
      row.put("EventName", eventName);
    }
    SpanContext span = log.getSpanContext();
    if (span != null && span.isValid()) {
      row.put("TraceId", span.getTraceId());
      row.put("SpanId", span.getSpanId());
      row.put("TraceFlags", span.getTraceFlags().asHex());
    }
    putMap(row, "Resource", log.getResource().getAttributes());
    InstrumentationScopeInfo scope = log.getInstrumentationScopeInfo();
    row.put("ScopeName", scope.getName());
    if (scope.getVersion() != null) {
      row.put("ScopeVersion", scope.getVersion());
    }
    putMap(row, "ScopeAttributes", scope.getAttributes());
    return row;
  }

  private static String iso(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L))
        .toString();
  }

  private void putMap(Map<String, Object> row, String column, Attributes attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    attributes.forEach((k, v) -> m.put(k.getKey(), attribute(v)));
    row.put(column, m);
  }

  private Object attribute(Object v) {
    if (v instanceof Value) {
      return value((Value<?>) v);
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object e : (List<?>) v) {
        out.add(attribute(e));
      }
      return out;
    }
    Object c = Values.columnValue(v);
    return c instanceof String ? Values.truncateUtf8((String) c, maxFieldBytes) : c;
  }

  private Object value(Value<?> v) {
    switch (v.getType()) {
      case STRING:
        return Values.truncateUtf8((String) v.getValue(), maxFieldBytes);
      case BOOLEAN:
      case LONG:
        return v.getValue();
      case DOUBLE:
        return Values.columnValue(v.getValue());
      case ARRAY: {
        List<Object> out = new ArrayList<>();
        for (Object e : (List<?>) v.getValue()) {
          out.add(value((Value<?>) e));
        }
        return out;
      }
      case KEY_VALUE_LIST: {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object e : (List<?>) v.getValue()) {
          KeyValue kv = (KeyValue) e;
          out.put(kv.getKey(), value(kv.getValue()));
        }
        return out;
      }
      case BYTES:
        return v.asString(); // base64
      default:
        return null;
    }
  }

  @Override
  public CompletableResultCode flush() {
    LogAnalyticsClient client = sink.client();
    if (client == null) {
      return CompletableResultCode.ofSuccess();
    }
    try {
      return client.flush(flushTimeout) ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
    } catch (RuntimeException e) {
      return CompletableResultCode.ofExceptionalFailure(e);
    }
  }

  @Override
  public CompletableResultCode shutdown() {
    if (!shutdown.compareAndSet(false, true)) {
      return CompletableResultCode.ofSuccess();
    }
    if (!ownsClient) {
      return flush();
    }
    return sink.stop(flushTimeout) ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  /**
   * The client, for metrics ({@code LogAnalyticsMetrics}).
   *
   * @return the client, or {@code null} after {@link #shutdown()} of an exporter that owns it
   */
  public LogAnalyticsClient getClient() {
    return sink.client();
  }

  /** @return records this exporter could not buffer (the client's drops are in its stats) */
  public long getRefusedCount() {
    return sink.refused();
  }

  @Override
  public String toString() {
    return "LogAnalyticsLogRecordExporter{timeColumn=" + timeColumn + ", ownsClient=" + ownsClient + "}";
  }
}
