package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.FakeAgentSession;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.ForwardingDiskBuffer;
import io.loganalytics.sdk.impl.testsupport.ForwardingTransport;
import io.loganalytics.sdk.impl.testsupport.InMemoryDiskBuffer;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.RecordingListener;
import io.loganalytics.sdk.impl.testsupport.ScriptedDispatcher;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import io.loganalytics.sdk.impl.transport.OdsTransport;
import io.loganalytics.sdk.impl.transport.UploadTransport;
import io.loganalytics.testkit.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DefaultLogAnalyticsClientTest {
  private static final Pattern N = Pattern.compile("\"n\":(\\d+)");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final RecordingListener listener = new RecordingListener();
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final ScriptedDispatcher dispatcher = new ScriptedDispatcher(clock);
  private final InMemoryDiskBuffer buffer = new InMemoryDiskBuffer(clock);
  private final List<LogAnalyticsClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp() {
    server.setDispatcher(dispatcher);
  }

  @AfterEach
  void tearDown() {
    clients.forEach(c -> c.close(Duration.ofSeconds(5)));
    executor.shutdown();
  }

  private LogAnalyticsClientBuilder config() {
    return LogAnalyticsClient.builder()
        .credentials(WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY))
        .transport(Transport.DATA_COLLECTOR)
        .bufferDirectory(Path.of("unused-in-memory"))
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1)).build())
        .clock(clock)
        .listener(listener);
  }

  private UploadTransport dataCollector(LogAnalyticsClientBuilder config) {
    return new DataCollectorTransport(executor, URI.create(server.url("/api/logs?api-version=2016-04-01").toString()),
        config.credentials().orElseThrow(), new ClockSkew(clock), null, null);
  }

  private DefaultLogAnalyticsClient client(LogAnalyticsClientBuilder config, FakeSleeper sleeper) {
    return client(config, dataCollector(config), sleeper);
  }

  private DefaultLogAnalyticsClient client(LogAnalyticsClientBuilder config, UploadTransport transport,
      FakeSleeper sleeper) {
    DefaultLogAnalyticsClient c = DefaultLogAnalyticsClient.create(config, l -> buffer, transport, sleeper,
        () -> 0.5);
    clients.add(c);
    return c;
  }

  private static List<Integer> numbers(RecordedRequest r) {
    List<Integer> out = new ArrayList<>();
    Matcher m = N.matcher(r.getBody().string(StandardCharsets.UTF_8));
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  @Test
  void sendThenFlushDeliversEveryRecordAndCountsIt() {
    DefaultLogAnalyticsClient client = client(config(), new FakeSleeper(clock));
    for (int i = 0; i < 5; i++) {
      client.send("Events", Map.of("n", i));
    }
    client.sendJson("Events", "{\"n\":5}");

    assertThat(client.flush(WAIT)).isTrue();

    assertThat(dispatcher.requests()).hasSize(1);
    RecordedRequest req = dispatcher.requests().get(0);
    assertThat(numbers(req)).containsExactly(0, 1, 2, 3, 4, 5);
    ClientStats stats = client.stats();
    assertThat(stats.recordsAccepted()).isEqualTo(6);
    assertThat(stats.recordsSent()).isEqualTo(6);
    assertThat(stats.requests()).isEqualTo(1);
    assertThat(stats.retries()).isZero();
    assertThat(stats.bytesSent()).isEqualTo(req.getBodySize());
    assertThat(stats.lastSuccess()).contains(clock.instant());
    assertThat(stats.bufferedRecords()).isZero();
    assertThat(stats.oldestUnsentAge()).isEmpty();
    assertThat(stats.recordsDroppedTotal()).isZero();
    assertThat(stats.certificateExpiry()).isEmpty();
    assertThat(buffer.contents()).isEmpty();
  }

  @Test
  void aServerFailingTheFirstAttemptsThenRecoveringReceivesEveryRecordOnce() {
    dispatcher.then(ScriptedDispatcher.status(503, ""), ScriptedDispatcher.disconnect(),
        ScriptedDispatcher.status(500, ""));
    FakeSleeper sleeper = new FakeSleeper(clock);
    DefaultLogAnalyticsClient client = client(config().maxRequestBytes(1024), sleeper);
    for (int i = 0; i < 300; i++) {
      client.send("Events", Map.of("n", i));
    }

    assertThat(client.flush(WAIT)).isTrue();

    List<RecordedRequest> requests = dispatcher.requests();
    List<Integer> delivered = new ArrayList<>();
    requests.subList(3, requests.size()).forEach(r -> delivered.addAll(numbers(r)));
    assertThat(delivered).containsExactlyElementsOf(IntStream.range(0, 300).boxed().toList());
    assertThat(requests.size()).isGreaterThan(4);
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(120));
    assertThat(client.stats().retries()).isEqualTo(3);
    assertThat(client.stats().recordsSent()).isEqualTo(300);
    assertThat(buffer.contents()).isEmpty();
  }

  @Test
  void givesUpAfterTheLastRetryReportsItAndFreesTheBuffer() {
    dispatcher.otherwise(r -> ScriptedDispatcher.status(503, ""));
    FakeSleeper sleeper = new FakeSleeper(clock);
    Instant t0 = clock.instant();
    DefaultLogAnalyticsClient client = client(config(), sleeper);
    client.send("Events", Map.of("n", 1));
    client.send("Events", Map.of("n", 2));

    assertThat(client.flush(WAIT)).isTrue();

    assertThat(dispatcher.times()).last().isEqualTo(t0.plusSeconds(1890));
    assertThat(listener.events()).contains("givenUp(2,RETRIES_EXHAUSTED)", "dropped(RETRIES_EXHAUSTED,2)");
    ClientStats stats = client.stats();
    assertThat(stats.recordsDropped().get(DropReason.RETRIES_EXHAUSTED)).isEqualTo(2);
    assertThat(stats.recordsSent()).isZero();
    assertThat(stats.requests()).isEqualTo(7);
    assertThat(stats.retries()).isEqualTo(6);
    assertThat(buffer.contents()).isEmpty();
  }

  @Test
  void closeDuringABackoffReturnsWithinItsDeadlineAndAReopenedClientSendsTheRest() throws Exception {
    // Down until the second client: close() may start one more pass before it stops the uploader, and that pass
    // must not find the service up (it would deliver, and the test would race).
    AtomicBoolean up = new AtomicBoolean();
    dispatcher.otherwise(r -> up.get() ? ScriptedDispatcher.ok() : ScriptedDispatcher.status(503, ""));
    FakeSleeper blocking = new FakeSleeper(clock).blockFrom(1);
    DefaultLogAnalyticsClient first = client(config(), blocking);
    for (int i = 0; i < 3; i++) {
      first.send("Events", Map.of("n", i));
    }
    assertThat(first.flush(Duration.ZERO)).isFalse();
    blocking.awaitBlocked();

    boolean emptied = first.close(Duration.ofSeconds(5));

    assertThat(emptied).isFalse();
    assertThat(buffer.isClosed()).isTrue();
    assertThat(buffer.contents()).hasSize(3);
    assertThat(blocking.waits()).containsExactly(Duration.ofSeconds(30));
    assertThat(first.close(Duration.ofSeconds(5))).isFalse();
    assertThat(first.stats().bufferedRecords()).isEqualTo(3);
    assertThatThrownBy(() -> first.send("Events", Map.of("n", 9))).isInstanceOf(ClientClosedException.class);

    buffer.reopen();
    up.set(true);
    DefaultLogAnalyticsClient second = client(config(), new FakeSleeper(clock));
    assertThat(second.close(WAIT)).isTrue();

    List<RecordedRequest> requests = dispatcher.requests();
    assertThat(numbers(requests.get(requests.size() - 1))).containsExactly(0, 1, 2);
    assertThat(buffer.contents()).isEmpty();
  }

  @Test
  void closeReturnsWhenTheRequestInFlightCannotBeCancelledForcesTheBufferAndTheUploaderClosesItWhenItEnds()
      throws Exception {
    // The test executor ignores HttpCancellation (the SDK's executor honours it: CloseCancelsInFlightRequestTest),
    // so this is the fallback when the uploader does not stop within the grace after the deadline.
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    dispatcher.otherwise(r -> {
      arrived.countDown();
      try {
        answer.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return ScriptedDispatcher.ok();
    });
    DefaultLogAnalyticsClient client = client(config(), new FakeSleeper(clock));
    client.send("Events", Map.of("n", 1));
    assertThat(client.flush(Duration.ZERO)).isFalse();
    arrived.await();

    assertThat(client.close(Duration.ofMillis(200))).isFalse();
    assertThat(buffer.isClosed()).isFalse();
    assertThat(buffer.syncs()).as("forced to disk before close returned").isEqualTo(1);

    answer.countDown();
    assertThat(buffer.awaitClosed(30_000)).isTrue();
    assertThat(buffer.contents()).isEmpty();
    assertThat(client.stats().recordsSent()).isEqualTo(1);
  }

  @Test
  void uploadsAsSoonAsAFullRequestIsWaitingWithoutAFlush() throws Exception {
    DefaultLogAnalyticsClient client = client(config().maxRequestBytes(1024), new FakeSleeper(clock));
    for (int i = 0; i < 200; i++) {
      client.send("Events", Map.of("n", i));
    }

    RecordedRequest first = server.takeRequest(30, TimeUnit.SECONDS);

    assertThat(first).isNotNull();
    assertThat(numbers(first)).startsWith(0, 1, 2);
  }

  @Test
  void sendsWhatAnEarlierRunLeftAtStartWithoutWaitingForTheInterval() throws Exception {
    LogAnalyticsClientBuilder config = config();
    UploadTransport transport = dataCollector(config);
    RecordEncoder encoder = new RecordEncoder(transport.limits(config.maxRequestBytes()));
    buffer.append(encoder.encode("Events", "", Map.of("n", 7)));
    buffer.append(encoder.encode("Events", "", Map.of("n", 8)));

    client(config, transport, new FakeSleeper(clock));
    RecordedRequest first = server.takeRequest(30, TimeUnit.SECONDS);

    assertThat(first).isNotNull();
    assertThat(numbers(first)).containsExactly(7, 8);
  }

  @Test
  void refusesInvalidInputNamingTheFieldAndBuffersNothing() {
    DefaultLogAnalyticsClient client = client(config(), new FakeSleeper(clock));

    assertThatThrownBy(() -> client.send("bad type", Map.of("a", 1)))
        .isInstanceOf(InvalidRecordException.class).hasMessageStartingWith("type:")
        .satisfies(e -> assertThat(((InvalidRecordException) e).field()).isEqualTo("type"))
        .satisfies(e -> assertThat(((InvalidRecordException) e).isRetryable()).isFalse());
    assertThatThrownBy(() -> client.sendJson("Events", "[1]"))
        .isInstanceOf(InvalidRecordException.class).hasMessageStartingWith("record:");
    assertThatThrownBy(() -> client.send("Events", Map.of("RawData", "x")))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("reserved")
        .satisfies(e -> assertThat(((InvalidRecordException) e).field()).isEqualTo("RawData"));
    assertThatThrownBy(() -> client.sendAll("Events", List.of(Map.of("ok", 1), Map.of("bad", new Object()))))
        .isInstanceOf(InvalidRecordException.class)
        .satisfies(e -> assertThat(((InvalidRecordException) e).field()).isEqualTo("bad"));
    assertThatThrownBy(() -> client.sendAll("bad type", List.of(Map.of("ok", 1))))
        .isInstanceOf(InvalidRecordException.class).hasMessageStartingWith("type:");
    assertThatThrownBy(() -> client.send("Events", Map.of("m", "x".repeat(40_000))))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'m'");
    assertThat(client.stats().recordsAccepted()).isZero();
    assertThat(buffer.contents()).isEmpty();
  }

  @Test
  void deeplyNestedJsonIsAnInvalidRecordAndTheClientGoesOn() {
    DefaultLogAnalyticsClient client = client(config(), new FakeSleeper(clock));
    String deep = TestData.nestedJson(100_000, true);

    assertThatThrownBy(() -> client.sendJson("Events", deep))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("record: nests objects and arrays more than 1000 levels deep, the most a JSON record may have");
    assertThatThrownBy(() -> client.sendJson("Events",
        TestData.nestedJson(1_001, false)))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("1000 levels");
    client.sendJson("Events", "{\"n\":1}");
    assertThat(client.stats().recordsAccepted()).isEqualTo(1);
  }

  @Test
  void statsCarryTheLastErrorAndWhenItHappened() {
    dispatcher.then(ScriptedDispatcher.status(503, "{\"Error\":\"ServiceUnavailable\"}"));
    DefaultLogAnalyticsClient client = client(config(), new FakeSleeper(clock));
    assertThat(client.stats().lastError()).isEmpty();
    assertThat(client.stats().lastErrorTime()).isEmpty();
    Instant failedAt = clock.instant();

    client.send("Events", Map.of("n", 1));
    assertThat(client.flush(WAIT)).isTrue();

    io.loganalytics.sdk.ClientStats stats = client.stats();
    assertThat(stats.lastError()).hasValue("HTTP 503 ServiceUnavailable");
    assertThat(stats.lastErrorTime()).hasValue(failedAt);
    assertThat(stats.lastSuccess()).hasValueSatisfying(t -> assertThat(t).isAfter(failedAt));
    assertThat(stats.toString()).contains("lastError=HTTP 503 ServiceUnavailable at " + failedAt);
  }

  @Test
  void runsOneNamedDaemonUploaderThread() {
    client(config(), new FakeSleeper(clock));

    List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(DefaultLogAnalyticsClient.THREAD_NAME)).toList();

    assertThat(threads).isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
  }

  @Test
  void statsShowTheAgeOfTheOldestUnsentRecordAndTheCertificateExpiry() {
    Instant expiry = clock.instant().plus(Duration.ofDays(80));
    FakeAgentSession session = new FakeAgentSession(executor,
        URI.create(server.url("/OperationalData.svc/PostJsonDataItems").toString()), expiry);
    LogAnalyticsClientBuilder config = config().transport(Transport.AGENT_CERTIFICATE)
        .stateDirectory(Path.of("unused"));
    DefaultLogAnalyticsClient client = client(config, OdsTransport.create(config, session),
        new FakeSleeper(clock));
    client.send("LINUX_SYSLOGS_BLOB", Map.of("Message", "hi"));
    clock.advance(Duration.ofMinutes(5));

    ClientStats stats = client.stats();

    assertThat(stats.oldestUnsentAge()).contains(Duration.ofMinutes(5));
    assertThat(stats.bufferedRecords()).isEqualTo(1);
    assertThat(stats.bufferedBytes()).isPositive();
    assertThat(stats.certificateExpiry()).contains(expiry);
  }

  @Test
  void deliversOnTheAgentPathInTheDeflatedEnvelopeWithTheConfiguredIpName() {
    FakeAgentSession session = new FakeAgentSession(executor,
        URI.create(server.url("/OperationalData.svc/PostJsonDataItems").toString()), clock.instant());
    LogAnalyticsClientBuilder config = config().transport(Transport.AGENT_CERTIFICATE)
        .stateDirectory(Path.of("unused")).ipName("Security");
    DefaultLogAnalyticsClient client = client(config, OdsTransport.create(config, session), new FakeSleeper(clock));
    client.send("LINUX_SYSLOGS_BLOB", Map.of("n", 1));
    client.sendJson("LINUX_SYSLOGS_BLOB", "{\"n\":2}");

    assertThat(client.flush(WAIT)).isTrue();

    assertThat(dispatcher.requests()).hasSize(1);
    assertThat(TestData.inflate(dispatcher.requests().get(0).getBody().toByteArray())).isEqualTo(
        "{\"DataType\":\"LINUX_SYSLOGS_BLOB\",\"IPName\":\"Security\",\"DataItems\":[{\"n\":1},{\"n\":2}]}");
  }

  @Test
  void aListenerThatThrowsDoesNotStopDelivery() {
    LogAnalyticsListener throwing = new LogAnalyticsListener() {
      @Override
      public void onChunkDelivered(String chunkId, int records, long bytes, int attempt) {
        throw new IllegalStateException("listener bug");
      }
    };
    DefaultLogAnalyticsClient client = client(config().listener(throwing), new FakeSleeper(clock));
    client.send("Events", Map.of("n", 1));

    assertThat(client.flush(WAIT)).isTrue();
    assertThat(client.stats().recordsSent()).isEqualTo(1);
  }

  @Test
  void theUploaderSurvivesAnErrorFromTheBufferBacksOffAndDeliversAtTheNextPass() {
    AtomicInteger failingReads = new AtomicInteger(1);
    ForwardingDiskBuffer flaky = new ForwardingDiskBuffer(buffer) {
      @Override
      public Optional<Chunk> read(long maxBytes, int maxRecords) {
        if (failingReads.getAndDecrement() > 0) {
          throw new AssertionError("simulated bug in the buffer");
        }
        return super.read(maxBytes, maxRecords);
      }
    };
    FakeSleeper sleeper = new FakeSleeper(clock);
    LogAnalyticsClientBuilder config = config();
    DefaultLogAnalyticsClient client = DefaultLogAnalyticsClient.create(config, l -> flaky, dataCollector(config),
        sleeper, () -> 0.5);
    clients.add(client);
    client.send("Events", Map.of("n", 1));

    assertThat(client.flush(WAIT)).isTrue();

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30));
    assertThat(dispatcher.requests()).hasSize(1);
    assertThat(buffer.contents()).isEmpty();
  }

  @Test
  void aChunkWhoseUploadKeepsThrowingIsRetriedWithBackoffThenGivenUpAsRejected() {
    LogAnalyticsClientBuilder config = config().retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1))
        .maxRetries(2).build());
    UploadTransport broken = new ForwardingTransport(dataCollector(config)) {
      @Override
      public int envelopeBytes(String type, String ipName) {
        throw new IllegalStateException("simulated bug while planning requests");
      }
    };
    FakeSleeper sleeper = new FakeSleeper(clock);
    DefaultLogAnalyticsClient client = client(config, broken, sleeper);
    client.send("Events", Map.of("n", 1));
    client.send("Events", Map.of("n", 2));

    assertThat(client.flush(WAIT)).isTrue();

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60));
    assertThat(listener.events()).containsExactly("givenUp(2,REJECTED)", "dropped(REJECTED,2)");
    assertThat(listener.dropDetails.get(0)).contains("failed unexpectedly 3 times")
        .contains("simulated bug while planning requests");
    assertThat(client.stats().recordsDropped().get(DropReason.REJECTED)).isEqualTo(2);
    assertThat(buffer.contents()).isEmpty();
    assertThat(dispatcher.requests()).isEmpty();
  }

  @Test
  void flushAndCloseCalledFromAListenerOnTheUploaderThreadReturnAtOnce() throws Exception {
    AtomicReference<DefaultLogAnalyticsClient> self = new AtomicReference<>();
    CompletableFuture<List<Boolean>> fromCallback = new CompletableFuture<>();
    LogAnalyticsListener closing = new LogAnalyticsListener() {
      @Override
      public void onChunkDelivered(String chunkId, int records, long bytes, int attempt) {
        DefaultLogAnalyticsClient c = self.get();
        fromCallback.complete(List.of(c.flush(Duration.ofHours(1)), c.close(Duration.ofHours(1))));
      }
    };
    DefaultLogAnalyticsClient client = client(config().listener(closing), new FakeSleeper(clock));
    self.set(client);
    client.send("Events", Map.of("n", 1));
    assertThat(client.flush(Duration.ZERO)).isFalse();

    // A safety net against a hung test, not a timing assertion: before the fix each call waited its full hour.
    assertThat(fromCallback.get(30, TimeUnit.SECONDS)).containsExactly(false, false);
    assertThat(buffer.awaitClosed(30_000)).isTrue();
    assertThat(buffer.contents()).isEmpty();
    assertThatThrownBy(() -> client.send("Events", Map.of("n", 2))).isInstanceOf(ClientClosedException.class);
  }

  @Test
  void closingTheClientClosesItsTransportOnce() {
    AtomicInteger closes = new AtomicInteger();
    LogAnalyticsClientBuilder config = config();
    UploadTransport counting = new ForwardingTransport(dataCollector(config)) {
      @Override
      public void close() {
        closes.incrementAndGet();
        super.close();
      }
    };
    DefaultLogAnalyticsClient client = client(config, counting, new FakeSleeper(clock));
    client.send("Events", Map.of("n", 1));

    assertThat(client.close(WAIT)).isTrue();
    client.close(WAIT);

    assertThat(closes.get()).isEqualTo(1);
    assertThat(dispatcher.requests()).hasSize(1);
  }

  @Test
  void countsBufferEvictionsReportedThroughTheClientsListener() {
    LogAnalyticsListener[] given = new LogAnalyticsListener[1];
    DefaultLogAnalyticsClient client = DefaultLogAnalyticsClient.create(config(), l -> {
      given[0] = l;
      return buffer;
    }, dataCollector(config()), new FakeSleeper(clock), () -> 0.5);
    clients.add(client);

    given[0].onRecordsDropped(DropReason.BUFFER_OVERFLOW, 4, 400, "capacity reached");

    assertThat(client.stats().recordsDropped().get(DropReason.BUFFER_OVERFLOW)).isEqualTo(4);
    assertThat(listener.events()).containsExactly("dropped(BUFFER_OVERFLOW,4)");
  }
}
