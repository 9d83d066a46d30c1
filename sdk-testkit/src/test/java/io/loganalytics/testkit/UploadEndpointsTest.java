package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.TestAgent.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostJsonDataItems (client certificate) and the Data Collector API (SharedKey) against the emulator. */
class UploadEndpointsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String ENVELOPE = "{\"DataType\":\"LINUX_SYSLOGS_BLOB\",\"IPName\":\"LogManagement\","
      + "\"DataItems\":[{\"ident\":\"sshd\",\"Message\":\"accepted\",\"ProcessId\":42},"
      + "{\"ident\":\"cron\",\"Message\":\"ran\",\"ProcessId\":7}]}";

  private final MutableClock clock = new MutableClock(T0);
  private WorkspaceEmulator emulator;
  private OkHttpClient noClientCertificate;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().clock(clock).maxRequestBytes(64 * 1024).start();
    noClientCertificate = TestAgent.client(emulator, null);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  // ---- PostJsonDataItems

  @Test
  void deflatedUploadWithTheRegisteredCertificateIsStored() throws Exception {
    TestAgent agent = new TestAgent(emulator, T0);
    agent.onboard();

    Answer answer = agent.postOds(ENVELOPE, true, "req-1");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Date")).isEqualTo("Sun, 01 Mar 2026 10:00:00 GMT");
    List<ReceivedRecord> records = emulator.records("LINUX_SYSLOGS_BLOB");
    assertThat(records).hasSize(2);
    ReceivedRecord first = records.get(0);
    assertThat(first.ipName()).isEqualTo("LogManagement");
    assertThat(first.transport()).isEqualTo(ReceivedRecord.ODS);
    assertThat(first.fields()).containsExactly(Map.entry("ident", "sshd"), Map.entry("Message", "accepted"),
        Map.entry("ProcessId", 42L));
    assertThat(first.requestId()).isEqualTo("req-1");
    assertThat(first.agentId()).isEqualTo(agent.agentId);
    assertThat(first.receivedAt()).isEqualTo(T0);
    assertThat(emulator.recordCount()).isEqualTo(2);
    ReceivedRequest request = emulator.requests().get(1);
    assertThat(request.requestId()).isEqualTo("req-1");
    assertThat(request.certificateVerified()).isTrue();
    assertThat(request.bodyBytes()).isLessThan(ENVELOPE.length());
  }

  @Test
  void uncompressedUploadIsStoredToo() throws Exception {
    TestAgent agent = new TestAgent(emulator, T0);
    agent.onboard();

    assertThat(agent.postOds(ENVELOPE, false, "req-2").status()).isEqualTo(200);
    assertThat(emulator.recordCount()).isEqualTo(2);
  }

  @Test
  void uploadWithoutClientCertificateIsRefused() throws Exception {
    Answer answer = TestAgent.postOds(noClientCertificate, emulator, ENVELOPE, true, "req-3");

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>MissingClientCertificate</Reason>");
    assertThat(emulator.recordCount()).isZero();
  }

  @Test
  void uploadWithAnUnknownCertificateIsRefused() throws Exception {
    TestAgent stranger = new TestAgent(emulator, T0); // never onboarded

    Answer answer = stranger.postOds(ENVELOPE, true, "req-4");

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>CertificateNotRegistered</Reason>");
    assertThat(emulator.recordCount()).isZero();
  }

  @Test
  void uploadWithAnEnvelopeWithoutDataTypeIsRefused() throws Exception {
    TestAgent agent = new TestAgent(emulator, T0);
    agent.onboard();

    Answer answer = agent.postOds("{\"IPName\":\"LogManagement\",\"DataItems\":[{\"a\":1}]}", true, "req-5");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("InvalidRequestFormat").contains("DataType is missing");
  }

  @Test
  void uploadWhoseBodyIsNotZlibIsRefused() throws Exception {
    TestAgent agent = new TestAgent(emulator, T0);
    agent.onboard();
    okhttp3.Request request = new okhttp3.Request.Builder()
        .url(emulator.cloud().odsUploadUri(emulator.workspaceId()).toString())
        .header("Content-Encoding", "deflate")
        .post(okhttp3.RequestBody.create(ENVELOPE.getBytes(StandardCharsets.UTF_8), TestAgent.JSON))
        .build();

    Answer answer = TestAgent.execute(agent.http, request);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("not deflate (zlib");
  }

  @Test
  void uploadThatInflatesBeyondTheLimitIsTooLarge() throws Exception {
    TestAgent agent = new TestAgent(emulator, T0);
    agent.onboard();
    char[] filler = new char[80 * 1024];
    Arrays.fill(filler, 'x');
    String big = "{\"DataType\":\"T\",\"IPName\":\"I\",\"DataItems\":[{\"m\":\"" + new String(filler) + "\"}]}";

    Answer answer = agent.postOds(big, true, "req-6");

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.body()).contains("RequestTooLarge");
  }

  // ---- Data Collector API

  @Test
  void dataCollectorRequestWithACorrectSignatureIsStored() throws Exception {
    Answer answer = postDc("MyApp_Events", "[{\"Level\":\"info\",\"Count\":3,\"Ok\":true},{\"Level\":\"warn\"}]");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Date")).isEqualTo("Sun, 01 Mar 2026 10:00:00 GMT");
    List<ReceivedRecord> records = emulator.records("MyApp_Events");
    assertThat(records).hasSize(2);
    assertThat(records.get(0).fields()).containsExactly(Map.entry("Level", "info"), Map.entry("Count", 3L),
        Map.entry("Ok", true));
    assertThat(records.get(0).transport()).isEqualTo(ReceivedRecord.DATA_COLLECTOR);
    assertThat(records.get(0).ipName()).isNull();
    assertThat(records.get(0).requestId()).isEqualTo("dc-request-1");
    assertThat(emulator.requests().get(0).signatureVerified()).isTrue();
  }

  @Test
  void dataCollectorRequestWithAWrongSignatureIsRefused() throws Exception {
    byte[] body = "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8);

    Answer answer = TestAgent.postDataCollector(noClientCertificate, emulator, TestKeys.KEY_B, "MyApp", body,
        TestAgent.httpDate(T0), "application/json", "application/json");

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).startsWith("{\"Error\":\"InvalidAuthorization\"");
    assertThat(emulator.recordCount()).isZero();
    assertThat(emulator.requests().get(0).signatureVerified()).isFalse();
  }

  @Test
  void dataCollectorSignatureCoversTheContentTypeExactlyAsSent() throws Exception {
    byte[] body = "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8);
    String withCharset = "application/json; charset=utf-8";

    Answer signedAsSent = TestAgent.postDataCollector(noClientCertificate, emulator, emulator.sharedKey(), "MyApp",
        body, TestAgent.httpDate(T0), withCharset, withCharset);
    Answer signedDifferently = TestAgent.postDataCollector(noClientCertificate, emulator, emulator.sharedKey(),
        "MyApp", body, TestAgent.httpDate(T0), "application/json", withCharset);

    assertThat(signedAsSent.status()).isEqualTo(200);
    assertThat(signedDifferently.status()).isEqualTo(403);
  }

  @Test
  void dataCollectorRequestWithASkewedDateIsRefused() throws Exception {
    byte[] body = "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8);

    Answer answer = TestAgent.postDataCollector(noClientCertificate, emulator, emulator.sharedKey(), "MyApp", body,
        TestAgent.httpDate(T0.plus(Duration.ofMinutes(20))), "application/json", "application/json");

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("InvalidAuthorization").contains("ahead of the emulator clock");
  }

  @Test
  void dataCollectorRefusesAnInvalidOrMissingLogType() throws Exception {
    assertThat(postDc("My-App", "[{\"a\":1}]").body()).startsWith("{\"Error\":\"InvalidLogType\"");
    assertThat(postDc("x".repeat(101), "[{\"a\":1}]").status()).isEqualTo(400);
    Answer missing = postDc(null, "[{\"a\":1}]");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body()).startsWith("{\"Error\":\"MissingLogType\"");
  }

  @Test
  void dataCollectorRefusesABodyThatIsNotAnArrayOfObjects() throws Exception {
    Answer object = postDc("MyApp", "{\"a\":1}");
    Answer scalars = postDc("MyApp", "[1,2]");
    Answer broken = postDc("MyApp", "[{\"a\":");

    assertThat(object.status()).isEqualTo(400);
    assertThat(object.body()).startsWith("{\"Error\":\"InvalidDataFormat\"").contains("expected an array");
    assertThat(scalars.status()).isEqualTo(400);
    assertThat(broken.status()).isEqualTo(400);
    assertThat(emulator.recordCount()).isZero();
  }

  @Test
  void dataCollectorRefusesABodyAboveTheLimit() throws Exception {
    String big = "[{\"m\":\"" + "y".repeat(20 * 1024) + "\"}," + "{\"m\":\"" + "y".repeat(20 * 1024) + "\"},"
        + "{\"m\":\"" + "y".repeat(20 * 1024) + "\"},{\"m\":\"" + "y".repeat(20 * 1024) + "\"}]";

    Answer answer = postDc("MyApp", big);

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.body()).startsWith("{\"Error\":\"RequestTooLarge\"");
  }

  @Test
  void tooLargeStatusCanBeTheDocumented404() throws Exception {
    try (WorkspaceEmulator strict = WorkspaceEmulator.builder().clock(clock).maxRequestBytes(10)
        .tooLargeStatus(404).start()) {
      byte[] body = "[{\"a\":\"0123456789\"}]".getBytes(StandardCharsets.UTF_8);

      Answer answer = TestAgent.postDataCollector(TestAgent.client(strict, null), strict, strict.sharedKey(), "T",
          body, TestAgent.httpDate(T0), "application/json", "application/json");

      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.body()).contains("RequestTooLarge");
    }
  }

  @Test
  void dataCollectorRefusesAFieldAbove32Kilobytes() throws Exception {
    Answer answer = postDc("MyApp", "[{\"m\":\"" + "z".repeat(32 * 1024 + 1) + "\"}]");
    Answer atLimit = postDc("MyApp", "[{\"m\":\"" + "z".repeat(32 * 1024) + "\"}]");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("InvalidDataFormat").contains("32768");
    assertThat(atLimit.status()).isEqualTo(200);
  }

  @Test
  void dataCollectorRefusesBadAndReservedPropertyNames() throws Exception {
    assertThat(postDc("MyApp", "[{\"bad-name\":1}]").body()).contains("only letters, digits and _");
    assertThat(postDc("MyApp", "[{\"TimeGenerated\":\"2026-01-01T00:00:00Z\"}]").body()).contains("reserved");
    assertThat(postDc("MyApp", "[{\"" + "n".repeat(46) + "\":1}]").status()).isEqualTo(400);
    assertThat(postDc("MyApp", "[{\"a\":1,\"a\":2}]").body()).contains("Duplicate field");
  }

  @Test
  void dataCollectorRefusesAWrongApiVersionAndAWrongContentType() throws Exception {
    okhttp3.Request wrongVersion = new okhttp3.Request.Builder()
        .url("https://" + emulator.cloud().odsHost(emulator.workspaceId()) + ":" + emulator.port()
            + "/api/logs?api-version=2099-01-01")
        .post(okhttp3.RequestBody.create(new byte[] {'[', ']'}, TestAgent.JSON))
        .build();
    Answer version = TestAgent.execute(noClientCertificate, wrongVersion);
    Answer contentType = TestAgent.postDataCollector(noClientCertificate, emulator, emulator.sharedKey(), "MyApp",
        "[]".getBytes(StandardCharsets.UTF_8), TestAgent.httpDate(T0), "text/plain", "text/plain");

    assertThat(version.body()).startsWith("{\"Error\":\"InvalidApiVersion\"");
    assertThat(contentType.body()).startsWith("{\"Error\":\"UnsupportedContentType\"");
  }

  @Test
  void dataCollectorAcceptsTheSecondaryKeyAndStopsAcceptingRegeneratedKeys() throws Exception {
    String old = emulator.sharedKey();
    emulator.regenerateKeys(TestKeys.KEY_A, TestKeys.KEY_B);
    byte[] body = "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8);

    Answer withOld = TestAgent.postDataCollector(noClientCertificate, emulator, old, "T", body,
        TestAgent.httpDate(T0), "application/json", "application/json");
    Answer withSecondary = TestAgent.postDataCollector(noClientCertificate, emulator, TestKeys.KEY_B, "T", body,
        TestAgent.httpDate(T0), "application/json", "application/json");

    assertThat(withOld.status()).isEqualTo(403);
    assertThat(withSecondary.status()).isEqualTo(200);
  }

  @Test
  void toStringNeverShowsTheAuthorizationHeaderOrTheKey() throws Exception {
    TestAgent agent = new TestAgent(emulator, T0);
    agent.onboard();
    postDc("MyApp", "[{\"a\":1}]");

    for (ReceivedRequest request : emulator.requests()) {
      String authorization = request.header("Authorization");
      assertThat(authorization).isNotBlank();
      assertThat(request.toString()).doesNotContain(authorization).contains("authorization=OBFUSCATED");
      String signature = authorization.substring(authorization.lastIndexOf(' ') + 1);
      assertThat(request.toString()).doesNotContain(signature);
    }
    assertThat(emulator.toString()).doesNotContain(emulator.sharedKey());
    assertThat(WorkspaceEmulator.builder().sharedKey(TestKeys.KEY_A).toString()).doesNotContain(TestKeys.KEY_A);
    assertThat(new SharedKeys(TestKeys.KEY_A, TestKeys.KEY_B).toString()).doesNotContain(TestKeys.KEY_A)
        .doesNotContain(TestKeys.KEY_B);
  }

  private Answer postDc(String logType, String json) throws Exception {
    return TestAgent.postDataCollector(noClientCertificate, emulator, emulator.sharedKey(), logType,
        json.getBytes(StandardCharsets.UTF_8), TestAgent.httpDate(T0), "application/json", "application/json");
  }
}
