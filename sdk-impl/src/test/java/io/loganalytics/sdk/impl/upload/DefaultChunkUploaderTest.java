package io.loganalytics.sdk.impl.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.UploadResult.Outcome;
import io.loganalytics.sdk.UploadResult;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.auth.SharedKeySigner;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.FakeAgentSession;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.ForwardingTransport;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.RecordingListener;
import io.loganalytics.sdk.impl.testsupport.ScriptedDispatcher;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import io.loganalytics.sdk.impl.transport.OdsTransport;
import io.loganalytics.sdk.impl.transport.PreparedBody;
import io.loganalytics.sdk.impl.transport.UploadTransport;
import io.loganalytics.sdk.impl.transport.WireSignatures;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultChunkUploaderTest {
  private static final Pattern N = Pattern.compile("\"n\":(\\d+)");

  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final Instant t0 = clock.instant();
  private final FakeSleeper sleeper = new FakeSleeper(clock);
  private final RecordingListener listener = new RecordingListener();
  private final UploadCounters counters = new UploadCounters();
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final ScriptedDispatcher dispatcher = new ScriptedDispatcher(clock);
  private WorkspaceCredentials credentials =
      WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY);

  @BeforeEach
  void setUp() {
    server.setDispatcher(dispatcher);
  }

  @AfterEach
  void shutdown() {
    executor.shutdown();
  }

  private DataCollectorTransport dataCollector() {
    return new DataCollectorTransport(executor, URI.create(server.url("/api/logs?api-version=2016-04-01").toString()),
        credentials, new ClockSkew(clock), null, null);
  }

  private DefaultChunkUploader uploader(UploadTransport transport, RetryPolicy policy, double jitter) {
    return new DefaultChunkUploader(transport, policy, new SafeListener(listener), 1_000_000, clock, sleeper,
        () -> jitter, counters);
  }

  private DefaultChunkUploader uploader(UploadTransport transport) {
    return uploader(transport, RetryPolicy.defaults(), 0.5);
  }

  private static List<byte[]> records(UploadTransport t, String type, int from, int count) {
    RecordEncoder encoder = new RecordEncoder(t.limits(1_000_000));
    List<byte[]> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(encoder.encode(type, t.ipName(), Map.of("n", i)));
    }
    return out;
  }

  private static Chunk chunk(long firstSequence, List<byte[]> records) {
    List<byte[]> frozen = List.copyOf(records);
    return new Chunk() {
      @Override
      public long firstSequence() {
        return firstSequence;
      }

      @Override
      public List<byte[]> records() {
        return frozen;
      }

      @Override
      public Instant oldestAppendTime() {
        return Instant.EPOCH;
      }
    };
  }

  private static String body(RecordedRequest r) {
    return r.getBody().string(StandardCharsets.UTF_8);
  }

  private static List<Integer> numbers(String body) {
    List<Integer> out = new ArrayList<>();
    Matcher m = N.matcher(body);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  private List<String> requestIds() {
    return dispatcher.requests().stream().map(r -> r.getHeaders().get("X-Request-ID")).collect(Collectors.toList());
  }

  @Test
  void deliversAChunkInOneRequestAndCountsIt() {
    DataCollectorTransport t = dataCollector();
    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.recordsDelivered()).isEqualTo(3);
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(numbers(body(dispatcher.requests().get(0)))).containsExactly(0, 1, 2);
    assertThat(requestIds()).containsExactly(result.chunkId());
    assertThat(counters.requests()).isEqualTo(1);
    assertThat(counters.recordsDelivered()).isEqualTo(3);
    assertThat(counters.bytesDelivered()).isEqualTo(dispatcher.requests().get(0).getBodySize());
    assertThat(counters.lastSuccess()).isEqualTo(t0);
    assertThat(listener.events()).containsExactly("delivered(3,try 1)");
  }

  @Test
  void retriesAfter503ThenSucceedsUnderTheSameRequestId() {
    dispatcher.then(ScriptedDispatcher.status(503, "{\"Error\":\"ServiceUnavailable\"}"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30));
    assertThat(dispatcher.times()).containsExactly(t0, t0.plusSeconds(30));
    assertThat(requestIds()).containsOnly(result.chunkId()).hasSize(2);
    assertThat(counters.retries()).isEqualTo(1);
    assertThat(listener.events()).containsExactly("retry(1,PT30S)", "delivered(2,try 2)");
  }

  @Test
  void followsTheDocumentedScheduleAndGivesUpAfterSixRetries() {
    dispatcher.otherwise(r -> ScriptedDispatcher.status(500, "{\"Error\":\"UnspecifiedError\"}"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 4)));

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(120), Duration.ofSeconds(240), Duration.ofSeconds(480), Duration.ofSeconds(960));
    assertThat(dispatcher.times()).containsExactly(t0, t0.plusSeconds(30), t0.plusSeconds(90),
        t0.plusSeconds(210), t0.plusSeconds(450), t0.plusSeconds(930), t0.plusSeconds(1890));
    assertThat(clock.instant()).isEqualTo(t0.plusSeconds(1890));
    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.recordsGivenUp()).isEqualTo(4);
    assertThat(result.reason()).contains("RETRIES_EXHAUSTED").contains("7 tries").contains("UnspecifiedError");
    assertThat(listener.events()).endsWith("retry(6,PT16M)", "givenUp(4,RETRIES_EXHAUSTED)",
        "dropped(RETRIES_EXHAUSTED,4)");
    assertThat(dispatcher.requests()).extracting(r -> r.getHeaders().get("X-Request-ID"))
        .containsOnly(result.chunkId());
  }

  @Test
  void spreadsEachWaitByTheInjectedJitter() {
    dispatcher.then(ScriptedDispatcher.status(500, ""), ScriptedDispatcher.status(500, ""));
    DataCollectorTransport t = dataCollector();

    uploader(t, RetryPolicy.defaults(), 0.0).upload(chunk(0, records(t, "Events", 0, 1)));

    assertThat(sleeper.waits()).containsExactly(Duration.ofMillis(26_250), Duration.ofMillis(52_500));
  }

  @Test
  void splitsOn413UntilTheHalvesFitKeepingTheChunkId() {
    dispatcher.otherwise(r -> numbers(body(r)).size() > 2 ? ScriptedDispatcher.status(413, "")
        : ScriptedDispatcher.ok());
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 8)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(dispatcher.requests()).extracting(r -> numbers(body(r))).containsExactly(
        List.of(0, 1, 2, 3, 4, 5, 6, 7), List.of(0, 1, 2, 3), List.of(0, 1), List.of(2, 3), List.of(4, 5, 6, 7),
        List.of(4, 5), List.of(6, 7));
    assertThat(requestIds()).containsOnly(result.chunkId());
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void saysExactlyWhichRecordsWereGivenUpAcross413SplitsAndRefusals() {
    // Record 3 is "too large" whatever request holds it; any request holding record 6 is refused with a 400.
    dispatcher.otherwise(r -> {
      List<Integer> n = numbers(body(r));
      if (n.contains(3)) {
        return ScriptedDispatcher.status(413, "");
      }
      return n.contains(6) ? ScriptedDispatcher.status(400, "{\"Error\":\"InvalidDataFormat\",\"Message\":\"bad\"}")
          : ScriptedDispatcher.ok();
    });
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 8)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.recordsDelivered()).isEqualTo(3);
    assertThat(result.givenUpIndexes()).containsExactly(3, 4, 5, 6, 7);
    assertThat(result.recordsGivenUp()).isEqualTo(result.givenUpIndexes().size());
    assertThat(result.givenUpReason(3)).get().asString().startsWith("TOO_LARGE");
    assertThat(result.givenUpReason(6)).get().asString().startsWith("REJECTED").contains("InvalidDataFormat");
    assertThat(result.givenUpReason(2)).isEmpty();
  }

  @Test
  void aDeliveredChunkHasNoGivenUpIndexes() {
    dispatcher.otherwise(r -> ScriptedDispatcher.ok());
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.givenUpIndexes()).isEmpty();
  }

  @Test
  void splitsOnA404ThatSaysTheRequestIsTooLarge() {
    dispatcher.then(ScriptedDispatcher.status(404, "{\"Error\":\"RequestTooLarge\"}"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 4)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(dispatcher.requests()).extracting(r -> numbers(body(r))).containsExactly(
        List.of(0, 1, 2, 3), List.of(0, 1), List.of(2, 3));
  }

  @Test
  void givesUpAPlain404AtOnceAsRejectedNamingTheStatusAndTheUrl() {
    dispatcher.then(ScriptedDispatcher.status(404, "Not Found"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 4)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.reason()).startsWith("REJECTED").contains("HTTP 404")
        .contains(server.url("/api/logs").toString());
    assertThat(dispatcher.requests()).hasSize(1);
    assertThat(sleeper.waits()).isEmpty();
    assertThat(listener.events()).containsExactly("givenUp(4,REJECTED)", "dropped(REJECTED,4)");
  }

  @Test
  void givesUpALoneRecordThatIsStillTooLarge() {
    dispatcher.otherwise(r -> ScriptedDispatcher.status(413, "Payload Too Large"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.recordsGivenUp()).isEqualTo(2);
    assertThat(result.reason()).startsWith("TOO_LARGE").contains("single record");
    assertThat(dispatcher.requests()).hasSize(3);
    // Reported as each lone record is given up.
    assertThat(listener.events()).containsExactly("givenUp(1,TOO_LARGE)", "dropped(TOO_LARGE,1)",
        "givenUp(1,TOO_LARGE)", "dropped(TOO_LARGE,1)");
  }

  @Test
  void givesUpAt400AtOnceWithTheServicesReason() {
    dispatcher.then(ScriptedDispatcher.status(400,
        "{\"Error\":\"InvalidDataFormat\",\"Message\":\"the body is not valid\"}"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.reason()).startsWith("REJECTED").contains("InvalidDataFormat: the body is not valid");
    assertThat(dispatcher.requests()).hasSize(1);
    assertThat(sleeper.waits()).isEmpty();
    assertThat(listener.events()).containsExactly("givenUp(3,REJECTED)", "dropped(REJECTED,3)");
    assertThat(listener.dropDetails.get(0)).contains("InvalidDataFormat").contains(result.chunkId());
  }

  @Test
  void honoursRetryAfterInSeconds() {
    dispatcher.then(new MockResponse.Builder().code(429).addHeader("Retry-After", "7").build());
    DataCollectorTransport t = dataCollector();

    uploader(t).upload(chunk(0, records(t, "Events", 0, 1)));

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void honoursRetryAfterAsAnHttpDateRelativeToTheServersDateAndCapsIt() {
    String serverNow = "Mon, 05 Jan 2026 12:00:00 GMT";
    dispatcher.then(
        new MockResponse.Builder().code(503).addHeader("Date", serverNow)
            .addHeader("Retry-After", "Mon, 05 Jan 2026 12:02:00 GMT").build(),
        new MockResponse.Builder().code(503).addHeader("Date", serverNow)
            .addHeader("Retry-After", "Mon, 05 Jan 2026 14:00:00 GMT").build());
    DataCollectorTransport t = dataCollector();

    uploader(t).upload(chunk(0, records(t, "Events", 0, 1)));

    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(120), Duration.ofMinutes(16));
  }

  @Test
  void signsWithSkewCorrectedTimeAfterA403FromAServerWhoseClockIsAnHourAhead() throws Exception {
    dispatcher.then(new MockResponse.Builder().code(403).addHeader("Date", "Mon, 05 Jan 2026 11:00:00 GMT")
        .body("{\"Error\":\"InvalidAuthorization\"}").build());
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 1)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    RecordedRequest first = dispatcher.requests().get(0);
    RecordedRequest second = dispatcher.requests().get(1);
    assertThat(first.getHeaders().get("x-ms-date")).isEqualTo("Mon, 05 Jan 2026 10:00:00 GMT");
    // 30 s of backoff later by our clock, one hour later by the server's.
    assertThat(second.getHeaders().get("x-ms-date")).isEqualTo("Mon, 05 Jan 2026 11:00:30 GMT");
    assertThat(second.getHeaders().get("Authorization")).isEqualTo(WireSignatures.dataCollector(
        TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, second.getBodySize(), "Mon, 05 Jan 2026 11:00:30 GMT"));
    assertThat(listener.events()).startsWith("skew(PT1H)", "auth(403)", "retry(1,PT30S)");
    assertThat(listener.authFailures.get(0).clockSkew()).isEqualTo(Duration.ofHours(1));
    assertThat(listener.authFailures.get(0).getMessage()).contains("clock skew");
    assertThat(listener.authFailures.get(0).reason()).isEqualTo("InvalidAuthorization");
    assertThat(listener.authFailures.get(0).isRetryable()).isTrue();
  }

  @Test
  void triesTheSecondaryKeyAfterA403() throws Exception {
    credentials = WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, TestData.SECONDARY_KEY);
    dispatcher.then(ScriptedDispatcher.status(403, "{\"Error\":\"InvalidAuthorization\"}"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 1)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    RecordedRequest first = dispatcher.requests().get(0);
    RecordedRequest second = dispatcher.requests().get(1);
    assertThat(first.getHeaders().get("Authorization")).isEqualTo(WireSignatures.dataCollector(
        TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, first.getBodySize(), first.getHeaders().get("x-ms-date")));
    assertThat(second.getHeaders().get("Authorization")).isEqualTo(WireSignatures.dataCollector(
        TestData.WORKSPACE_ID, TestData.SECONDARY_KEY, second.getBodySize(), second.getHeaders().get("x-ms-date")));
    assertThat(listener.authFailures.get(0).getMessage()).contains("secondary key");
  }

  @Test
  void agentPathTellsTheSessionAbout401AndCountsRetriesInTheHeader() {
    FakeAgentSession session = new FakeAgentSession(executor,
        URI.create(server.url("/OperationalData.svc/PostJsonDataItems").toString()), t0.plus(Duration.ofDays(60)));
    OdsTransport t = new OdsTransport(session, new ClockSkew(clock), "LogManagement", null);
    dispatcher.then(ScriptedDispatcher.status(401, ""));

    UploadResult result = uploader(t).upload(chunk(0, records(t, "LINUX_SYSLOGS_BLOB", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(session.authFailures()).containsExactly(401);
    assertThat(dispatcher.requests()).extracting(r -> r.getHeaders().get("x-ms-client-request-retry-count"))
        .containsExactly("0", "1");
    assertThat(TestData.inflate(dispatcher.requests().get(1).getBody().toByteArray()))
        .startsWith("{\"DataType\":\"LINUX_SYSLOGS_BLOB\",\"IPName\":\"LogManagement\",\"DataItems\":[");
  }

  @Test
  void authenticationFailuresUseNoRetryBudgetAndKeepTheRecordsUntilTheKeyIsFixed() {
    for (int i = 0; i < 5; i++) {
      dispatcher.then(ScriptedDispatcher.status(403, "{\"Error\":\"InvalidAuthorization\"}"));
    }
    DataCollectorTransport t = dataCollector();
    RetryPolicy policy = RetryPolicy.builder().maxRetries(1).maxBackoff(Duration.ofMinutes(2)).build();

    UploadResult result = uploader(t, policy, 0.5).upload(chunk(0, records(t, "Events", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.recordsDelivered()).isEqualTo(2);
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(120), Duration.ofSeconds(120), Duration.ofSeconds(120));
    assertThat(listener.authFailures).hasSize(5);
    assertThat(listener.authFailures.get(0).getMessage()).contains("stay buffered");
    assertThat(listener.events()).noneMatch(e -> e.startsWith("dropped") || e.startsWith("givenUp"))
        .endsWith("retry(5,PT2M)", "delivered(2,try 6)");
    assertThat(counters.retries()).isEqualTo(5);
  }

  @Test
  void anAuthenticationFailureThatLastsUntilCloseDefersTheChunkInsteadOfDiscardingIt() throws Exception {
    dispatcher.otherwise(r -> ScriptedDispatcher.status(401, ""));
    sleeper.blockFrom(10);
    DataCollectorTransport t = dataCollector();
    DefaultChunkUploader uploader = uploader(t, RetryPolicy.builder().maxRetries(0).build(), 0.5);

    CompletableFuture<UploadResult> running =
        CompletableFuture.supplyAsync(() -> uploader.upload(chunk(0, records(t, "Events", 0, 3))));
    assertThat(sleeper.awaitBlocked(30, TimeUnit.SECONDS)).as("still retrying after 9 refusals").isTrue();
    uploader.close();
    UploadResult result = running.get(30, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(result.recordsGivenUp()).isZero();
    assertThat(dispatcher.requests()).hasSize(10);
    assertThat(sleeper.waits()).endsWith(Duration.ofMinutes(16), Duration.ofMinutes(16));
    assertThat(listener.events()).noneMatch(e -> e.startsWith("dropped") || e.startsWith("givenUp"));
  }

  @Test
  void agentPathTreatsATlsRefusalOfItsCertificateAsAnAuthenticationFailure() {
    int[] refusals = {3};
    HttpExecutor refusing = request -> {
      synchronized (refusals) {
        if (refusals[0] > 0) {
          refusals[0]--;
          throw new SSLHandshakeException("Received fatal alert: certificate_expired");
        }
      }
      return executor.execute(request);
    };
    FakeAgentSession session = new FakeAgentSession(refusing,
        URI.create(server.url("/OperationalData.svc/PostJsonDataItems").toString()), t0.plus(Duration.ofDays(60)));
    OdsTransport t = new OdsTransport(session, new ClockSkew(clock), "LogManagement", null);

    UploadResult result = uploader(t, RetryPolicy.builder().maxRetries(0).build(), 0.5)
        .upload(chunk(0, records(t, "LINUX_SYSLOGS_BLOB", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(session.authFailures()).containsExactly(0, 0, 0);
    assertThat(listener.authFailures).hasSize(3).allSatisfy(e -> {
      assertThat(e.status()).isZero();
      assertThat(e.getMessage()).contains("agent certificate").contains("certificate_expired");
    });
    assertThat(dispatcher.requests()).extracting(r -> r.getHeaders().get("x-ms-client-request-retry-count"))
        .containsExactly("3");
  }

  @Test
  void retriesAnIoError() {
    dispatcher.then(ScriptedDispatcher.disconnect());
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 1)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void anUnexpectedExceptionFromTheTransportIsAFailedTryAndEndsAsRejected() {
    // A resource id OkHttp refuses as a header value (it got past older builder validation).
    DataCollectorTransport t = new DataCollectorTransport(executor,
        URI.create(server.url("/api/logs?api-version=2016-04-01").toString()), credentials, new ClockSkew(clock),
        "/subscriptions/0/resourceGroups/r\u00e9sum\u00e9", null);
    RetryPolicy policy = RetryPolicy.builder().maxRetries(2).build();

    UploadResult result = uploader(t, policy, 0.5).upload(chunk(0, records(t, "Events", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.attempts()).isEqualTo(3);
    assertThat(result.reason()).startsWith("REJECTED").contains("unexpected error")
        .contains("IllegalArgumentException");
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60));
    assertThat(counters.retries()).isEqualTo(2);
    assertThat(listener.events()).containsExactly("retry(1,PT30S)", "retry(2,PT1M)", "givenUp(2,REJECTED)",
        "dropped(REJECTED,2)");
    assertThat(dispatcher.requests()).isEmpty();
  }

  @Test
  void sendsOneRequestPerTypeAndCutsRequestsAtMaxRequestBytes() {
    DataCollectorTransport t = dataCollector();
    List<byte[]> mixed = new ArrayList<>();
    List<byte[]> a = records(t, "TypeA", 0, 40);
    List<byte[]> b = records(t, "TypeB", 100, 2);
    mixed.addAll(a.subList(0, 20));
    mixed.addAll(b);
    mixed.addAll(a.subList(20, 40));
    // {"n":N} is 7 bytes for n < 10, {"n":NN} 8: the first request holds 0..11 (2 + 70 + 16 + 11 commas = 99
    // bytes), the next ones 11 records of 8 bytes (98 bytes); one more record would pass 100.
    DefaultChunkUploader small = new DefaultChunkUploader(t, RetryPolicy.defaults(), new SafeListener(listener),
        100, clock, sleeper, () -> 0.5, counters);

    UploadResult result = small.upload(chunk(0, mixed));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(dispatcher.requests()).extracting(r -> r.getHeaders().get("Log-Type"))
        .containsExactly("TypeA", "TypeA", "TypeA", "TypeA", "TypeB");
    assertThat(dispatcher.requests()).extracting(r -> numbers(body(r)).size()).containsExactly(12, 11, 11, 6, 2);
    assertThat(dispatcher.requests()).allSatisfy(r -> assertThat(r.getBodySize()).isLessThanOrEqualTo(100));
  }

  @Test
  void doesNotResendATypeThatWasDeliveredWhenAnotherIsRejected() {
    dispatcher.otherwise(r -> "TypeB".equals(r.getHeaders().get("Log-Type"))
        ? ScriptedDispatcher.status(400, "{\"Error\":\"InvalidLogType\"}") : ScriptedDispatcher.ok());
    DataCollectorTransport t = dataCollector();
    List<byte[]> mixed = new ArrayList<>(records(t, "TypeA", 0, 2));
    mixed.addAll(records(t, "TypeB", 10, 2));

    UploadResult result = uploader(t).upload(chunk(0, mixed));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.recordsDelivered()).isEqualTo(2);
    assertThat(result.recordsGivenUp()).isEqualTo(2);
    assertThat(dispatcher.requests()).hasSize(2);
  }

  @Test
  void reportsGivenUpRecordsAtOnceEvenWhenALaterRequestOfTheChunkFailsWithAnError() {
    dispatcher.otherwise(r -> ScriptedDispatcher.status(400, "{\"Error\":\"InvalidLogType\"}"));
    DataCollectorTransport dc = dataCollector();
    boolean[] broken = {true};
    UploadTransport t = new ForwardingTransport(dc) {
      @Override
      public HttpResponse send(PreparedBody body, String requestId, int retryCount) throws IOException {
        if (broken[0] && "TypeB".equals(body.type())) {
          throw new AssertionError("simulated failure of the request for TypeB");
        }
        return super.send(body, requestId, retryCount);
      }
    };
    List<byte[]> mixed = new ArrayList<>(records(dc, "TypeA", 0, 2));
    mixed.addAll(records(dc, "TypeB", 10, 3));
    Chunk chunk = chunk(5, mixed);
    DefaultChunkUploader uploader = uploader(t);

    assertThatThrownBy(() -> uploader.upload(chunk)).isInstanceOf(AssertionError.class);
    assertThat(listener.events()).containsExactly("givenUp(2,REJECTED)", "dropped(REJECTED,2)");

    broken[0] = false;
    UploadResult again = uploader.upload(chunk);

    assertThat(again.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(again.recordsGivenUp()).isEqualTo(5);
    assertThat(listener.events()).containsExactly("givenUp(2,REJECTED)", "dropped(REJECTED,2)",
        "givenUp(2,REJECTED)", "dropped(REJECTED,2)", "givenUp(3,REJECTED)", "dropped(REJECTED,3)");
  }

  @Test
  void whenOneTypeRunsOutOfRetriesTheOtherTypesOfTheChunkAreStillTried() {
    dispatcher.otherwise(r -> "TypeA".equals(r.getHeaders().get("Log-Type"))
        ? ScriptedDispatcher.status(500, "{\"Error\":\"UnspecifiedError\"}") : ScriptedDispatcher.ok());
    DataCollectorTransport t = dataCollector();
    List<byte[]> mixed = new ArrayList<>(records(t, "TypeA", 0, 2));
    mixed.addAll(records(t, "TypeB", 10, 3));
    RetryPolicy policy = RetryPolicy.builder().maxRetries(1).build();

    UploadResult result = uploader(t, policy, 0.5).upload(chunk(0, mixed));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.recordsGivenUp()).isEqualTo(2);
    assertThat(result.recordsDelivered()).isEqualTo(3);
    assertThat(dispatcher.requests()).extracting(r -> r.getHeaders().get("Log-Type"))
        .containsExactly("TypeA", "TypeA", "TypeB");
    assertThat(listener.events()).containsExactly("retry(1,PT30S)", "givenUp(2,RETRIES_EXHAUSTED)",
        "dropped(RETRIES_EXHAUSTED,2)", "delivered(3,try 1)");
  }

  @Test
  void aDeferredChunkSentAgainKeepsItsIdAndIsSentWhole() {
    dispatcher.otherwise(r -> "TypeB".equals(r.getHeaders().get("Log-Type")) && dispatcher.requests().size() < 3
        ? ScriptedDispatcher.status(503, "") : ScriptedDispatcher.ok());
    DataCollectorTransport t = dataCollector();
    List<byte[]> mixed = new ArrayList<>(records(t, "TypeA", 0, 2));
    mixed.addAll(records(t, "TypeB", 10, 2));
    Chunk chunk = chunk(42, mixed);
    DefaultChunkUploader uploader = uploader(t);
    uploader.deadline(t0.plusSeconds(10));

    UploadResult first = uploader.upload(chunk);

    assertThat(first.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(first.reason()).contains("deadline");
    assertThat(sleeper.waits()).isEmpty();

    uploader.deadline(null);
    UploadResult second = uploader.upload(chunk);

    assertThat(second.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(second.chunkId()).isEqualTo(first.chunkId());
    // No memory between uploads: at least once, under the same id.
    assertThat(dispatcher.requests()).extracting(r -> r.getHeaders().get("Log-Type"))
        .containsExactly("TypeA", "TypeB", "TypeA", "TypeB");
    assertThat(requestIds()).containsOnly(first.chunkId());
  }

  @Test
  void aChunkSentAgainByANewUploaderOfTheSameBufferCarriesTheSameRequestId() {
    DataCollectorTransport t = dataCollector();
    List<byte[]> recs = records(t, "Events", 0, 1);
    String dir = "/var/lib/app/buffer";

    UploadResult first = new DefaultChunkUploader(t, RetryPolicy.defaults(), new SafeListener(listener), 1_000_000,
        clock, sleeper, () -> 0.5, counters, dir).upload(chunk(42, recs));
    UploadResult afterRestart = new DefaultChunkUploader(t, RetryPolicy.defaults(), new SafeListener(listener),
        1_000_000, clock, sleeper, () -> 0.5, counters, dir).upload(chunk(42, recs));
    UploadResult nextChunk = new DefaultChunkUploader(t, RetryPolicy.defaults(), new SafeListener(listener),
        1_000_000, clock, sleeper, () -> 0.5, counters, dir).upload(chunk(43, recs));
    UploadResult otherBuffer = new DefaultChunkUploader(t, RetryPolicy.defaults(), new SafeListener(listener),
        1_000_000, clock, sleeper, () -> 0.5, counters, "/other").upload(chunk(42, recs));

    assertThat(afterRestart.chunkId()).isEqualTo(first.chunkId());
    assertThat(requestIds()).containsExactly(first.chunkId(), first.chunkId(), nextChunk.chunkId(),
        otherBuffer.chunkId());
    assertThat(nextChunk.chunkId()).isNotEqualTo(first.chunkId());
    assertThat(otherBuffer.chunkId()).isNotEqualTo(first.chunkId());
    assertThat(UUID.fromString(first.chunkId()).version()).isEqualTo(3);
  }

  @Test
  void closeDuringABackoffEndsTheWaitAtOnceWithDeferred() throws Exception {
    dispatcher.then(ScriptedDispatcher.status(503, ""));
    sleeper.blockFrom(1);
    DataCollectorTransport t = dataCollector();
    DefaultChunkUploader uploader = uploader(t);

    CompletableFuture<UploadResult> running =
        CompletableFuture.supplyAsync(() -> uploader.upload(chunk(0, records(t, "Events", 0, 1))));
    sleeper.awaitBlocked();
    uploader.close();
    UploadResult result = running.get(30, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(result.reason()).contains("closing");
    assertThat(uploader.upload(chunk(1, records(t, "Events", 1, 1))).outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(dispatcher.requests()).hasSize(1);
  }

  @Test
  void writesGivenUpRecordsToOneDeadLetterFilePerChunkAtomically(@TempDir Path dir) throws Exception {
    Path dead = dir.resolve("dead");
    dispatcher.then(ScriptedDispatcher.status(400, "{\"Error\":\"InvalidDataFormat\"}"));
    DataCollectorTransport t = dataCollector();
    RetryPolicy policy = RetryPolicy.builder().deadLetterTo(dead).build();

    UploadResult result = uploader(t, policy, 0.5).upload(chunk(7, records(t, "Events", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    List<Path> files;
    try (Stream<Path> s = Files.list(dead)) {
      files = s.collect(Collectors.toList());
    }
    assertThat(files).hasSize(1);
    Path file = files.get(0);
    assertThat(file.getFileName().toString()).isEqualTo("chunk-00000000000000000007-" + result.chunkId() + ".json");
    assertThat(listener.deadLetterFiles).containsExactly(file);
    String content = Files.readString(file);
    assertThat(content).contains("\"chunkId\":\"" + result.chunkId() + "\"").contains("\"firstSequence\":7")
        .contains("\"reason\":\"REJECTED\"").contains("\"type\":\"Events\"")
        .contains("\"record\":{\"n\":0}").contains("\"record\":{\"n\":1}").contains("InvalidDataFormat");
    assertThat(listener.dropDetails.get(0)).contains("written to " + file);
  }

  @Test
  void aFailedDeadLetterWriteDefersTheChunkInsteadOfDiscardingTheRecords(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("dead"), "a file where the directory should be");
    dispatcher.then(ScriptedDispatcher.status(400, "{\"Error\":\"InvalidDataFormat\"}"));
    DataCollectorTransport t = dataCollector();
    RetryPolicy policy = RetryPolicy.builder().deadLetterTo(notADirectory).build();

    UploadResult result = uploader(t, policy, 0.5).upload(chunk(7, records(t, "Events", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(result.recordsGivenUp()).isZero();
    assertThat(result.reason()).contains("dead-letter").contains(notADirectory.toString());
    assertThat(listener.events()).containsExactly("bufferError");
    assertThat(listener.bufferErrors.get(0).directory()).isEqualTo(notADirectory);
    assertThat(listener.bufferErrors.get(0).isRetryable()).isTrue();
  }

  @Test
  void neverPutsTheKeyOrSignatureIntoEventsMessagesOrResults() {
    credentials = WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, TestData.SECONDARY_KEY);
    dispatcher.then(ScriptedDispatcher.status(403, "{\"Error\":\"InvalidAuthorization\"}"),
        ScriptedDispatcher.status(403, "{\"Error\":\"InvalidAuthorization\"}"));
    DataCollectorTransport t = dataCollector();

    UploadResult result = uploader(t).upload(chunk(0, records(t, "Events", 0, 1)));

    String signature = dispatcher.requests().get(0).getHeaders().get("Authorization");
    String everything = result + " " + listener.events() + " " + listener.dropDetails + " "
        + listener.authFailures.stream().map(Throwable::getMessage).collect(Collectors.joining(" "));
    assertThat(everything).doesNotContain(TestData.PRIMARY_KEY).doesNotContain(TestData.SECONDARY_KEY)
        .doesNotContain(signature.substring(signature.indexOf(':') + 1)).doesNotContain("SharedKey");
    assertThat(SharedKeySigner.rfc1123Date(t0)).isEqualTo("Mon, 05 Jan 2026 10:00:00 GMT");
  }
}
