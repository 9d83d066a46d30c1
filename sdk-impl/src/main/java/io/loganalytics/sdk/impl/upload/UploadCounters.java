package io.loganalytics.sdk.impl.upload;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The uploader's counters, read by the client's {@code stats()}. Internal, not API. Thread-safe: the uploader
 * writes, any thread reads.
 */
public final class UploadCounters {
  private final LongAdder requests = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder recordsDelivered = new LongAdder();
  private final LongAdder bytesDelivered = new LongAdder();
  private final AtomicReference<Instant> lastSuccess = new AtomicReference<>();

  /** Creates zeroed counters. */
  public UploadCounters() {}

  void request() {
    requests.increment();
  }

  void retry() {
    retries.increment();
  }

  void delivered(int records, long bytes, Instant at) {
    recordsDelivered.add(records);
    bytesDelivered.add(bytes);
    lastSuccess.set(at);
  }

  /** @return upload requests made, whatever their answer */
  public long requests() {
    return requests.sum();
  }

  /** @return retries scheduled */
  public long retries() {
    return retries.sum();
  }

  /** @return records that got a 2xx */
  public long recordsDelivered() {
    return recordsDelivered.sum();
  }

  /** @return request body bytes (as sent, after compression) that got a 2xx */
  public long bytesDelivered() {
    return bytesDelivered.sum();
  }

  /** @return when the last 2xx came, or {@code null} */
  public Instant lastSuccess() {
    return lastSuccess.get();
  }
}
