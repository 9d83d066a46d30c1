package io.loganalytics.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.OverflowPolicy;
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
      CountDownLatch gate = batchThreadGate;
      if (gate != null && Thread.currentThread().getName().equals("loganalytics-appender-batch")) {
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

  private RecordSink sink(int batchSize, OverflowPolicy policy, Duration blockTimeout) {
    return new RecordSink("T", (m, e) -> errors.add(m), Clock.systemUTC(), batchSize, Duration.ofMinutes(1), policy,
        blockTimeout);
  }

  /**
   * Starts a sink whose batch thread is stuck in its first batch (a disk held up by forces), and fills its queue:
   * the first batch on the thread, {@code 8} batches waiting, one full batch in hand.
   */
  private RecordSink stuck(RecordingClient c, int size, OverflowPolicy policy, Duration blockTimeout) {
    c.batchThreadGate = new CountDownLatch(1);
    RecordSink s = sink(size, policy, blockTimeout);
    s.start(c);
    for (int i = 0; i < size; i++) {
      assertThat(s.offer(Map.of("n", i))).isTrue();
    }
    await(() -> c.sendAllThreads.size() == 1); // the batch thread took the first batch and waits in sendAll
    for (int i = size; i < 10 * size; i++) {
      assertThat(s.offer(Map.of("n", i))).as("record %d", i).isTrue();
    }
    return s;
  }

  /**
   * Starts a logging thread that offers record {@code n} (its outcome goes to {@code accepted[index]}) and returns
   * once it waits for room in the queue.
   */
  private static Thread waitingLogger(RecordSink s, int n, boolean[] accepted, int index) {
    Thread logger = new Thread(() -> accepted[index] = s.offer(Map.of("n", n)), "worker-" + index);
    logger.start();
    await(() -> logger.getState() == Thread.State.TIMED_WAITING);
    return logger;
  }

  @Test
  void whenTheQueueIsFullDropOldestDropsTheOldestWaitingBatchAndTheLoggingThreadNeverWrites() {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8; // the queue holds 8 batches of this size
    RecordSink s = stuck(c, size, OverflowPolicy.DROP_OLDEST, Duration.ofMillis(100));
    // The queue is full and a full batch is in hand: the next record drops the oldest waiting batch (records
    // size..2*size-1) and takes its place.
    assertThat(s.offer(Map.of("n", -1))).isTrue();
    assertThat(s.dropped()).isEqualTo(size);
    assertThat(s.refused()).isZero();
    assertThat(errors).singleElement().satisfies(m -> assertThat(m).contains(size + " record(s) dropped")
        .contains("queue").contains("DROP_OLDEST"));
    assertThat(c.sendAllThreads).as("the logging thread never writes to the buffer")
        .containsOnly("loganalytics-appender-batch");
    c.batchThreadGate.countDown();
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
    List<Object> expected = new ArrayList<>();
    for (int i = 0; i < 10 * size; i++) {
      if (i < size || i >= 2 * size) {
        expected.add(i);
      }
    }
    expected.add(-1);
    assertThat(c.stored).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(c.sendAllThreads).as("stop sends what is in memory on the stopping thread").contains(
        Thread.currentThread().getName());
  }

  @Test
  void whenTheQueueIsFullTheLoggingThreadFirstWaitsForTheBatchThreadSoThatASlowButMovingOneLosesNothing()
      throws Exception {
    for (OverflowPolicy policy : List.of(OverflowPolicy.DROP_OLDEST, OverflowPolicy.REJECT_NEW)) {
      RecordingClient c = new RecordingClient();
      int size = RecordSink.MAX_QUEUED_RECORDS / 8;
      c.batchThreadGate = new CountDownLatch(1);
      RecordSink s = sink(size, policy, Duration.ofMillis(100));
      s.queueWait(Duration.ofSeconds(10)); // in place of 10 ms: the test releases the batch thread meanwhile
      s.start(c);
      for (int i = 0; i < size; i++) {
        s.offer(Map.of("n", i));
      }
      await(() -> c.sendAllThreads.size() == 1);
      for (int i = size; i < 10 * size; i++) {
        s.offer(Map.of("n", i));
      }
      boolean[] accepted = new boolean[1];
      Thread logger = waitingLogger(s, -1, accepted, 0);
      assertThat(logger.isAlive()).as(policy + ": waiting for the batch thread").isTrue();
      c.batchThreadGate.countDown();
      logger.join(10_000);
      assertThat(accepted[0]).as(policy.toString()).isTrue();
      assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
      assertThat(s.dropped() + s.refused()).as(policy.toString()).isZero();
      assertThat(c.stored).hasSize(10 * size + 1).doesNotHaveDuplicates();
      assertThat(c.sendAllThreads).doesNotContain("worker-0");
    }
    assertThat(errors).isEmpty();
  }

  @Test
  void afterAWaitInVainTheNextLogCallsDoNotWaitUntilTheBatchThreadMovesAgain() throws Exception {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8;
    RecordSink s = stuck(c, size, OverflowPolicy.DROP_OLDEST, Duration.ofMillis(100));
    s.queueWait(Duration.ofMillis(1));
    assertThat(s.offer(Map.of("n", -1))).isTrue(); // waited 1 ms in vain, dropped the oldest batch
    s.queueWait(Duration.ofDays(1)); // a wait now would never end: the stall is remembered
    for (int i = 0; i < 3 * size; i++) {
      assertThat(s.offer(Map.of("n", -2))).isTrue();
    }
    assertThat(s.dropped()).isEqualTo(4L * size);
    c.batchThreadGate.countDown();
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void whenTheQueueIsFullRejectNewRefusesTheNewRecordAndKeepsTheWaitingOnes() {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8;
    RecordSink s = stuck(c, size, OverflowPolicy.REJECT_NEW, Duration.ofMillis(100));
    assertThat(s.offer(Map.of("n", -1))).isFalse();
    assertThat(s.offer(Map.of("n", -2))).isFalse();
    assertThat(s.refused()).isEqualTo(2);
    assertThat(s.dropped()).isZero();
    assertThat(errors).singleElement().satisfies(m -> assertThat(m).contains("refused").contains("queue")
        .contains("REJECT_NEW"));
    assertThat(c.sendAllThreads).containsOnly("loganalytics-appender-batch");
    c.batchThreadGate.countDown();
    // Once the batch thread takes a batch, there is room again.
    await(() -> c.stored.size() >= size);
    assertThat(s.offer(Map.of("n", -3))).isTrue();
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
    assertThat(c.stored).hasSize(10 * size + 1).contains(-3).doesNotContain(-1, -2).doesNotHaveDuplicates();
  }

  @Test
  void whenTheQueueIsFullBlockWaitsForTheBatchThreadAtMostTheBlockTimeout() throws Exception {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8;
    // A zero timeout: the stuck batch thread never makes room, the record is refused without a wait.
    RecordSink s = stuck(c, size, OverflowPolicy.BLOCK, Duration.ZERO);
    assertThat(s.offer(Map.of("n", -1))).isFalse();
    assertThat(s.refused()).isEqualTo(1);
    c.batchThreadGate.countDown();
    assertThat(s.stop(Duration.ofSeconds(5))).isTrue();
    assertThat(c.stored).hasSize(10 * size).doesNotContain(-1);

    // A long timeout: two logging threads wait until the batch thread takes a batch, then both are accepted (the
    // one that wakes second finds the full batch already queued by the first).
    RecordingClient c2 = new RecordingClient();
    RecordSink s2 = stuck(c2, size, OverflowPolicy.BLOCK, Duration.ofSeconds(10));
    boolean[] accepted = new boolean[2];
    List<Thread> loggers = List.of(waitingLogger(s2, -1, accepted, 0), waitingLogger(s2, -2, accepted, 1));
    c2.batchThreadGate.countDown();
    for (Thread logger : loggers) {
      logger.join(10_000);
    }
    assertThat(accepted).containsExactly(true, true);
    assertThat(s2.stop(Duration.ofSeconds(5))).isTrue();
    assertThat(c2.stored).hasSize(10 * size + 2).contains(-1, -2).doesNotHaveDuplicates();
    assertThat(c2.sendAllThreads).doesNotContain("worker-0", "worker-1");
    assertThat(s2.refused() + s2.dropped()).isZero();
  }

  @Test
  void stopReleasesALoggingThreadWaitingUnderBlock() throws Exception {
    RecordingClient c = new RecordingClient();
    int size = RecordSink.MAX_QUEUED_RECORDS / 8;
    RecordSink s = stuck(c, size, OverflowPolicy.BLOCK, Duration.ofSeconds(10));
    boolean[] accepted = {true};
    Thread logger = waitingLogger(s, -1, accepted, 0);
    Thread stopper = new Thread(() -> s.stop(Duration.ofSeconds(5)), "stopper");
    stopper.start();
    logger.join(10_000);
    assertThat(logger.isAlive()).as("released by stop, not by its timeout").isFalse();
    assertThat(accepted[0]).isFalse();
    c.batchThreadGate.countDown();
    stopper.join(10_000);
    assertThat(c.stored).hasSize(10 * size);
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
