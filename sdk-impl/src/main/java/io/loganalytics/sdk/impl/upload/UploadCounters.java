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
  private final AtomicReference<ErrorNote> lastError = new AtomicReference<>();

  /** The most characters of an error text kept. */
  static final int MAX_ERROR_CHARS = 300;

  /** An error text and when it happened, set together. */
  private static final class ErrorNote {
    final String text;
    final Instant at;

    ErrorNote(String text, Instant at) {
      this.text = text;
      this.at = at;
    }
  }

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

  /**
   * Notes the latest failure: its text on one line (control characters become spaces), cut to
   * {@value #MAX_ERROR_CHARS} characters. The text must hold no secret (the SDK's failure descriptions never do).
   *
   * @param error what failed, for example {@code "HTTP 503 ServiceUnavailable"}
   * @param at when
   */
  public void failed(String error, Instant at) {
    StringBuilder sb = new StringBuilder(Math.min(error.length(), MAX_ERROR_CHARS + 3));
    for (int i = 0; i < error.length() && i < MAX_ERROR_CHARS; i++) {
      char c = error.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (error.length() > MAX_ERROR_CHARS) {
      sb.append("...");
    }
    lastError.set(new ErrorNote(sb.toString(), at));
  }

  /** @return the latest failure's text, or {@code null} when nothing failed yet */
  public String lastError() {
    ErrorNote n = lastError.get();
    return n == null ? null : n.text;
  }

  /** @return when the latest failure happened, or {@code null} */
  public Instant lastErrorTime() {
    ErrorNote n = lastError.get();
    return n == null ? null : n.at;
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
