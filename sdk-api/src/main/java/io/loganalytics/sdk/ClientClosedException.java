package io.loganalytics.sdk;

/** An operation was called on a client or buffer that is closed. Not retryable on the same instance. */
public final class ClientClosedException extends LogAnalyticsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was called on what
   */
  public ClientClosedException(String message) {
    super(message, false);
  }
}
