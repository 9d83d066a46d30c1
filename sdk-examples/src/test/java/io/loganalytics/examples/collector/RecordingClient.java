package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that records what it is given and "delivers" everything on {@link #flush}, except the records it was
 * told to give up. Thread-safe (the syslog receiver calls it from its threads).
 */
final class RecordingClient implements LogAnalyticsClient {
  /** One record as the client saw it. */
  record Sent(String type, Object record) {
    /** @return a field of a map record (null for JSON records) */
    Object field(String name) {
      return record instanceof Map<?, ?> m ? m.get(name) : null;
    }

    /** @return a copy of a map record */
    Map<String, Object> map() {
      Map<String, Object> copy = new java.util.LinkedHashMap<>();
      ((Map<?, ?>) record).forEach((k, v) -> copy.put((String) k, v));
      return copy;
    }
  }

  private final List<Sent> records = new ArrayList<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long giveUp;
  private long givenUp;

  /** @param giveUp how many of the records to give up (the first ones flushed) */
  RecordingClient(long giveUp) {
    this.giveUp = giveUp;
  }

  RecordingClient() {
    this(0);
  }

  @Override
  public synchronized void send(String type, Map<String, ?> record) {
    if (closed.get()) {
      throw new IllegalStateException("closed");
    }
    records.add(new Sent(type, Map.copyOf(record)));
    pending.incrementAndGet();
    notifyAll();
  }

  @Override
  public synchronized void sendJson(String type, String jsonObject) {
    if (!jsonObject.startsWith("{") || !jsonObject.endsWith("}")) {
      throw new InvalidRecordException("record", "is not a single JSON object");
    }
    records.add(new Sent(type, jsonObject));
    pending.incrementAndGet();
  }

  @Override
  public synchronized boolean flush(Duration timeout) {
    long p = pending.getAndSet(0);
    long drop = Math.min(p, Math.max(0, giveUp - givenUp));
    givenUp += drop;
    sent.addAndGet(p - drop);
    return true;
  }

  @Override
  public boolean close(Duration timeout) {
    flush(timeout);
    closed.set(true);
    return true;
  }

  @Override
  public synchronized ClientStats stats() {
    return new ClientStats(records.size(), sent.get(), Map.of(DropReason.RETRIES_EXHAUSTED, givenUp), 0,
        sent.get() > 0 ? 1 : 0, 0, sent.get() > 0 ? Instant.parse("2026-11-25T10:00:00Z") : null, null,
        pending.get(), 0, null);
  }

  /** @return the records received so far */
  synchronized List<Sent> records() {
    return List.copyOf(records);
  }

  /**
   * Waits until at least {@code n} records arrived, at most 10 s.
   *
   * @param n the count
   * @return the records
   */
  synchronized List<Sent> awaitRecords(int n) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (records.size() < n) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return List.copyOf(records);
  }

  /** @return whether {@link #close} was called */
  boolean isClosed() {
    return closed.get();
  }
}
