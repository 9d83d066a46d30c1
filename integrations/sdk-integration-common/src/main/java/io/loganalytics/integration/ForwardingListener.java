package io.loganalytics.integration;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands every event to several listeners in order; one that throws does not keep the event from the others.
 * Thread-safe when the listeners are.
 */
final class ForwardingListener extends LogAnalyticsListener {
  private final List<LogAnalyticsListener> targets;

  ForwardingListener(LogAnalyticsListener... targets) {
    this.targets = List.of(targets);
  }

  private void each(Consumer<LogAnalyticsListener> call) {
    for (LogAnalyticsListener l : targets) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        // A listener's failure must not keep the event from the next one; the SDK logs its own listener's throws.
      }
    }
  }

  @Override
  public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
    each(l -> l.onRecordsDropped(reason, records, bytes, detail));
  }

  @Override
  public void onSegmentQuarantined(Path quarantinedFile, String detail) {
    each(l -> l.onSegmentQuarantined(quarantinedFile, detail));
  }

  @Override
  public void onBufferError(BufferException error) {
    each(l -> l.onBufferError(error));
  }

  @Override
  public void onChunkDelivered(String chunkId, int records, long bytes, int attempt) {
    each(l -> l.onChunkDelivered(chunkId, records, bytes, attempt));
  }

  @Override
  public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {
    each(l -> l.onRetryScheduled(chunkId, retry, wait, cause));
  }

  @Override
  public void onChunkGivenUp(String chunkId, int records, DropReason reason, Path deadLetterFile) {
    each(l -> l.onChunkGivenUp(chunkId, records, reason, deadLetterFile));
  }

  @Override
  public void onAuthenticationFailure(AuthenticationException error) {
    each(l -> l.onAuthenticationFailure(error));
  }

  @Override
  public void onClockSkewDetected(Duration skew) {
    each(l -> l.onClockSkewDetected(skew));
  }

  @Override
  public void onCertificateRenewed(String trigger, Instant newExpiry) {
    each(l -> l.onCertificateRenewed(trigger, newExpiry));
  }

  @Override
  public void onCertificateRenewalFailed(String reason, Instant currentExpiry) {
    each(l -> l.onCertificateRenewalFailed(reason, currentExpiry));
  }

  @Override
  public void onCertificateExpiring(Instant expiry) {
    each(l -> l.onCertificateExpiring(expiry));
  }

  @Override
  public void onCertificateExpired(Instant expiredAt) {
    each(l -> l.onCertificateExpired(expiredAt));
  }
}
