package io.loganalytics.testkit;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.HostResolver;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local, strict Log Analytics workspace for offline tests: it serves, over TLS on {@code 127.0.0.1}, the
 * endpoints of PROTOCOL §B1 under the host names the real service uses ({@code <ws>.oms.<domain>},
 * {@code <ws>.ods.<domain>}), so that the SDK runs unchanged against it given {@link #cloud()},
 * {@link #hostResolver()} and the emulator's CA ({@link #caCertificatePem()}) as an extra trust anchor.
 *
 * <h2>Endpoints and checks</h2>
 * <ul>
 *   <li>{@code POST /AgentService.svc/LinuxAgentTopologyRequest} on the OMS host. <b>Onboarding</b> (with an
 *       {@code Authorization: <ws>; <signature>} header): the shared-key signature of §B2 step 4 with either key,
 *       {@code x-ms-SHA256_Content} equal to the SHA-256 of the body, {@code x-ms-Date} (ISO-8601 with offset) within
 *       the allowed skew of the emulator clock, the XML shape, a client certificate equal to
 *       {@code AuthenticationCertificate} whose subject is {@code CN=<ws>, CN=<agent GUID>,
 *       OU=Linux Monitoring Agent, O=Microsoft} and which has not expired. Failures answer 403 with
 *       {@code <Reason>InvalidWorkspaceKey</Reason>} for every signature, hash and date problem (the real service
 *       does not tell them apart; {@link ReceivedRequest#reason()} does), other reasons for certificate problems,
 *       and 400 {@code InvalidRequestFormat} for a malformed body. <b>Heartbeat</b> (no {@code Authorization}): the
 *       client certificate must be registered to the agent named by {@code EntityTypeId} and not expired.
 *       Both answer a {@code LinuxAgentTopologyResponse}.
 *   <li>{@code POST /AgentService.svc/AgentTelemetry} on the OMS host: accepted (200, nothing stored) from a
 *       registered, unexpired client certificate.
 *   <li>{@code POST /ConfigurationService.Svc/RenewCertificate} on the OMS host: the client certificate must be the
 *       agent's current one; {@code CertificateUpdateRequest/NewCertificate} becomes current. The previous
 *       certificate keeps working for {@link Builder#renewalGracePeriod(Duration) a grace period} (default one
 *       hour), so that a client that rolls a renewal back is not cut off.
 *   <li>{@code POST /OperationalData.svc/PostJsonDataItems} on the ODS host: a registered, unexpired client
 *       certificate; {@code Content-Type: application/json}; optional {@code Content-Encoding: deflate} (zlib); the
 *       envelope {@code {"DataType","IPName","DataItems"}}.
 *   <li>{@code POST /api/logs?api-version=2016-04-01} on the ODS host: the checks and error codes of §B5d, the
 *       signature over the body's byte length, the {@code Content-Type} header as sent and {@code x-ms-date}
 *       (RFC 1123, within the allowed skew). A body above {@link Builder#maxRequestBytes(int)} is answered
 *       {@code 413} (or {@code 404} as the documentation says, with {@link Builder#tooLargeStatus(int)}); a string
 *       value over 32 KB is rejected with 400 {@code InvalidDataFormat} where the real service would truncate it
 *       (the other body rules are in {@code JsonBodies}: letters, digits and {@code _} in property names, at most 45
 *       characters, no reserved names, nested values allowed). {@code Content-Encoding} is refused on this path,
 *       where compression is undocumented.
 * </ul>
 * Errors of the agent paths have an XML body {@code <Error><Reason>code</Reason><Message>detail</Message></Error>};
 * errors of the Data Collector path a JSON body {@code {"Error":"code","Message":"detail"}}, as the service's.
 * Paths are matched without case, as the real (IIS) service does. Every answer carries a {@code Date} header from
 * the emulator clock (the builder's clock plus {@link Faults#clockSkew(Duration)}), so clients can learn the skew.
 * A request for a host that is not {@code <this workspace>.oms|ods.<domain>} is refused (403 on the agent paths,
 * 400 {@code InvalidCustomerId} on the Data Collector path).
 *
 * <h2>Why MockWebServer</h2>
 * The server is OkHttp's {@code mockwebserver3} with a custom dispatcher rather than the JDK's {@code HttpsServer}:
 * it gives per-request access to the TLS handshake (the client certificate), speaks plain HTTP/1.1, and has the
 * fault primitives the tests need (socket disconnects, delayed headers) built in and well tested; the JDK server
 * has no way to reset a connection on purpose and no per-exchange TLS session in a supported API. Its TLS context
 * requests a client certificate and accepts any one, self-signed included, as the real service does; the
 * certificate is then checked per request against what onboarding registered.
 *
 * <h2>Memory</h2>
 * Every accepted record and every request (headers, not bodies) is kept in memory until {@link #clearReceived()};
 * a long-running emulator fed by a big stream should be cleared now and then.
 *
 * <h2>Threading</h2>
 * Thread-safe. Requests are served on MockWebServer's threads; the query methods return snapshots and may be called
 * from any thread while clients are sending. {@link #awaitRecords(int, Duration)} blocks until enough records arrived.
 */
public final class WorkspaceEmulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkspaceEmulator.class);

  private final String workspaceId;
  private final CloudEnvironment baseCloud;
  private final Clock clock;
  private final int maxRequestBytes;
  private final Duration allowedClockSkew;
  private final Duration renewalGracePeriod;
  private final int tooLargeStatus;
  private final Duration queryInterval;
  private final Duration telemetryReportInterval;
  private final Faults faults = new Faults();
  private final AgentRegistry agents = new AgentRegistry();
  private final EmulatorTls tls;
  private final MockWebServer server = new MockWebServer();
  private final Object receivedLock = new Object();
  private final List<ReceivedRecord> records = new ArrayList<>();
  private final List<ReceivedRequest> requests = new ArrayList<>();
  private volatile SharedKeys keys;
  private volatile CloudEnvironment cloud;
  private volatile boolean closed;
  private final LogsIngestionService ingestion;

  private WorkspaceEmulator(Builder b) {
    this.workspaceId = b.workspaceId;
    this.baseCloud = CloudEnvironment.fromDomain(b.domain);
    this.clock = b.clock;
    this.maxRequestBytes = b.maxRequestBytes;
    this.allowedClockSkew = b.allowedClockSkew;
    this.renewalGracePeriod = b.renewalGracePeriod;
    this.tooLargeStatus = b.tooLargeStatus;
    this.queryInterval = b.queryInterval;
    this.telemetryReportInterval = b.telemetryReportInterval;
    this.keys = new SharedKeys(b.sharedKey, b.secondaryKey);
    this.tls = EmulatorTls.create(baseCloud.domain(), b.clock.instant());
    this.ingestion = new LogsIngestionService(java.util.UUID.randomUUID().toString(),
        "https://monitor." + baseCloud.domain(), Duration.ofHours(1));
  }

  // ---------------------------------------------------------------- Logs Ingestion API and Entra ID

  LogsIngestionService ingestion() {
    return ingestion;
  }

  /**
   * The emulator's Entra tenant, a random GUID.
   *
   * @return the tenant id
   */
  public String tenantId() {
    return ingestion.tenantId;
  }

  /**
   * The cloud for the Logs Ingestion transport: {@link #cloud()} with the emulator's Entra authority
   * ({@code https://login.<domain>:<port>/}) and ingestion audience ({@code https://monitor.<domain>}).
   *
   * @return the cloud
   */
  public CloudEnvironment logsIngestionCloud() {
    return cloud.withAuthorityHost(java.net.URI.create("https://login." + baseCloud.domain() + ":" + port() + "/"))
        .withIngestionAudience(ingestion.audience);
  }

  /**
   * The data collection endpoint, {@code https://dce.ingest.<domain>:<port>}.
   *
   * @return the endpoint
   */
  public java.net.URI logsIngestionEndpoint() {
    return java.net.URI.create("https://dce.ingest." + baseCloud.domain() + ":" + port());
  }

  /**
   * Registers an app (a service principal) with a client secret in the emulator's tenant.
   *
   * @param clientId the client id, a GUID
   * @param secret the secret's value
   * @return the credential a client uses for it
   */
  public io.loganalytics.sdk.EntraCredential registerClientSecret(String clientId, String secret) {
    LogsIngestionService.App app = ingestion.apps.computeIfAbsent(clientId.toLowerCase(Locale.ROOT),
        LogsIngestionService.App::new);
    app.secret = secret;
    return io.loganalytics.sdk.EntraCredential.clientSecret(ingestion.tenantId, clientId, secret);
  }

  /**
   * Registers a certificate for an app (client assertions signed with its key are accepted).
   *
   * @param clientId the client id, a GUID
   * @param certificate the certificate
   */
  public void registerClientCertificate(String clientId, java.security.cert.X509Certificate certificate) {
    ingestion.apps.computeIfAbsent(clientId.toLowerCase(Locale.ROOT), LogsIngestionService.App::new)
        .certificates.add(certificate);
  }

  /**
   * Registers a federated token for an app (workload identity).
   *
   * @param clientId the client id, a GUID
   * @param federatedToken the token the app presents as its assertion
   */
  public void registerFederatedToken(String clientId, String federatedToken) {
    ingestion.apps.computeIfAbsent(clientId.toLowerCase(Locale.ROOT), LogsIngestionService.App::new)
        .federatedTokens.add(federatedToken);
  }

  /**
   * Stops accepting a federated token for an app (its issuer rotated it; an old one presented again is refused with
   * {@code AADSTS700213}, as a token whose subject no longer matches).
   *
   * @param clientId the client id, a GUID
   * @param federatedToken the token
   */
  public void revokeFederatedToken(String clientId, String federatedToken) {
    LogsIngestionService.App app = ingestion.apps.get(clientId.toLowerCase(Locale.ROOT));
    if (app != null) {
      app.federatedTokens.remove(federatedToken);
    }
  }

  /**
   * Accepts the tokens of a managed identity endpoint at the ingestion endpoint (as Azure Monitor accepts the tokens
   * of a VM's identity), and makes that endpoint issue tokens for this emulator's ingestion audience. The identity's
   * client ID ({@link ManagedIdentityEmulator#SYSTEM_ASSIGNED_CLIENT_ID} for the system-assigned one) is what
   * {@link #grantPublisher(String, String)} grants. The expiry is the identity emulator's.
   *
   * @param identity the managed identity emulator
   */
  public void trustManagedIdentity(ManagedIdentityEmulator identity) {
    identity.acceptResource(ingestion.audience);
    ingestion.trustedIdentities.add(identity);
  }

  /**
   * How long the tokens the emulator issues from now on are valid. Default one hour.
   *
   * @param lifetime the lifetime
   */
  public void tokenLifetime(Duration lifetime) {
    ingestion.tokenLifetime = lifetime;
  }

  /**
   * Creates a data collection rule with these streams.
   *
   * @param dcrImmutableId the DCR's immutable id ({@code dcr-} and 32 hexadecimal digits)
   * @param streams the declared streams, such as {@code Custom-MyTable_CL}
   */
  public void createDataCollectionRule(String dcrImmutableId, String... streams) {
    LogsIngestionService.Dcr dcr = ingestion.dcrs.computeIfAbsent(dcrImmutableId.toLowerCase(Locale.ROOT),
        LogsIngestionService.Dcr::new);
    dcr.streams.addAll(List.of(streams));
  }

  /**
   * Grants an app "Monitoring Metrics Publisher" on a data collection rule.
   *
   * @param dcrImmutableId the DCR's immutable id
   * @param clientId the app's client id
   */
  public void grantPublisher(String dcrImmutableId, String clientId) {
    LogsIngestionService.Dcr dcr = ingestion.dcrs.get(dcrImmutableId.toLowerCase(Locale.ROOT));
    if (dcr == null) {
      throw new IllegalArgumentException("no data collection rule " + dcrImmutableId);
    }
    dcr.publishers.add(clientId.toLowerCase(Locale.ROOT));
  }

  /**
   * A builder with every default: a random workspace GUID, a random 64-byte primary key, no secondary key, the
   * domain {@code emulator.test}, the system clock (UTC), requests up to 30 MB, 15 minutes of allowed clock skew, a
   * one-hour grace period for replaced certificates, 413 for requests that are too large, a random port.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private void startServer(int port) {
    server.setProtocolNegotiationEnabled(false);
    server.setProtocols(List.of(Protocol.HTTP_1_1));
    server.useHttps(tls.serverContext().getSocketFactory());
    server.requestClientAuth();
    server.setBodyLimit(maxRequestBytes);
    server.setDispatcher(new EmulatorDispatcher(this));
    try {
      server.start(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the workspace emulator on 127.0.0.1:" + port, e);
    }
    cloud = baseCloud.withPort(server.getPort());
    LOG.debug("Workspace emulator for {} listening on 127.0.0.1:{}", workspaceId, server.getPort());
  }

  /**
   * The workspace GUID, lowercase.
   *
   * @return the workspace id
   */
  public String workspaceId() {
    return workspaceId;
  }

  /**
   * The current primary shared key (base64). A test secret, not a real one, so it is handed out freely.
   *
   * @return the primary key
   */
  public String sharedKey() {
    return keys.primaryBase64();
  }

  /**
   * The current secondary shared key (base64).
   *
   * @return the secondary key, or {@code null} when none was set
   */
  public String secondaryKey() {
    return keys.secondaryBase64();
  }

  /**
   * New SDK credentials for this workspace with the current keys. Each call returns a new object, so that a client
   * rotating its keys does not affect others.
   *
   * @return the credentials
   */
  public WorkspaceCredentials credentials() {
    SharedKeys k = keys;
    return WorkspaceCredentials.of(workspaceId, k.primaryBase64(), k.secondaryBase64());
  }

  /**
   * The cloud the SDK should use: the emulator's domain on its port.
   *
   * @return {@code CloudEnvironment.fromDomain(domain).withPort(port)}
   */
  public CloudEnvironment cloud() {
    return cloud;
  }

  /**
   * The port the emulator listens on, at {@code 127.0.0.1}.
   *
   * @return the port
   */
  public int port() {
    return server.getPort();
  }

  /**
   * A resolver that maps every host under the emulator's domain ({@code <ws>.oms.<domain>},
   * {@code <ws>.ods.<domain>}, ...) to {@code 127.0.0.1} and asks the system resolver for any other host.
   *
   * @return the resolver; thread-safe
   */
  public HostResolver hostResolver() {
    String suffix = "." + baseCloud.domain();
    HostResolver system = HostResolver.system();
    return host -> {
      String h = host.toLowerCase(Locale.ROOT);
      if (h.endsWith(".")) {
        h = h.substring(0, h.length() - 1);
      }
      if (h.endsWith(suffix) || h.equals(baseCloud.domain())) {
        try {
          return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
        } catch (UnknownHostException e) {
          throw new IllegalStateException("cannot build the loopback address", e);
        }
      }
      return system.resolve(host);
    };
  }

  /**
   * The emulator's own test CA, the trust anchor clients need, as PEM. It is generated at start and is only ever
   * used by this emulator.
   *
   * @return the PEM text ({@code -----BEGIN CERTIFICATE-----} ...)
   */
  public String caCertificatePem() {
    return tls.caCertificatePem();
  }

  /**
   * The emulator's test CA certificate.
   *
   * @return the CA certificate
   */
  public X509Certificate caCertificate() {
    return tls.caCertificate();
  }

  /**
   * Writes {@link #caCertificatePem()} to a file, creating parent directories.
   *
   * @param file the target
   * @return {@code file}
   * @throws UncheckedIOException when the file cannot be written
   */
  public Path writeCaCertificate(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, caCertificatePem(), StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the emulator's CA certificate to " + file, e);
    }
  }

  /**
   * Every record accepted so far, in arrival order.
   *
   * @return a snapshot
   */
  public List<ReceivedRecord> records() {
    synchronized (receivedLock) {
      return List.copyOf(records);
    }
  }

  /**
   * The records of one type ({@code DataType} on the agent path, {@code Log-Type} on the Data Collector path).
   *
   * @param type the type, compared exactly
   * @return a snapshot
   */
  public List<ReceivedRecord> records(String type) {
    List<ReceivedRecord> matching = new ArrayList<>();
    for (ReceivedRecord r : records()) {
      if (r.type().equals(type)) {
        matching.add(r);
      }
    }
    return List.copyOf(matching);
  }

  /**
   * How many records were accepted so far.
   *
   * @return the count
   */
  public int recordCount() {
    synchronized (receivedLock) {
      return records.size();
    }
  }

  /**
   * Waits until at least {@code count} records were accepted, or the timeout passes. For tests of asynchronous
   * clients; it wakes as soon as records arrive, it does not poll.
   *
   * @param count the number of records to wait for
   * @param timeout the longest wait
   * @return {@code true} when the count was reached
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitRecords(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (receivedLock) {
      while (records.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(receivedLock, left);
      }
      return true;
    }
  }

  /**
   * Every request received so far, accepted or not, in arrival order.
   *
   * @return a snapshot
   */
  public List<ReceivedRequest> requests() {
    synchronized (receivedLock) {
      return List.copyOf(requests);
    }
  }

  /** Forgets the stored records and requests (registered agents and faults stay). */
  public void clearReceived() {
    synchronized (receivedLock) {
      records.clear();
      requests.clear();
    }
  }

  /**
   * The fault injection of this emulator.
   *
   * @return the faults; thread-safe
   */
  public Faults faults() {
    return faults;
  }

  /**
   * The GUIDs of the agents that onboarded.
   *
   * @return a sorted snapshot
   */
  public Set<String> registeredAgents() {
    return agents.agentIds();
  }

  /**
   * Replaces the workspace keys, as "Regenerate" in the portal: signatures made with the old keys are refused from
   * now on (onboarding and the Data Collector API); certificates already registered keep working until they expire.
   *
   * @param newPrimary the new base64 primary key
   * @param newSecondary the new base64 secondary key, or {@code null} for none
   * @throws ConfigurationException naming the invalid key; the keys are then unchanged
   */
  public void regenerateKeys(String newPrimary, String newSecondary) {
    WorkspaceCredentials.of(workspaceId, newPrimary, newSecondary); // validates both, naming the field
    keys = new SharedKeys(newPrimary, newSecondary);
  }

  /** The emulator's current time: the builder's clock plus the injected skew. */
  Instant now() {
    return clock.instant().plus(faults.clockSkewValue());
  }

  void addRecords(List<ReceivedRecord> accepted) {
    synchronized (receivedLock) {
      records.addAll(accepted);
      receivedLock.notifyAll();
    }
  }

  void addRequest(ReceivedRequest request) {
    synchronized (receivedLock) {
      requests.add(request);
    }
  }

  SharedKeys keys() {
    return keys;
  }

  AgentRegistry agents() {
    return agents;
  }

  String domain() {
    return baseCloud.domain();
  }

  int maxRequestBytes() {
    return maxRequestBytes;
  }

  Duration allowedClockSkew() {
    return allowedClockSkew;
  }

  Duration renewalGracePeriod() {
    return renewalGracePeriod;
  }

  int tooLargeStatus() {
    return tooLargeStatus;
  }

  Duration queryInterval() {
    return queryInterval;
  }

  Duration telemetryReportInterval() {
    return telemetryReportInterval;
  }

  MockWebServer server() {
    return server;
  }

  /**
   * Whether the emulator still serves requests.
   *
   * @return {@code false} once {@link #close()} was called
   */
  public boolean isRunning() {
    return !closed;
  }

  /** Stops the server and closes its connections. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    LOG.debug("Workspace emulator for {} stopped", workspaceId);
  }

  @Override
  public String toString() {
    return "WorkspaceEmulator{workspaceId=" + workspaceId + ", domain=" + baseCloud.domain() + ", port="
        + (cloud == null ? "-" : String.valueOf(cloud.port())) + ", sharedKey=OBFUSCATED}";
  }

  /**
   * Configures and starts a {@link WorkspaceEmulator}. Setters validate at once and throw
   * {@link ConfigurationException} naming the field. Not thread-safe.
   */
  public static final class Builder {
    private String workspaceId = UUID.randomUUID().toString();
    private String sharedKey;
    private String secondaryKey;
    private String domain = "emulator.test";
    private Clock clock = Clock.systemUTC();
    private int maxRequestBytes = 30 * 1024 * 1024;
    private Duration allowedClockSkew = Duration.ofMinutes(15);
    private Duration renewalGracePeriod = Duration.ofHours(1);
    private int tooLargeStatus = 413;
    private Duration queryInterval = Duration.ofHours(1);
    private Duration telemetryReportInterval = Duration.ofMinutes(10);
    private int port;

    private Builder() {}

    /**
     * The workspace GUID. Default: a random one.
     *
     * @param workspaceId a GUID
     * @return this
     */
    public Builder workspaceId(String workspaceId) {
      this.workspaceId = WorkspaceCredentials.validateWorkspaceId(workspaceId);
      return this;
    }

    /**
     * The primary shared key. Default: 64 random bytes, base64.
     *
     * @param sharedKey the base64 key
     * @return this
     */
    public Builder sharedKey(String sharedKey) {
      WorkspaceCredentials.of("00000000-0000-0000-0000-000000000000", sharedKey);
      this.sharedKey = sharedKey.strip();
      return this;
    }

    /**
     * The secondary shared key, also accepted for signatures. Default: none.
     *
     * @param secondaryKey the base64 key, or {@code null} for none
     * @return this
     */
    public Builder secondaryKey(String secondaryKey) {
      if (secondaryKey != null) {
        try {
          WorkspaceCredentials.of("00000000-0000-0000-0000-000000000000", secondaryKey);
        } catch (ConfigurationException e) {
          throw new ConfigurationException("secondaryKey", e.getMessage().replaceFirst("^sharedKey: ", ""));
        }
      }
      this.secondaryKey = secondaryKey == null ? null : secondaryKey.strip();
      return this;
    }

    /**
     * The cloud domain the emulator serves, as the agent's {@code -d}. Default {@code emulator.test} (the
     * {@code .test} TLD never resolves on the internet).
     *
     * @param domain a DNS name
     * @return this
     */
    public Builder domain(String domain) {
      this.domain = CloudEnvironment.fromDomain(domain).domain();
      return this;
    }

    /**
     * The emulator's clock, for the {@code Date} header, the skew checks, certificate expiry and record times.
     * Default: the system clock in UTC.
     *
     * @param clock the clock
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The largest request body accepted, in bytes, on the wire and after inflating. Default 30 MB
     * (31,457,280 bytes), the Data Collector limit; set 1,000,000 to emulate a 1 MB limit. The Logs Ingestion
     * endpoint takes the lower of this and its own 1 MB (1,048,576 bytes) and answers 413 above it.
     *
     * @param maxRequestBytes at least 1
     * @return this
     */
    public Builder maxRequestBytes(int maxRequestBytes) {
      if (maxRequestBytes < 1) {
        throw new ConfigurationException("maxRequestBytes", maxRequestBytes + " is less than 1");
      }
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    /**
     * How far {@code x-ms-Date}/{@code x-ms-date} may be from the emulator clock. Default 15 minutes (the real
     * value is undocumented).
     *
     * @param allowedClockSkew not negative
     * @return this
     */
    public Builder allowedClockSkew(Duration allowedClockSkew) {
      this.allowedClockSkew = nonNegative("allowedClockSkew", allowedClockSkew);
      return this;
    }

    /**
     * How long a replaced certificate keeps working after renewal or re-onboarding. Default one hour.
     *
     * @param renewalGracePeriod not negative; zero cuts the old certificate off at once
     * @return this
     */
    public Builder renewalGracePeriod(Duration renewalGracePeriod) {
      this.renewalGracePeriod = nonNegative("renewalGracePeriod", renewalGracePeriod);
      return this;
    }

    /**
     * The status for a request above {@link #maxRequestBytes(int)}: 413 (default) or 404, which the Data
     * Collector documentation names for "request too large". The body's error code is {@code RequestTooLarge}
     * either way.
     *
     * @param status 413 or 404
     * @return this
     */
    public Builder tooLargeStatus(int status) {
      if (status != 413 && status != 404) {
        throw new ConfigurationException("tooLargeStatus", status + " is neither 413 nor 404");
      }
      this.tooLargeStatus = status;
      return this;
    }

    /**
     * The {@code queryInterval} of topology answers. Default one hour.
     *
     * @param queryInterval positive
     * @return this
     */
    public Builder queryInterval(Duration queryInterval) {
      this.queryInterval = positive("queryInterval", queryInterval);
      return this;
    }

    /**
     * The {@code telemetryReportInterval} of topology answers. Default ten minutes.
     *
     * @param telemetryReportInterval positive
     * @return this
     */
    public Builder telemetryReportInterval(Duration telemetryReportInterval) {
      this.telemetryReportInterval = positive("telemetryReportInterval", telemetryReportInterval);
      return this;
    }

    /**
     * The port to listen on at {@code 127.0.0.1}. Default 0, a free port chosen by the system.
     *
     * @param port 0 to 65535
     * @return this
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new ConfigurationException("port", port + " is outside 0..65535");
      }
      this.port = port;
      return this;
    }

    /**
     * Creates the TLS material and starts listening.
     *
     * @return the running emulator; close it when done
     * @throws UncheckedIOException when the port cannot be bound
     */
    public WorkspaceEmulator start() {
      if (sharedKey == null) {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        sharedKey = Base64.getEncoder().encodeToString(key);
      }
      WorkspaceEmulator emulator = new WorkspaceEmulator(this);
      emulator.startServer(port);
      return emulator;
    }

    private static Duration nonNegative(String field, Duration d) {
      if (d == null || d.isNegative()) {
        throw new ConfigurationException(field, d == null ? "is missing" : d + " is negative");
      }
      return d;
    }

    private static Duration positive(String field, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new ConfigurationException(field, d == null ? "is missing" : d + " is not positive");
      }
      return d;
    }

    @Override
    public String toString() {
      return "WorkspaceEmulator.Builder{workspaceId=" + workspaceId + ", domain=" + domain
          + ", sharedKey=OBFUSCATED}";
    }
  }
}
