package io.loganalytics.sdk;

import io.loganalytics.sdk.spi.Providers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Configures and builds a {@link LogAnalyticsClient}. Setters validate at once and name the field they refuse;
 * {@link #build()} checks that the required settings are there.
 *
 * <p>Required: a buffer ({@link #bufferDirectory} or {@link #bufferOptions}), and for the transport:
 * <ul>
 *   <li>{@link Transport#LOGS_INGESTION} (the default): {@link #logsIngestion(URI, String)} and either
 *       {@link #entraCredential(EntraCredential)} or {@link #tokenProvider(AccessTokenProvider)};
 *   <li>{@link Transport#DATA_COLLECTOR} (retired): {@link #credentials};
 *   <li>{@link Transport#AGENT_CERTIFICATE} (retired): {@link #stateDirectory}, and {@link #credentials} unless the
 *       state directory is already onboarded.
 * </ul>
 *
 * <p>Defaults: {@link Transport#LOGS_INGESTION}; {@link CloudEnvironment#AZURE_CLOUD}; no proxy;
 * {@link RetryPolicy#defaults()}; IPName {@code LogManagement}; requests of at most 1,000,000 bytes of JSON before
 * compression; certificates valid 90 days, renewed when fewer than 30 days are left; the system clock, resolver and
 * trust store; no listener.
 *
 * <p>Not thread-safe; the client it builds is. {@link #build()} hands the implementation a snapshot: changing the
 * builder afterwards does not affect a client already built.
 */
public final class LogAnalyticsClientBuilder {
  /** The service refuses requests above 30 MB. */
  public static final int MAX_REQUEST_BYTES_LIMIT = 30 * 1024 * 1024;

  /** The Logs Ingestion API refuses requests above 1 MiB. */
  public static final int LOGS_INGESTION_MAX_REQUEST_BYTES = 1024 * 1024;

  private static final Pattern IP_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,99}");
  private static final Pattern DCR_ID = Pattern.compile("dcr-[0-9a-fA-F]{32}");

  private WorkspaceCredentials credentials;
  private CloudEnvironment cloud = CloudEnvironment.AZURE_CLOUD;
  private Transport transport = Transport.LOGS_INGESTION;
  private URI logsIngestionEndpoint;
  private String dataCollectionRuleId;
  private EntraCredential entraCredential;
  private AccessTokenProvider tokenProvider;
  private ProxyConfig proxy;
  private BufferOptions bufferOptions;
  private RetryPolicy retryPolicy = RetryPolicy.defaults();
  private LogAnalyticsListener listener = LogAnalyticsListener.NONE;
  private Path stateDirectory;
  private String ipName = "LogManagement";
  private int maxRequestBytes = 1_000_000;
  private Duration certificateValidity = Duration.ofDays(90);
  private Duration renewalWindow = Duration.ofDays(30);
  private final List<Path> trustedCertificates = new ArrayList<>();
  private HostResolver hostResolver = HostResolver.system();
  private Clock clock = Clock.systemUTC();
  private String azureResourceId;
  private String timeGeneratedField;

  LogAnalyticsClientBuilder() {}

  /**
   * The workspace and its keys.
   *
   * @param credentials the credentials; keys rotated on this object later are picked up by the client
   * @return this builder
   */
  public LogAnalyticsClientBuilder credentials(WorkspaceCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    return this;
  }

  /**
   * The cloud. Default {@link CloudEnvironment#AZURE_CLOUD}.
   *
   * @param cloud the cloud
   * @return this builder
   */
  public LogAnalyticsClientBuilder cloud(CloudEnvironment cloud) {
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    return this;
  }

  /**
   * The transport. Default {@link Transport#LOGS_INGESTION}.
   *
   * @param transport the transport
   * @return this builder
   */
  public LogAnalyticsClientBuilder transport(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  /**
   * Where the {@link Transport#LOGS_INGESTION} transport sends records, and selects that transport.
   *
   * @param endpoint a data collection endpoint ({@code https://<name>.<region>-1.ingest.monitor.azure.com}) or the
   *     DCR's own logs-ingestion endpoint; https only, without a path, query or user information
   * @param dataCollectionRuleId the DCR's immutable id, {@code dcr-} and 32 hexadecimal digits; records whose type
   *     names no other DCR go to its streams
   * @return this builder
   * @throws ConfigurationException naming {@code logsIngestionEndpoint} or {@code dataCollectionRuleId}
   */
  public LogAnalyticsClientBuilder logsIngestion(URI endpoint, String dataCollectionRuleId) {
    this.logsIngestionEndpoint = validateEndpoint(endpoint);
    this.dataCollectionRuleId = validateDcrId("dataCollectionRuleId", dataCollectionRuleId);
    this.transport = Transport.LOGS_INGESTION;
    return this;
  }

  /**
   * Checks a data collection rule's immutable id.
   *
   * @param field the field to name in the error
   * @param id the id
   * @return the id, lowercased
   * @throws ConfigurationException naming {@code field} when it is not {@code dcr-} and 32 hexadecimal digits
   */
  public static String validateDcrId(String field, String id) {
    if (id == null || id.isBlank()) {
      throw new ConfigurationException(field, "is missing; expected the DCR's immutable id, dcr- and 32 "
          + "hexadecimal digits (the DCR's JSON view, property immutableId)");
    }
    String v = id.strip();
    if (!DCR_ID.matcher(v).matches()) {
      throw new ConfigurationException(field, "'" + v + "' is not a DCR immutable id (dcr- and 32 hexadecimal "
          + "digits, from the DCR's JSON view, property immutableId; not its name or resource id)");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  private static URI validateEndpoint(URI endpoint) {
    if (endpoint == null) {
      throw new ConfigurationException("logsIngestionEndpoint", "is missing; expected the data collection "
          + "endpoint's logs ingestion URL, such as https://my-dce-ab12.eastus-1.ingest.monitor.azure.com");
    }
    if (endpoint.getRawUserInfo() != null) {
      // Before anything echoes the URL: user information may be a password.
      throw new ConfigurationException("logsIngestionEndpoint", "must not hold user information (user:password@)");
    }
    if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
      throw new ConfigurationException("logsIngestionEndpoint", "'" + endpoint + "' must be an https URL with a "
          + "host: tokens travel to it");
    }
    if (endpoint.getUserInfo() != null || endpoint.getQuery() != null || endpoint.getFragment() != null
        || (endpoint.getPath() != null && !endpoint.getPath().isEmpty() && !endpoint.getPath().equals("/"))) {
      throw new ConfigurationException("logsIngestionEndpoint", "'" + endpoint.getScheme() + "://"
          + endpoint.getHost() + "...' must have no user, path, query or fragment; the SDK adds "
          + "/dataCollectionRules/<dcr>/streams/<stream>");
    }
    String s = endpoint.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  /**
   * The built-in Entra ID credential for the {@link Transport#LOGS_INGESTION} transport. Replaces a
   * {@link #tokenProvider(AccessTokenProvider)}.
   *
   * @param credential the credential, for example {@link EntraCredential#fromEnvironment()}
   * @return this builder
   */
  public LogAnalyticsClientBuilder entraCredential(EntraCredential credential) {
    this.entraCredential = Objects.requireNonNull(credential, "entraCredential");
    this.tokenProvider = null;
    return this;
  }

  /**
   * Your own token source for the {@link Transport#LOGS_INGESTION} transport; the client caches its tokens.
   * Replaces an {@link #entraCredential(EntraCredential)}.
   *
   * @param provider the provider
   * @return this builder
   */
  public LogAnalyticsClientBuilder tokenProvider(AccessTokenProvider provider) {
    this.tokenProvider = Objects.requireNonNull(provider, "tokenProvider");
    this.entraCredential = null;
    return this;
  }

  /**
   * An HTTP proxy for every connection. Default none.
   *
   * @param proxy the proxy, or {@code null} for direct connections
   * @return this builder
   */
  public LogAnalyticsClientBuilder proxy(ProxyConfig proxy) {
    this.proxy = proxy;
    return this;
  }

  /**
   * A buffer in this directory with default {@link BufferOptions}.
   *
   * @param directory the buffer directory
   * @return this builder
   */
  public LogAnalyticsClientBuilder bufferDirectory(Path directory) {
    this.bufferOptions = BufferOptions.builder(directory).build();
    return this;
  }

  /**
   * The buffer settings.
   *
   * @param options the settings
   * @return this builder
   */
  public LogAnalyticsClientBuilder bufferOptions(BufferOptions options) {
    this.bufferOptions = Objects.requireNonNull(options, "bufferOptions");
    return this;
  }

  /**
   * The retry policy. Default {@link RetryPolicy#defaults()}.
   *
   * @param policy the policy
   * @return this builder
   */
  public LogAnalyticsClientBuilder retryPolicy(RetryPolicy policy) {
    this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
    return this;
  }

  /**
   * Where events go. Default none.
   *
   * @param listener the listener
   * @return this builder
   */
  public LogAnalyticsClientBuilder listener(LogAnalyticsListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * The agent state directory ({@code certs/oms.crt}, {@code certs/oms.key}, {@code omsadmin.conf}), compatible with
   * the legacy agent's. Required on the agent path; the client onboards when it holds no identity yet.
   *
   * @param directory the state directory
   * @return this builder
   */
  public LogAnalyticsClientBuilder stateDirectory(Path directory) {
    this.stateDirectory = Objects.requireNonNull(directory, "stateDirectory");
    return this;
  }

  /**
   * The {@code IPName} sent with records on the agent path. Default {@code LogManagement}.
   *
   * @param ipName a letter, then up to 99 letters, digits, {@code _} or {@code .}
   * @return this builder
   */
  public LogAnalyticsClientBuilder ipName(String ipName) {
    if (ipName == null || ipName.isEmpty()) {
      throw new ConfigurationException("ipName", "is missing; expected a name such as LogManagement");
    }
    if (!IP_NAME.matcher(ipName).matches()) {
      throw new ConfigurationException("ipName", "'" + ipName + "' must be a letter followed by up to 99 letters, "
          + "digits, '_' or '.'");
    }
    this.ipName = ipName;
    return this;
  }

  /**
   * The most bytes of JSON (before compression) in one request. Default 1,000,000.
   *
   * @param bytes 1,024 to {@value #MAX_REQUEST_BYTES_LIMIT}
   * @return this builder
   */
  public LogAnalyticsClientBuilder maxRequestBytes(int bytes) {
    if (bytes < 1024 || bytes > MAX_REQUEST_BYTES_LIMIT) {
      throw new ConfigurationException("maxRequestBytes", bytes + " is outside 1024.." + MAX_REQUEST_BYTES_LIMIT
          + " (the service's limit is 30 MB)");
    }
    this.maxRequestBytes = bytes;
    return this;
  }

  /**
   * How long a new agent certificate is valid. Default 90 days.
   *
   * @param validity at least 1 day
   * @return this builder
   */
  public LogAnalyticsClientBuilder certificateValidity(Duration validity) {
    if (validity == null || validity.compareTo(Duration.ofDays(1)) < 0) {
      throw new ConfigurationException("certificateValidity", "must be at least 1 day, was " + validity);
    }
    this.certificateValidity = validity;
    return this;
  }

  /**
   * Renew proactively when less than this is left of the certificate's validity. Default 30 days.
   *
   * @param window positive
   * @return this builder
   */
  public LogAnalyticsClientBuilder renewalWindow(Duration window) {
    if (window == null || window.isNegative() || window.isZero()) {
      throw new ConfigurationException("renewalWindow", "must be positive, was " + window);
    }
    this.renewalWindow = window;
    return this;
  }

  /**
   * Trusts the certificates of a PEM file in addition to the JVM's trust store (which stays in force, including
   * {@code javax.net.ssl.trustStore}); for TLS-inspecting proxies and emulators. Host name verification stays on.
   *
   * @param pemFile a file of one or more {@code BEGIN CERTIFICATE} blocks
   * @return this builder
   */
  public LogAnalyticsClientBuilder trustCertificates(Path pemFile) {
    this.trustedCertificates.add(Objects.requireNonNull(pemFile, "pemFile"));
    return this;
  }

  /**
   * Resolves host names. Default the system resolver.
   *
   * @param resolver the resolver
   * @return this builder
   */
  public LogAnalyticsClientBuilder hostResolver(HostResolver resolver) {
    this.hostResolver = Objects.requireNonNull(resolver, "hostResolver");
    return this;
  }

  /**
   * The clock for signatures, record ages and certificate validity. Default the system clock (UTC). Tests move a
   * fake clock.
   *
   * @param clock the clock
   * @return this builder
   */
  public LogAnalyticsClientBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * The Azure resource ID sent as {@code x-ms-AzureResourceId}, which fills {@code _ResourceId}. Default none.
   *
   * @param resourceId an ID starting with {@code /subscriptions/<subscription id>} (the prefix in any case), without
   *     whitespace, control or non-ASCII characters since it travels as a header value (printable ASCII only); or
   *     {@code null}
   * @return this builder
   */
  public LogAnalyticsClientBuilder azureResourceId(String resourceId) {
    if (resourceId != null) {
      for (int i = 0; i < resourceId.length(); i++) {
        char c = resourceId.charAt(i);
        if (Character.isWhitespace(c) || Character.isISOControl(c)) {
          throw new ConfigurationException("azureResourceId", "contains whitespace or a control character at "
              + "position " + (i + 1) + "; it is sent as a header value");
        }
        if (c > '~') {
          throw new ConfigurationException("azureResourceId", "contains the non-ASCII character U+"
              + String.format(Locale.ROOT, "%04X", (int) c) + " at position " + (i + 1)
              + "; it is sent as a header value, which allows printable ASCII only");
        }
      }
      String prefix = "/subscriptions/";
      if (!resourceId.regionMatches(true, 0, prefix, 0, prefix.length())
          || resourceId.length() == prefix.length() || resourceId.charAt(prefix.length()) == '/') {
        throw new ConfigurationException("azureResourceId", "'" + resourceId + "' must start with "
            + "/subscriptions/<subscription id>, as in /subscriptions/<id>/resourceGroups/<group>/providers/"
            + "<namespace>/<type>/<name>");
      }
    }
    this.azureResourceId = resourceId;
    return this;
  }

  /**
   * On the Data Collector path, the record field whose ISO-8601 value becomes {@code TimeGenerated}
   * ({@code time-generated-field}). Default none (ingestion time).
   *
   * @param field the field name, or {@code null}
   * @return this builder
   */
  public LogAnalyticsClientBuilder timeGeneratedField(String field) {
    if (field != null && !field.matches("[A-Za-z_][A-Za-z0-9_]{0,44}")) {
      throw new ConfigurationException("timeGeneratedField", "'" + field + "' is not a valid field name");
    }
    this.timeGeneratedField = field;
    return this;
  }

  /**
   * Builds and starts the client.
   *
   * <p>On the agent path, when the {@link #stateDirectory} holds no agent identity yet, the client onboards with the
   * {@link #credentials}. The first attempt is made here: what retrying cannot cure fails this call (no credentials,
   * a state directory that cannot be written or belongs to another workspace, a shared key the service refuses,
   * which the listener also hears as {@link LogAnalyticsListener#onAuthenticationFailure}). When the attempt fails
   * for a reason that may pass (the network is down, the service answers 5xx or 429), the client is returned
   * anyway: it buffers records, onboards in the background with the {@link #retryPolicy}'s backoff, and uploads
   * once onboarded. This call may therefore wait for one onboarding request.
   *
   * @return the running client
   * @throws ConfigurationException naming the first missing or inconsistent setting
   * @throws AuthenticationException on the agent path when the service refused the shared key while onboarding
   * @throws IllegalStateException when no implementation ({@code io.loganalytics:loganalytics-sdk-impl}) is on the class path
   */
  public LogAnalyticsClient build() {
    if (bufferOptions == null) {
      throw new ConfigurationException("bufferDirectory", "is required: the client keeps records on disk until "
          + "they are delivered");
    }
    validateTransport();
    return Providers.get().createClient(snapshot());
  }

  /**
   * Builds a stand-alone {@link ChunkUploader} with this builder's transport, credentials, cloud, proxy, trust,
   * request size, retry policy and listener, but <b>no disk buffer and no background thread</b>: the caller keeps
   * the records (in memory, or in a system that is itself durable, such as a Kafka topic whose offsets are committed
   * only after {@link UploadResult.Outcome#DELIVERED}), encodes them with {@link ChunkUploader#encode} /
   * {@link ChunkUploader#encodeJson}, groups them with {@link Chunk#of} and calls {@link ChunkUploader#upload} on its
   * own thread. The buffer settings are ignored. With {@link GiveUpAction#DEAD_LETTER} given-up records are still
   * written to the policy's directory; a caller with its own dead-letter queue sets {@link GiveUpAction#DISCARD}
   * and uses {@link UploadResult#givenUpIndexes()}.
   *
   * <p>The uploader does one upload at a time (use one per thread); its encode methods are thread-safe. Closing it
   * ends a wait in progress ({@link UploadResult.Outcome#DEFERRED}) and releases its connections. The agent
   * transport is not supported (it needs the client's session).
   *
   * @return the uploader
   * @throws ConfigurationException naming the first missing or inconsistent setting, or {@code transport} for the
   *     agent transport
   * @throws IllegalStateException when no implementation ({@code io.loganalytics:loganalytics-sdk-impl}) is on the class path
   */
  public ChunkUploader buildUploader() {
    if (transport == Transport.AGENT_CERTIFICATE) {
      throw new ConfigurationException("transport", "AGENT_CERTIFICATE cannot be used by a stand-alone uploader "
          + "(the agent session belongs to a client); use LOGS_INGESTION or DATA_COLLECTOR");
    }
    validateTransport();
    return Providers.get().createUploader(snapshot());
  }

  private void validateTransport() {
    if (transport == Transport.LOGS_INGESTION) {
      if (logsIngestionEndpoint == null) {
        throw new ConfigurationException("logsIngestionEndpoint", "is required for the Logs Ingestion transport "
            + "(the default): call logsIngestion(endpoint, dcrImmutableId), or choose a retired transport "
            + "explicitly");
      }
      if (entraCredential == null && tokenProvider == null) {
        throw new ConfigurationException("entraCredential", "is required for the Logs Ingestion transport: "
            + "entraCredential(EntraCredential.fromEnvironment()) or tokenProvider(...)");
      }
      if (maxRequestBytes > LOGS_INGESTION_MAX_REQUEST_BYTES) {
        throw new ConfigurationException("maxRequestBytes", maxRequestBytes + " is above the Logs Ingestion "
            + "API's limit of " + LOGS_INGESTION_MAX_REQUEST_BYTES + " bytes");
      }
    }
    if (transport == Transport.DATA_COLLECTOR && credentials == null) {
      throw new ConfigurationException("credentials", "are required for the Data Collector transport");
    }
    if (transport == Transport.AGENT_CERTIFICATE && stateDirectory == null) {
      throw new ConfigurationException("stateDirectory", "is required for the agent transport (it holds the "
          + "certificate and omsadmin.conf)");
    }
    if (renewalWindow.compareTo(certificateValidity) >= 0) {
      throw new ConfigurationException("renewalWindow", renewalWindow + " must be shorter than "
          + "certificateValidity " + certificateValidity);
    }
  }

  /**
   * A copy of this builder, handed to the implementation so that changing this builder after {@link #build()}
   * cannot affect the running client.
   */
  private LogAnalyticsClientBuilder snapshot() {
    LogAnalyticsClientBuilder copy = new LogAnalyticsClientBuilder();
    copy.credentials = credentials;
    copy.cloud = cloud;
    copy.transport = transport;
    copy.logsIngestionEndpoint = logsIngestionEndpoint;
    copy.dataCollectionRuleId = dataCollectionRuleId;
    copy.entraCredential = entraCredential;
    copy.tokenProvider = tokenProvider;
    copy.proxy = proxy;
    copy.bufferOptions = bufferOptions;
    copy.retryPolicy = retryPolicy;
    copy.listener = listener;
    copy.stateDirectory = stateDirectory;
    copy.ipName = ipName;
    copy.maxRequestBytes = maxRequestBytes;
    copy.certificateValidity = certificateValidity;
    copy.renewalWindow = renewalWindow;
    copy.trustedCertificates.addAll(trustedCertificates);
    copy.hostResolver = hostResolver;
    copy.clock = clock;
    copy.azureResourceId = azureResourceId;
    copy.timeGeneratedField = timeGeneratedField;
    return copy;
  }

  /** @return the credentials, if set */
  public Optional<WorkspaceCredentials> credentials() {
    return Optional.ofNullable(credentials);
  }

  /** @return the cloud */
  public CloudEnvironment cloud() {
    return cloud;
  }

  /** @return the transport */
  public Transport transport() {
    return transport;
  }

  /** @return the Logs Ingestion endpoint, if set */
  public Optional<URI> logsIngestionEndpoint() {
    return Optional.ofNullable(logsIngestionEndpoint);
  }

  /** @return the default data collection rule's immutable id, if set */
  public Optional<String> dataCollectionRuleId() {
    return Optional.ofNullable(dataCollectionRuleId);
  }

  /** @return the built-in Entra credential, if set */
  public Optional<EntraCredential> entraCredential() {
    return Optional.ofNullable(entraCredential);
  }

  /** @return the user's token provider, if set */
  public Optional<AccessTokenProvider> tokenProvider() {
    return Optional.ofNullable(tokenProvider);
  }

  /** @return the proxy, if set */
  public Optional<ProxyConfig> proxy() {
    return Optional.ofNullable(proxy);
  }

  /** @return the buffer settings (never null after a successful {@link #build()}) */
  public BufferOptions bufferOptions() {
    return bufferOptions;
  }

  /** @return the retry policy */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** @return the listener */
  public LogAnalyticsListener listener() {
    return listener;
  }

  /** @return the state directory, if set */
  public Optional<Path> stateDirectory() {
    return Optional.ofNullable(stateDirectory);
  }

  /** @return the IPName for the agent path */
  public String ipName() {
    return ipName;
  }

  /** @return the request size limit in bytes of JSON */
  public int maxRequestBytes() {
    return maxRequestBytes;
  }

  /** @return the validity of new certificates */
  public Duration certificateValidity() {
    return certificateValidity;
  }

  /** @return the proactive renewal window */
  public Duration renewalWindow() {
    return renewalWindow;
  }

  /** @return the extra trusted PEM files */
  public List<Path> trustedCertificates() {
    return List.copyOf(trustedCertificates);
  }

  /** @return the host resolver */
  public HostResolver hostResolver() {
    return hostResolver;
  }

  /** @return the clock */
  public Clock clock() {
    return clock;
  }

  /** @return the Azure resource ID, if set */
  public Optional<String> azureResourceId() {
    return Optional.ofNullable(azureResourceId);
  }

  /** @return the time-generated field, if set */
  public Optional<String> timeGeneratedField() {
    return Optional.ofNullable(timeGeneratedField);
  }
}
