package io.loganalytics.sdk.impl.upload;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards every event to a user's listener and logs, instead of propagating, anything it throws (the listener
 * contract). Internal, not API. Thread-safe when the delegate is.
 */
public final class SafeListener extends LogAnalyticsListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);

  private final LogAnalyticsListener delegate;
  private final BiConsumer<DropReason, Long> dropCounter;

  /**
   * Wraps a listener.
   *
   * @param delegate the user's listener
   */
  public SafeListener(LogAnalyticsListener delegate) {
    this(delegate, (reason, records) -> { });
  }

  /**
   * Wraps a listener and counts dropped records before forwarding them.
   *
   * @param delegate the user's listener
   * @param dropCounter told of every {@link #onRecordsDropped} first (it must not throw)
   */
  public SafeListener(LogAnalyticsListener delegate, BiConsumer<DropReason, Long> dropCounter) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.dropCounter = Objects.requireNonNull(dropCounter, "dropCounter");
  }

  private void run(String event, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("The listener threw from {}; ignored", event, e);
    }
  }

  @Override
  public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
    dropCounter.accept(reason, records);
    run("onRecordsDropped", () -> delegate.onRecordsDropped(reason, records, bytes, detail));
  }

  @Override
  public void onSegmentQuarantined(Path quarantinedFile, String detail) {
    run("onSegmentQuarantined", () -> delegate.onSegmentQuarantined(quarantinedFile, detail));
  }

  @Override
  public void onBufferError(BufferException error) {
    run("onBufferError", () -> delegate.onBufferError(error));
  }

  @Override
  public void onChunkDelivered(String chunkId, int records, long bytes, int attempt) {
    run("onChunkDelivered", () -> delegate.onChunkDelivered(chunkId, records, bytes, attempt));
  }

  @Override
  public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {
    run("onRetryScheduled", () -> delegate.onRetryScheduled(chunkId, retry, wait, cause));
  }

  @Override
  public void onChunkGivenUp(String chunkId, int records, DropReason reason, Path deadLetterFile) {
    run("onChunkGivenUp", () -> delegate.onChunkGivenUp(chunkId, records, reason, deadLetterFile));
  }

  @Override
  public void onAuthenticationFailure(AuthenticationException error) {
    run("onAuthenticationFailure", () -> delegate.onAuthenticationFailure(error));
  }

  @Override
  public void onClockSkewDetected(Duration skew) {
    run("onClockSkewDetected", () -> delegate.onClockSkewDetected(skew));
  }

  @Override
  public void onCertificateRenewed(String trigger, Instant newExpiry) {
    run("onCertificateRenewed", () -> delegate.onCertificateRenewed(trigger, newExpiry));
  }

  @Override
  public void onCertificateRenewalFailed(String reason, Instant currentExpiry) {
    run("onCertificateRenewalFailed", () -> delegate.onCertificateRenewalFailed(reason, currentExpiry));
  }

  @Override
  public void onCertificateExpiring(Instant expiry) {
    run("onCertificateExpiring", () -> delegate.onCertificateExpiring(expiry));
  }

  @Override
  public void onCertificateExpired(Instant expiredAt) {
    run("onCertificateExpired", () -> delegate.onCertificateExpired(expiredAt));
  }
}
