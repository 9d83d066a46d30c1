package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code x-ms-client-request-id} of the Logs Ingestion API identifies one chunk: the service writes it to
 * {@code DCRLogErrors.ClientRequestId}, and a service (or proxy) that deduplicates by it would drop a different chunk
 * that shared it. Kafka offsets start at 0 in every partition, so ids derived from the first offset alone collide.
 * Here two connectors with three tasks each read the same six partitions from offset 0, through real SDK uploaders
 * against the {@link WorkspaceEmulator}, while the first requests fail (503, 429, connection resets).
 */
class RequestIdTest {
  private static final String TOPIC = "kc.ids";
  private static final String STREAM = "Custom-KcIds_CL";
  private static final int PER_PARTITION = 50;
  private static final int BATCH = 10;
  private static final Duration WATCHDOG = Duration.ofSeconds(60);

  @TempDir java.nio.file.Path tmp;

  @Test
  void differentChunksNeverShareARequestIdAcrossPartitionsTasksAndConnectorsAndRetriesKeepTheirs() {
    String secret = "Sec~" + UUID.randomUUID();
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start()) {
      LogsIngestionSetup.register(emulator, secret, STREAM);
      java.nio.file.Path ca = emulator.writeCaCertificate(tmp.resolve("ca.pem"));
      emulator.faults().failNext(2, 503, null, false).failNextWithReset(2).failNext(1, 429, null, false);
      List<LogAnalyticsSinkTask> tasks = new ArrayList<>();
      List<List<TopicPartition>> assignments = new ArrayList<>();
      try {
        for (String connector : List.of("la-a", "la-b")) {
          for (int t = 0; t < 3; t++) {
            List<TopicPartition> tps = List.of(new TopicPartition(TOPIC, 2 * t), new TopicPartition(TOPIC, 2 * t + 1));
            LogAnalyticsSinkTask task = new LogAnalyticsSinkTask(c -> c.clientBuilder().buildUploader(),
                Clock.systemUTC());
            FakeContext ctx = new FakeContext(true);
            ctx.assignment.addAll(tps);
            task.initialize(ctx);
            Map<String, String> props = LogsIngestionSetup.props(emulator, ca, secret);
            props.put("name", connector);
            props.put("loganalytics.table.mapping", TOPIC + ":" + STREAM);
            props.put("batch.max.records", String.valueOf(BATCH));
            props.put("batch.linger.ms", "600000"); // only full batches: the chunks are known
            props.put("upload.threads", "2");
            props.put("retry.max.retries", "20");
            props.put("retry.initial.backoff.ms", "10");
            props.put("retry.max.backoff.ms", "50");
            task.start(props);
            task.open(tps);
            tasks.add(task);
            assignments.add(tps);
            List<SinkRecord> records = new ArrayList<>();
            for (TopicPartition tp : tps) {
              for (int k = 0; k < PER_PARTITION; k++) {
                records.add(new SinkRecord(TOPIC, tp.partition(), null, null, null,
                    "{\"c\":\"" + connector + "\",\"p\":" + tp.partition() + ",\"k\":" + k + "}", k));
              }
            }
            task.put(records);
          }
        }
        awaitAllCommitted(tasks, assignments);
      } finally {
        tasks.forEach(LogAnalyticsSinkTask::stop);
      }

      List<ReceivedRecord> received = emulator.records(STREAM);
      assertThat(received).hasSize(2 * 6 * PER_PARTITION);
      assertThat(received.stream().map(RequestIdTest::key).collect(Collectors.toSet()))
          .hasSize(2 * 6 * PER_PARTITION);

      // Every id names exactly one chunk: one connector, one partition, BATCH consecutive offsets.
      Map<String, List<ReceivedRecord>> byId = received.stream()
          .collect(Collectors.groupingBy(ReceivedRecord::requestId));
      assertThat(byId).hasSize(2 * 6 * PER_PARTITION / BATCH);
      byId.forEach((id, rows) -> {
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        Set<String> owners = rows.stream().map(r -> r.field("c") + "/" + r.field("p")).collect(Collectors.toSet());
        assertThat(owners).as("request %s carries records of %s", id, owners).hasSize(1);
        TreeSet<Integer> ks = rows.stream().map(r -> ((Number) r.field("k")).intValue())
            .collect(Collectors.toCollection(TreeSet::new));
        assertThat(ks).hasSize(BATCH);
        assertThat(ks.last() - ks.first()).isEqualTo(BATCH - 1);
        assertThat(ks.first() % BATCH).isZero();
      });

      // Retries keep the id: each failed try's id is the id of a request accepted later, with the same body size.
      List<ReceivedRequest> uploads = emulator.requests().stream()
          .filter(r -> r.host().contains(".ingest.")).collect(Collectors.toList());
      List<ReceivedRequest> failed = uploads.stream().filter(r -> r.status() != 204).collect(Collectors.toList());
      Map<String, ReceivedRequest> accepted = new HashMap<>();
      for (ReceivedRequest r : uploads) {
        if (r.status() == 204) {
          assertThat(accepted.put(r.header("x-ms-client-request-id"), r)).as("an id accepted twice").isNull();
        }
      }
      assertThat(failed).extracting(ReceivedRequest::status).containsExactlyInAnyOrder(503, 503, 0, 0, 429);
      for (ReceivedRequest f : failed) {
        ReceivedRequest later = accepted.get(f.header("x-ms-client-request-id"));
        assertThat(later).as("the retry of %s", f).isNotNull();
        assertThat(later.bodyBytes()).isEqualTo(f.bodyBytes());
        assertThat(later.receivedAt()).isAfterOrEqualTo(f.receivedAt());
      }
      assertThat(accepted.keySet()).isEqualTo(byId.keySet());
    }
  }

  @Test
  void theIdDependsOnConnectorPartitionTableOffsetsAndContentOnly() {
    TopicPartition p0 = new TopicPartition("t", 0);
    List<byte[]> a = List.of(new byte[] {1}, new byte[] {2});
    UUID id = LogAnalyticsSinkTask.requestId("c", p0, "T", List.of(0L, 1L), a);
    assertThat(LogAnalyticsSinkTask.requestId("c", p0, "T", List.of(0L, 1L), List.of(new byte[] {1},
        new byte[] {2}))).isEqualTo(id);
    Set<UUID> others = new HashSet<>(List.of(
        LogAnalyticsSinkTask.requestId("d", p0, "T", List.of(0L, 1L), a),
        LogAnalyticsSinkTask.requestId("c", new TopicPartition("t", 1), "T", List.of(0L, 1L), a),
        LogAnalyticsSinkTask.requestId("c", new TopicPartition("u", 0), "T", List.of(0L, 1L), a),
        LogAnalyticsSinkTask.requestId("c", p0, "U", List.of(0L, 1L), a),
        LogAnalyticsSinkTask.requestId("c", p0, "T", List.of(0L, 2L), a),
        LogAnalyticsSinkTask.requestId("c", p0, "T", List.of(0L, 1L), List.of(new byte[] {1}, new byte[] {3})),
        LogAnalyticsSinkTask.requestId("c", p0, "T", List.of(0L, 1L), List.of(new byte[] {1, 2}, new byte[0]))));
    assertThat(others).hasSize(7).doesNotContain(id);
  }

  private static String key(ReceivedRecord r) {
    return r.field("c") + "/" + r.field("p") + "/" + r.field("k");
  }

  /** Drives the tasks like the framework (put, preCommit) until every partition is committable to its end. */
  private static void awaitAllCommitted(List<LogAnalyticsSinkTask> tasks, List<List<TopicPartition>> assignments) {
    long deadline = System.nanoTime() + WATCHDOG.toNanos();
    while (true) {
      boolean all = true;
      for (int i = 0; i < tasks.size(); i++) {
        LogAnalyticsSinkTask task = tasks.get(i);
        task.put(List.of());
        Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
        assignments.get(i).forEach(tp -> current.put(tp, new OffsetAndMetadata(PER_PARTITION)));
        Map<TopicPartition, OffsetAndMetadata> c = task.preCommit(current);
        for (TopicPartition tp : assignments.get(i)) {
          all &= c.containsKey(tp) && c.get(tp).offset() == PER_PARTITION;
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not all offsets committable within " + WATCHDOG);
      }
      Thread.onSpinWait();
    }
  }
}
