package io.loganalytics.sdk.impl.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.UploadResult.Outcome;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.RecordingListener;
import io.loganalytics.sdk.impl.testsupport.ScriptedDispatcher;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import io.loganalytics.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failures are visible at the default log level: the first failed try of a streak is one WARN line with its cause,
 * repeats within a minute (by the injected clock) stay at DEBUG, a later WARN gives the count, and the delivery that
 * ends the streak is one INFO line. The counters keep the last error and its time. SLF4J simple writes to
 * {@code System.err}, captured here.
 */
class FailureLoggingTest {
  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final Instant t0 = clock.instant();
  private final FakeSleeper sleeper = new FakeSleeper(clock);
  private final UploadCounters counters = new UploadCounters();
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final ScriptedDispatcher dispatcher = new ScriptedDispatcher(clock);
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private DataCollectorTransport transport;
  private DefaultChunkUploader uploader;

  @BeforeEach
  void setUp() {
    server.setDispatcher(dispatcher);
    transport = new DataCollectorTransport(executor,
        URI.create(server.url("/api/logs?api-version=2016-04-01").toString()),
        WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY), new ClockSkew(clock), null, null);
    uploader = new DefaultChunkUploader(transport, RetryPolicy.builder().maxRetries(20).build(),
        new SafeListener(new RecordingListener()), 1_000_000, clock, sleeper, () -> 0.5, counters);
    originalErr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    System.setErr(originalErr);
    executor.shutdown();
  }

  private List<String> lines(String level) {
    return Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> l.contains(level + " io.loganalytics.sdk.impl.upload.DefaultChunkUploader"))
        .collect(Collectors.toList());
  }

  private static MockResponse unavailable(int retryAfterSeconds) {
    return new MockResponse.Builder().code(503).addHeader("Retry-After", retryAfterSeconds)
        .body("{\"Error\":\"ServiceUnavailable\"}").build();
  }

  private Chunk chunk(int n) {
    List<byte[]> records = List.of(new RecordEncoder(transport.limits(1_000_000)).encode("Events",
        transport.ipName(), Map.of("n", n)));
    return new Chunk() {
      @Override
      public long firstSequence() {
        return n;
      }

      @Override
      public List<byte[]> records() {
        return records;
      }

      @Override
      public Instant oldestAppendTime() {
        return Instant.EPOCH;
      }
    };
  }

  @Test
  void theFirstFailureIsOneWarnWithItsCauseRepeatsAreThrottledAndRecoveryIsInfo() {
    // Ten failures one second apart: one WARN.
    for (int i = 0; i < 10; i++) {
      dispatcher.then(unavailable(1));
    }
    assertThat(uploader.upload(chunk(0)).outcome()).isEqualTo(Outcome.DELIVERED);

    assertThat(lines("WARN")).hasSize(1).first().asString()
        .contains("Uploads to DataCollectorTransport{http://", "are failing: HTTP 503 ServiceUnavailable;",
            "the records stay buffered and are retried");
    assertThat(lines("INFO")).hasSize(1).first().asString()
        .contains("recovered after 10 failed tries since " + t0);
    assertThat(counters.lastError()).isEqualTo("HTTP 503 ServiceUnavailable");
    assertThat(counters.lastErrorTime()).isEqualTo(t0.plusSeconds(9));
  }

  @Test
  void aLongStreakWarnsAtMostOnceAMinuteWithTheCount() {
    // Failures 20 seconds apart for 3 minutes: WARN at 0 s, then at 60 s, 120 s and 180 s.
    for (int i = 0; i < 10; i++) {
      dispatcher.then(unavailable(20));
    }
    dispatcher.then(ScriptedDispatcher.status(500, ""));

    assertThat(uploader.upload(chunk(0)).outcome()).isEqualTo(Outcome.DELIVERED);

    List<String> warnings = lines("WARN");
    assertThat(warnings).hasSize(4);
    assertThat(warnings.get(1)).contains("are still failing: 4 failed tries since " + t0
        + " (3 since the last warning); last: HTTP 503 ServiceUnavailable");
    assertThat(warnings.get(3)).contains("are still failing: 10 failed tries since " + t0);
    assertThat(lines("INFO")).hasSize(1).first().asString().contains("recovered after 11 failed tries");
    assertThat(counters.lastError()).isEqualTo("HTTP 500");
    assertThat(counters.lastErrorTime()).isEqualTo(t0.plusSeconds(200));
  }

  @Test
  void refusedCredentialsWarnAtMostOnceInFiveMinutesOfTheInjectedClock() {
    dispatcher.then(ScriptedDispatcher.status(403, ""));
    dispatcher.then(ScriptedDispatcher.status(403, ""));
    assertThat(uploader.upload(chunk(0)).outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(lines("WARN")).filteredOn(l -> l.contains("refused the credentials")).hasSize(1);

    clock.advance(Duration.ofMinutes(5));
    dispatcher.then(ScriptedDispatcher.status(403, ""));
    assertThat(uploader.upload(chunk(1)).outcome()).isEqualTo(Outcome.DELIVERED);

    assertThat(lines("WARN")).filteredOn(l -> l.contains("refused the credentials")).hasSize(2);
  }

  @Test
  void aNewStreakAfterRecoveryWarnsAgainAtOnce() {
    dispatcher.then(unavailable(1));
    uploader.upload(chunk(0));
    dispatcher.then(unavailable(1));
    uploader.upload(chunk(1));

    assertThat(lines("WARN")).hasSize(2).allSatisfy(l -> assertThat(l).contains("are failing: HTTP 503"));
    assertThat(lines("INFO")).hasSize(2);
  }

  @Test
  void anIoErrorIsNamedInTheWarningAndTheLastError() {
    dispatcher.then(ScriptedDispatcher.disconnect());

    uploader.upload(chunk(0));

    assertThat(lines("WARN")).hasSize(1).first().asString().contains("are failing: I/O error: java.io.");
    assertThat(counters.lastError()).startsWith("I/O error: java.io.");
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30));
  }
}
