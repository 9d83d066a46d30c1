package io.loganalytics.examples.collector;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the collector needs to hear from its client: the last error (a retry's cause, a chunk given up, a refused
 * credential, a buffer error), with its time, for the summary line and {@code status}; and the first
 * {@link AuthenticationException}, which no retry cures, so that the sending commands can stop with one line that
 * says what to fix. The SDK's event texts never contain secrets. Thread-safe: the uploader calls it from its own
 * thread.
 */
final class CollectorListener extends LogAnalyticsListener {
  /** An error and when it was heard. */
  record LastError(String message, Instant at) {}

  private final Clock clock;
  private final AtomicReference<LastError> lastError = new AtomicReference<>();
  private final AtomicReference<AuthenticationException> authFailure = new AtomicReference<>();

  CollectorListener(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {
    record(cause);
  }

  @Override
  public void onChunkGivenUp(String chunkId, int records, DropReason reason, Path deadLetterFile) {
    record(records + " records given up (" + reason.name().toLowerCase(Locale.ROOT) + ")"
        + (deadLetterFile != null ? ", kept in " + deadLetterFile : ""));
  }

  @Override
  public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
    record(records + " records dropped (" + reason.name().toLowerCase(Locale.ROOT) + ")"
        + (detail != null && !detail.isBlank() ? ": " + detail : ""));
  }

  @Override
  public void onAuthenticationFailure(AuthenticationException error) {
    authFailure.compareAndSet(null, error);
    record(Failures.oneLine(error));
  }

  @Override
  public void onBufferError(BufferException error) {
    record("buffer: " + Failures.oneLine(error));
  }

  @Override
  public void onCertificateRenewalFailed(String reason, Instant currentExpiry) {
    record("certificate renewal failed: " + reason + " (current certificate expires " + currentExpiry + ")");
  }

  /**
   * Records an error seen by the collector itself.
   *
   * @param message one line, no secret
   */
  void record(String message) {
    if (message != null && !message.isBlank()) {
      lastError.set(new LastError(message.replace('\n', ' ').replace('\r', ' '), clock.instant()));
    }
  }

  /** @return the last error heard, if any */
  Optional<LastError> lastError() {
    return Optional.ofNullable(lastError.get());
  }

  /** @return the first refused credential, if any */
  Optional<AuthenticationException> authFailure() {
    return Optional.ofNullable(authFailure.get());
  }
}
