package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client that takes records and never delivers them (the service is unreachable or refuses), telling the
 * builder's listener what happened on the first record, as the SDK's uploader would. Thread-safe enough for one
 * sending thread.
 */
final class StuckClient implements LogAnalyticsClient {
  private final LogAnalyticsListener listener;
  private final Consumer<LogAnalyticsListener> onFirstRecord;
  private long taken;

  StuckClient(LogAnalyticsListener listener, Consumer<LogAnalyticsListener> onFirstRecord) {
    this.listener = listener;
    this.onFirstRecord = onFirstRecord;
  }

  @Override
  public synchronized void send(String type, Map<String, ?> record) {
    take();
  }

  @Override
  public synchronized void sendJson(String type, String jsonObject) {
    take();
  }

  private void take() {
    if (taken++ == 0) {
      onFirstRecord.accept(listener);
    }
  }

  @Override
  public boolean flush(Duration timeout) {
    return false;
  }

  @Override
  public boolean close(Duration timeout) {
    return false;
  }

  @Override
  public synchronized ClientStats stats() {
    return new ClientStats(taken, 0, Map.of(), 0, 3, 2, null, null, taken, 0, null);
  }
}
