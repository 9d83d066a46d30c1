package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An {@link AgentSession} over a given executor and URL, recording authentication failures. Thread-safe. */
public final class FakeAgentSession implements AgentSession {
  private final HttpExecutor executor;
  private final URI uploadUri;
  private final Instant expiry;
  private final List<Integer> authFailures = new ArrayList<>();

  /**
   * Creates the session.
   *
   * @param executor the executor
   * @param uploadUri the upload URL
   * @param expiry the certificate expiry to report
   */
  public FakeAgentSession(HttpExecutor executor, URI uploadUri, Instant expiry) {
    this.executor = executor;
    this.uploadUri = uploadUri;
    this.expiry = expiry;
  }

  @Override
  public HttpExecutor executor() {
    return executor;
  }

  @Override
  public URI uploadUri() {
    return uploadUri;
  }

  @Override
  public String agentGuid() {
    return "0b3f7c2e-2d52-4f7a-9a1e-6c1d2b3a4f5e";
  }

  @Override
  public Instant certificateExpiry() {
    return expiry;
  }

  @Override
  public synchronized void onAuthenticationFailure(int status) {
    authFailures.add(status);
  }

  /** @return the statuses reported */
  public synchronized List<Integer> authFailures() {
    return List.copyOf(authFailures);
  }

  @Override
  public void close() {}
}
