package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.cert.AgentCertificate;
import io.loganalytics.sdk.impl.cert.CertificateGenerator;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.ClientCertificateRefusedException;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent identity: heartbeat, certificate renewal and expiry reporting around one
 * {@link ClientCertificateExecutor} that the upload pipeline uses.
 *
 * <p><b>Heartbeat</b> (PROTOCOL §B4): a topology request on the certificate every 20 minutes, or every
 * {@code queryInterval} the service names when it lies within 60 s..7 days. An answer with
 * {@code updateCertificate="true"} starts a renewal; a refused heartbeat (401/403, or the certificate refused during
 * the TLS handshake) too, at most once per
 * {@link AgentOptions#renewalRetryInterval()}.
 *
 * <p><b>Checks</b> (every {@link AgentOptions#checkInterval()}, no network): new credentials
 * ({@link WorkspaceCredentials#generation()} changed) renew at once; fewer than {@link AgentOptions#renewalWindow()}
 * left renews proactively (a failure is retried after the retry interval); an expired certificate is reported once
 * per certificate through {@link LogAnalyticsListener#onCertificateExpired}.
 *
 * <p><b>Renewal</b> (A2): a fresh key and certificate with the same subject; {@code RenewCertificate} authenticated by
 * the current certificate; when that is impossible (expired) or refused, onboarding again with the shared key under
 * the same agent GUID. RenewCertificate goes to the {@code CertificateUpdateEndpoint} the service named only when
 * that is {@code https} on the cloud's domain or a subdomain of it, else to the cloud's usual renewal URL. Then one
 * verification heartbeat on the new certificate, whose own {@code updateCertificate}
 * is ignored (no recursion). Only after it succeeded is the new state written (atomically) and the executor switched:
 * requests in flight finish on the old certificate, later ones present the new one, without a restart. Any failure
 * rolls back: the old certificate stays in use, in memory and as {@code oms.crt}/{@code oms.key}, the listener hears
 * {@link LogAnalyticsListener#onCertificateRenewalFailed} and, inside the renewal window,
 * {@link LogAnalyticsListener#onCertificateExpiring} with the expiry time (at most once a day per certificate).
 *
 * <p><b>Pending pair.</b> Once the service has registered a new certificate it may stop accepting the old one (the
 * emulator keeps it for a grace period only), so a registered pair is never thrown away because its verification
 * heartbeat failed: it is written as {@code certs/oms.crt.new} and {@code certs/oms.key.new} (mode 0600, atomically;
 * see {@link StateDirectory#savePending}) before the verification, and kept, in memory and across restarts, while
 * the old certificate stays in use. The next heartbeat and the next renewal first verify the pending pair again
 * (no new key is generated while one is pending); verified, it becomes the certificate in use; refused by the
 * service (401/403 or a TLS refusal), it is deleted. When the old certificate is refused while a pair is pending,
 * the session switches to the pending pair.
 *
 * <p><b>Threading.</b> Heartbeats and checks run on the scheduler; nothing escapes a scheduled task (anything
 * thrown is logged, a renewal's failure also reported, and the schedule goes on); renewals and state writes are serialized by one
 * lock; {@link #executor()}, {@link #certificateExpiry()} and {@link #onAuthenticationFailure} may be called from any
 * thread and never block on the network.
 */
final class DefaultAgentSession implements AgentSession {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAgentSession.class);
  private static final Duration AUTH_PROBE_MIN_SPACING = Duration.ofMinutes(1);
  private static final Duration EXPIRING_REPORT_SPACING = Duration.ofDays(1);
  /** What the retry of a pending pair found. */
  private enum PendingOutcome { IN_USE, REFUSED, UNVERIFIED }

  private final AgentOptions options;
  private final StateDirectory directory;
  private final CloudEnvironment cloud;
  private final AgentServiceClient service;
  private final ClientCertificateExecutor executor;
  private final CertificateGenerator generator;
  private final AgentScheduler scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final String hostname;
  private final Object renewalLock = new Object();
  private final AtomicReference<Instant> lastAuthProbe = new AtomicReference<>();
  private final AtomicBoolean rotationCheckPending = new AtomicBoolean();

  private volatile AgentState state;
  private volatile Duration heartbeatInterval;
  private volatile boolean closed;
  private volatile long seenGeneration;
  // Guarded by renewalLock.
  private Instant lastRenewalFailure;
  private String expiredReportedSerial;
  private String rejectedEndpoint;
  private AgentCertificate pending;
  private String pendingTrigger;
  private String expiringReportedSerial;
  private Instant expiringReportedAt;
  // Guarded by this.
  private AgentScheduler.Task heartbeatTask;
  private AgentScheduler.Task checkTask;

  DefaultAgentSession(AgentOptions options, StateDirectory directory, AgentState state) {
    this.options = options;
    this.directory = directory;
    this.state = state;
    this.clock = options.clock();
    this.cloud = options.cloud().orElseGet(() -> CloudEnvironment.fromDomain(state.urlTld()));
    this.service = new AgentServiceClient(cloud.topologyRequestUri(state.workspaceId()), options.userAgent(), clock,
        new ClockSkew(clock), options.listener());
    this.generator = options.certificateGenerator();
    this.hostname = options.hostname();
    this.heartbeatInterval = options.heartbeatInterval();
    this.seenGeneration = options.credentials().map(WorkspaceCredentials::generation).orElse(0L);
    this.ownsScheduler = options.scheduler().isEmpty();
    this.scheduler = options.scheduler().orElseGet(AgentScheduler::daemonThread);
    AgentCertificate c = state.certificate();
    this.executor = HttpClients.withClientCertificate(options.httpSettings(), c.privateKey(), c.certificate());
    this.pending = directory.loadPending().orElse(null);
    this.pendingTrigger = "server";
    if (pending != null) {
      LOG.info("A renewed certificate (serial {}) from an earlier run awaits verification; it is verified at the "
          + "first heartbeat", pending.serial());
    }
  }

  /** Schedules the first heartbeat and check at once. */
  void start() {
    LOG.info("Agent {} of workspace {} running with certificate serial {} (expires {})", state.agentGuid(),
        state.workspaceId(), state.certificate().serial(), state.certificate().notAfter());
    scheduleHeartbeat(Duration.ZERO);
    scheduleCheck(Duration.ZERO);
  }

  @Override
  public HttpExecutor executor() {
    WorkspaceCredentials creds = options.credentials().orElse(null);
    if (creds != null && creds.generation() != seenGeneration && !closed
        && rotationCheckPending.compareAndSet(false, true)) {
      scheduler.schedule(guarded("credential rotation check", () -> {
        rotationCheckPending.set(false);
        runCheckOnce();
      }), Duration.ZERO);
    }
    return executor;
  }

  @Override
  public URI uploadUri() {
    if (options.cloud().isPresent()) {
      return cloud.odsUploadUri(state.workspaceId());
    }
    return state.omsEndpoint().orElseGet(() -> cloud.odsUploadUri(state.workspaceId()));
  }

  @Override
  public String agentGuid() {
    return state.agentGuid();
  }

  @Override
  public Instant certificateExpiry() {
    return state.certificate().notAfter();
  }

  /** @return the state in use */
  AgentState state() {
    return state;
  }

  /** @return the heartbeat interval in use */
  Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  @Override
  public void onAuthenticationFailure(int status) {
    Instant now = clock.instant();
    Instant last = lastAuthProbe.get();
    if (closed || (last != null && now.isBefore(last.plus(AUTH_PROBE_MIN_SPACING)))
        || !lastAuthProbe.compareAndSet(last, now)) {
      return;
    }
    AgentCertificate c = state.certificate();
    LOG.warn("The service answered HTTP {} to a request made with the agent certificate (serial {}, expires {}); "
        + "checking it with a heartbeat", status, c.serial(), c.notAfter());
    scheduler.schedule(guarded("heartbeat after a refused request", () -> {
      heartbeatOnce();
      synchronized (renewalLock) {
        reportExpiry();
      }
    }), Duration.ZERO);
  }

  /**
   * A scheduled task that never lets anything escape: a scheduler would keep it inside its {@code Future}, unseen.
   * What is caught is logged (our messages hold no secrets) and the schedule goes on.
   */
  private static Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        LOG.error("The agent's {} failed unexpectedly; the schedule continues", what, t);
      }
    };
  }

  private void runHeartbeat() {
    if (closed) {
      return;
    }
    try {
      heartbeatOnce();
    } catch (Throwable e) {
      LOG.error("The heartbeat failed unexpectedly; next try in {}", heartbeatInterval, e);
    } finally {
      scheduleHeartbeat(heartbeatInterval);
    }
  }

  private void runCheck() {
    if (closed) {
      return;
    }
    try {
      runCheckOnce();
    } finally {
      scheduleCheck(options.checkInterval());
    }
  }

  private void runCheckOnce() {
    try {
      checkCertificate();
    } catch (Throwable e) {
      LOG.error("The certificate check failed unexpectedly; next check in {}", options.checkInterval(), e);
    }
  }

  /** One topology heartbeat on the current certificate; acts on its answer. Never throws a service failure. */
  void heartbeatOnce() {
    synchronized (renewalLock) {
      if (pending != null && retryPending() == PendingOutcome.IN_USE) {
        return; // its verification heartbeat was this heartbeat
      }
    }
    AgentState s = state;
    try {
      TopologyResponse answer = service.heartbeat(executor, s.certificate(), s.agentGuid(), hostname);
      applyAnswer(answer);
      if (answer.updateCertificate()) {
        LOG.info("The service asks for a new certificate (updateCertificate=\"true\"); renewing");
        renew("server");
      }
    } catch (ServiceException e) {
      if (!refusesCertificate(e)) {
        LOG.warn("The heartbeat failed: {}; next try in {}", e.getMessage(), heartbeatInterval);
        return;
      }
      LOG.warn("{}", e.getMessage());
      if (e instanceof AuthenticationException) {
        notifyListener(l -> l.onAuthenticationFailure((AuthenticationException) e));
      }
      synchronized (renewalLock) {
        if (pending != null) {
          switchToPending();
        } else if (renewalAllowed(clock.instant())) {
          renew("server");
        }
      }
    }
  }

  /** Whether the service refused the certificate: HTTP 401/403, or a refusal during the TLS handshake. */
  static boolean refusesCertificate(ServiceException e) {
    if (e instanceof AuthenticationException) {
      return true;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ClientCertificateRefusedException) {
        return true;
      }
    }
    return false;
  }

  /** Key rotation, the proactive renewal window and expiry; no network unless a renewal is due. */
  void checkCertificate() {
    synchronized (renewalLock) {
      Instant now = clock.instant();
      AgentCertificate c = state.certificate();
      WorkspaceCredentials creds = options.credentials().orElse(null);
      if (creds != null && creds.generation() != seenGeneration) {
        seenGeneration = creds.generation();
        LOG.info("New workspace keys were supplied; renewing the certificate now");
        lastRenewalFailure = null;
        renew("rotation");
      } else if (!now.isBefore(c.notAfter().minus(options.renewalWindow())) && renewalAllowed(now)) {
        LOG.info("The certificate (serial {}) expires {}, within the renewal window of {}; renewing", c.serial(),
            c.notAfter(), options.renewalWindow());
        renew("proactive");
      }
      reportExpiry();
    }
  }

  private boolean renewalAllowed(Instant now) {
    return lastRenewalFailure == null || !now.isBefore(lastRenewalFailure.plus(options.renewalRetryInterval()));
  }

  private void reportExpiry() {
    AgentCertificate c = state.certificate();
    if (c.isExpiredAt(clock.instant()) && !c.serial().equals(expiredReportedSerial)) {
      expiredReportedSerial = c.serial();
      LOG.error("The agent certificate (serial {}) expired at {} and no new one could be obtained: uploads on the "
          + "agent path are refused until new workspace credentials are supplied (records stay buffered)",
          c.serial(), c.notAfter());
      notifyListener(l -> l.onCertificateExpired(c.notAfter()));
    }
  }

  /**
   * Renews the certificate now (see the class comment).
   *
   * @param trigger {@code server}, {@code proactive}, {@code manual} or {@code rotation}
   * @return {@code true} when the new certificate is in use; {@code false} after any failure, an unexpected one
   *     included (reported through {@link LogAnalyticsListener#onCertificateRenewalFailed})
   */
  boolean renew(String trigger) {
    synchronized (renewalLock) {
      try {
        return renewLocked(trigger);
      } catch (Throwable t) {
        LOG.error("Certificate renewal ({}) failed unexpectedly", trigger, t);
        return failed(trigger, state.certificate(), "unexpected " + t.getClass().getName() + ": " + t.getMessage());
      }
    }
  }

  private boolean renewLocked(String trigger) {
    synchronized (renewalLock) {
      AgentState current = state;
      AgentCertificate old = current.certificate();
      Instant now = clock.instant();
      if (pending != null) {
        pendingTrigger = trigger;
        PendingOutcome outcome = retryPending();
        if (outcome == PendingOutcome.IN_USE) {
          return true;
        }
        if (outcome == PendingOutcome.UNVERIFIED) {
          return failed(trigger, old, "the renewed certificate (serial " + pending.serial() + ") that awaits "
              + "verification could not be verified yet; it is kept and verified again at the next heartbeat");
        }
        current = state;
      }
      AgentCertificate fresh = generator.generate(current.workspaceId(), current.agentGuid());
      List<String> problems = new ArrayList<>();
      boolean registered = false;
      if (old.isExpiredAt(now)) {
        problems.add("the current certificate expired at " + old.notAfter() + ", so RenewCertificate cannot "
            + "authenticate");
      } else {
        try {
          service.renewCertificate(executor, renewalEndpoint(current), fresh);
          registered = true;
        } catch (ServiceException e) {
          problems.add(e.getMessage());
        }
      }
      HttpExecutor candidate = executor.withCertificate(fresh.privateKey(), fresh.certificate());
      if (!registered) {
        WorkspaceCredentials creds = options.credentials().orElse(null);
        if (creds == null) {
          problems.add("no workspace credentials to onboard again with");
        } else {
          try {
            service.onboard(candidate, creds, fresh, current.agentGuid(), hostname);
            registered = true;
            LOG.info("Onboarded again with the shared key under the same agent GUID {}", current.agentGuid());
          } catch (AuthenticationException e) {
            problems.add(e.getMessage());
            notifyListener(l -> l.onAuthenticationFailure(e));
          } catch (ServiceException e) {
            problems.add(e.getMessage());
          }
        }
      }
      if (!registered) {
        return failed(trigger, old, String.join(" / ", problems));
      }
      // Registered: the service may soon refuse the old certificate, so the new pair is kept until it is verified.
      pending = fresh;
      pendingTrigger = trigger;
      try {
        directory.savePending(fresh);
      } catch (LogAnalyticsException e) {
        LOG.warn("The renewed certificate (serial {}) is kept in memory only: {}", fresh.serial(), e.getMessage());
      }
      TopologyResponse verified;
      try {
        // The answer's own updateCertificate is ignored here: a renewal never starts another (no recursion).
        verified = service.heartbeat(candidate, fresh, current.agentGuid(), hostname);
      } catch (ServiceException e) {
        return failed(trigger, old, "the new certificate (serial " + fresh.serial() + ") was not accepted by its "
            + "verification heartbeat: " + e.getMessage() + "; rolled back to the current certificate (the new one "
            + "is kept as certs/oms.crt.new and verified again at the next heartbeat)");
      }
      return promote(current, fresh, verified, trigger);
    }
  }

  /**
   * Verifies the pending pair with a heartbeat and puts it in use when accepted; drops it when refused. Called with
   * the renewal lock held and a pair pending.
   */
  private PendingOutcome retryPending() {
    AgentState current = state;
    AgentCertificate p = pending;
    TopologyResponse verified;
    try {
      verified = service.heartbeat(executor.withCertificate(p.privateKey(), p.certificate()), p,
          current.agentGuid(), hostname);
    } catch (ServiceException e) {
      if (refusesCertificate(e)) {
        LOG.warn("The renewed certificate (serial {}) that awaited verification was refused ({}); discarding it",
            p.serial(), e.getMessage());
        pending = null;
        directory.discardPending();
        return PendingOutcome.REFUSED;
      }
      LOG.warn("The renewed certificate (serial {}) could not be verified yet: {}; the current one (serial {}) "
          + "stays in use", p.serial(), e.getMessage(), current.certificate().serial());
      return PendingOutcome.UNVERIFIED;
    }
    return promote(current, p, verified, pendingTrigger) ? PendingOutcome.IN_USE : PendingOutcome.UNVERIFIED;
  }

  /**
   * The service refused the certificate in use while a renewed pair is pending: the pending pair is the one the
   * service now knows, so it is put in use without waiting for a verification (a heartbeat follows).
   */
  private void switchToPending() {
    AgentState current = state;
    AgentCertificate p = pending;
    LOG.warn("The service refused the certificate in use (serial {}); switching to the renewed certificate "
        + "(serial {}) that awaited verification", current.certificate().serial(), p.serial());
    promote(current, p, null, pendingTrigger);
  }

  /** Writes the new state, switches the executor and reports; with the renewal lock held. */
  private boolean promote(AgentState current, AgentCertificate fresh, TopologyResponse verified, String trigger) {
    AgentCertificate old = current.certificate();
    AgentState next = current.withCertificate(fresh);
    if (verified != null) {
      next = next.withConf(updatedConf(current.conf(), verified));
    }
    try {
      directory.save(next);
    } catch (LogAnalyticsException e) {
      return failed(trigger, old, "the new certificate could not be saved (" + e.getMessage() + "); rolled back "
          + "(it is kept pending)");
    }
    state = next;
    pending = null;
    executor.presentCertificate(fresh.privateKey(), fresh.certificate());
    if (verified != null) {
      heartbeatInterval = verified.heartbeatInterval(heartbeatInterval);
    }
    lastRenewalFailure = null;
    LOG.info("Certificate renewed ({}): serial {} replaced by {}, which expires {}; in use without restart",
        trigger, old.serial(), fresh.serial(), fresh.notAfter());
    notifyListener(l -> l.onCertificateRenewed(trigger, fresh.notAfter()));
    return true;
  }

  private boolean failed(String trigger, AgentCertificate old, String reason) {
    Instant now = clock.instant();
    lastRenewalFailure = now;
    LOG.warn("Certificate renewal ({}) failed: {}. The current certificate (serial {}) stays in use until it "
        + "expires {}", trigger, reason, old.serial(), old.notAfter());
    notifyListener(l -> l.onCertificateRenewalFailed(reason, old.notAfter()));
    if (!old.isExpiredAt(now) && !now.isBefore(old.notAfter().minus(options.renewalWindow()))
        && expiringReportDue(old, now)) {
      expiringReportedSerial = old.serial();
      expiringReportedAt = now;
      LOG.warn("The agent certificate expires {} and cannot be renewed; supply the workspace's current keys "
          + "(WorkspaceCredentials.rotate) to renew at once", old.notAfter());
      notifyListener(l -> l.onCertificateExpiring(old.notAfter()));
    }
    return false;
  }

  /** {@code onCertificateExpiring} is reported at most once a day per certificate. */
  private boolean expiringReportDue(AgentCertificate c, Instant now) {
    return !c.serial().equals(expiringReportedSerial)
        || !now.isBefore(expiringReportedAt.plus(EXPIRING_REPORT_SPACING));
  }

  /**
   * The {@code CertificateUpdateEndpoint} the service named, when it is HTTPS on the cloud's domain or a subdomain of
   * it; anything else (plain HTTP, another domain, a malformed value) is ignored with one WARN per value, and the
   * cloud's usual renewal URL is used: RenewCertificate authenticates with the agent certificate, so it is only ever
   * sent to the workspace's own service.
   */
  private URI renewalEndpoint(AgentState s) {
    URI fallback = cloud.renewCertificateUri(s.workspaceId());
    String named = s.conf().get(OmsAdminConf.CERTIFICATE_UPDATE_ENDPOINT).orElse(null);
    if (named == null) {
      return fallback;
    }
    URI uri;
    try {
      uri = URI.create(named.strip());
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri != null && isTrustedEndpoint(uri, cloud.domain())) {
      return uri;
    }
    if (!named.equals(rejectedEndpoint)) {
      rejectedEndpoint = named;
      LOG.warn("Ignoring the certificate update endpoint the service named ({}): it must be https on {} or one of "
          + "its subdomains; renewing at {} instead", named, cloud.domain(), fallback);
    }
    return fallback;
  }

  /**
   * Whether a renewal endpoint may receive the agent certificate.
   *
   * @param uri the endpoint
   * @param domain the cloud's domain, lowercase
   * @return {@code true} for {@code https} with a host equal to the domain or ending in {@code .<domain>}
   */
  static boolean isTrustedEndpoint(URI uri, String domain) {
    String host = uri.getHost();
    if (!"https".equalsIgnoreCase(uri.getScheme()) || host == null || uri.getRawUserInfo() != null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.equals(domain) || h.endsWith("." + domain);
  }

  private void applyAnswer(TopologyResponse answer) {
    Duration next = answer.heartbeatInterval(options.heartbeatInterval());
    if (!next.equals(heartbeatInterval)) {
      LOG.info("Heartbeat interval is now {} (from the service's queryInterval)", next);
      heartbeatInterval = next;
    }
    synchronized (renewalLock) {
      AgentState s = state;
      OmsAdminConf conf;
      try {
        conf = updatedConf(s.conf(), answer);
      } catch (IllegalArgumentException e) {
        LOG.warn("Ignoring the endpoints of a heartbeat reply: {}", e.getMessage());
        conf = s.conf();
      }
      if (!conf.equals(s.conf())) {
        try {
          directory.saveConf(conf);
          state = s.withConf(conf);
        } catch (LogAnalyticsException e) {
          LOG.warn("Cannot record the endpoints the service named: {}", e.getMessage());
        }
      }
    }
  }

  static OmsAdminConf updatedConf(OmsAdminConf conf, TopologyResponse answer) {
    OmsAdminConf c = conf;
    if (answer.certificateUpdateEndpoint().isPresent()) {
      c = c.with(OmsAdminConf.CERTIFICATE_UPDATE_ENDPOINT, answer.certificateUpdateEndpoint().get().toString());
    }
    if (answer.dscEndpoint().isPresent()) {
      c = c.with(OmsAdminConf.DSC_ENDPOINT, answer.dscEndpoint().get());
    }
    return c;
  }

  private void notifyListener(Consumer<LogAnalyticsListener> event) {
    try {
      event.accept(options.listener());
    } catch (Throwable e) {
      LOG.warn("A LogAnalyticsListener threw; ignored", e);
    }
  }

  private synchronized void scheduleHeartbeat(Duration delay) {
    if (!closed) {
      heartbeatTask = scheduler.schedule(this::runHeartbeat, delay);
    }
  }

  private synchronized void scheduleCheck(Duration delay) {
    if (!closed) {
      checkTask = scheduler.schedule(this::runCheck, delay);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (heartbeatTask != null) {
        heartbeatTask.cancel();
      }
      if (checkTask != null) {
        checkTask.cancel();
      }
    }
    if (ownsScheduler) {
      scheduler.shutdown();
    }
    executor.close();
    LOG.debug("Agent session {} closed", state.agentGuid());
  }

  @Override
  public String toString() {
    return "AgentSession{" + state + "}";
  }
}
