package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.impl.testsupport.InMemoryDiskBuffer;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Chunks are acknowledged after delivery, on the acknowledger thread beside the next upload (the last of a pass by the
 * uploader itself); a failed acknowledgement loses nothing.
 */
class AcknowledgementTest {
  /** Fields of 30,000 bytes per record (the Data Collector keeps at most 32 KB a field): 390 KB a record. */
  private static final int FIELDS = 13;

  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final InMemoryDiskBuffer buffer = new InMemoryDiskBuffer(clock);
  private final List<String> ackThreads = new CopyOnWriteArrayList<>();
  private final AtomicInteger failAcks = new AtomicInteger();
  private final CountDownLatch failed = new CountDownLatch(1);
  private DefaultLogAnalyticsClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close(Duration.ofSeconds(5));
    }
    executor.shutdown();
  }

  private DefaultLogAnalyticsClient client() {
    client = ClientTestSupport.dataCollectorClient(server, clock, executor, ClientTestSupport.intercepting(buffer,
        method -> {
          // Notes which thread acknowledges, and fails the next failAcks acknowledgements.
          if (method.equals("acknowledge")) {
            ackThreads.add(Thread.currentThread().getName());
            if (failAcks.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
              failed.countDown();
              throw new BufferException(Path.of("buffer"), "simulated failure of the ack state write", true, null);
            }
          }
        }));
    return client;
  }

  private void sendBigRecords(int n) {
    for (int i = 0; i < n; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("n", i);
      for (int f = 0; f < FIELDS; f++) {
        r.put("f" + f, "x".repeat(30_000));
      }
      client.send("Events", r);
    }
  }

  @Test
  void chunksAreAcknowledgedBesideTheNextUploadAndThePassesLastOneByTheUploaderBeforeFlushReturns() {
    for (int i = 0; i < 40; i++) { // at most one request per record, and some to spare
      server.enqueue(new MockResponse.Builder().code(200).build());
    }
    client();
    sendBigRecords(20); // 8 MB: several chunks of two requests' worth

    assertThat(client.flush(Duration.ofSeconds(30))).as("flushed; %s", client.stats()).isTrue();

    assertThat(buffer.contents()).isEmpty();
    assertThat(client.stats().recordsSent()).isEqualTo(20);
    // A chunk followed by another is acknowledged on the acknowledger thread while the next one uploads; the last
    // chunk of a pass has nothing to run beside, and the uploader acknowledges it itself.
    assertThat(ackThreads).hasSizeGreaterThan(1).contains(DefaultLogAnalyticsClient.ACK_THREAD_NAME)
        .containsOnly(DefaultLogAnalyticsClient.ACK_THREAD_NAME, DefaultLogAnalyticsClient.THREAD_NAME);
    assertThat(ackThreads.get(ackThreads.size() - 1)).isEqualTo(DefaultLogAnalyticsClient.THREAD_NAME);
  }

  @Test
  void aFailedAcknowledgementKeepsTheChunkAndItIsSentAgain() throws Exception {
    for (int i = 0; i < 20; i++) {
      server.enqueue(new MockResponse.Builder().code(200).build());
    }
    failAcks.set(1);
    client();
    sendBigRecords(4); // 1.5 MB: the uploader starts without a flush
    assertThat(failed.await(30, TimeUnit.SECONDS)).as("an acknowledgement failed").isTrue();

    assertThat(client.flush(Duration.ofSeconds(30))).as("flushed; %s", client.stats()).isTrue();

    assertThat(buffer.contents()).isEmpty();
    int n0 = 0;
    for (int i = 0; i < server.getRequestCount(); i++) {
      String body = server.takeRequest().getBody().string(StandardCharsets.UTF_8);
      if (body.contains("\"n\":0")) {
        n0++;
      }
    }
    assertThat(n0).as("requests carrying record 0").isEqualTo(2);
  }

  @Test
  void aFlushStartedWhileAnAcknowledgementIsBetweenTheBufferAndItsCountWaitsForTheNewRecords() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build()); // for the first five records only
    CountDownLatch removed = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    AtomicInteger acks = new AtomicInteger();
    DiskBuffer pausing = (DiskBuffer) Proxy.newProxyInstance(DiskBuffer.class.getClassLoader(),
        new Class<?>[] {DiskBuffer.class}, (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(buffer, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          // The first acknowledgement has taken its records out of the buffer, and is not counted yet.
          if (method.getName().equals("acknowledge") && acks.getAndIncrement() == 0) {
            removed.countDown();
            resume.await();
          }
          return result;
        });
    client = ClientTestSupport.dataCollectorClient(server, clock, executor, pausing);
    for (int i = 0; i < 5; i++) {
      client.send("Events", Map.of("n", i));
    }
    ExecutorService flushes = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> first = flushes.submit(() -> client.flush(Duration.ofSeconds(30)));
      assertThat(removed.await(30, TimeUnit.SECONDS)).as("the first acknowledgement started").isTrue();
      client.send("Events", Map.of("n", 5)); // one new record, fewer than the chunk being counted
      FutureTask<Boolean> second = new FutureTask<>(() -> client.flush(Duration.ofSeconds(30)));
      Thread secondThread = new Thread(second, "second-flush");
      secondThread.start();
      // Let the second flush read its target before the acknowledgement is counted (a synchronisation, not a time
      // measurement: it waits, bounded, until that thread waits).
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (secondThread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      resume.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS)).isTrue();

      // The new record's request reaches the server, which has no answer for it yet: a flush that counted the
      // first chunk as progress towards it would have returned true by now.
      server.takeRequest();
      RecordedRequest pending = server.takeRequest(30, TimeUnit.SECONDS);
      assertThat(pending).as("the new record's request").isNotNull();
      assertThat(pending.getBody().string(StandardCharsets.UTF_8)).contains("\"n\":5");
      assertThat(second.isDone()).as("the second flush waits for the new record").isFalse();

      server.enqueue(new MockResponse.Builder().code(200).build());
      assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(buffer.contents()).isEmpty();
    } finally {
      flushes.shutdownNow();
    }
  }
}
