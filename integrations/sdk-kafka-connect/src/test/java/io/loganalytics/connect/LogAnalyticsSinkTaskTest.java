package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.connect.FakeUploader.Call;
import io.loganalytics.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task with a scripted uploader: what it commits, when, and what it does with refused records. */
class LogAnalyticsSinkTaskTest {
  private static final TopicPartition P0 = new TopicPartition("logs", 0);
  private static final TopicPartition P1 = new TopicPartition("logs", 1);

  private final BlockingQueue<Call> calls = FakeUploader.queue();
  private final List<FakeUploader> uploaders = new ArrayList<>();
  private final MutableClock clock = MutableClock.at("2026-12-05T12:00:00Z");
  private final LogAnalyticsSinkTask task = new LogAnalyticsSinkTask(c -> {
    FakeUploader u = new FakeUploader(calls);
    uploaders.add(u);
    return u;
  }, clock);
  private FakeContext context;

  private void start(boolean withReporter, Map<String, String> extra) {
    context = new FakeContext(withReporter);
    context.assignment.addAll(List.of(P0, P1));
    task.initialize(context);
    Map<String, String> props = new HashMap<>(Map.of(
        "loganalytics.transport", "DATA_COLLECTOR",
        "loganalytics.workspace.id", "7b3c5c44-8f3b-4f3e-9a43-0c6f2b1e5d11",
        "loganalytics.shared.key", "c2VjcmV0",
        "batch.max.records", "2",
        "upload.threads", "3",
        "loganalytics.table.mapping", "logs:KcLogs"));
    props.putAll(extra);
    task.start(props);
    task.open(List.of(P0, P1));
  }

  @AfterEach
  void stop() {
    task.stop();
  }

  private static SinkRecord record(TopicPartition tp, long offset, Object value) {
    return new SinkRecord(tp.topic(), tp.partition(), null, null, null, value, offset);
  }

  private static List<SinkRecord> json(TopicPartition tp, long from, long to) {
    List<SinkRecord> out = new ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(record(tp, o, "{\"n\":" + o + "}"));
    }
    return out;
  }

  private Map<TopicPartition, OffsetAndMetadata> commit() {
    return task.preCommit(Map.of(P0, new OffsetAndMetadata(999), P1, new OffsetAndMetadata(999)));
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.yield();
    }
  }

  private long committed(TopicPartition tp) {
    OffsetAndMetadata o = commit().get(tp);
    return o == null ? -1 : o.offset();
  }

  @Test
  void commitsOnlyThePrefixTheServiceAcknowledgedWhateverTheOrder() throws Exception {
    start(true, Map.of());
    task.put(json(P0, 0, 6)); // three chunks of two, uploaded in parallel
    Call first = FakeUploader.next(calls);
    Call second = FakeUploader.next(calls);
    Call third = FakeUploader.next(calls);
    assertThat(List.of(first, second, third)).extracting(c -> c.chunk.firstSequence())
        .containsExactlyInAnyOrder(0L, 2L, 4L);
    Call c0 = find(List.of(first, second, third), 0);
    Call c2 = find(List.of(first, second, third), 2);
    Call c4 = find(List.of(first, second, third), 4);

    c4.deliver();
    c2.deliver();
    await(() -> task.deliveredRecords() == 4);
    assertThat(commit()).doesNotContainKey(P0);

    c0.deliver();
    await(() -> committed(P0) == 6);
    assertThat(c0.text(0)).isEqualTo("KcLogs|{\"n\":0}");
  }

  private static Call find(List<Call> calls, long first) {
    return calls.stream().filter(c -> c.chunk.firstSequence() == first).findFirst().orElseThrow();
  }

  @Test
  void putNeverWaitsForTheServiceAndAgedBatchesGoOutAfterTheLinger() throws Exception {
    start(true, Map.of("batch.max.records", "100", "batch.linger.ms", "1000"));
    task.put(json(P0, 0, 3)); // returns while nothing is acknowledged
    assertThat(calls).isEmpty();
    assertThat(context.lastTimeout).isBetween(1L, LogAnalyticsSinkTask.BUSY_POLL_MS);

    clock.advance(Duration.ofMillis(1000));
    task.put(List.of());
    Call c = FakeUploader.next(calls);
    assertThat(c.chunk.recordCount()).isEqualTo(3);
    task.put(json(P0, 3, 4)); // the upload above hangs; put still returns at once
    assertThat(committed(P0)).isEqualTo(-1);
    c.deliver();
    await(() -> committed(P0) == 3);
  }

  @Test
  void anInvalidRecordGoesToTheDeadLetterQueueAndIsCommittedOnlyOnceTheReportCompleted() throws Exception {
    start(true, Map.of());
    task.put(List.of(record(P0, 0, "not json"), record(P0, 1, 42L), record(P0, 2, "{\"ok\":1}"),
        record(P0, 3, "{\"ok\":2}")));
    assertThat(context.reports).hasSize(2);
    assertThat(context.reports.get(0).error().getMessage()).contains("KcLogs").contains("not a JSON object");
    assertThat(context.reports.get(1).error().getMessage()).contains("java.lang.Long");
    FakeUploader.next(calls).deliver();
    await(() -> task.deliveredRecords() == 2);
    assertThat(committed(P0)).isEqualTo(-1); // the reports are not complete yet

    context.reports.forEach(r -> r.future().complete(null));
    assertThat(committed(P0)).isEqualTo(4);
  }

  @Test
  void recordsTheServiceRefusedGoToTheDeadLetterQueueByIndexTheOthersAreCommitted() throws Exception {
    start(true, Map.of("batch.max.records", "4"));
    task.put(json(P0, 0, 4));
    Call c = FakeUploader.next(calls);
    c.giveUp(Map.of(1, "REJECTED: the service refused the records for good: HTTP 400 InvalidDataFormat",
        2, "TOO_LARGE: a single record of 2000 bytes is too large"));
    await(() -> task.deliveredRecords() == 2);
    task.put(List.of());
    assertThat(context.reports).extracting(r -> r.record().kafkaOffset()).containsExactly(1L, 2L);
    assertThat(context.reports.get(0).error().getMessage()).contains("HTTP 400 InvalidDataFormat");
    assertThat(committed(P0)).isEqualTo(1);
    context.reports.forEach(r -> r.future().complete(null));
    assertThat(committed(P0)).isEqualTo(4);
  }

  @Test
  void retriesRunningOutFailTheTaskWithoutCommittingTheRecords() throws Exception {
    start(true, Map.of());
    task.put(json(P0, 0, 2));
    FakeUploader.next(calls).giveUp(Map.of(0, "RETRIES_EXHAUSTED: no success after 7 tries; last: HTTP 503",
        1, "RETRIES_EXHAUSTED: no success after 7 tries; last: HTTP 503"));
    await(() -> {
      try {
        task.put(List.of());
        return false;
      } catch (ConnectException e) {
        return e.getMessage().contains("RETRIES_EXHAUSTED") && e.getMessage().contains("logs-0 offset 0");
      }
    });
    assertThat(context.reports).isEmpty();
    assertThat(committed(P0)).isEqualTo(-1);
  }

  @Test
  void retriesRunningOutGoToTheDeadLetterQueueWhenConfigured() throws Exception {
    start(true, Map.of("behavior.on.give.up", "dlq"));
    task.put(json(P0, 0, 2));
    FakeUploader.next(calls).giveUp(Map.of(0, "RETRIES_EXHAUSTED: last: HTTP 503", 1, "RETRIES_EXHAUSTED: x"));
    await(() -> {
      task.put(List.of());
      return context.reports.size() == 2;
    });
    context.reports.forEach(r -> r.future().complete(null));
    assertThat(committed(P0)).isEqualTo(2);
  }

  @Test
  void withoutADeadLetterQueueAnInvalidRecordFailsTheTaskNamingTheFix() {
    start(false, Map.of());
    assertThatThrownBy(() -> task.put(List.of(record(P0, 0, "oops"))))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("logs-0 offset 0").hasMessageContaining("errors.deadletterqueue.topic.name");
    assertThat(committed(P0)).isEqualTo(-1);
  }

  @Test
  void dropSkipsInvalidRecordsAndCommitsPastThem() throws Exception {
    start(false, Map.of("behavior.on.invalid.record", "drop"));
    task.put(List.of(record(P0, 0, "oops"), record(P0, 1, "{\"a\":1}"), record(P0, 2, "{\"a\":2}")));
    FakeUploader.next(calls).deliver();
    await(() -> committed(P0) == 3);
  }

  @Test
  void aRevokedPartitionDropsItsBatchesAndALateAcknowledgementIsNotCommitted() throws Exception {
    start(true, Map.of("upload.threads", "1"));
    task.put(json(P0, 0, 2)); // uploading
    Call inFlight = FakeUploader.next(calls);
    task.put(json(P0, 2, 4)); // queued behind it (one upload thread)
    task.put(List.of(record(P0, 4, "{\"open\":1}"))); // open batch

    task.close(List.of(P0));
    context.assignment.remove(P0);
    inFlight.deliver();
    await(() -> task.deliveredRecords() == 2);
    assertThat(commit()).doesNotContainKey(P0);

    // Reassigned: the consumer rereads from the committed offset; the old acknowledgement counts for nothing.
    context.assignment.add(P0);
    task.open(List.of(P0));
    task.put(json(P0, 0, 2));
    Call again = FakeUploader.next(calls);
    assertThat(again.chunk.firstSequence()).isZero();
    assertThat(calls).isEmpty(); // the queued and the open batch of the old assignment were dropped
    assertThat(committed(P0)).isEqualTo(-1);
    again.deliver();
    await(() -> committed(P0) == 2);
  }

  @Test
  void openingAPartitionAgainWithoutCloseKeepsItsPendingRecords() throws Exception {
    start(true, Map.of());
    task.put(json(P0, 0, 2));
    Call first = FakeUploader.next(calls);
    task.open(List.of(P0));
    task.put(json(P0, 2, 4));
    Call second = FakeUploader.next(calls);
    second.deliver();
    await(() -> task.deliveredRecords() == 2);
    assertThat(committed(P0)).isEqualTo(-1);
    first.deliver();
    await(() -> committed(P0) == 4);
  }

  @Test
  void pausesAboveTheInFlightLimitAndResumesBelowHalf() throws Exception {
    start(true, Map.of("max.in.flight.records", "4", "batch.max.records", "2"));
    task.put(json(P0, 0, 6));
    assertThat(context.paused).containsExactlyInAnyOrder(P0, P1);
    assertThat(task.isPaused()).isTrue();
    List<Call> three = List.of(FakeUploader.next(calls), FakeUploader.next(calls), FakeUploader.next(calls));
    three.get(0).deliver();
    three.get(1).deliver();
    await(() -> task.deliveredRecords() == 4);
    task.put(List.of());
    assertThat(context.paused).isEmpty();
    three.get(2).deliver();
  }

  @Test
  void mapsStructMapAndBytesValuesToRows() throws Exception {
    start(true, Map.of("batch.max.records", "3"));
    Schema schema = SchemaBuilder.struct().field("host", Schema.STRING_SCHEMA).field("level", Schema.INT32_SCHEMA)
        .build();
    task.put(List.of(record(P1, 0, new Struct(schema).put("host", "a").put("level", 3)),
        record(P1, 1, Map.of("k", "v")),
        record(P1, 2, "{\"b\":true}".getBytes(StandardCharsets.UTF_8))));
    Call c = FakeUploader.next(calls);
    assertThat(c.text(0)).isEqualTo("KcLogs|{host=a, level=3}");
    assertThat(c.text(1)).isEqualTo("KcLogs|{k=v}");
    assertThat(c.text(2)).isEqualTo("KcLogs|{\"b\":true}");
    c.deliver();
    await(() -> committed(P1) == 3);
  }

  @Test
  void stopClosesTheUploadersAndADeferredChunkIsNotCommitted() throws Exception {
    start(true, Map.of());
    task.put(json(P0, 0, 2));
    Call c = FakeUploader.next(calls);
    task.stop();
    c.defer();
    assertThat(uploaders).allMatch(u -> u.closed);
    assertThat(committed(P0)).isEqualTo(-1);
  }
}
