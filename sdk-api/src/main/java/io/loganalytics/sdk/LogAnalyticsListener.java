package io.loganalytics.sdk;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Receives what happens inside the SDK: deliveries, retries, give-ups, evictions, quarantines, authentication
 * problems and certificate renewals. Every method does nothing by default; override those you need. New events are
 * added as new methods, so a listener written today keeps compiling.
 *
 * <p><b>Threading.</b> Methods are called on the SDK's own threads (the uploader, an appending thread, the renewal
 * task), possibly at the same time: implementations must be thread-safe and quick, and must not call back into the
 * client. An exception thrown by a listener is logged and otherwise ignored.
 *
 * <p>Event arguments never contain a secret.
 */
public abstract class LogAnalyticsListener {
  /** A listener that ignores everything. */
  public static final LogAnalyticsListener NONE = new LogAnalyticsListener() {};

  /** For subclasses. */
  protected LogAnalyticsListener() {}

  /**
   * Records left the SDK without being delivered.
   *
   * @param reason why
   * @param records how many
   * @param bytes their payload bytes
   * @param detail a sentence with specifics (the service's reason, the capacity, the file)
   */
  public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {}

  /**
   * A buffer file was found damaged, and a copy of it (or, for a file that is not a segment at all, the file itself)
   * is now in the quarantine folder for inspection. The damaged segment stays in place, so its records that still
   * pass their checksums are read; those that cannot be read are reported to {@link #onRecordsDropped} with
   * {@link DropReason#CORRUPTED}, once.
   *
   * @param quarantinedFile the copy (or the moved file) in the quarantine folder
   * @param detail what was wrong (file, offsets, checksums)
   */
  public void onSegmentQuarantined(Path quarantinedFile, String detail) {}

  /**
   * The buffer failed an operation (a full disk, a read-only directory). It stays consistent.
   *
   * @param error the failure
   */
  public void onBufferError(BufferException error) {}

  /**
   * A request for a chunk got a 2xx.
   *
   * @param chunkId the chunk's id ({@code X-Request-ID})
   * @param records records in the request
   * @param bytes bytes sent (after compression)
   * @param attempt which try this was, 1 for the first
   */
  public void onChunkDelivered(String chunkId, int records, long bytes, int attempt) {}

  /**
   * A try failed and another is scheduled.
   *
   * @param chunkId the chunk's id
   * @param retry the number of the retry to come, 1-based
   * @param wait the wait before it
   * @param cause the status and reason, or the I/O error, of the failed try
   */
  public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {}

  /**
   * A chunk (or part of a split chunk) was given up. Its records are also reported to {@link #onRecordsDropped}.
   *
   * @param chunkId the chunk's id
   * @param records records given up
   * @param reason why
   * @param deadLetterFile where the records were written, or {@code null} when discarded
   */
  public void onChunkGivenUp(String chunkId, int records, DropReason reason, Path deadLetterFile) {}

  /**
   * The service refused the SDK's credentials.
   *
   * @param error the failure, with status, reason and measured clock skew
   */
  public void onAuthenticationFailure(AuthenticationException error) {}

  /**
   * The server's clock differs from ours by more than a few seconds; signatures now use corrected time.
   *
   * @param skew the server's time minus ours
   */
  public void onClockSkewDetected(Duration skew) {}

  /**
   * The agent certificate was renewed and is in use.
   *
   * @param trigger what started it: {@code "server"}, {@code "proactive"}, {@code "manual"} or {@code "rotation"}
   * @param newExpiry the new certificate's expiry
   */
  public void onCertificateRenewed(String trigger, Instant newExpiry) {}

  /**
   * A renewal failed; the current certificate stays in use.
   *
   * @param reason why (the service's reason when there is one)
   * @param currentExpiry when the certificate in use expires
   */
  public void onCertificateRenewalFailed(String reason, Instant currentExpiry) {}

  /**
   * The certificate in use expires soon and cannot be renewed (for example because the workspace keys were
   * regenerated). Supply new credentials with {@link WorkspaceCredentials#rotate} to renew at once.
   *
   * @param expiry when it expires
   */
  public void onCertificateExpiring(Instant expiry) {}

  /**
   * The certificate in use has expired and no new one could be obtained: uploads on the agent path stop until new
   * credentials are supplied. Records stay in the buffer.
   *
   * @param expiredAt when it expired
   */
  public void onCertificateExpired(Instant expiredAt) {}
}
