package io.loganalytics.sdk;

/**
 * A record can never be delivered as it is: it is larger than the buffer or the request limit allows, or breaks a
 * limit of the service (field size, column name). Not retryable.
 */
public final class RecordTooLargeException extends LogAnalyticsException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which limit the record breaks, with the sizes
   */
  public RecordTooLargeException(String message) {
    super(message, false);
  }
}
