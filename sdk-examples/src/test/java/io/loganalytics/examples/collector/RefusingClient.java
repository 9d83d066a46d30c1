package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.LogAnalyticsClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A {@link RecordingClient} in front of which some {@code send}/{@code sendJson} calls fail: the calls whose
 * number (from 1) is in the set throw the given exception, as a full buffer does. Thread-safe.
 */
final class RefusingClient implements LogAnalyticsClient {
  final RecordingClient delegate = new RecordingClient();
  private final Set<Integer> refusedCalls;
  private final Supplier<RuntimeException> error;
  private final AtomicInteger calls = new AtomicInteger();

  RefusingClient(Set<Integer> refusedCalls, Supplier<RuntimeException> error) {
    this.refusedCalls = Set.copyOf(refusedCalls);
    this.error = error;
  }

  /** @return how many send calls were made, refused ones included */
  int calls() {
    return calls.get();
  }

  private void maybeRefuse() {
    if (refusedCalls.contains(calls.incrementAndGet())) {
      throw error.get();
    }
  }

  @Override
  public void send(String type, Map<String, ?> record) {
    maybeRefuse();
    delegate.send(type, record);
  }

  @Override
  public void sendJson(String type, String jsonObject) {
    maybeRefuse();
    delegate.sendJson(type, jsonObject);
  }

  @Override
  public boolean flush(Duration timeout) {
    return delegate.flush(timeout);
  }

  @Override
  public boolean close(Duration timeout) {
    return delegate.close(timeout);
  }

  @Override
  public ClientStats stats() {
    return delegate.stats();
  }
}
