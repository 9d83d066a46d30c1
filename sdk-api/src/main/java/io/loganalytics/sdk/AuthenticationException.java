package io.loganalytics.sdk;

import java.time.Duration;

/**
 * The workspace refused the SDK's credentials (HTTP 401 or 403, or a rejected client certificate). The message says
 * what to check: the workspace ID, the key (regenerated keys are a common cause), and the clock, with the skew
 * measured from the server's {@code Date} header when one was seen.
 */
public final class AuthenticationException extends ServiceException {
  private static final long serialVersionUID = 1L;

  private final transient Duration clockSkew;

  /**
   * Creates the exception.
   *
   * @param message what was refused and what to check
   * @param status the HTTP status (401 or 403), or 0 for a TLS-level refusal
   * @param reason the service's reason, or {@code null}
   * @param requestId the request id, or {@code null}
   * @param clockSkew the server's clock minus ours, or {@code null} when unknown
   * @param retryable whether a retry can help (a 403 right after a permission change is transient)
   * @param cause the underlying failure, or {@code null}
   */
  public AuthenticationException(
      String message,
      int status,
      String reason,
      String requestId,
      Duration clockSkew,
      boolean retryable,
      Throwable cause) {
    super(message, status, reason, requestId, retryable, cause);
    this.clockSkew = clockSkew;
  }

  /**
   * The offset of the server's clock from ours, as measured from its {@code Date} header.
   *
   * @return the server's time minus the local time, or {@code null} when no {@code Date} was seen
   */
  public Duration clockSkew() {
    return clockSkew;
  }
}
