package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.cert.AgentCertificate;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry points of the agent identity, for the client implementation and the command line. Internal: public only
 * for them; not an API.
 *
 * <ul>
 *   <li>{@link #onboard(AgentOptions)}: registers with the shared key (PROTOCOL §B2) and writes the state directory;
 *   <li>{@link #open(AgentOptions)}: the {@link AgentSession} the upload pipeline uses (heartbeat, renewal, expiry);
 *   <li>{@link #openForClient(AgentOptions)}: the same, but onboarding that fails for a passing reason is left to
 *       the uploader instead of failing;
 *   <li>{@link #renew(AgentOptions)}: renews the certificate now;
 *   <li>{@link #status(Path)}: what a state directory holds, without network.
 * </ul>
 *
 * <p>Stateless and thread-safe; calls for the same state directory must not run at the same time.
 */
public final class AgentIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(AgentIdentity.class);

  private AgentIdentity() {}

  /**
   * Onboards the agent and writes its state. As the legacy agent: when the state directory already holds an agent of
   * the same workspace, its agent GUID is kept, and so is its certificate unless it is inside the renewal window;
   * otherwise a new random GUID and certificate are made. Nothing is written unless the service accepts.
   *
   * @param options the options; {@link AgentOptions#credentials()} is required
   * @return the status of the onboarded agent
   * @throws ConfigurationException naming {@code credentials} when there are none, or {@code stateDirectory} when it
   *     holds an agent of another workspace or a symbolic link in place of {@code certs/} or a key or certificate
   * @throws AuthenticationException when the service refuses the key (HTTP 403): the message gives the service's
   *     reason and what to check, including the clock skew measured from the service's {@code Date}
   * @throws io.loganalytics.sdk.ServiceException for other failures (network, other statuses)
   */
  public static AgentStatus onboard(AgentOptions options) {
    WorkspaceCredentials creds = options.credentials().orElseThrow(() -> new ConfigurationException(
        "credentials", "are required to onboard (workspace ID and shared key)"));
    StateDirectory dir = StateDirectory.of(options.stateDirectory());
    dir.refuseLinks();
    Optional<AgentState> existing = loadIfOnboarded(dir);
    if (existing.isPresent() && !existing.get().workspaceId().equalsIgnoreCase(creds.workspaceId())) {
      throw new ConfigurationException("stateDirectory", dir.directory() + " holds the agent of workspace "
          + existing.get().workspaceId() + "; use one state directory per workspace");
    }
    String guid = existing.map(AgentState::agentGuid).orElseGet(() -> randomUuid(options));
    AgentCertificate certificate = existing.map(AgentState::certificate)
        .filter(c -> options.clock().instant().isBefore(c.notAfter().minus(options.renewalWindow())))
        .orElseGet(() -> options.certificateGenerator().generate(creds.workspaceId(), guid));
    CloudEnvironment cloud = options.cloud().orElseGet(() -> existing
        .map(s -> CloudEnvironment.fromDomain(s.urlTld())).orElse(CloudEnvironment.AZURE_CLOUD));
    AgentServiceClient service = new AgentServiceClient(cloud.topologyRequestUri(creds.workspaceId()),
        options.userAgent(), options.clock(), new ClockSkew(options.clock()), options.listener());
    TopologyResponse answer;
    try (ClientCertificateExecutor executor = HttpClients.withClientCertificate(options.httpSettings(),
        certificate.privateKey(), certificate.certificate())) {
      answer = service.onboard(executor, creds, certificate, guid, options.hostname());
    } catch (AuthenticationException e) {
      try {
        options.listener().onAuthenticationFailure(e);
      } catch (RuntimeException listenerFailure) {
        LOG.warn("A LogAnalyticsListener threw; ignored", listenerFailure);
      }
      throw e;
    }
    Map<String, String> conf = new LinkedHashMap<>();
    existing.ifPresent(s -> conf.putAll(s.conf().entries()));
    conf.put(OmsAdminConf.WORKSPACE_ID, creds.workspaceId());
    conf.put(OmsAdminConf.AGENT_GUID, guid);
    conf.putIfAbsent(OmsAdminConf.LOG_FACILITY, "local0");
    conf.put(OmsAdminConf.CERTIFICATE_UPDATE_ENDPOINT, answer.certificateUpdateEndpoint()
        .map(Object::toString).orElse(cloud.renewCertificateUri(creds.workspaceId()).toString()));
    conf.put(OmsAdminConf.URL_TLD, cloud.domain());
    conf.put(OmsAdminConf.DSC_ENDPOINT, answer.dscEndpoint().orElse(""));
    conf.put(OmsAdminConf.OMS_ENDPOINT, cloud.odsUploadUri(creds.workspaceId()).toString());
    conf.putIfAbsent(OmsAdminConf.AZURE_RESOURCE_ID, "");
    conf.putIfAbsent(OmsAdminConf.OMSCLOUD_ID, "");
    conf.putIfAbsent(OmsAdminConf.UUID, "");
    OmsAdminConf checked;
    try {
      checked = OmsAdminConf.of(conf);
    } catch (IllegalArgumentException e) {
      throw new ServiceException("The onboarding reply from " + cloud.topologyRequestUri(creds.workspaceId())
          .getHost() + " cannot be saved: " + e.getMessage(), 200, null, null, true, e);
    }
    AgentState state = new AgentState(checked, certificate);
    dir.save(state);
    LOG.info("Agent {} onboarded to workspace {}; state written to {} (certificate expires {})", guid,
        creds.workspaceId(), dir.directory(), certificate.notAfter());
    return new AgentStatus(dir.directory(), state);
  }

  /**
   * Starts the agent session of a state directory: onboards first when the directory is empty and credentials are
   * given, then heartbeats, renews and reports expiry in the background until closed.
   *
   * @param options the options
   * @return the running session; close it when done
   * @throws ConfigurationException naming {@code stateDirectory} when it is not onboarded and there are no
   *     credentials, or it holds another workspace's agent
   */
  public static AgentSession open(AgentOptions options) {
    DefaultAgentSession session = create(options);
    session.start();
    return session;
  }

  /**
   * The session a client starts with: onboarding, when the state directory holds no identity yet, is tried once
   * here; if that fails for a reason that may pass (network, HTTP 5xx or 429), the returned session is not onboarded
   * yet and onboards when the uploader calls {@link AgentSession#ensureIdentity()}, so that the client buffers
   * records meanwhile (PROTOCOL §B8). Failures that retrying cannot cure are thrown at once.
   *
   * @param options the options
   * @return the session, running or waiting to onboard; close it when done
   * @throws ConfigurationException naming {@code stateDirectory} when it is not a writable directory, is not
   *     onboarded and there are no credentials, or holds another workspace's agent
   * @throws AuthenticationException when the service refused the shared key (HTTP 403); the listener heard it too
   * @throws LogAnalyticsException for any other failure that is not {@linkplain LogAnalyticsException#isRetryable()
   *     retryable}
   */
  public static AgentSession openForClient(AgentOptions options) {
    return LazyAgentSession.open(options);
  }

  /**
   * Renews the certificate now (RenewCertificate, else onboarding again with the shared key when credentials are
   * given), verifies it with a heartbeat and writes it.
   *
   * @param options the options
   * @return the status with the new certificate
   * @throws LogAnalyticsException (retryable) when the renewal failed; the old certificate is kept
   */
  public static AgentStatus renew(AgentOptions options) {
    try (DefaultAgentSession session = create(options)) {
      if (!session.renew("manual")) {
        throw new LogAnalyticsException("The certificate of " + options.stateDirectory() + " could not be renewed; "
            + "the current one (expires " + session.certificateExpiry() + ") was kept. See the log for the "
            + "service's answers.", true);
      }
      return new AgentStatus(options.stateDirectory().toAbsolutePath(), session.state());
    }
  }

  /**
   * Reads a state directory without network.
   *
   * @param stateDirectory the directory
   * @return its status
   * @throws ConfigurationException naming {@code stateDirectory} when it is not onboarded or unreadable
   */
  public static AgentStatus status(Path stateDirectory) {
    StateDirectory dir = StateDirectory.of(stateDirectory);
    return new AgentStatus(dir.directory(), dir.load());
  }

  private static Optional<AgentState> loadIfOnboarded(StateDirectory dir) {
    if (!dir.isOnboarded()) {
      return Optional.empty();
    }
    try {
      return Optional.of(dir.load());
    } catch (ConfigurationException e) {
      LOG.warn("The existing state in {} is unusable ({}); onboarding as a new agent", dir.directory(),
          e.getMessage());
      return Optional.empty();
    }
  }

  static DefaultAgentSession create(AgentOptions options) {
    StateDirectory dir = StateDirectory.of(options.stateDirectory());
    if (!dir.isOnboarded()) {
      if (options.credentials().isEmpty()) {
        throw new ConfigurationException("stateDirectory", dir.directory() + " is not onboarded and no workspace "
            + "credentials were given to onboard it");
      }
      onboard(options);
    }
    AgentState state = dir.load();
    options.credentials().ifPresent(c -> {
      if (!c.workspaceId().equalsIgnoreCase(state.workspaceId())) {
        throw new ConfigurationException("stateDirectory", dir.directory() + " holds the agent of workspace "
            + state.workspaceId() + ", not of " + c.workspaceId());
      }
    });
    return new DefaultAgentSession(options, dir, state);
  }

  /** A version 4 UUID from the injected randomness, lowercase as the agent's {@code SecureRandom.uuid}. */
  static String randomUuid(AgentOptions options) {
    byte[] b = new byte[16];
    options.random().nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (b[i] & 0xff);
      lsb = (lsb << 8) | (b[i + 8] & 0xff);
    }
    return new UUID(msb, lsb).toString();
  }
}
