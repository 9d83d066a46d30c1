package io.loganalytics.sdk;

/**
 * The root of every exception the SDK throws. Unchecked, as in the Azure SDK for Java.
 *
 * <p>Each failure says whether trying again can help ({@link #isRetryable()}); subclasses carry what a user needs to
 * act on it (the HTTP status, the service's reason, the request id, the field that was wrong). Messages never contain
 * a secret: no shared key, proxy password, private key or authorization header.
 */
public class LogAnalyticsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whether a retry can help. */
  private final boolean retryable;

  /**
   * Creates an exception.
   *
   * @param message what went wrong and, where possible, what to do about it
   * @param retryable whether the same operation may succeed when tried again later
   * @param cause the underlying failure, or {@code null}
   */
  public LogAnalyticsException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Creates an exception without a cause.
   *
   * @param message what went wrong and, where possible, what to do about it
   * @param retryable whether the same operation may succeed when tried again later
   */
  public LogAnalyticsException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  /**
   * Whether trying the same operation again later can succeed (a network error, a full disk, a 503), as opposed to
   * a failure that needs a change first (a bad key, a malformed record).
   *
   * @return {@code true} when a retry can help
   */
  public boolean isRetryable() {
    return retryable;
  }
}
