package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.testkit.TestAgent.Answer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fault injection: scripted statuses with Retry-After, resets, slow answers, clock skew. */
class FaultsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final byte[] BODY = "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8);

  private WorkspaceEmulator emulator;
  private OkHttpClient http;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().clock(new MutableClock(T0)).start();
    http = TestAgent.client(emulator, null);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void failNextAnswersTheScriptedStatusWithRetryAfterSecondsThenRecovers() throws Exception {
    emulator.faults().failNext(2, 503, Duration.ofMillis(6500), false);

    Answer first = send();
    Answer second = send();
    Answer third = send();

    assertThat(first.status()).isEqualTo(503);
    assertThat(first.header("Retry-After")).isEqualTo("7");
    assertThat(first.header("Date")).isEqualTo("Sun, 01 Mar 2026 10:00:00 GMT");
    assertThat(second.status()).isEqualTo(503);
    assertThat(third.status()).isEqualTo(200);
    assertThat(emulator.recordCount()).isEqualTo(1);
    assertThat(emulator.requests()).extracting(ReceivedRequest::status).containsExactly(503, 503, 200);
    assertThat(emulator.requests().get(0).reason()).startsWith("InjectedFault");
    assertThat(emulator.faults().pending()).isZero();
  }

  @Test
  void failNextCanAnnounceRetryAfterAsAnHttpDateAndOmitIt() throws Exception {
    emulator.faults().failNext(1, 429, Duration.ofSeconds(30), true).failNext(1, 500, null, false);

    Answer dated = send();
    Answer bare = send();

    assertThat(dated.status()).isEqualTo(429);
    assertThat(ZonedDateTime.parse(dated.header("Retry-After"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
        .isEqualTo(T0.plusSeconds(30));
    assertThat(bare.status()).isEqualTo(500);
    assertThat(bare.header("Retry-After")).isNull();
  }

  @Test
  void failNextWithResetDropsTheConnectionThenRecovers() throws Exception {
    emulator.faults().failNextWithReset(1);

    assertThatThrownBy(this::send).isInstanceOf(IOException.class);
    assertThat(send().status()).isEqualTo(200);
    assertThat(emulator.requests()).extracting(ReceivedRequest::status).containsExactly(0, 200);
    assertThat(emulator.recordCount()).isEqualTo(1);
  }

  @Test
  void slowResponsesMakeAClientWithAShortReadTimeoutFail() throws Exception {
    OkHttpClient impatient = http.newBuilder().readTimeout(100, TimeUnit.MILLISECONDS).build();
    emulator.faults().slowResponses(Duration.ofSeconds(1));

    assertThatThrownBy(() -> TestAgent.postDataCollector(impatient, emulator, emulator.sharedKey(), "T", BODY,
        TestAgent.httpDate(T0), "application/json", "application/json"))
        .isInstanceOf(InterruptedIOException.class);

    emulator.faults().slowResponses(Duration.ZERO);
    assertThat(send().status()).isEqualTo(200);
  }

  @Test
  void clockSkewShiftsTheDateHeaderAndTheSignatureCheck() throws Exception {
    emulator.faults().clockSkew(Duration.ofMinutes(20));

    Answer answer = send(); // signed with the client's (unskewed) time

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.header("Date")).isEqualTo("Sun, 01 Mar 2026 10:20:00 GMT");
    Answer corrected = TestAgent.postDataCollector(http, emulator, emulator.sharedKey(), "T", BODY,
        TestAgent.httpDate(T0.plus(Duration.ofMinutes(20))), "application/json", "application/json");
    assertThat(corrected.status()).isEqualTo(200);
  }

  @Test
  void clearRemovesScriptedFaultsAndSettings() throws Exception {
    emulator.faults().failNext(3, 503, null, false).failNextWithReset(2).clockSkew(Duration.ofHours(1))
        .requestCertificateUpdate(true);

    emulator.faults().clear();

    assertThat(emulator.faults().pending()).isZero();
    assertThat(send().status()).isEqualTo(200);
    assertThat(emulator.faults().certificateUpdateGeneration()).isEqualTo(-1);
  }

  @Test
  void faultArgumentsAreChecked() {
    Faults faults = emulator.faults();
    assertThatThrownBy(() -> faults.failNext(0, 503, null, false)).hasMessageContaining("count");
    assertThatThrownBy(() -> faults.failNext(1, 200, null, false)).hasMessageContaining("status");
    assertThatThrownBy(() -> faults.failNext(1, 503, Duration.ofSeconds(-1), false))
        .hasMessageContaining("retryAfter");
    assertThatThrownBy(() -> faults.slowResponses(Duration.ofSeconds(-1))).hasMessageContaining("delay");
  }

  private Answer send() throws IOException {
    return TestAgent.postDataCollector(http, emulator, emulator.sharedKey(), "T", BODY, TestAgent.httpDate(T0),
        "application/json", "application/json");
  }
}
