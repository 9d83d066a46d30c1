package io.loganalytics.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of a client's counters, taken by {@link LogAnalyticsClient#stats()}. Immutable. Counters start at
 * zero when the client is built.
 */
public final class ClientStats {
  private final long recordsAccepted;
  private final long recordsSent;
  private final Map<DropReason, Long> recordsDropped;
  private final long bytesSent;
  private final long requests;
  private final long retries;
  private final Instant lastSuccess;
  private final Duration oldestUnsentAge;
  private final long bufferedRecords;
  private final long bufferedBytes;
  private final Instant certificateExpiry;
  private final Instant credentialExpiry;
  private final String lastError;
  private final Instant lastErrorTime;

  /**
   * Creates a snapshot without a last error.
   *
   * @param recordsAccepted records {@code send} accepted into the buffer
   * @param recordsSent records delivered with a 2xx
   * @param recordsDropped records that left undelivered, by reason
   * @param bytesSent request body bytes delivered
   * @param requests HTTP requests made for uploads
   * @param retries retries made
   * @param lastSuccess when the last 2xx came, or {@code null}
   * @param oldestUnsentAge age of the oldest record still in the buffer, or {@code null} when empty
   * @param bufferedRecords records in the buffer
   * @param bufferedBytes payload bytes of the records in the buffer ({@link DiskBuffer#recordBytes()})
   * @param certificateExpiry when the agent certificate expires, or {@code null} on the Data Collector path
   */
  public ClientStats(long recordsAccepted, long recordsSent, Map<DropReason, Long> recordsDropped, long bytesSent,
      long requests, long retries, Instant lastSuccess, Duration oldestUnsentAge, long bufferedRecords,
      long bufferedBytes, Instant certificateExpiry) {
    this(recordsAccepted, recordsSent, recordsDropped, bytesSent, requests, retries, lastSuccess, oldestUnsentAge,
        bufferedRecords, bufferedBytes, certificateExpiry, null, null);
  }

  /**
   * Creates a snapshot.
   *
   * @param recordsAccepted records {@code send} accepted into the buffer
   * @param recordsSent records delivered with a 2xx
   * @param recordsDropped records that left undelivered, by reason
   * @param bytesSent request body bytes delivered
   * @param requests HTTP requests made for uploads
   * @param retries retries made
   * @param lastSuccess when the last 2xx came, or {@code null}
   * @param oldestUnsentAge age of the oldest record still in the buffer, or {@code null} when empty
   * @param bufferedRecords records in the buffer
   * @param bufferedBytes payload bytes of the records in the buffer ({@link DiskBuffer#recordBytes()})
   * @param certificateExpiry when the agent certificate expires, or {@code null} on the Data Collector path
   * @param lastError a short description of the latest failure (an upload try, or onboarding), or {@code null};
   *     must not hold a secret
   * @param lastErrorTime when that failure happened, or {@code null}
   */
  public ClientStats(long recordsAccepted, long recordsSent, Map<DropReason, Long> recordsDropped, long bytesSent,
      long requests, long retries, Instant lastSuccess, Duration oldestUnsentAge, long bufferedRecords,
      long bufferedBytes, Instant certificateExpiry, String lastError, Instant lastErrorTime) {
    this(recordsAccepted, recordsSent, recordsDropped, bytesSent, requests, retries, lastSuccess, oldestUnsentAge,
        bufferedRecords, bufferedBytes, certificateExpiry, lastError, lastErrorTime, null);
  }

  private ClientStats(long recordsAccepted, long recordsSent, Map<DropReason, Long> recordsDropped, long bytesSent,
      long requests, long retries, Instant lastSuccess, Duration oldestUnsentAge, long bufferedRecords,
      long bufferedBytes, Instant certificateExpiry, String lastError, Instant lastErrorTime,
      Instant credentialExpiry) {
    this.credentialExpiry = credentialExpiry;
    this.recordsAccepted = recordsAccepted;
    this.recordsSent = recordsSent;
    EnumMap<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      dropped.put(r, recordsDropped.getOrDefault(r, 0L));
    }
    this.recordsDropped = Collections.unmodifiableMap(dropped);
    this.bytesSent = bytesSent;
    this.requests = requests;
    this.retries = retries;
    this.lastSuccess = lastSuccess;
    this.oldestUnsentAge = oldestUnsentAge;
    this.bufferedRecords = bufferedRecords;
    this.bufferedBytes = bufferedBytes;
    this.certificateExpiry = certificateExpiry;
    this.lastError = lastError;
    this.lastErrorTime = lastError == null ? null : lastErrorTime;
  }

  /** @return records accepted by {@code send} */
  public long recordsAccepted() {
    return recordsAccepted;
  }

  /** @return records delivered with a 2xx */
  public long recordsSent() {
    return recordsSent;
  }

  /** @return records that left undelivered, for every reason (zero where none) */
  public Map<DropReason, Long> recordsDropped() {
    return recordsDropped;
  }

  /** @return the sum of {@link #recordsDropped()} */
  public long recordsDroppedTotal() {
    long n = 0;
    for (long v : recordsDropped.values()) {
      n += v;
    }
    return n;
  }

  /** @return request body bytes delivered */
  public long bytesSent() {
    return bytesSent;
  }

  /** @return upload requests made */
  public long requests() {
    return requests;
  }

  /** @return retries made */
  public long retries() {
    return retries;
  }

  /** @return when the last 2xx came, if any */
  public Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccess);
  }

  /** @return age of the oldest record still buffered, if any */
  public Optional<Duration> oldestUnsentAge() {
    return Optional.ofNullable(oldestUnsentAge);
  }

  /** @return records in the buffer */
  public long bufferedRecords() {
    return bufferedRecords;
  }

  /**
   * @return payload bytes of the records in the buffer ({@link DiskBuffer#recordBytes()}): the records as sent, not
   *     the disk space the buffer's files take
   */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  /** @return when the agent certificate expires (empty on the Data Collector path) */
  public Optional<Instant> certificateExpiry() {
    return Optional.ofNullable(certificateExpiry);
  }

  /**
   * When the access token the Logs Ingestion transport currently holds expires (it is refreshed 5 minutes before).
   * An expiry in the past, or none while records are buffered, means tokens cannot be had: see {@link #lastError()}.
   *
   * @return the expiry, empty on the retired transports and before the first token
   */
  public Optional<Instant> credentialExpiry() {
    return Optional.ofNullable(credentialExpiry);
  }

  /**
   * The same snapshot with the access token's expiry.
   *
   * @param expiry the expiry, or {@code null} for none
   * @return a new snapshot
   */
  public ClientStats withCredentialExpiry(Instant expiry) {
    return new ClientStats(recordsAccepted, recordsSent, recordsDropped, bytesSent, requests, retries,
        lastSuccess, oldestUnsentAge, bufferedRecords, bufferedBytes, certificateExpiry, lastError, lastErrorTime,
        expiry);
  }

  /**
   * The latest failure since the client was built: an upload try that failed (an HTTP status with the service's
   * reason, or a connection, TLS or DNS error) or, on the agent path, an onboarding attempt that failed. It stays
   * after a later success; compare {@link #lastErrorTime()} with {@link #lastSuccess()} to see whether it still
   * holds. A short text on one line, never a secret.
   *
   * @return the description, if anything failed
   */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** @return when {@link #lastError()} happened, if anything failed */
  public Optional<Instant> lastErrorTime() {
    return Optional.ofNullable(lastErrorTime);
  }

  @Override
  public String toString() {
    return "ClientStats{accepted=" + recordsAccepted + ", sent=" + recordsSent + ", dropped=" + recordsDropped
        + ", bytesSent=" + bytesSent + ", requests=" + requests + ", retries=" + retries + ", lastSuccess="
        + lastSuccess + ", oldestUnsentAge=" + oldestUnsentAge + ", buffered=" + bufferedRecords + " records/"
        + bufferedBytes + " bytes, certificateExpiry=" + certificateExpiry
        + (credentialExpiry == null ? "" : ", credentialExpiry=" + credentialExpiry)
        + (lastError == null ? "" : ", lastError=" + lastError + " at " + lastErrorTime) + "}";
  }
}
