package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent session whose state directory was not onboarded yet when the client started, and whose first onboarding
 * attempt failed for a reason that may pass (network down, HTTP 5xx or 429, a state write that failed): the client
 * runs and buffers records, and the uploader calls {@link #ensureIdentity()} before each pass until onboarding
 * succeeds (PROTOCOL §B8: "Not onboarded: retryable; data stays buffered"). From then on every method delegates to
 * the {@link DefaultAgentSession} that onboarding started.
 *
 * <p>Before onboarding: {@link #uploadUri()} is the cloud's upload endpoint for the workspace,
 * {@link #certificateExpiry()} and {@link #agentGuid()} are {@code null}, {@link #executor()} fails every request
 * with an {@link IOException} (the uploader does not call it while {@link #ensureIdentity()} answers {@code false}),
 * and {@link #onAuthenticationFailure} does nothing.
 *
 * <p>A later onboarding that the service refuses (HTTP 403, the key was wrong or was regenerated) is reported by
 * {@link AgentIdentity#onboard} as an {@link io.loganalytics.sdk.AuthenticationException} event and tried again
 * like any other failure, with the credentials' current keys: rotating them on the {@link WorkspaceCredentials}
 * cures it without a restart.
 *
 * <p><b>Threading.</b> Thread-safe. {@link #ensureIdentity()} blocks on the network and is serialized;
 * the other methods never block on it; {@link #close()} does not wait for an onboarding in flight (a session that
 * such an attempt starts after close is closed at once).
 */
final class LazyAgentSession implements AgentSession {
  private static final Logger LOG = LoggerFactory.getLogger(LazyAgentSession.class);
  /** The least time between two warnings about failed onboarding attempts. */
  static final Duration WARN_INTERVAL = Duration.ofMinutes(5);
  private static final HttpExecutor NOT_ONBOARDED = request -> {
    throw new IOException("the agent is not onboarded yet; records stay in the buffer until it is");
  };

  private final AgentOptions options;
  private final URI provisionalUploadUri;
  private final Object onboardingLock = new Object();
  // Guarded by this; delegate is also read without the lock.
  private volatile AgentSession delegate;
  private boolean closed;
  // Guarded by onboardingLock.
  private int failedAttempts;
  /** Failed attempts after the first: WARN at most every {@link #WARN_INTERVAL} of the options' clock, else DEBUG. */
  private final ThrottledLogger failureWarning;
  // The message of the last failed onboarding; null once onboarded.
  private volatile String lastFailure;

  private LazyAgentSession(AgentOptions options, WorkspaceCredentials credentials, LogAnalyticsException first) {
    this.options = options;
    this.provisionalUploadUri = options.cloud().orElse(CloudEnvironment.AZURE_CLOUD)
        .odsUploadUri(credentials.workspaceId());
    this.failedAttempts = 1;
    this.failureWarning = new ThrottledLogger(LOG, options.clock(), WARN_INTERVAL);
    this.lastFailure = first.getMessage();
    LOG.warn("Onboarding agent state {} failed ({}); the client buffers records and onboards in the background",
        options.stateDirectory(), first.getMessage());
  }

  /**
   * The session for a client: the running session at once when the state directory is onboarded or the first
   * onboarding attempt succeeds, else a pending one when that attempt failed for a reason that may pass.
   *
   * @param options the options
   * @return the session
   * @throws ConfigurationException naming {@code stateDirectory} when it is not a writable directory, is not
   *     onboarded and there are no credentials, or holds another workspace's agent
   * @throws io.loganalytics.sdk.AuthenticationException when the service refused the shared key (HTTP 403)
   * @throws LogAnalyticsException for any other failure that retrying cannot cure
   */
  static AgentSession open(AgentOptions options) {
    StateDirectory dir = StateDirectory.of(options.stateDirectory());
    if (dir.isOnboarded()) {
      return AgentIdentity.open(options);
    }
    checkWritable(dir.directory());
    try {
      return AgentIdentity.open(options);
    } catch (LogAnalyticsException e) {
      if (!e.isRetryable()) {
        throw e;
      }
      // Credentials are present: without them create() refuses with a ConfigurationException before any network.
      return new LazyAgentSession(options, options.credentials().orElseThrow(), e);
    }
  }

  /** A state directory that cannot be written would fail every onboarding; say so at once. */
  private static void checkWritable(Path directory) {
    Path existing = directory;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new ConfigurationException("stateDirectory", directory + " cannot be created: no parent exists");
    }
    if (!Files.isDirectory(existing)) {
      throw new ConfigurationException("stateDirectory", existing + " is not a directory, so " + directory
          + " cannot hold the agent state");
    }
    if (!Files.isWritable(existing)) {
      throw new ConfigurationException("stateDirectory", existing + " is not writable, so the agent state cannot "
          + "be written to " + directory);
    }
  }

  @Override
  public boolean ensureIdentity() {
    if (delegate != null) {
      return true;
    }
    synchronized (onboardingLock) {
      if (delegate != null) {
        return true;
      }
      synchronized (this) {
        if (closed) {
          return false;
        }
      }
      AgentSession started;
      try {
        started = AgentIdentity.open(options);
      } catch (LogAnalyticsException e) {
        failedAttempts++;
        lastFailure = e.getMessage();
        failureWarning.warn(1, "Onboarding agent state {} failed again (attempt {}, {} since the last warning): {}; "
            + "records stay in the buffer", options.stateDirectory(), failedAttempts, ThrottledLogger.AMOUNT,
            e.getMessage());
        return false;
      }
      boolean closeNow;
      synchronized (this) {
        closeNow = closed;
        if (!closeNow) {
          delegate = started;
        }
      }
      if (closeNow) {
        started.close();
        return false;
      }
      lastFailure = null;
      LOG.info("Agent state {} onboarded after {} failed attempts; uploads start", options.stateDirectory(),
          failedAttempts);
      return true;
    }
  }

  @Override
  public Optional<String> identityFailure() {
    return delegate != null ? Optional.empty() : Optional.ofNullable(lastFailure);
  }

  @Override
  public HttpExecutor executor() {
    AgentSession d = delegate;
    return d == null ? NOT_ONBOARDED : d.executor();
  }

  @Override
  public URI uploadUri() {
    AgentSession d = delegate;
    return d == null ? provisionalUploadUri : d.uploadUri();
  }

  @Override
  public String agentGuid() {
    AgentSession d = delegate;
    return d == null ? null : d.agentGuid();
  }

  @Override
  public Instant certificateExpiry() {
    AgentSession d = delegate;
    return d == null ? null : d.certificateExpiry();
  }

  @Override
  public void onAuthenticationFailure(int status) {
    AgentSession d = delegate;
    if (d != null) {
      d.onAuthenticationFailure(status);
    }
  }

  @Override
  public void close() {
    AgentSession d;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      d = delegate;
    }
    if (d != null) {
      d.close();
    }
  }

  @Override
  public String toString() {
    AgentSession d = delegate;
    return d != null ? d.toString() : "AgentSession{" + options.stateDirectory() + ", not onboarded yet}";
  }
}
