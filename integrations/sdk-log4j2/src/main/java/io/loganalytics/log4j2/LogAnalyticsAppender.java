package io.loganalytics.log4j2;

import io.loganalytics.integration.IntegrationSettings;
import io.loganalytics.integration.RecordSink;
import io.loganalytics.integration.Values;
import io.loganalytics.sdk.LogAnalyticsClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginBuilderFactory;
import org.apache.logging.log4j.message.MapMessage;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.util.ReadOnlyStringMap;

/**
 * A Log4j2 appender (plugin {@code LogAnalytics}) that delivers events to a Log Analytics table through the SDK's
 * disk buffer.
 *
 * <pre>{@code
 * <LogAnalytics name="LOGANALYTICS"
 *     endpoint="https://my-dce-ab12.eastus-1.ingest.monitor.azure.com"
 *     dcr="dcr-00112233445566778899aabbccddeeff" stream="Custom-MyApp_CL"
 *     bufferDirectory="/var/lib/myapp/loganalytics"/>
 * }</pre>
 *
 * <p>Attributes: see {@link IntegrationSettings} for the transport, credential, buffer and column settings; their
 * names are the same here.
 *
 * <p><b>Columns</b>, as the Logback appender's: {@code TimeGenerated} (event time, ISO-8601 UTC; {@code timeColumn}),
 * {@code Level}, {@code Logger}, {@code Thread}, {@code Message} (formatted), and when present
 * {@code ExceptionClass}, {@code ExceptionMessage}, {@code Exception} (full stack trace with causes and suppressed
 * exceptions), {@code Mdc} (the ThreadContext map as one JSON object, a {@code dynamic} column), {@code Markers} (a
 * JSON array: the marker's name, then its parents' names) and {@code KeyValues} (the data of a {@link MapMessage},
 * such as a {@code StringMapMessage} or {@code StructuredDataMessage}, as one JSON object).
 *
 * <p><b>Never blocks, never throws</b>: as the Logback appender; failures go to Log4j2's status logger, at most
 * once a minute per kind, with a count. <b>No loops</b>: events of {@code io.loganalytics...} and
 * {@code okhttp3...} loggers, and events logged on a thread inside this appender's call to the client, are dropped.
 * <b>Stopping</b> ({@code LoggerContext} stop, Log4j2's shutdown hook) flushes for at most {@code flushTimeout} and
 * closes the client.
 *
 * <p>Thread-safe.
 */
@Plugin(name = "LogAnalytics", category = Core.CATEGORY_NAME, elementType = Appender.ELEMENT_TYPE,
    printObject = true)
public final class LogAnalyticsAppender extends AbstractAppender {
  private final RecordSink sink;
  private final String timeColumn;
  private final int maxFieldBytes;
  private final Duration flushTimeout;

  private LogAnalyticsAppender(String name, org.apache.logging.log4j.core.Filter filter, Property[] properties,
      RecordSink sink, String timeColumn, int maxFieldBytes, Duration flushTimeout) {
    super(name, filter, null, true, properties);
    this.sink = sink;
    this.timeColumn = timeColumn;
    this.maxFieldBytes = maxFieldBytes;
    this.flushTimeout = flushTimeout;
  }

  /**
   * The builder Log4j2 fills from the configuration.
   *
   * @param <B> the builder type
   * @return a new builder
   */
  @PluginBuilderFactory
  public static <B extends Builder<B>> B newBuilder() {
    return new Builder<B>().asBuilder();
  }

  @Override
  public void append(LogEvent event) {
    if (RecordSink.isSending() || RecordSink.isOwnLogger(event.getLoggerName())) {
      return;
    }
    Map<String, Object> row;
    try {
      row = toRow(event);
    } catch (RuntimeException e) {
      LOGGER.error("Log Analytics appender [{}]: an event could not be turned into a row: {}", getName(), e, e);
      return;
    }
    sink.offer(row);
  }

  Map<String, Object> toRow(LogEvent event) {
    Map<String, Object> row = new LinkedHashMap<>(16);
    org.apache.logging.log4j.core.time.Instant t = event.getInstant();
    row.put(timeColumn, Instant.ofEpochSecond(t.getEpochSecond(), t.getNanoOfSecond())); // the encoder writes ISO-8601
    row.put("Level", event.getLevel().name());
    row.put("Logger", event.getLoggerName());
    row.put("Thread", event.getThreadName());
    Message message = event.getMessage();
    row.put("Message", message == null ? null : Values.truncateUtf8(message.getFormattedMessage(), maxFieldBytes));
    Throwable thrown = event.getThrown();
    if (thrown != null) {
      row.put("ExceptionClass", thrown.getClass().getName());
      if (thrown.getMessage() != null) {
        row.put("ExceptionMessage", Values.truncateUtf8(thrown.getMessage(), maxFieldBytes));
      }
      row.put("Exception", Values.truncateUtf8(Values.stackTrace(thrown), maxFieldBytes));
    }
    ReadOnlyStringMap context = event.getContextData();
    if (context != null && !context.isEmpty()) {
      Map<String, Object> m = new LinkedHashMap<>();
      context.forEach((k, v) -> {
        Object c = Values.columnValue(v);
        m.put(k, c instanceof String ? Values.truncateUtf8((String) c, maxFieldBytes) : c);
      });
      row.put("Mdc", m);
    }
    Marker marker = event.getMarker();
    if (marker != null) {
      List<String> names = new ArrayList<>();
      addMarker(marker, names, 0);
      row.put("Markers", names);
    }
    if (message instanceof MapMessage) {
      Map<String, Object> m = new LinkedHashMap<>();
      ((MapMessage<?, ?>) message).forEach((k, v) -> {
        Object c = Values.columnValue(v);
        m.put(k, c instanceof String ? Values.truncateUtf8((String) c, maxFieldBytes) : c);
      });
      if (!m.isEmpty()) {
        row.put("KeyValues", m);
      }
    }
    return row;
  }

  private static void addMarker(Marker marker, List<String> names, int depth) {
    if (depth > 8 || names.contains(marker.getName())) {
      return;
    }
    names.add(marker.getName());
    Marker[] parents = marker.getParents();
    if (parents != null) {
      for (Marker p : parents) {
        addMarker(p, names, depth + 1);
      }
    }
  }

  @Override
  public boolean stop(long timeout, TimeUnit timeUnit) {
    setStopping();
    boolean stopped = super.stop(timeout, timeUnit, false);
    Duration wait = timeout > 0 ? Duration.ofNanos(Math.min(timeUnit.toNanos(timeout), flushTimeout.toNanos()))
        : flushTimeout;
    if (!sink.stop(wait)) {
      LOGGER.warn("Log Analytics appender [{}]: not everything was delivered within {}; the rest stays in the "
          + "buffer directory for the next start", getName(), wait);
    }
    setStopped();
    return stopped;
  }

  /**
   * The running client, for metrics ({@code LogAnalyticsMetrics}) or a manual flush.
   *
   * @return the client, or {@code null} once stopped
   */
  public LogAnalyticsClient getClient() {
    return sink.client();
  }

  /** @return events this appender could not buffer (the client's drops are in its stats) */
  public long getRefusedCount() {
    return sink.refused();
  }

  /**
   * Builds the appender from log4j2.xml attributes; {@link #build()} returns {@code null} (and reports to the status
   * logger, naming the attribute) when a setting is missing or invalid, as Log4j2 plugins do.
   *
   * @param <B> the builder type
   */
  public static class Builder<B extends Builder<B>> extends AbstractAppender.Builder<B>
      implements org.apache.logging.log4j.core.util.Builder<LogAnalyticsAppender> {
    @PluginBuilderAttribute private String transport;
    @PluginBuilderAttribute private String endpoint;
    @PluginBuilderAttribute private String dcr;
    @PluginBuilderAttribute private String stream;
    @PluginBuilderAttribute private String tenantId;
    @PluginBuilderAttribute private String clientId;
    @PluginBuilderAttribute(sensitive = true) private String clientSecret;
    @PluginBuilderAttribute private String clientSecretVariable;
    @PluginBuilderAttribute private String workspaceId;
    @PluginBuilderAttribute(sensitive = true) private String sharedKey;
    @PluginBuilderAttribute private String sharedKeyVariable;
    @PluginBuilderAttribute private String cloud;
    @PluginBuilderAttribute private String bufferDirectory;
    @PluginBuilderAttribute private String capacity;
    @PluginBuilderAttribute private String overflowPolicy;
    @PluginBuilderAttribute private String blockTimeout;
    @PluginBuilderAttribute private String durability;
    @PluginBuilderAttribute private String trustCertificates;
    @PluginBuilderAttribute private String flushTimeout;
    @PluginBuilderAttribute private String timeColumn;
    @PluginBuilderAttribute private String maxFieldBytes;
    @PluginBuilderAttribute private String customizer;
    @PluginBuilderAttribute private String batchSize;
    @PluginBuilderAttribute private String batchDelay;

    /**
     * Sets batchSize: events handed to the disk buffer at once (default 1; see
     * {@link IntegrationSettings#setBatchSize(String)} for the trade-off).
     *
     * @param v the value
     * @return this builder
     */
    public B setBatchSize(String v) {
      batchSize = v;
      return asBuilder();
    }

    /**
     * Sets batchDelay: the longest an event waits in memory for its batch (default 200ms).
     *
     * @param v the value
     * @return this builder
     */
    public B setBatchDelay(String v) {
      batchDelay = v;
      return asBuilder();
    }

    /** For {@link LogAnalyticsAppender#newBuilder()}. */
    protected Builder() {}

    /**
     * Sets transport: LOGS_INGESTION (default) or DATA_COLLECTOR.
     *
     * @param v the value
     * @return this builder
     */
    public B setTransport(String v) {
      transport = v;
      return asBuilder();
    }

    /**
     * Sets endpoint: the data collection endpoint (Logs Ingestion).
     *
     * @param v the value
     * @return this builder
     */
    public B setEndpoint(String v) {
      endpoint = v;
      return asBuilder();
    }

    /**
     * Sets dcr: the data collection rule's immutable id.
     *
     * @param v the value
     * @return this builder
     */
    public B setDcr(String v) {
      dcr = v;
      return asBuilder();
    }

    /**
     * Sets stream: the stream, such as Custom-MyApp_CL (Data Collector: the Log-Type).
     *
     * @param v the value
     * @return this builder
     */
    public B setStream(String v) {
      stream = v;
      return asBuilder();
    }

    /**
     * Sets tenantId: the Entra tenant id.
     *
     * @param v the value
     * @return this builder
     */
    public B setTenantId(String v) {
      tenantId = v;
      return asBuilder();
    }

    /**
     * Sets clientId: the Entra application (client) id.
     *
     * @param v the value
     * @return this builder
     */
    public B setClientId(String v) {
      clientId = v;
      return asBuilder();
    }

    /**
     * Sets clientSecret: the Entra client secret itself (prefer clientSecretVariable).
     *
     * @param v the value
     * @return this builder
     */
    public B setClientSecret(String v) {
      clientSecret = v;
      return asBuilder();
    }

    /**
     * Sets clientSecretVariable: the environment variable (or system property) holding the Entra client secret.
     *
     * @param v the value
     * @return this builder
     */
    public B setClientSecretVariable(String v) {
      clientSecretVariable = v;
      return asBuilder();
    }

    /**
     * Sets workspaceId: the workspace id (Data Collector).
     *
     * @param v the value
     * @return this builder
     */
    public B setWorkspaceId(String v) {
      workspaceId = v;
      return asBuilder();
    }

    /**
     * Sets sharedKey: the shared key itself (Data Collector; prefer sharedKeyVariable).
     *
     * @param v the value
     * @return this builder
     */
    public B setSharedKey(String v) {
      sharedKey = v;
      return asBuilder();
    }

    /**
     * Sets sharedKeyVariable: the environment variable (or system property) holding the shared key.
     *
     * @param v the value
     * @return this builder
     */
    public B setSharedKeyVariable(String v) {
      sharedKeyVariable = v;
      return asBuilder();
    }

    /**
     * Sets cloud: AzureCloud (default), AzureUSGovernment, AzureChinaCloud or a domain.
     *
     * @param v the value
     * @return this builder
     */
    public B setCloud(String v) {
      cloud = v;
      return asBuilder();
    }

    /**
     * Sets bufferDirectory: the buffer directory (required, one per appender).
     *
     * @param v the value
     * @return this builder
     */
    public B setBufferDirectory(String v) {
      bufferDirectory = v;
      return asBuilder();
    }

    /**
     * Sets capacity: the buffer capacity, such as 10MB (default).
     *
     * @param v the value
     * @return this builder
     */
    public B setCapacity(String v) {
      capacity = v;
      return asBuilder();
    }

    /**
     * Sets overflowPolicy: DROP_OLDEST (default), REJECT_NEW or BLOCK.
     *
     * @param v the value
     * @return this builder
     */
    public B setOverflowPolicy(String v) {
      overflowPolicy = v;
      return asBuilder();
    }

    /**
     * Sets blockTimeout: the longest wait under BLOCK, such as 100ms (default; at most 1 s).
     *
     * @param v the value
     * @return this builder
     */
    public B setBlockTimeout(String v) {
      blockTimeout = v;
      return asBuilder();
    }

    /**
     * Sets durability: INTERVAL (default) or SYNC.
     *
     * @param v the value
     * @return this builder
     */
    public B setDurability(String v) {
      durability = v;
      return asBuilder();
    }

    /**
     * Sets trustCertificates: a PEM file of extra trust anchors.
     *
     * @param v the value
     * @return this builder
     */
    public B setTrustCertificates(String v) {
      trustCertificates = v;
      return asBuilder();
    }

    /**
     * Sets flushTimeout: how long stopping waits for delivery, such as 5s (default).
     *
     * @param v the value
     * @return this builder
     */
    public B setFlushTimeout(String v) {
      flushTimeout = v;
      return asBuilder();
    }

    /**
     * Sets timeColumn: the event-time column (default TimeGenerated; EventTime on Data Collector).
     *
     * @param v the value
     * @return this builder
     */
    public B setTimeColumn(String v) {
      timeColumn = v;
      return asBuilder();
    }

    /**
     * Sets maxFieldBytes: the most UTF-8 bytes of one string value (default 32000).
     *
     * @param v the value
     * @return this builder
     */
    public B setMaxFieldBytes(String v) {
      maxFieldBytes = v;
      return asBuilder();
    }

    /**
     * Sets customizer: the class name of an io.loganalytics.integration.ClientBuilderCustomizer.
     *
     * @param v the value
     * @return this builder
     */
    public B setCustomizer(String v) {
      customizer = v;
      return asBuilder();
    }

    @Override
    public LogAnalyticsAppender build() {
      IntegrationSettings s = new IntegrationSettings();
      s.setTransport(transport);
      s.setEndpoint(endpoint);
      s.setDcr(dcr);
      s.setStream(stream);
      s.setTenantId(tenantId);
      s.setClientId(clientId);
      s.setClientSecret(clientSecret);
      s.setClientSecretVariable(clientSecretVariable);
      s.setWorkspaceId(workspaceId);
      s.setSharedKey(sharedKey);
      s.setSharedKeyVariable(sharedKeyVariable);
      s.setCloud(cloud);
      s.setBufferDirectory(bufferDirectory);
      s.setCapacity(capacity);
      s.setOverflowPolicy(overflowPolicy);
      s.setBlockTimeout(blockTimeout);
      s.setDurability(durability);
      s.setTrustCertificates(trustCertificates);
      s.setFlushTimeout(flushTimeout);
      s.setTimeColumn(timeColumn);
      s.setMaxFieldBytes(maxFieldBytes);
      s.setCustomizer(customizer);
      s.setBatchSize(batchSize);
      s.setBatchDelay(batchDelay);
      String name = getName();
      try {
        RecordSink sink = s.newSink((message, cause) -> {
          if (cause == null) {
            LOGGER.error("[{}] {}", name, message);
          } else {
            LOGGER.error("[{}] {}", name, message, cause);
          }
        }, Clock.systemUTC());
        String column = s.timeColumn();
        int maxBytes = s.maxFieldBytes();
        Duration flush = s.flushTimeout();
        sink.start(s.buildClient(sink.listener()));
        return new LogAnalyticsAppender(name, getFilter(), getPropertyArray(), sink, column, maxBytes, flush);
      } catch (RuntimeException e) {
        LOGGER.error("Log Analytics appender [{}] not created: {}", name, e.getMessage(), e);
        return null;
      }
    }
  }
}
