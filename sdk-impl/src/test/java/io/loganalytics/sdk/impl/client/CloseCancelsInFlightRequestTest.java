package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.buffer.FileDiskBuffer;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.testsupport.RecordingListener;
import io.loganalytics.sdk.impl.testsupport.ScriptedDispatcher;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code close(Duration)} with a request in flight that would only end at the HTTP call timeout (5 minutes by
 * default): the production stack (the SDK's OkHttp executor with default settings, the file buffer, the Data
 * Collector transport) against a MockWebServer whose first answer never comes while the test runs.
 */
class CloseCancelsInFlightRequestTest {
  private static final Pattern N = Pattern.compile("\"n\":(\\d+)");
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Generous: only proves that close did not wait for the call timeout. */
  private static final Duration CLOSE_UPPER_BOUND = Duration.ofSeconds(30);

  @StartStop
  private final MockWebServer server = new MockWebServer();
  @TempDir
  Path dir;

  private final CountDownLatch firstArrived = new CountDownLatch(1);
  private final CountDownLatch testOver = new CountDownLatch(1);
  private final AtomicInteger received = new AtomicInteger();
  private final List<RecordedRequest> answered = new CopyOnWriteArrayList<>();
  private final List<LogAnalyticsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    testOver.countDown(); // frees the dispatcher thread still holding the first request
    clients.forEach(c -> c.close(Duration.ofSeconds(5)));
  }

  /** The first request is never answered while the test runs; later ones get 200. */
  private void serveFirstRequestNever() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        if (received.getAndIncrement() == 0) {
          firstArrived.countDown();
          testOver.await();
          return ScriptedDispatcher.status(500, "too late");
        }
        answered.add(request);
        return ScriptedDispatcher.ok();
      }
    });
  }

  private DefaultLogAnalyticsClient client(RecordingListener listener) {
    LogAnalyticsClientBuilder config = LogAnalyticsClient.builder()
        .credentials(WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY))
        .transport(Transport.DATA_COLLECTOR)
        .bufferDirectory(dir)
        // No retry at all: a cancelled request counted as a failed try would be given up, and its records lost.
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1)).maxRetries(0).build())
        .listener(listener);
    ClientCertificateExecutor executor = HttpClients.withoutClientCertificate(HttpSettings.defaults());
    DataCollectorTransport transport = new DataCollectorTransport(executor,
        URI.create(server.url("/api/logs?api-version=2016-04-01").toString()), config.credentials().orElseThrow(),
        new ClockSkew(Clock.systemUTC()), null, null);
    DefaultLogAnalyticsClient client = DefaultLogAnalyticsClient.create(config,
        l -> FileDiskBuffer.open(config.bufferOptions(), l), transport, executor);
    clients.add(client);
    return client;
  }

  @Test
  void closeCancelsARequestThatWouldRunUntilTheCallTimeoutAndLeavesItsRecordsForTheNextClient() throws Exception {
    assertThat(HttpSettings.defaults().callTimeout()).isGreaterThanOrEqualTo(Duration.ofMinutes(1));
    serveFirstRequestNever();
    RecordingListener firstEvents = new RecordingListener();
    DefaultLogAnalyticsClient first = client(firstEvents);
    for (int i = 0; i < 3; i++) {
      first.send("Events", Map.of("n", i));
    }
    assertThat(first.flush(Duration.ZERO)).isFalse();
    assertThat(firstArrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first request reached the server")
        .isTrue();

    long start = System.nanoTime();
    boolean emptied = first.close(Duration.ofMillis(300));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(emptied).isFalse();
    assertThat(took).as("close waited for the request instead of cancelling it").isLessThan(CLOSE_UPPER_BOUND);
    ClientStats stats = first.stats();
    assertThat(stats.recordsSent()).isZero();
    assertThat(stats.retries()).as("a cancelled request is not a failed try").isZero();
    assertThat(stats.recordsDroppedTotal()).isZero();
    assertThat(stats.bufferedRecords()).isEqualTo(3);
    assertThat(firstEvents.events()).as("nothing delivered, retried or given up").isEmpty();

    // The buffer was closed before close returned: its directory opens again at once in this JVM.
    try (DiskBuffer reopened = FileDiskBuffer.open(BufferOptions.builder(dir).build(), new RecordingListener())) {
      assertThat(reopened.recordCount()).isEqualTo(3);
    }

    RecordingListener secondEvents = new RecordingListener();
    DefaultLogAnalyticsClient second = client(secondEvents);
    assertThat(second.flush(WAIT)).isTrue();
    assertThat(second.close(WAIT)).isTrue();

    assertThat(answered).hasSize(1);
    assertThat(numbers(answered.get(0))).containsExactly(0, 1, 2);
    assertThat(second.stats().recordsSent()).isEqualTo(3);
    assertThat(secondEvents.events()).containsExactly("delivered(3,try 1)");
  }

  private static List<Integer> numbers(RecordedRequest r) {
    List<Integer> out = new ArrayList<>();
    Matcher m = N.matcher(r.getBody().string(StandardCharsets.UTF_8));
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }
}
