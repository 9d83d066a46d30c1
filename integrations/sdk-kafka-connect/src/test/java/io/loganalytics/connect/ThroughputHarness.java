package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the connector's task, 1 to 4 tasks in parallel, each with two partitions, through the real SDK
 * uploader (TLS, Entra token, gzip, JSON) to the {@link WorkspaceEmulator}'s Logs Ingestion endpoint on loopback:
 * records/s from the first {@code put} until every record's offset is committable. The Kafka consumer is not part of
 * it (the framework's cost, the same for every sink). Not a test of the build: run it on purpose with
 * {@code mvn -B -o -q -pl integrations/sdk-kafka-connect -am test -Dtest=ThroughputHarness
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dharness.transport=DATA_COLLECTOR} for the retired API,
 * {@code -Dharness.records=N} records per task, {@code -Dharness.rounds=N} rounds, default 3); it prints every
 * run and the median per task count.
 */
class ThroughputHarness {
  private static final int RECORDS_PER_TASK = Integer.getInteger("harness.records", 100_000);
  private static final int PUT_BATCH = 500;
  private static final int ROUNDS = Integer.getInteger("harness.rounds", 3);
  private static final String TRANSPORT = System.getProperty("harness.transport", "LOGS_INGESTION");
  private static final String TABLE = "LOGS_INGESTION".equals(TRANSPORT) ? "Custom-Bench_CL" : "Bench";
  private static final String SECRET = "Sec~harness";

  @TempDir Path tmp;

  @Test
  void recordsPerSecondFromOneToFourTasks() throws Exception {
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start()) {
      LogsIngestionSetup.register(emulator, SECRET, TABLE);
      Path ca = emulator.writeCaCertificate(tmp.resolve("ca.pem"));
      run(emulator, ca, 2, false); // warm-up: JIT, TLS session, token, connection pools
      run(emulator, ca, 4, false);
      // Rounds interleave the task counts, so that load from other processes drifting over the run hits all alike.
      List<List<Double>> rates = new ArrayList<>();
      for (int tasks = 1; tasks <= 4; tasks++) {
        rates.add(new ArrayList<>());
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (int tasks = 1; tasks <= 4; tasks++) {
          double rate = run(emulator, ca, tasks, true);
          rates.get(tasks - 1).add(rate);
          System.out.printf("HARNESS round=%d transport=%s tasks=%d records=%d total_rps=%.0f%n", round, TRANSPORT,
              tasks, tasks * RECORDS_PER_TASK, rate);
        }
      }
      double base = median(rates.get(0));
      for (int tasks = 1; tasks <= 4; tasks++) {
        List<Double> r = rates.get(tasks - 1);
        double m = median(r);
        System.out.printf("HARNESS median of %d transport=%s tasks=%d total_rps=%.0f (min %.0f, max %.0f) "
            + "per_task_rps=%.0f vs_1_task=%.2fx%n", ROUNDS, TRANSPORT, tasks, m, Collections.min(r),
            Collections.max(r), m / tasks, m / base);
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private double run(WorkspaceEmulator emulator, Path ca, int taskCount, boolean measured) throws Exception {
    emulator.clearReceived();
    int perTask = measured ? RECORDS_PER_TASK : RECORDS_PER_TASK / 2;
    List<LogAnalyticsSinkTask> tasks = new ArrayList<>();
    List<FakeContext> contexts = new ArrayList<>();
    for (int t = 0; t < taskCount; t++) {
      LogAnalyticsSinkTask task = new LogAnalyticsSinkTask(c -> c.clientBuilder().buildUploader(),
          Clock.systemUTC());
      FakeContext ctx = new FakeContext(true);
      List<TopicPartition> tps = List.of(new TopicPartition("bench", 2 * t), new TopicPartition("bench", 2 * t + 1));
      ctx.assignment.addAll(tps);
      task.initialize(ctx);
      Map<String, String> props = LogsIngestionSetup.props(emulator, ca, SECRET);
      if (!"LOGS_INGESTION".equals(TRANSPORT)) {
        props = new HashMap<>();
        props.put("loganalytics.transport", "DATA_COLLECTOR");
        props.put("loganalytics.workspace.id", emulator.workspaceId());
        props.put("loganalytics.shared.key", emulator.sharedKey());
        props.put("loganalytics.cloud", emulator.cloud().domain());
        props.put("loganalytics.cloud.port", String.valueOf(emulator.port()));
        props.put("loganalytics.host.address", "127.0.0.1");
        props.put("loganalytics.ssl.truststore.pem", ca.toString());
      }
      props.put("name", "harness");
      props.put("loganalytics.table.mapping", "bench:" + TABLE);
      props.put("batch.max.records", "1000");
      props.put("batch.linger.ms", "50");
      props.put("upload.threads", "2");
      task.start(props);
      task.open(tps);
      tasks.add(task);
      contexts.add(ctx);
    }
    ExecutorService pool = Executors.newFixedThreadPool(taskCount);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < taskCount; t++) {
      LogAnalyticsSinkTask task = tasks.get(t);
      int t0 = t;
      done.add(pool.submit(() -> {
        drive(task, t0, perTask);
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    tasks.forEach(LogAnalyticsSinkTask::stop);
    assertThat(emulator.records(TABLE)).hasSizeGreaterThanOrEqualTo(taskCount * perTask);
    return taskCount * perTask / seconds;
  }

  /** Feeds a task like the framework does (put, honouring its pause), then waits until all is committable. */
  private static void drive(LogAnalyticsSinkTask task, int t, int count) {
    TopicPartition a = new TopicPartition("bench", 2 * t);
    TopicPartition b = new TopicPartition("bench", 2 * t + 1);
    long[] next = {0, 0};
    int sent = 0;
    while (sent < count) {
      if (task.isPaused()) {
        task.put(List.of());
        Thread.yield();
        continue;
      }
      List<SinkRecord> batch = new ArrayList<>(PUT_BATCH);
      for (int i = 0; i < PUT_BATCH && sent < count; i++, sent++) {
        int p = sent % 2;
        TopicPartition tp = p == 0 ? a : b;
        long offset = next[p]++;
        batch.add(new SinkRecord(tp.topic(), tp.partition(), null, null, null,
            "{\"host\":\"web-" + t + "\",\"severity\":\"info\",\"offset\":" + offset
                + ",\"message\":\"GET /api/items/" + offset + " 200 12ms user-agent=curl/8.5\"}", offset));
      }
      task.put(batch);
    }
    Map<TopicPartition, OffsetAndMetadata> current = Map.of(a, new OffsetAndMetadata(0), b,
        new OffsetAndMetadata(0));
    while (true) {
      task.put(List.of());
      Map<TopicPartition, OffsetAndMetadata> c = task.preCommit(current);
      if (c.containsKey(a) && c.containsKey(b) && c.get(a).offset() == next[0] && c.get(b).offset() == next[1]) {
        return;
      }
      Thread.yield();
    }
  }
}
