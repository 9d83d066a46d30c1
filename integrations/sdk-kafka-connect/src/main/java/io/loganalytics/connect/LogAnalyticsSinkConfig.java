package io.loganalytics.connect;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.ProxyConfig;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The connector's settings, defined once in {@link #CONFIG_DEF} with validators whose messages name the key and
 * what was wrong. Secrets ({@code loganalytics.shared.key}, {@code loganalytics.secondary.key},
 * {@code loganalytics.client.secret}) are {@link Type#PASSWORD}: masked in the REST API and in logs, and fit for a
 * worker {@code ConfigProvider} ({@code ${file:/etc/connect/secrets.properties:shared.key}}).
 *
 * <p>Immutable.
 */
public final class LogAnalyticsSinkConfig extends AbstractConfig {
  /** {@code LOGS_INGESTION} (default) or {@code DATA_COLLECTOR}. */
  public static final String TRANSPORT = "loganalytics.transport";
  /** Data Collector: the workspace GUID. */
  public static final String WORKSPACE_ID = "loganalytics.workspace.id";
  /** Data Collector: the primary shared key. */
  public static final String SHARED_KEY = "loganalytics.shared.key";
  /** Data Collector: the secondary shared key, tried after a 403. */
  public static final String SECONDARY_KEY = "loganalytics.secondary.key";
  /** Logs Ingestion: the data collection endpoint. */
  public static final String DCE_ENDPOINT = "loganalytics.dce.endpoint";
  /** Logs Ingestion: the DCR immutable id. */
  public static final String DCR_ID = "loganalytics.dcr.immutable.id";
  /** Logs Ingestion: Entra tenant. */
  public static final String TENANT_ID = "loganalytics.tenant.id";
  /** Logs Ingestion: application (client) id. */
  public static final String CLIENT_ID = "loganalytics.client.id";
  /** Logs Ingestion: client secret. */
  public static final String CLIENT_SECRET = "loganalytics.client.secret";
  /** Cloud name or domain. */
  public static final String CLOUD = "loganalytics.cloud";
  /** Logs Ingestion: the Entra authority host (a private cloud, an emulator). */
  public static final String AUTHORITY_HOST = "loganalytics.authority.host";
  /** Logs Ingestion: the audience of the tokens requested for the ingestion endpoint (a private cloud, an emulator). */
  public static final String INGESTION_AUDIENCE = "loganalytics.ingestion.audience";
  /** Port of the service (tests against an emulator). */
  public static final String CLOUD_PORT = "loganalytics.cloud.port";
  /** An IP address every service host name resolves to (an emulator on loopback; TLS still checks the name). */
  public static final String HOST_ADDRESS = "loganalytics.host.address";
  /** Extra trust anchors, a PEM file. */
  public static final String TRUST_PEM = "loganalytics.ssl.truststore.pem";
  /** HTTP proxy URL. */
  public static final String PROXY_URL = "loganalytics.proxy.url";
  /** {@code topic:Table} pairs. */
  public static final String TABLE_MAPPING = "loganalytics.table.mapping";
  /** Field holding TimeGenerated (Data Collector {@code time-generated-field}). */
  public static final String TIME_GENERATED_FIELD = "loganalytics.time.generated.field";
  /** Most records per upload. */
  public static final String BATCH_MAX_RECORDS = "batch.max.records";
  /** Most encoded bytes per upload. */
  public static final String BATCH_MAX_BYTES = "batch.max.bytes";
  /** How long a batch may wait to fill. */
  public static final String BATCH_LINGER_MS = "batch.linger.ms";
  /** Concurrent uploads per task. */
  public static final String UPLOAD_THREADS = "upload.threads";
  /** Pause above this many unacknowledged bytes. */
  public static final String MAX_IN_FLIGHT_BYTES = "max.in.flight.bytes";
  /** Pause above this many unacknowledged records. */
  public static final String MAX_IN_FLIGHT_RECORDS = "max.in.flight.records";
  /** Retries of one request before its records are given up. */
  public static final String RETRY_MAX_RETRIES = "retry.max.retries";
  /** First retry wait. */
  public static final String RETRY_INITIAL_BACKOFF_MS = "retry.initial.backoff.ms";
  /** Longest retry wait. */
  public static final String RETRY_MAX_BACKOFF_MS = "retry.max.backoff.ms";
  /** {@code dlq}, {@code fail} or {@code drop}. */
  public static final String BEHAVIOR_ON_INVALID = "behavior.on.invalid.record";
  /** {@code fail} or {@code dlq}. */
  public static final String BEHAVIOR_ON_GIVE_UP = "behavior.on.give.up";

  /** What the task does with a record it cannot deliver. */
  public enum Behavior {
    /** Report it to the framework's dead-letter queue, then commit past it. */
    DLQ,
    /** Fail the task; nothing past the record is committed, so it is read again after a restart. */
    FAIL,
    /** Log it and commit past it. */
    DROP
  }

  private static final Pattern TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");
  private static final String GROUP_SERVICE = "Service";
  private static final String GROUP_DELIVERY = "Delivery";

  /** The definition: every key, type, default, validator and documentation. */
  public static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(TRANSPORT, Type.STRING, "LOGS_INGESTION", ConfigDef.CaseInsensitiveValidString.in("LOGS_INGESTION",
          "DATA_COLLECTOR"), Importance.HIGH, "LOGS_INGESTION (the Logs Ingestion API: DCE, DCR, Entra ID) or "
          + "DATA_COLLECTOR (the HTTP Data Collector API with a workspace shared key, retired by Microsoft in "
          + "September 2026).", GROUP_SERVICE, 1, ConfigDef.Width.SHORT, "Transport")
      .define(WORKSPACE_ID, Type.STRING, null, Importance.HIGH, "DATA_COLLECTOR: the workspace ID (a GUID).")
      .define(SHARED_KEY, Type.PASSWORD, null, Importance.HIGH, "DATA_COLLECTOR: the workspace's primary shared "
          + "key (base64). Use a ConfigProvider, e.g. ${file:/etc/kafka/secrets.properties:shared.key}.")
      .define(SECONDARY_KEY, Type.PASSWORD, null, Importance.LOW, "DATA_COLLECTOR: the secondary shared key, "
          + "tried when the primary one is refused (key rotation).")
      .define(DCE_ENDPOINT, Type.STRING, null, Importance.HIGH, "LOGS_INGESTION: the data collection endpoint, "
          + "https://<dce>.<region>.ingest.monitor.azure.com.")
      .define(DCR_ID, Type.STRING, null, Importance.HIGH, "LOGS_INGESTION: the DCR immutable id, dcr-<32 hex>.")
      .define(TENANT_ID, Type.STRING, null, Importance.HIGH, "LOGS_INGESTION: the Entra ID tenant.")
      .define(CLIENT_ID, Type.STRING, null, Importance.HIGH, "LOGS_INGESTION: the application (client) id.")
      .define(CLIENT_SECRET, Type.PASSWORD, null, Importance.HIGH, "LOGS_INGESTION: the client secret. Use a "
          + "ConfigProvider.")
      .define(CLOUD, Type.STRING, "AzureCloud", Importance.LOW, "AzureCloud, AzureUSGovernment, AzureChinaCloud or "
          + "a domain such as opinsights.azure.com.")
      .define(AUTHORITY_HOST, Type.STRING, null, Importance.LOW, "LOGS_INGESTION: the Entra ID authority host, "
          + "https://... (default: the cloud's, e.g. https://login.microsoftonline.com/).")
      .define(INGESTION_AUDIENCE, Type.STRING, null, Importance.LOW, "LOGS_INGESTION: the audience of the tokens "
          + "for the ingestion endpoint, https://... (default: the cloud's, e.g. https://monitor.azure.com).")
      .define(CLOUD_PORT, Type.INT, 443, ConfigDef.Range.between(1, 65535), Importance.LOW, "The service's HTTPS "
          + "port (only an emulator differs from 443).")
      .define(HOST_ADDRESS, Type.STRING, null, Importance.LOW, "Connect every service host name to this IP address "
          + "instead of resolving it (a local emulator). TLS still verifies the host name.")
      .define(TRUST_PEM, Type.STRING, null, Importance.LOW, "A PEM file of extra CA certificates to trust, next to "
          + "the JVM's (a TLS-inspecting proxy, an emulator). Verification is never turned off.")
      .define(PROXY_URL, Type.STRING, null, Importance.LOW, "HTTP proxy, http://[user@]host:port.")
      .define(TABLE_MAPPING, Type.LIST, List.of(), Importance.HIGH, "topic:Table pairs, comma-separated. Table is "
          + "the custom log type (DATA_COLLECTOR, without _CL) or the DCR stream (LOGS_INGESTION, Custom-<name>). "
          + "A topic without a pair uses its own name with every character other than a letter, digit or "
          + "underscore replaced by '_'.")
      .define(TIME_GENERATED_FIELD, Type.STRING, null, Importance.LOW, "A record field holding the record's time "
          + "(DATA_COLLECTOR time-generated-field).")
      .define(BATCH_MAX_RECORDS, Type.INT, 1000, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM, "Most "
          + "records per upload.", GROUP_DELIVERY, 1, ConfigDef.Width.SHORT, "Batch records")
      .define(BATCH_MAX_BYTES, Type.INT, 1_000_000, ConfigDef.Range.between(1024, 30 * 1024 * 1024),
          Importance.MEDIUM, "Most encoded bytes per upload (the SDK still cuts requests at the service's limit).")
      .define(BATCH_LINGER_MS, Type.LONG, 1000L, ConfigDef.Range.between(0, 600_000), Importance.MEDIUM, "How long "
          + "a batch may wait to fill before it is uploaded.")
      .define(UPLOAD_THREADS, Type.INT, 2, ConfigDef.Range.between(1, 64), Importance.MEDIUM, "Concurrent uploads "
          + "per task; in-flight requests of the connector = tasks.max x upload.threads.")
      .define(MAX_IN_FLIGHT_BYTES, Type.LONG, 64L * 1024 * 1024, ConfigDef.Range.atLeast(1024), Importance.MEDIUM,
          "The task pauses its partitions while more encoded bytes than this are not yet acknowledged, and "
          + "resumes below half of it.")
      .define(MAX_IN_FLIGHT_RECORDS, Type.INT, 200_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM, "As "
          + MAX_IN_FLIGHT_BYTES + ", counted in records.")
      .define(RETRY_MAX_RETRIES, Type.INT, 6, ConfigDef.Range.between(0, 1000), Importance.MEDIUM, "Retries of one "
          + "request after 408/429/5xx/network errors before its records are given up (then "
          + BEHAVIOR_ON_GIVE_UP + " applies). Authentication failures are retried without limit.")
      .define(RETRY_INITIAL_BACKOFF_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW, "First "
          + "retry wait (doubling, with jitter); Retry-After is honoured.")
      .define(RETRY_MAX_BACKOFF_MS, Type.LONG, 960_000L, ConfigDef.Range.atLeast(1), Importance.LOW, "Longest retry "
          + "wait.")
      .define(BEHAVIOR_ON_INVALID, Type.STRING, "dlq", ConfigDef.CaseInsensitiveValidString.in("dlq", "fail",
          "drop"), Importance.MEDIUM, "A record that cannot be encoded (not a JSON object, Struct or Map; too "
          + "large) or that the service refuses for good (400, 413 alone): dlq = report it to the framework's "
          + "dead-letter queue (errors.tolerance=all and errors.deadletterqueue.topic.name; without them the task "
          + "fails), fail = fail the task, drop = log and skip it.")
      .define(BEHAVIOR_ON_GIVE_UP, Type.STRING, "fail", ConfigDef.CaseInsensitiveValidString.in("fail", "dlq"),
          Importance.MEDIUM, "Records whose retries ran out (the service kept failing): fail = fail the task "
          + "without committing them, so they are read again after a restart (safe default), dlq = report them "
          + "to the dead-letter queue and go on.");

  private final Map<String, String> tableMapping;

  /**
   * Parses and checks the settings.
   *
   * @param props the connector or task properties
   * @throws ConfigException naming the key and the problem
   */
  public LogAnalyticsSinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
    this.tableMapping = parseMapping(getList(TABLE_MAPPING));
    crossCheck();
  }

  private static Map<String, String> parseMapping(List<String> pairs) {
    Map<String, String> out = new HashMap<>();
    for (String pair : pairs) {
      String p = pair.strip();
      int colon = p.lastIndexOf(':');
      if (colon <= 0 || colon == p.length() - 1) {
        throw new ConfigException(TABLE_MAPPING, pair, "each entry must be topic:Table");
      }
      String topic = p.substring(0, colon).strip();
      String table = p.substring(colon + 1).strip();
      if (!TABLE.matcher(table).matches() && !table.startsWith("Custom-")) {
        throw new ConfigException(TABLE_MAPPING, pair, "the table '" + table + "' must start with a letter and hold "
            + "only letters, digits and '_' (at most 100), or be a DCR stream Custom-<name>");
      }
      if (out.put(topic, table) != null) {
        throw new ConfigException(TABLE_MAPPING, pair, "topic '" + topic + "' is mapped twice");
      }
    }
    return Map.copyOf(out);
  }

  private void crossCheck() {
    if (transport() == Transport.DATA_COLLECTOR) {
      String ws = getString(WORKSPACE_ID);
      if (ws == null || ws.isBlank()) {
        throw new ConfigException(WORKSPACE_ID, null, "is required when " + TRANSPORT + "=DATA_COLLECTOR");
      }
      try {
        WorkspaceCredentials.validateWorkspaceId(ws);
      } catch (ConfigurationException e) {
        throw new ConfigException(WORKSPACE_ID, ws, "must be a GUID (" + e.getMessage() + ")");
      }
      if (getPassword(SHARED_KEY) == null) {
        throw new ConfigException(SHARED_KEY, null, "is required when " + TRANSPORT + "=DATA_COLLECTOR");
      }
    } else {
      for (String key : List.of(DCE_ENDPOINT, DCR_ID, TENANT_ID, CLIENT_ID)) {
        String v = getString(key);
        if (v == null || v.isBlank()) {
          throw new ConfigException(key, null, "is required when " + TRANSPORT + "=LOGS_INGESTION");
        }
      }
      if (getPassword(CLIENT_SECRET) == null) {
        throw new ConfigException(CLIENT_SECRET, null, "is required when " + TRANSPORT + "=LOGS_INGESTION");
      }
      try {
        EntraCredential.clientSecret(getString(TENANT_ID), getString(CLIENT_ID), getPassword(CLIENT_SECRET).value());
      } catch (ConfigurationException e) {
        String key = "tenantId".equals(e.field()) ? TENANT_ID : "clientId".equals(e.field()) ? CLIENT_ID
            : CLIENT_SECRET;
        throw new ConfigException(key, CLIENT_SECRET.equals(key) ? "[hidden]" : getString(key), e.getMessage());
      }
      try {
        URI u = URI.create(getString(DCE_ENDPOINT));
        if (!"https".equals(u.getScheme()) || u.getHost() == null) {
          throw new ConfigException(DCE_ENDPOINT, getString(DCE_ENDPOINT), "must be an https:// URL");
        }
        LogAnalyticsClientBuilder.validateDcrId(DCR_ID, getString(DCR_ID));
      } catch (IllegalArgumentException | ConfigurationException e) {
        throw new ConfigException(e instanceof ConfigurationException ? ((ConfigurationException) e).field()
            : DCE_ENDPOINT, null, e.getMessage());
      }
    }
    try {
      CloudEnvironment.fromName(getString(CLOUD));
    } catch (ConfigurationException e) {
      throw new ConfigException(CLOUD, getString(CLOUD), e.getMessage());
    }
    if (getString(AUTHORITY_HOST) != null) {
      try {
        CloudEnvironment.AZURE_CLOUD.withAuthorityHost(URI.create(getString(AUTHORITY_HOST)));
      } catch (IllegalArgumentException | ConfigurationException e) {
        throw new ConfigException(AUTHORITY_HOST, getString(AUTHORITY_HOST), "must be an https URL with a host ("
            + e.getMessage() + ")");
      }
    }
    if (getString(INGESTION_AUDIENCE) != null) {
      try {
        CloudEnvironment.AZURE_CLOUD.withIngestionAudience(getString(INGESTION_AUDIENCE));
      } catch (IllegalArgumentException | ConfigurationException e) {
        throw new ConfigException(INGESTION_AUDIENCE, getString(INGESTION_AUDIENCE), "must be an https URL ("
            + e.getMessage() + ")");
      }
    }
    String pem = getString(TRUST_PEM);
    if (pem != null && !Files.isReadable(Path.of(pem))) {
      throw new ConfigException(TRUST_PEM, pem, "is not a readable file");
    }
    String address = getString(HOST_ADDRESS);
    if (address != null && !address.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      throw new ConfigException(HOST_ADDRESS, address, "must be an IP address literal");
    }
    if (getString(PROXY_URL) != null) {
      try {
        ProxyConfig.parse(getString(PROXY_URL));
      } catch (ConfigurationException e) {
        throw new ConfigException(PROXY_URL, "(hidden)", e.getMessage());
      }
    }
    if (getLong(RETRY_MAX_BACKOFF_MS) < getLong(RETRY_INITIAL_BACKOFF_MS)) {
      throw new ConfigException(RETRY_MAX_BACKOFF_MS, getLong(RETRY_MAX_BACKOFF_MS), "must not be below "
          + RETRY_INITIAL_BACKOFF_MS + " (" + getLong(RETRY_INITIAL_BACKOFF_MS) + ")");
    }
  }

  /** @return the transport */
  Transport transport() {
    return Transport.valueOf(getString(TRANSPORT).toUpperCase(Locale.ROOT));
  }

  /**
   * The table (record type or stream) of a topic.
   *
   * @param topic the record's original topic
   * @return the mapped table, else the topic name made into a valid type name
   */
  String tableFor(String topic) {
    String t = tableMapping.get(topic);
    if (t != null) {
      return t;
    }
    String s = topic.replaceAll("[^A-Za-z0-9_]", "_");
    return Character.isLetter(s.charAt(0)) ? s : "T" + s;
  }

  /** @return what to do with invalid records */
  Behavior onInvalid() {
    return Behavior.valueOf(getString(BEHAVIOR_ON_INVALID).toUpperCase(Locale.ROOT));
  }

  /** @return what to do with records whose retries ran out */
  Behavior onGiveUp() {
    return Behavior.valueOf(getString(BEHAVIOR_ON_GIVE_UP).toUpperCase(Locale.ROOT));
  }

  /**
   * The SDK builder for these settings (no buffer: the task uses {@link LogAnalyticsClientBuilder#buildUploader()}).
   *
   * @return the builder
   */
  LogAnalyticsClientBuilder clientBuilder() {
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder().transport(transport());
    CloudEnvironment cloud = CloudEnvironment.fromName(getString(CLOUD));
    if (getInt(CLOUD_PORT) != 443) {
      cloud = cloud.withPort(getInt(CLOUD_PORT));
    }
    if (getString(AUTHORITY_HOST) != null) {
      cloud = cloud.withAuthorityHost(URI.create(getString(AUTHORITY_HOST)));
    }
    if (getString(INGESTION_AUDIENCE) != null) {
      cloud = cloud.withIngestionAudience(getString(INGESTION_AUDIENCE));
    }
    b.cloud(cloud);
    if (transport() == Transport.DATA_COLLECTOR) {
      Password secondary = getPassword(SECONDARY_KEY);
      b.credentials(secondary == null
          ? WorkspaceCredentials.of(getString(WORKSPACE_ID), getPassword(SHARED_KEY).value())
          : WorkspaceCredentials.of(getString(WORKSPACE_ID), getPassword(SHARED_KEY).value(), secondary.value()));
    } else {
      b.logsIngestion(URI.create(getString(DCE_ENDPOINT)), getString(DCR_ID));
      b.entraCredential(EntraCredential.clientSecret(getString(TENANT_ID), getString(CLIENT_ID),
          getPassword(CLIENT_SECRET).value()));
    }
    String address = getString(HOST_ADDRESS);
    if (address != null) {
      b.hostResolver(host -> {
        try {
          return List.of(InetAddress.getByAddress(host, InetAddress.getByName(address).getAddress()));
        } catch (UnknownHostException e) {
          throw new IllegalStateException(HOST_ADDRESS + " is not an IP address", e);
        }
      });
    }
    if (getString(TRUST_PEM) != null) {
      b.trustCertificates(Path.of(getString(TRUST_PEM)));
    }
    if (getString(PROXY_URL) != null) {
      b.proxy(ProxyConfig.parse(getString(PROXY_URL)));
    }
    if (getString(TIME_GENERATED_FIELD) != null) {
      b.timeGeneratedField(getString(TIME_GENERATED_FIELD));
    }
    b.retryPolicy(RetryPolicy.builder()
        .maxRetries(getInt(RETRY_MAX_RETRIES))
        .initialBackoff(Duration.ofMillis(getLong(RETRY_INITIAL_BACKOFF_MS)))
        .maxBackoff(Duration.ofMillis(getLong(RETRY_MAX_BACKOFF_MS)))
        .discardOnGiveUp()
        .build());
    return b;
  }
}
