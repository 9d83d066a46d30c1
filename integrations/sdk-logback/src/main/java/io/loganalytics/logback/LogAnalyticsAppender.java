package io.loganalytics.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.loganalytics.integration.IntegrationSettings;
import io.loganalytics.integration.RecordSink;
import io.loganalytics.integration.Values;
import io.loganalytics.sdk.LogAnalyticsClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A Logback appender that delivers events to a Log Analytics table through the SDK's disk buffer.
 *
 * <pre>{@code
 * <appender name="LOGANALYTICS" class="io.loganalytics.logback.LogAnalyticsAppender">
 *   <endpoint>https://my-dce-ab12.eastus-1.ingest.monitor.azure.com</endpoint>
 *   <dcr>dcr-00112233445566778899aabbccddeeff</dcr>
 *   <stream>Custom-MyApp_CL</stream>
 *   <bufferDirectory>/var/lib/myapp/loganalytics</bufferDirectory>
 * </appender>
 * }</pre>
 *
 * <p>Settings (each a nested element): see {@link IntegrationSettings} for the transport, credential, buffer and
 * column settings; their names are the same here.
 *
 * <p><b>Columns.</b> Each event becomes one row: {@code TimeGenerated} (the event's time, ISO-8601 UTC; the column
 * is {@code timeColumn}), {@code Level} ({@code INFO}), {@code Logger}, {@code Thread}, {@code Message} (formatted),
 * and when present {@code ExceptionClass}, {@code ExceptionMessage} and {@code Exception} (the full stack trace with
 * causes and suppressed exceptions, as Logback prints it), {@code Mdc} (the MDC as one JSON object: a
 * {@code dynamic} column, so that MDC keys need not be column names), {@code Markers} (a JSON array of marker
 * names) and {@code KeyValues} (the SLF4J 2 fluent API's key-value pairs as one JSON object). String values longer
 * than {@code maxFieldBytes} are cut and marked.
 *
 * <p><b>Never blocks, never throws.</b> {@code append} builds the row on the logging thread (so that the MDC,
 * the formatted message and the thread are those of the call) and adds it to an in-memory batch of
 * {@code batchSize} rows (default {@value #DEFAULT_BATCH_SIZE}); the appender's batch thread
 * ({@code loganalytics-appender-batch}) encodes full batches and appends each to the disk buffer with one write
 * ({@code INTERVAL} durability: no fsync on any logging path), and sends a partial batch after {@code batchDelay}
 * (200 ms). The SDK uploads in the background. As with Logback's {@code FileAppender} and
 * {@code immediateFlush=false}, what waits in memory (at most 4,096 rows plus a batch, or 200 ms of them) is lost if
 * the process dies without stopping the context; {@code <batchSize>1</batchSize>} writes every row to the buffer
 * file before {@code info()} returns instead. When 4,096 rows already wait for the batch thread (a burst faster
 * than the encoding, or a disk held up), the logging call that fills a batch encodes and appends that batch itself:
 * the application logs at the pace the buffer takes and nothing is dropped while the buffer has room. Only a full
 * buffer drops, as its {@code overflowPolicy} says: {@code DROP_OLDEST} (default) evicts the oldest rows on disk,
 * {@code REJECT_NEW} refuses the new ones, {@code BLOCK} waits at most {@code blockTimeout} (at most 1 s) and then
 * refuses them. Refused rows are counted ({@link #getRefusedCount()}), evicted ones in the client's stats; both are
 * reported to Logback's status manager ({@code addError}, at most once a minute per kind, with a count), never
 * thrown.
 *
 * <p><b>No loops.</b> Events of the SDK's own loggers ({@code io.loganalytics...}) and OkHttp's ({@code okhttp3...})
 * are dropped, and so is any event logged on a thread while it is inside this appender's call to the client.
 *
 * <p><b>Stopping.</b> {@link #stop()} hands the rows in memory to the buffer, flushes for at most
 * {@code flushTimeout} (default 5 s) and closes the client;
 * what is left stays on disk and goes with the next start. Add {@code <shutdownHook/>} to logback.xml so that the
 * JVM's exit stops the context, or stop the {@code LoggerContext} yourself.
 *
 * <p><b>Threading.</b> Thread-safe: Logback calls {@code append} from any number of threads at once; the client is
 * thread-safe. Configure (setters) before {@link #start()}, as Joran does.
 */
public final class LogAnalyticsAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  /** Rows per batch unless {@code batchSize} says otherwise. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  private final IntegrationSettings settings = new IntegrationSettings();
  private final Clock clock;
  private volatile RecordSink sink;
  private String timeColumn = "TimeGenerated";
  private int maxFieldBytes = IntegrationSettings.DEFAULT_MAX_FIELD_BYTES;
  private Duration flushTimeout = Duration.ofSeconds(5);
  /**
   * The last MDC map found to fit {@code maxFieldBytes} (read-only maps, compared by identity; threads race on it
   * harmlessly: a miss only checks the map again).
   */
  private volatile Map<String, String> lastFittingMdc;

  /** An appender with nothing configured; Joran calls the setters, then {@link #start()}. */
  public LogAnalyticsAppender() {
    this(Clock.systemUTC());
  }

  LogAnalyticsAppender(Clock clock) {
    this.clock = clock;
    settings.setBatchSize(String.valueOf(DEFAULT_BATCH_SIZE));
  }

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    try {
      timeColumn = settings.timeColumn();
      maxFieldBytes = settings.maxFieldBytes();
      flushTimeout = settings.flushTimeout();
      lastFittingMdc = null;
      RecordSink s = settings.newSink(this::report, clock);
      s.start(settings.buildClient(s.listener()));
      sink = s;
      super.start();
    } catch (RuntimeException e) {
      addError("Log Analytics appender [" + getName() + "] not started: " + e.getMessage(), e);
    }
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    RecordSink s = sink;
    sink = null;
    if (s != null && !s.stop(flushTimeout)) {
      addWarn("Log Analytics appender [" + getName() + "]: not everything was delivered within " + flushTimeout
          + "; the rest stays in the buffer directory for the next start");
    }
  }

  private void report(String message, Throwable cause) {
    if (cause == null) {
      addError("[" + getName() + "] " + message);
    } else {
      addError("[" + getName() + "] " + message, cause);
    }
  }

  @Override
  protected void append(ILoggingEvent event) {
    RecordSink s = sink;
    if (s == null || RecordSink.isSending() || RecordSink.isOwnLogger(event.getLoggerName())) {
      return;
    }
    Map<String, Object> row;
    try {
      row = toRow(event);
    } catch (RuntimeException e) {
      report("Log Analytics: an event could not be turned into a row: " + e, e);
      return;
    }
    s.offer(row);
  }

  /**
   * The row of an event.
   *
   * @param event the event
   * @return its columns
   */
  Map<String, Object> toRow(ILoggingEvent event) {
    IThrowableProxy tp = event.getThrowableProxy();
    Map<String, String> mdc = event.getMDCPropertyMap();
    boolean hasMdc = mdc != null && !mdc.isEmpty();
    List<Marker> markers = event.getMarkerList();
    boolean hasMarkers = markers != null && !markers.isEmpty();
    List<KeyValuePair> kvs = event.getKeyValuePairs();
    boolean hasKvs = kvs != null && !kvs.isEmpty();
    Row row = new Row(5 + (tp == null ? 0 : 3) + (hasMdc ? 1 : 0) + (hasMarkers ? 1 : 0) + (hasKvs ? 1 : 0));
    row.add(timeColumn, event.getInstant()); // the encoder writes ISO-8601 UTC, faster than Instant.toString()
    row.add("Level", event.getLevel().toString());
    row.add("Logger", event.getLoggerName());
    row.add("Thread", event.getThreadName());
    row.add("Message", Values.truncateUtf8(event.getFormattedMessage(), maxFieldBytes));
    if (tp != null) {
      row.add("ExceptionClass", tp.getClassName());
      if (tp.getMessage() != null) {
        row.add("ExceptionMessage", Values.truncateUtf8(tp.getMessage(), maxFieldBytes));
      }
      row.add("Exception", Values.truncateUtf8(ThrowableProxyUtil.asString(tp), maxFieldBytes));
    }
    if (hasMdc) {
      row.add("Mdc", boundedMdc(mdc));
    }
    if (hasMarkers) {
      List<String> names = new ArrayList<>(markers.size());
      for (Marker mk : markers) {
        names.add(mk.getName());
      }
      row.add("Markers", names);
    }
    if (hasKvs) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (KeyValuePair kv : kvs) {
        Object v = Values.columnValue(kv.value);
        m.put(String.valueOf(kv.key), v instanceof String ? Values.truncateUtf8((String) v, maxFieldBytes) : v);
      }
      row.add("KeyValues", m);
    }
    return row;
  }

  /**
   * The event's MDC map itself (Logback never changes it once the event has it) when every value fits
   * {@code maxFieldBytes}; else a copy with the long values cut.
   */
  private Map<String, ?> boundedMdc(Map<String, String> mdc) {
    if (mdc == lastFittingMdc) { // Logback hands the same map to every event until the thread's MDC changes
      return mdc;
    }
    boolean fits = true;
    for (String v : mdc.values()) {
      if (Values.truncateUtf8(v, maxFieldBytes) != v) {
        fits = false;
        break;
      }
    }
    if (fits) {
      lastFittingMdc = mdc;
      return mdc;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : mdc.entrySet()) {
      m.put(e.getKey(), Values.truncateUtf8(e.getValue(), maxFieldBytes));
    }
    return m;
  }

  /**
   * The running client, for metrics ({@code LogAnalyticsMetrics}); for a manual flush use {@link #flush(Duration)},
   * which also hands over the rows still in memory.
   *
   * @return the client, or {@code null} when the appender is not started
   */
  public LogAnalyticsClient getClient() {
    RecordSink s = sink;
    return s == null ? null : s.client();
  }

  /**
   * Hands the rows waiting in memory to the buffer and waits until everything logged before the call is delivered
   * (or given up by the client), at most {@code timeout}. Thread-safe; never throws.
   *
   * @param timeout the longest wait
   * @return whether everything was delivered in time; {@code false} when the appender is not started
   */
  public boolean flush(Duration timeout) {
    RecordSink s = sink;
    return s != null && s.flush(timeout);
  }

  /** @return rows per batch (for tests) */
  int batchSize() {
    return settings.batchSize();
  }

  /** @return events this appender could not buffer since it started (the client's drops are in its stats) */
  public long getRefusedCount() {
    RecordSink s = sink;
    return s == null ? 0 : s.refused();
  }

  /** @param v {@code LOGS_INGESTION} (default) or {@code DATA_COLLECTOR} */
  public void setTransport(String v) {
    settings.setTransport(v);
  }

  /** @param v the data collection endpoint (Logs Ingestion) */
  public void setEndpoint(String v) {
    settings.setEndpoint(v);
  }

  /** @param v the data collection rule's immutable id (Logs Ingestion) */
  public void setDcr(String v) {
    settings.setDcr(v);
  }

  /** @param v the stream, such as {@code Custom-MyApp_CL} (Data Collector: the Log-Type) */
  public void setStream(String v) {
    settings.setStream(v);
  }

  /** @param v the Entra tenant id; with clientId and clientSecret (else the environment's credential) */
  public void setTenantId(String v) {
    settings.setTenantId(v);
  }

  /** @param v the Entra application (client) id */
  public void setClientId(String v) {
    settings.setClientId(v);
  }

  /**
   * The Entra client secret itself. Prefer {@link #setClientSecretVariable}: Logback records substituted
   * {@code ${...}} values in its status messages.
   *
   * @param v the secret
   */
  public void setClientSecret(String v) {
    settings.setClientSecret(v);
  }

  /** @param v the environment variable (or system property) holding the Entra client secret */
  public void setClientSecretVariable(String v) {
    settings.setClientSecretVariable(v);
  }

  /** @param v the workspace id (Data Collector) */
  public void setWorkspaceId(String v) {
    settings.setWorkspaceId(v);
  }

  /**
   * The shared key itself (Data Collector). Prefer {@link #setSharedKeyVariable}: Logback records substituted
   * {@code ${...}} values in its status messages.
   *
   * @param v the key
   */
  public void setSharedKey(String v) {
    settings.setSharedKey(v);
  }

  /** @param v the environment variable (or system property) holding the shared key (Data Collector) */
  public void setSharedKeyVariable(String v) {
    settings.setSharedKeyVariable(v);
  }

  /** @param v {@code AzureCloud} (default), {@code AzureUSGovernment}, {@code AzureChinaCloud} or a domain */
  public void setCloud(String v) {
    settings.setCloud(v);
  }

  /** @param v the buffer directory (required, one per appender) */
  public void setBufferDirectory(String v) {
    settings.setBufferDirectory(v);
  }

  /** @param v the buffer capacity, such as {@code 10MB} (default) */
  public void setCapacity(String v) {
    settings.setCapacity(v);
  }

  /** @param v {@code DROP_OLDEST} (default), {@code REJECT_NEW} or {@code BLOCK} */
  public void setOverflowPolicy(String v) {
    settings.setOverflowPolicy(v);
  }

  /** @param v the longest wait under {@code BLOCK}, such as {@code 100ms} (default; at most 1 s) */
  public void setBlockTimeout(String v) {
    settings.setBlockTimeout(v);
  }

  /** @param v {@code INTERVAL} (default) or {@code SYNC} */
  public void setDurability(String v) {
    settings.setDurability(v);
  }

  /** @param v a PEM file of extra trust anchors */
  public void setTrustCertificates(String v) {
    settings.setTrustCertificates(v);
  }

  /** @param v how long {@link #stop()} waits for delivery, such as {@code 5s} (default) */
  public void setFlushTimeout(String v) {
    settings.setFlushTimeout(v);
  }

  /** @param v the event-time column (default {@code TimeGenerated}; {@code EventTime} on Data Collector) */
  public void setTimeColumn(String v) {
    settings.setTimeColumn(v);
  }

  /** @param v the most UTF-8 bytes of one string value (default 32000) */
  public void setMaxFieldBytes(String v) {
    settings.setMaxFieldBytes(v);
  }

  /**
   * @param v events handed to the disk buffer at once (default {@value #DEFAULT_BATCH_SIZE}; 1 writes every event
   *     to the buffer file before the log call returns); see {@link IntegrationSettings#setBatchSize(String)}
   */
  public void setBatchSize(String v) {
    settings.setBatchSize(v);
  }

  /** @param v the longest an event waits in memory for its batch, such as {@code 200ms} (default) */
  public void setBatchDelay(String v) {
    settings.setBatchDelay(v);
  }

  /** @param v the class name of an {@link io.loganalytics.integration.ClientBuilderCustomizer} */
  public void setCustomizer(String v) {
    settings.setCustomizer(v);
  }
}
