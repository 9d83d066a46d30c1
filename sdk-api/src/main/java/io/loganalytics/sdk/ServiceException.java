package io.loganalytics.sdk;

/**
 * The workspace answered with an error status. Carries the HTTP status, the service's reason (the {@code <Reason>}
 * element or error code of the body, when there is one), the request id and whether a retry can help.
 */
public class ServiceException extends LogAnalyticsException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status, 0 when none. */
  private final int status;
  /** The service's reason, or null. */
  private final String reason;
  /** The request id, or null. */
  private final String requestId;

  /**
   * Creates the exception.
   *
   * @param message a sentence saying what failed and what to check
   * @param status the HTTP status code, or {@code 0} when no response was received
   * @param reason the service's reason, or {@code null}
   * @param requestId the {@code X-Request-ID} sent, or {@code null}
   * @param retryable whether the same request may succeed later
   * @param cause the underlying failure, or {@code null}
   */
  public ServiceException(
      String message, int status, String reason, String requestId, boolean retryable, Throwable cause) {
    super(message, retryable, cause);
    this.status = status;
    this.reason = reason;
    this.requestId = requestId;
  }

  /**
   * The HTTP status of the answer.
   *
   * @return the status, or {@code 0} when the failure happened before any answer (connection, TLS, timeout)
   */
  public int status() {
    return status;
  }

  /**
   * The service's own reason, such as {@code InvalidWorkspaceKey} or {@code InvalidLogType}.
   *
   * @return the reason, or {@code null} when the body held none
   */
  public String reason() {
    return reason;
  }

  /**
   * The request id sent with the failed request, for tracing with the service.
   *
   * @return the request id, or {@code null}
   */
  public String requestId() {
    return requestId;
  }
}
