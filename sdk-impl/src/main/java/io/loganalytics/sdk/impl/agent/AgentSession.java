package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.impl.http.HttpExecutor;
import java.net.URI;
import java.util.Optional;
import java.time.Instant;

/**
 * A running agent identity, as the upload pipeline sees it: an {@link HttpExecutor} that presents the current
 * certificate (switching to a renewed one without a restart; requests in flight finish on the old one), the
 * upload endpoint, and a way to report that the service refused the certificate. Thread-safe.
 *
 * <p>Obtained from {@link AgentIdentity#open(AgentOptions)}, typically with
 * {@code AgentIdentity.open(AgentOptions.from(clientBuilder).build())}; the session heartbeats, renews and reports
 * expiry in the background until {@link #close()}. {@link AgentIdentity#openForClient(AgentOptions)} may return a
 * session that is not onboarded yet: the uploader then calls {@link #ensureIdentity()} before each pass.
 */
public interface AgentSession extends AutoCloseable {
  /** @return an executor doing mutual TLS with the certificate currently in use */
  HttpExecutor executor();

  /** @return the {@code PostJsonDataItems} endpoint ({@code OMS_ENDPOINT}) */
  URI uploadUri();

  /** @return the agent GUID */
  String agentGuid();

  /** @return when the certificate in use expires, or {@code null} while there is none yet (not onboarded) */
  Instant certificateExpiry();

  /**
   * Whether the session has an identity to upload with, onboarding now (blocking on the network, on the calling
   * thread) when it has none yet. The uploader calls it before each pass; while it answers {@code false}, records
   * stay in the buffer and the uploader asks again after the retry policy's backoff. The default answers
   * {@code true}: a session opened on an onboarded state directory always has an identity.
   *
   * @return {@code true} when {@link #executor()} presents a registered certificate
   */
  default boolean ensureIdentity() {
    return true;
  }

  /**
   * Why the last {@link #ensureIdentity()} answered {@code false}: the onboarding failure's message (it holds no
   * secret). Empty while the session has an identity.
   *
   * @return the reason, if onboarding is failing
   */
  default Optional<String> identityFailure() {
    return Optional.empty();
  }

  /**
   * The service answered 401 or 403 to a request made with the current certificate. The session may start a renewal
   * (in the background); the caller retries with backoff either way.
   *
   * @param status the HTTP status
   */
  void onAuthenticationFailure(int status);

  /** Stops the heartbeat and renewal tasks. Idempotent. */
  @Override
  void close();
}
