package io.loganalytics.integration;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings every integration reads from its configuration file (logback.xml, log4j2.xml, OpenTelemetry
 * properties) and turns into a {@link LogAnalyticsClient}. Values arrive as text and are checked in
 * {@link #buildClient}, which names the offending setting.
 *
 * <p><b>Transport.</b> {@code transport} is {@code LOGS_INGESTION} (the default) or {@code DATA_COLLECTOR} (the
 * retired HTTP Data Collector API, kept for legacy workspaces and tests).
 * <ul>
 *   <li>Logs Ingestion: {@code endpoint} (the data collection endpoint), {@code dcr} (the rule's immutable id),
 *       {@code stream} (such as {@code Custom-MyApp_CL}), and a Microsoft Entra credential: with {@code tenantId},
 *       {@code clientId} and {@code clientSecret} an app registration's secret, otherwise
 *       {@link EntraCredential#fromEnvironment()} ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID},
 *       {@code AZURE_CLIENT_SECRET}, workload or managed identity).
 *   <li>Data Collector: {@code workspaceId}, {@code sharedKey}, and {@code stream} holding the {@code Log-Type}
 *       (such as {@code MyApp}; the table is {@code MyApp_CL}).
 * </ul>
 * Secrets belong in the environment: name the variable with {@code clientSecretVariable} or
 * {@code sharedKeyVariable} (read from the environment, then from system properties) rather than writing the value
 * or a {@code ${...}} substitution, which Logback records in its status messages. No secret appears in
 * {@link #toString()} or in an error.
 *
 * <p><b>Buffer.</b> {@code bufferDirectory} (required; one directory per appender), {@code capacity} (default
 * 10MB), {@code overflowPolicy} (default {@code DROP_OLDEST}; {@code REJECT_NEW} refuses the new event;
 * {@code BLOCK} waits at most {@code blockTimeout}, default 100 ms and never more than
 * {@value #MAX_BLOCK_MILLIS} ms, so that logging never holds the application longer), {@code durability} (default
 * {@code INTERVAL}: a log call does not wait for an fsync; a power cut may lose the last second).
 *
 * <p><b>Columns.</b> {@code timeColumn}: the event-time column, default {@code TimeGenerated} on Logs Ingestion and
 * {@code EventTime} on Data Collector (where {@code TimeGenerated} is reserved; the client then sends it as
 * {@code time-generated-field}). {@code maxFieldBytes}: string values longer than this many UTF-8 bytes are cut and
 * marked {@code ...[truncated]} (default 32,000, under the service's 32 KB column limit).
 *
 * <p><b>Batching.</b> {@code batchSize} (default 1; an integration may set another before the user does: the
 * Logback appender sets 64) and {@code batchDelay} (default 200 ms): see {@link #setBatchSize}.
 *
 * <p><b>Other.</b> {@code cloud} ({@code AzureCloud} default, {@code AzureUSGovernment}, {@code AzureChinaCloud});
 * {@code trustCertificates} (a PEM file of extra trust anchors, for a TLS-inspecting proxy or an emulator);
 * {@code flushTimeout} (how long stopping waits for delivery, default 5 s; what is left stays on disk for the next
 * start); {@code customizer} (a {@link ClientBuilderCustomizer} class name).
 *
 * <p>Not thread-safe: frameworks configure it on one thread before the appender starts.
 */
public final class IntegrationSettings {
  /** The longest an append may wait for buffer space under {@code BLOCK}. */
  public static final long MAX_BLOCK_MILLIS = 1000;

  /** The default for {@code maxFieldBytes}. */
  public static final int DEFAULT_MAX_FIELD_BYTES = 32_000;

  private String transport;
  private String endpoint;
  private String dcr;
  private String stream;
  private String tenantId;
  private String clientId;
  private String clientSecret;
  private String workspaceId;
  private String sharedKey;
  private String cloud;
  private String bufferDirectory;
  private String capacity;
  private String overflowPolicy;
  private String blockTimeout;
  private String durability;
  private String trustCertificates;
  private String flushTimeout;
  private String timeColumn;
  private String maxFieldBytes;
  private String customizer;
  private String batchSize;
  private String batchDelay;
  private String clientSecretVariable;
  private String sharedKeyVariable;
  private final Function<String, String> variables;

  /** Empty settings; secret variables are read from the environment, then from system properties. */
  public IntegrationSettings() {
    this(name -> {
      String v = System.getenv(name);
      return v != null ? v : System.getProperty(name);
    });
  }

  /**
   * Empty settings with another source of variables (for tests).
   *
   * @param variables looks a variable up by name; returns {@code null} when it is not set
   */
  public IntegrationSettings(Function<String, String> variables) {
    this.variables = Objects.requireNonNull(variables, "variables");
  }

  /**
   * The name of the environment variable (or, when no such variable is set, system property) that holds the Entra
   * client secret. Preferred over {@link #setClientSecret}: Logback 1.5 and later record every substituted
   * {@code ${...}} value in its status messages, which it prints on any configuration error.
   *
   * @param v the variable's name, such as {@code AZURE_CLIENT_SECRET}
   */
  public void setClientSecretVariable(String v) {
    clientSecretVariable = v;
  }

  /**
   * The name of the environment variable (or system property) that holds the workspace shared key; preferred over
   * {@link #setSharedKey}, as for {@link #setClientSecretVariable}.
   *
   * @param v the variable's name, such as {@code LOGANALYTICS_SHARED_KEY}
   */
  public void setSharedKeyVariable(String v) {
    sharedKeyVariable = v;
  }

  private String secret(String field, String value, String variableField, String variable) {
    if (!blank(variable)) {
      String v = variables.apply(variable.strip());
      if (blank(v)) {
        throw new ConfigurationException(variableField, "names '" + variable.strip() + "', which is not set in the "
            + "environment (nor as a system property)");
      }
      return v.strip();
    }
    return blank(value) ? null : value.strip();
  }

  /** @param v {@code LOGS_INGESTION} (default) or {@code DATA_COLLECTOR} */
  public void setTransport(String v) {
    transport = v;
  }

  /** @param v the Logs Ingestion endpoint, https */
  public void setEndpoint(String v) {
    endpoint = v;
  }

  /** @param v the data collection rule's immutable id */
  public void setDcr(String v) {
    dcr = v;
  }

  /** @param v the stream (Logs Ingestion) or Log-Type (Data Collector) */
  public void setStream(String v) {
    stream = v;
  }

  /** @param v the Entra tenant id */
  public void setTenantId(String v) {
    tenantId = v;
  }

  /** @param v the Entra application (client) id */
  public void setClientId(String v) {
    clientId = v;
  }

  /** @param v the Entra client secret (better from the environment) */
  public void setClientSecret(String v) {
    clientSecret = v;
  }

  /** @param v the workspace id (Data Collector) */
  public void setWorkspaceId(String v) {
    workspaceId = v;
  }

  /** @param v the workspace shared key (Data Collector; better from the environment) */
  public void setSharedKey(String v) {
    sharedKey = v;
  }

  /** @param v the cloud name or domain */
  public void setCloud(String v) {
    cloud = v;
  }

  /** @param v the buffer directory */
  public void setBufferDirectory(String v) {
    bufferDirectory = v;
  }

  /** @param v the buffer capacity, such as {@code 10MB} */
  public void setCapacity(String v) {
    capacity = v;
  }

  /** @param v {@code DROP_OLDEST}, {@code REJECT_NEW} or {@code BLOCK} */
  public void setOverflowPolicy(String v) {
    overflowPolicy = v;
  }

  /** @param v the wait under {@code BLOCK}, such as {@code 100ms} */
  public void setBlockTimeout(String v) {
    blockTimeout = v;
  }

  /** @param v {@code INTERVAL} (default) or {@code SYNC} */
  public void setDurability(String v) {
    durability = v;
  }

  /** @param v a PEM file of extra trust anchors */
  public void setTrustCertificates(String v) {
    trustCertificates = v;
  }

  /** @param v how long stopping waits for delivery, such as {@code 5s} */
  public void setFlushTimeout(String v) {
    flushTimeout = v;
  }

  /** @param v the event-time column */
  public void setTimeColumn(String v) {
    timeColumn = v;
  }

  /** @param v the most UTF-8 bytes of one string value */
  public void setMaxFieldBytes(String v) {
    maxFieldBytes = v;
  }

  /**
   * Events per batch handed to the disk buffer at once (default 1: every event is on disk, written to the operating
   * system, before the log call returns). With larger batches the log call only adds the event to a batch, and the
   * sink's batch thread encodes and writes full batches (see {@link RecordSink}); the events waiting (at most
   * 4,096 plus one batch), or {@code batchDelay} of them, then live in memory only
   * and are lost if the process crashes. When 4,096 events already wait, the log call that fills a batch hands it
   * to the buffer itself (back-pressure: nothing is dropped in memory; the buffer's {@code overflowPolicy} decides
   * only when the buffer is full).
   *
   * @param v 1 to 10000
   */
  public void setBatchSize(String v) {
    batchSize = v;
  }

  /**
   * The longest an event waits in memory for its batch to fill (default 200 ms); with {@code batchSize} above 1.
   *
   * @param v such as {@code 200ms}
   */
  public void setBatchDelay(String v) {
    batchDelay = v;
  }

  /**
   * Events per batch.
   *
   * @return {@code batchSize}, default 1
   */
  public int batchSize() {
    if (blank(batchSize)) {
      return 1;
    }
    try {
      int n = Integer.parseInt(batchSize.strip());
      if (n >= 1 && n <= 10_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigurationException("batchSize", "'" + batchSize + "' is not a number from 1 to 10000");
  }

  /**
   * The longest wait of an event for its batch.
   *
   * @return {@code batchDelay}, default 200 ms
   */
  public Duration batchDelay() {
    Duration d = blank(batchDelay) ? Duration.ofMillis(200) : Values.parseDuration("batchDelay", batchDelay);
    if (d.isZero() || d.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new ConfigurationException("batchDelay", d.toMillis() + " ms is outside 1 ms..1 min");
    }
    return d;
  }

  /**
   * A sink for these settings: the stream, the batching, the error channel.
   *
   * @param errors the framework's error channel
   * @param clock the time source for throttling
   * @return the sink, not started
   */
  public RecordSink newSink(java.util.function.BiConsumer<String, Throwable> errors, java.time.Clock clock) {
    return new RecordSink(stream(), errors, clock, batchSize(), batchDelay());
  }

  /** @param v a {@link ClientBuilderCustomizer} class name */
  public void setCustomizer(String v) {
    customizer = v;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * The transport chosen.
   *
   * @return the transport
   * @throws ConfigurationException naming {@code transport} when it is neither supported value
   */
  public Transport transport() {
    if (blank(transport)) {
      return Transport.LOGS_INGESTION;
    }
    String t = transport.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    if (t.equals("LOGS_INGESTION") || t.equals("LOGSINGESTION")) {
      return Transport.LOGS_INGESTION;
    }
    if (t.equals("DATA_COLLECTOR") || t.equals("DATACOLLECTOR")) {
      return Transport.DATA_COLLECTOR;
    }
    throw new ConfigurationException("transport", "'" + transport + "' is not supported here; expected "
        + "LOGS_INGESTION (the default) or DATA_COLLECTOR (retired)");
  }

  /**
   * The record type every event is sent with.
   *
   * @return the stream or Log-Type
   * @throws ConfigurationException naming {@code stream} when it is missing
   */
  public String stream() {
    if (blank(stream)) {
      throw new ConfigurationException("stream", "is missing; expected the DCR stream, such as Custom-MyApp_CL "
          + "(on the Data Collector transport: the Log-Type, such as MyApp)");
    }
    return stream.strip();
  }

  /**
   * The event-time column.
   *
   * @return {@code timeColumn}, or the transport's default
   */
  public String timeColumn() {
    if (!blank(timeColumn)) {
      String c = timeColumn.strip();
      if (!c.matches("[A-Za-z_][A-Za-z0-9_]{0,44}")) {
        throw new ConfigurationException("timeColumn", "'" + c + "' is not a column name (letters, digits, '_')");
      }
      return c;
    }
    return transport() == Transport.DATA_COLLECTOR ? "EventTime" : "TimeGenerated";
  }

  /**
   * The most UTF-8 bytes of one string value.
   *
   * @return the limit
   */
  public int maxFieldBytes() {
    if (blank(maxFieldBytes)) {
      return DEFAULT_MAX_FIELD_BYTES;
    }
    long n = Values.parseSize("maxFieldBytes", maxFieldBytes);
    if (n < 256 || n > 1_000_000) {
      throw new ConfigurationException("maxFieldBytes", n + " is outside 256..1000000");
    }
    return (int) n;
  }

  /**
   * How long stopping waits for delivery.
   *
   * @return the timeout, default 5 s
   */
  public Duration flushTimeout() {
    return blank(flushTimeout) ? Duration.ofSeconds(5) : Values.parseDuration("flushTimeout", flushTimeout);
  }

  /**
   * Checks every setting and builds the client.
   *
   * @param listener hears the client's events (drops, give-ups, authentication failures); a listener the
   *     customizer installs hears them too
   * @return the running client
   * @throws ConfigurationException naming the first missing or invalid setting
   * @throws RuntimeException whatever {@link LogAnalyticsClientBuilder#build()} throws (a buffer directory that
   *     cannot be opened, for example)
   */
  public LogAnalyticsClient buildClient(LogAnalyticsListener listener) {
    Transport t = transport();
    stream();
    timeColumn();
    maxFieldBytes();
    flushTimeout();
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder();
    if (t == Transport.LOGS_INGESTION) {
      if (blank(endpoint)) {
        throw new ConfigurationException("endpoint", "is missing; expected the data collection endpoint, such as "
            + "https://my-dce-ab12.eastus-1.ingest.monitor.azure.com");
      }
      URI uri;
      try {
        uri = URI.create(endpoint.strip());
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("endpoint", "'" + endpoint.strip() + "' is not a URL");
      }
      b.logsIngestion(uri, LogAnalyticsClientBuilder.validateDcrId("dcr", dcr));
      b.entraCredential(entraCredential());
    } else {
      if (blank(workspaceId)) {
        throw new ConfigurationException("workspaceId", "is missing; the Data Collector transport needs the "
            + "workspace id and its shared key");
      }
      String key = secret("sharedKey", sharedKey, "sharedKeyVariable", sharedKeyVariable);
      if (key == null) {
        throw new ConfigurationException("sharedKey", "is missing; name the environment variable that holds it "
            + "with sharedKeyVariable, such as LOGANALYTICS_SHARED_KEY");
      }
      b.transport(Transport.DATA_COLLECTOR)
          .credentials(WorkspaceCredentials.of(workspaceId.strip(), key))
          .timeGeneratedField(timeColumn());
    }
    if (!blank(cloud)) {
      b.cloud(CloudEnvironment.fromName(cloud));
    }
    b.bufferOptions(bufferOptions());
    if (!blank(trustCertificates)) {
      b.trustCertificates(Path.of(trustCertificates.strip()));
    }
    b.listener(listener);
    if (!blank(customizer)) {
      LogAnalyticsListener ours = listener;
      newCustomizer().customize(b);
      LogAnalyticsListener theirs = b.listener();
      if (theirs != ours) {
        b.listener(new ForwardingListener(ours, theirs));
      }
    }
    return b.build();
  }

  private EntraCredential entraCredential() {
    String secretValue = secret("clientSecret", clientSecret, "clientSecretVariable", clientSecretVariable);
    if (blank(tenantId) && blank(clientId) && secretValue == null) {
      return EntraCredential.fromEnvironment();
    }
    if (blank(tenantId)) {
      throw new ConfigurationException("tenantId", "is missing; with clientId and clientSecret it selects an app "
          + "registration's secret (leave all three out to use the environment)");
    }
    if (blank(clientId)) {
      throw new ConfigurationException("clientId", "is missing; with tenantId and clientSecret it selects an app "
          + "registration's secret");
    }
    return EntraCredential.clientSecret(tenantId, clientId, secretValue);
  }

  /**
   * What a full buffer (and a batching sink's full queue) does with a new event.
   *
   * @return {@code overflowPolicy}, default {@code DROP_OLDEST}
   * @throws ConfigurationException naming {@code overflowPolicy} when it is not a policy
   */
  public OverflowPolicy overflowPolicy() {
    if (blank(overflowPolicy)) {
      return OverflowPolicy.DROP_OLDEST;
    }
    try {
      return OverflowPolicy.valueOf(overflowPolicy.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("overflowPolicy", "'" + overflowPolicy + "' is not one of DROP_OLDEST, "
          + "REJECT_NEW, BLOCK");
    }
  }

  /**
   * The longest wait of a log call under {@code BLOCK}.
   *
   * @return {@code blockTimeout}, default 100 ms
   * @throws ConfigurationException naming {@code blockTimeout} when it is malformed or above 1 s
   */
  public Duration blockTimeout() {
    Duration block = blank(blockTimeout) ? Duration.ofMillis(100) : Values.parseDuration("blockTimeout",
        blockTimeout);
    if (block.toMillis() > MAX_BLOCK_MILLIS) {
      throw new ConfigurationException("blockTimeout", block.toMillis() + " ms is more than " + MAX_BLOCK_MILLIS
          + " ms; a log call must not hold the application longer");
    }
    return block;
  }

  BufferOptions bufferOptions() {
    if (blank(bufferDirectory)) {
      throw new ConfigurationException("bufferDirectory", "is missing; events wait on disk there until they are "
          + "delivered (one directory per appender)");
    }
    BufferOptions.Builder o = BufferOptions.builder(Path.of(bufferDirectory.strip()));
    if (!blank(capacity)) {
      long bytes = Values.parseSize("capacity", capacity);
      if (bytes < 65_536) {
        throw new ConfigurationException("capacity", bytes + " bytes is below the minimum of 64KB");
      }
      o.capacityBytes(bytes);
      // Eviction under DROP_OLDEST frees whole segments: an eighth of the capacity each. Starting a segment forces
      // the previous one to disk, creates the next one (forced) and, when full, journals an eviction (forced): a
      // large buffer gets larger segments (at most 64 MiB), so that those forces are rarer per event.
      o.segmentBytes((int) Math.max(4096, Math.min(64 << 20, bytes / 8)));
    }
    o.overflowPolicy(overflowPolicy());
    o.blockTimeout(blockTimeout());
    Durability d = Durability.INTERVAL;
    if (!blank(durability)) {
      try {
        d = Durability.valueOf(durability.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("durability", "'" + durability + "' is not one of INTERVAL, SYNC");
      }
    }
    return o.durability(d).build();
  }

  private ClientBuilderCustomizer newCustomizer() {
    String name = customizer.strip();
    try {
      Class<?> c = Class.forName(name, true, contextLoader());
      if (!ClientBuilderCustomizer.class.isAssignableFrom(c)) {
        throw new ConfigurationException("customizer", "'" + name + "' does not implement "
            + ClientBuilderCustomizer.class.getName());
      }
      return (ClientBuilderCustomizer) c.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new ConfigurationException("customizer", "class '" + name + "' is not on the class path", e);
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new ConfigurationException("customizer", "'" + name + "' needs a public no-argument constructor", e);
    } catch (InvocationTargetException e) {
      throw new ConfigurationException("customizer", "'" + name + "' failed in its constructor: "
          + e.getCause(), e.getCause());
    }
  }

  private ClassLoader contextLoader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null ? l : IntegrationSettings.class.getClassLoader();
  }

  @Override
  public String toString() {
    return "IntegrationSettings{transport=" + transport + ", endpoint=" + endpoint + ", dcr=" + dcr + ", stream="
        + stream + ", tenantId=" + tenantId + ", clientId=" + clientId + ", clientSecret="
        + (blank(clientSecret) ? "none" : "<set>") + ", workspaceId=" + workspaceId + ", sharedKey="
        + (blank(sharedKey) ? "none" : "<set>") + ", sharedKeyVariable=" + sharedKeyVariable + ", clientSecretVariable="
        + clientSecretVariable + ", bufferDirectory=" + bufferDirectory + ", capacity=" + capacity
        + ", overflowPolicy=" + overflowPolicy + ", customizer=" + customizer + "}";
  }
}
