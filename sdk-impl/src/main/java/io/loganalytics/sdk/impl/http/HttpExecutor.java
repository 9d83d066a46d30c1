package io.loganalytics.sdk.impl.http;

import java.io.IOException;

/**
 * Sends one HTTP request and returns the answer; error statuses are answers, not exceptions (as in OkHttp). The only
 * seam between the SDK's logic and its HTTP client: transports, onboarding and renewal build {@link HttpRequest}s,
 * and OkHttp stays inside this package. The SDK's own executors ({@link HttpClients}) honour an
 * {@link HttpCancellation} bound to the calling thread. Implementations are thread-safe.
 */
public interface HttpExecutor {
  /**
   * Sends the request.
   *
   * @param request the request
   * @return the answer, whatever its status
   * @throws IOException when no answer came (connection, TLS, timeout); retryable as a rule
   */
  HttpResponse execute(HttpRequest request) throws IOException;
}
