package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.LogAnalyticsException;
import java.io.IOException;
import java.util.Objects;

/**
 * No request was sent because no access token could be had (the Entra token endpoint refused the credentials or could
 * not be reached). The uploader treats it as an authentication failure: the records stay buffered, no retry budget is
 * used, and the {@linkplain #failure() cause} is reported. Internal, not API.
 */
public final class CredentialUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The token failure; its message never holds a secret. */
  private final transient LogAnalyticsException failure;

  /**
   * Creates the exception.
   *
   * @param failure why no token could be had
   */
  public CredentialUnavailableException(LogAnalyticsException failure) {
    super(Objects.requireNonNull(failure, "failure").getMessage(), failure);
    this.failure = failure;
  }

  /** @return why no token could be had */
  public LogAnalyticsException failure() {
    return failure;
  }
}
