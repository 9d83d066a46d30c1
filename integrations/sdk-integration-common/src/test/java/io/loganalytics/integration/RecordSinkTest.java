package io.loganalytics.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class RecordSinkTest {
  /** Records what reaches it; refuses records holding "bad", and everything while full. */
  static final class RecordingClient implements LogAnalyticsClient {
    final List<Integer> calls = new CopyOnWriteArrayList<>(); // batch sizes, 1 for send
    final List<Object> stored = new CopyOnWriteArrayList<>();
    volatile boolean full;
    volatile boolean sawSendingInside;
    final List<String> sendAllThreads = new CopyOnWriteArrayList<>();
    /** When set, sendAll on the sink's batch thread waits for it (a stalled disk). */
    volatile CountDownLatch batchThreadGate;
    /** When set, sendAll on any other thread waits for it. */
    volatile CountDownLatch callerGate;

    @Override
    public void send(String type, Map<String, ?> record) {
      sawSendingInside |= RecordSink.isSending();
      if (record.containsKey("bad")) {
        throw new InvalidRecordException("bad", "is bad");
      }
      if (full) {
        throw new BufferFullException(Path.of("buffer"), "full");
      }
      calls.add(1);
      stored.add(record.get("n"));
    }

    @Override
    public void sendAll(String type, List<? extends Map<String, ?>> records) {
      sawSendingInside |= RecordSink.isSending();
      sendAllThreads.add(Thread.currentThread().getName());
      CountDownLatch gate = Thread.currentThread().getName().equals("loganalytics-appender-batch")
          ? batchThreadGate : callerGate;
      if (gate != null) {
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (Map<String, ?> r : records) {
        if (r.containsKey("bad")) {
          throw new InvalidRecordException("bad", "is bad");
        }
      }
      if (full) {
        throw new BufferFullException(Path.of("buffer"), "full");
      }
      calls.add(records.size());
      for (Map<String, ?> r : records) {
        stored.add(r.get("n"));
      }
    }

    @Override
    public void sendJson(String type, String jsonObject) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean flush(Duration timeout) {
      return true;
    }

    @Override
    public boolean close(Duration timeout) {
      return true;
    }

    @Override
    public ClientStats stats() {
      return new ClientStats(0, 0, Map.of(), 0, 0, 0, null, null, 0, 0, null);
    }
  }

  private final List<String> errors = new ArrayList<>();

  private RecordSink sink(int batchSize, Duration delay) {
    return new RecordSink("T", (m, e) -> errors.add(m), Clock.systemUTC(), batchSize, delay);
  }

  @Test
  void unbatchedSinkHandsEachRecordOverAtOnceAndNeverThrows() {
    RecordingClient c = new RecordingClient();
    RecordSink s = sink(1, Duration.ofMillis(200));
    assertThat(s.offer(Map.of("n", 0))).as("not started").isFalse();
    s.start(c);
    assertThat(s.offer(Map.of("n", 1))).isTrue();
    assertThat(s.offer(Map.of("n", 2, "bad", true))).isFalse();
    c.full = true;
    assertThat(s.offer(Map.of("n", 3))).isFalse();
    assertThat(s.offer(Map.of("n", 4))).isFalse();
    assertThat(c.stored).containsExactly(1);
    assertThat(s.refused()).isEqualTo(3);
    assertThat(c.sawSendingInside).as("the loop guard is up during the client call").isTrue();
    assertThat(RecordSink.isSending()).isFalse();
    assertThat(errors).hasSize(2).anySatisfy(m -> assertThat(m).contains("buffer is full"))
        .anySatisfy(m -> assertThat(m).contains("bad"));
  }

  @Test
  void eventsOnTheSdksThreadsCountAsSendingSoThatAListenerThatLogsCannotLoop() throws Exception {
    boolean[] seen = new boolean[3];
    Thread uploader = new Thread(() -> seen[0] = RecordSink.isSending(), "loganalytics-uploader");
    Thread acknowledger = new Thread(() -> seen[1] = RecordSink.isSending(), "loganalytics-acknowledger");
    Thread application = new Thread(() -> seen[2] = RecordSink.isSending(), "worker-1");
    for (Thread t : List.of(uploader, acknowledger, application)) {
      t.start();
      t.join();
    }
    assertThat(seen).containsExactly(true, true, false);
  }

  /** Waits (bounded) for an outcome of the batch thread. */
  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  @Test
  void fullBatchesGoInOneCallOnTheBatchThreadAndStopSendsTheRest() {
    RecordingClient c = new RecordingClient();
    RecordSink s = sink(3, Duration.ofMinutes(1));
    s.start(c);
    for (int i = 0; i < 7; i++) {
      assertThat(s.offer(Map.of("n", i))).isTrue();
    }
    await(() -> c.calls.size() == 2);
    assertThat(c.calls).containsExactly(3, 3);
    assertThat(c.sendAllThreads).as("the logging thread neither encodes nor writes")
        .containsOnly("loganalytics-appender-batch");
    assertThat(s.stop(Duration.ofSeconds(1))).isTrue();
    assertThat(c.calls).containsExactly(3, 3, 1);
    assertThat(c.stored).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(s.offer(Map.of("n", 8))).as("stopped").isFalse();
  }

  /**
   * Starts a sink whose batch thread is stuck in its first batch (a disk held up by forces), and fills its queue:
   * the first batch on the thread, {@code 8} batches waiting.
   */
  private RecordSink stuck(RecordingClient c, int size) {
    c.batchThreadGate = new CountDownLatch(1);
    RecordSink s = sink(size, Duration.ofMinutes(1));
    s.start(c);
    for (int i = 0; i < size; i++) {
      assertThat(s.offer(Map.of("n", i))).isTrue();
    }
    await(() -> c.sendAllThreads.size() == 1); // the batch thread took the first batch and waits in sendAll
    for (int i = size; i < 9 * size; i++) {
      assertThat(s.offer(Map.of("n", i))).as("record %d", i).isTrue();
    }
    assertThat(c.sendAllThreads).as("the queue had room so far").containsOnly("loganalytics-appender-batch");
    return s;
  }

  @Test
  void aBurstLargerThanTheQueueLosesNothingWhileTheBufferHasRoomTheLoggingThreadWritesItsOwnBatches() {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8; // the queue holds 8 batches of this size
    RecordSink s = stuck(c, size);
    // The queue is full: every further full batch is handed to the client by the logging thread that filled it.
    for (int i = 9 * size; i < 30 * size; i++) {
      assertThat(s.offer(Map.of("n", i))).as("record %d", i).isTrue();
    }
    assertThat(s.refused()).isZero();
    assertThat(errors).isEmpty();
    String me = Thread.currentThread().getName();
    assertThat(c.sendAllThreads.stream().filter(me::equals).count()).as("batches written by the logging thread")
        .isEqualTo(21);
    assertThat(c.stored).as("the logging thread's batches are in the buffer while the batch thread is stuck")
        .hasSize(21 * size);
    c.batchThreadGate.countDown();
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 30 * size; i++) {
      expected.add(i);
    }
    assertThat(c.stored).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(s.refused()).isZero();
  }

  @Test
  void whenTheBufferIsFullItsPolicyDecidesForTheLoggingThreadsBatchCountedAndReported() {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8;
    RecordSink s = stuck(c, size);
    c.full = true; // the buffer refuses (REJECT_NEW, or BLOCK after its timeout)
    for (int i = 9 * size; i < 10 * size - 1; i++) {
      assertThat(s.offer(Map.of("n", i))).isTrue(); // in the batch, in memory
    }
    assertThat(s.offer(Map.of("n", -1))).as("fills the batch, which the buffer refuses").isFalse();
    assertThat(s.refused()).isEqualTo(size);
    assertThat(errors).singleElement().satisfies(m -> assertThat(m).contains("buffer is full"));
    c.full = false;
    c.batchThreadGate.countDown();
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
    assertThat(c.stored).hasSize(9 * size).doesNotContain(-1).doesNotHaveDuplicates();
  }

  @Test
  void flushWaitsForABatchALoggingThreadIsHandingToTheClient() throws Exception {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8;
    RecordSink s = stuck(c, size);
    // A logging thread fills the next batch and writes it itself; its write is held up (a slow disk).
    CountDownLatch writeGate = new CountDownLatch(1);
    c.callerGate = writeGate;
    for (int i = 9 * size; i < 10 * size - 1; i++) {
      s.offer(Map.of("n", i));
    }
    Thread logger = new Thread(() -> s.offer(Map.of("n", -1)), "worker-0");
    logger.start();
    await(() -> c.sendAllThreads.contains("worker-0"));
    c.batchThreadGate.countDown(); // the queue drains; the logging thread's batch is still on its way
    assertThat(s.flush(Duration.ofMillis(200))).as("the batch in the logging thread's hands is not in yet")
        .isFalse();
    writeGate.countDown();
    assertThat(s.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(c.stored).hasSize(10 * size).contains(-1).doesNotHaveDuplicates();
    logger.join(10_000);
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void flushHandsOverWhatWaitsInMemoryAfterTheBatchesBeforeItAndGivesUpAtItsTimeout() throws Exception {
    RecordingClient c = new RecordingClient();
    RecordSink s = sink(3, Duration.ofMinutes(1));
    assertThat(s.flush(Duration.ofSeconds(1))).as("not started").isFalse();
    s.start(c);
    for (int i = 0; i < 5; i++) {
      s.offer(Map.of("n", i));
    }
    assertThat(s.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(c.stored).containsExactly(0, 1, 2, 3, 4);
    assertThat(c.sendAllThreads).containsOnly("loganalytics-appender-batch");

    c.batchThreadGate = new CountDownLatch(1); // the batch thread stalls in its next batch
    s.offer(Map.of("n", 5));
    assertThat(s.flush(Duration.ofMillis(50))).as("the partial batch is stuck behind the stalled thread")
        .isFalse();
    c.batchThreadGate.countDown();
    assertThat(s.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(c.stored).containsExactly(0, 1, 2, 3, 4, 5);
    s.stop(Duration.ofSeconds(1));
    assertThat(s.flush(Duration.ofSeconds(1))).as("stopped").isFalse();
  }

  @Test
  void aPartialBatchIsSentByTheTimer() throws Exception {
    RecordingClient c = new RecordingClient();
    RecordSink s = sink(100, Duration.ofMillis(20));
    s.start(c);
    s.offer(Map.of("n", 1));
    s.offer(Map.of("n", 2));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (c.stored.size() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(c.stored).containsExactly(1, 2);
    s.stop(Duration.ofSeconds(1));
  }

  @Test
  void anInvalidRecordCostsOnlyItselfAndAFullBufferCountsTheWholeBatch() {
    RecordingClient c = new RecordingClient();
    RecordSink s = sink(3, Duration.ofMinutes(1));
    s.start(c);
    s.offer(Map.of("n", 1));
    s.offer(Map.of("n", 2, "bad", true));
    s.offer(Map.of("n", 3));
    await(() -> c.stored.size() == 2 && s.refused() == 1);
    assertThat(c.stored).containsExactly(1, 3);
    assertThat(s.refused()).isEqualTo(1);
    c.full = true;
    for (int i = 4; i < 7; i++) {
      s.offer(Map.of("n", i));
    }
    await(() -> s.refused() == 4);
    assertThat(s.refused()).isEqualTo(4);
    assertThat(s.offerAll(List.of(Map.of("n", 9), Map.of("n", 10)))).isEqualTo(2);
    c.full = false;
    assertThat(s.offerAll(List.of(Map.of("n", 11), Map.of("n", 12)))).isZero();
    assertThat(c.calls).endsWith(2);
    s.stop(Duration.ofSeconds(1));
  }
}
