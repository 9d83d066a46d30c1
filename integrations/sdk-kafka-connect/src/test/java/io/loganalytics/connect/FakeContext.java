package io.loganalytics.connect;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** A task context recording pauses, resumes, timeouts and dead-letter reports (answered by the test). */
final class FakeContext implements SinkTaskContext {
  /** One dead-letter report. */
  record Report(SinkRecord record, Throwable error, CompletableFuture<Void> future) {}

  final Set<TopicPartition> assignment = new HashSet<>();
  final Set<TopicPartition> paused = new HashSet<>();
  final List<Report> reports = new ArrayList<>();
  final boolean withReporter;
  long lastTimeout = -1;

  FakeContext(boolean withReporter) {
    this.withReporter = withReporter;
  }

  @Override
  public Map<String, String> configs() {
    return Map.of();
  }

  @Override
  public void offset(Map<TopicPartition, Long> offsets) {
    throw new UnsupportedOperationException("the task must not rewind");
  }

  @Override
  public void offset(TopicPartition tp, long offset) {
    throw new UnsupportedOperationException("the task must not rewind");
  }

  @Override
  public void timeout(long timeoutMs) {
    lastTimeout = timeoutMs;
  }

  @Override
  public Set<TopicPartition> assignment() {
    return Set.copyOf(assignment);
  }

  @Override
  public void pause(TopicPartition... partitions) {
    paused.addAll(List.of(partitions));
  }

  @Override
  public void resume(TopicPartition... partitions) {
    paused.removeAll(List.of(partitions));
  }

  @Override
  public void requestCommit() {}

  @Override
  public ErrantRecordReporter errantRecordReporter() {
    if (!withReporter) {
      return null;
    }
    return (record, error) -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      synchronized (reports) {
        reports.add(new Report(record, error, f));
      }
      return (Future<Void>) f;
    };
  }

  @Override
  public PluginMetrics pluginMetrics() {
    return null;
  }
}
