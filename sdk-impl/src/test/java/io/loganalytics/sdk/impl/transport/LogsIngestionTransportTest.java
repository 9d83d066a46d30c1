package io.loganalytics.sdk.impl.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.UploadResult;
import io.loganalytics.sdk.UploadResult.Outcome;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.http.TestTls;
import io.loganalytics.sdk.impl.identity.TokenCache;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.RecordingListener;
import io.loganalytics.sdk.impl.upload.DefaultChunkUploader;
import io.loganalytics.sdk.impl.upload.SafeListener;
import io.loganalytics.sdk.impl.upload.UploadCounters;
import io.loganalytics.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Logs Ingestion transport on the wire, under the uploader that applies the status handling: a MockWebServer
 * plays the ingestion endpoint over TLS (trusted through the test CA, as a DCE behind a TLS-inspecting proxy would
 * be), a counting {@link AccessTokenProvider} plays Entra, and waits go to a {@link FakeSleeper} on a
 * {@link MutableClock}: nothing here waits in real time.
 */
class LogsIngestionTransportTest {
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String OTHER_DCR = "dcr-fedcba9876543210fedcba9876543210";
  private static final String HOST = "dce.ods." + TestTls.DOMAIN;
  private static final Pattern N = Pattern.compile("\"n\":(\\d+)");
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @TempDir Path tmp;

  private final MutableClock clock = MutableClock.at("2026-12-05T10:00:00Z");
  private final FakeSleeper sleeper = new FakeSleeper(clock);
  private final RecordingListener listener = new RecordingListener();
  private final UploadCounters counters = new UploadCounters();
  private final Tokens provider = new Tokens();
  private final Script script = new Script();
  private MockWebServer server;
  private ClientCertificateExecutor executor;
  private TokenCache tokens;
  private LogsIngestionTransport transport;
  private DefaultChunkUploader uploader;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
        .heldCertificate(TestTls.shared().server).build();
    server.useHttps(serverTls.sslSocketFactory());
    server.setDispatcher(script);
    server.start(InetAddress.getLoopbackAddress(), 0);
    executor = HttpClients.withoutClientCertificate(HttpSettings.builder().resolver(TestTls.loopbackResolver())
        .trustedCertificates(List.of(TestTls.shared().writeCaPem(tmp))).build());
    tokens = new TokenCache(provider, "https://monitor.azure.com//.default", clock);
    transport = new LogsIngestionTransport(executor, endpoint(), DCR, tokens, new ClockSkew(clock));
  }

  @AfterEach
  void stop() throws IOException {
    if (uploader != null) {
      uploader.close();
    }
    transport.close();
    executor.close();
    server.close();
  }

  private URI endpoint() {
    return URI.create("https://" + HOST + ":" + server.getPort());
  }

  private DefaultChunkUploader uploader(RetryPolicy policy, int maxRequestBytes) {
    uploader = new DefaultChunkUploader(transport, policy, new SafeListener(listener), maxRequestBytes, clock,
        sleeper, () -> 0.5, counters);
    return uploader;
  }

  private DefaultChunkUploader uploader() {
    return uploader(RetryPolicy.defaults(), LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES);
  }

  private List<byte[]> records(String type, int from, int count) {
    return records(type, from, count, "");
  }

  private List<byte[]> records(String type, int from, int count, String padding) {
    RecordEncoder encoder = new RecordEncoder(transport.limits(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES));
    List<byte[]> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("n", i);
      r.put("msg", "record " + i + padding);
      out.add(encoder.encode(type, transport.ipName(), r));
    }
    return out;
  }

  private static Chunk chunk(List<byte[]> records) {
    return Chunk.of(1, List.copyOf(records), Instant.EPOCH);
  }

  @SafeVarargs
  private static List<byte[]> concat(List<byte[]>... lists) {
    List<byte[]> out = new ArrayList<>();
    for (List<byte[]> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  private static String gunzip(byte[] body) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("the body is not gzip", e);
    }
  }

  private static List<Integer> numbers(String json) {
    List<Integer> out = new ArrayList<>();
    Matcher m = N.matcher(json);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  /** Every number that reached the service in a 204-answered request. */
  private List<Integer> deliveredNumbers() {
    List<Integer> out = new ArrayList<>();
    for (Seen s : script.seen) {
      if (s.status == 204) {
        out.addAll(numbers(s.json));
      }
    }
    return out;
  }

  private static MockResponse azureError(int status, String code, String message) {
    return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json; charset=utf-8")
        .setHeader("x-ms-error-code", code)
        .body("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}").build();
  }

  private static MockResponse noContent() {
    return new MockResponse.Builder().code(204).build();
  }

  // ------------------------------------------------------------------ request shape

  @Test
  void postsAGzippedJsonArrayToTheStreamOfTheDcrWithBearerTokenAndClientRequestId() {
    UploadResult result = uploader().upload(chunk(records("Custom-AppLogs_CL", 0, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.recordsDelivered()).isEqualTo(3);
    Seen s = script.single();
    assertThat(s.method).isEqualTo("POST");
    assertThat(s.target).isEqualTo("/dataCollectionRules/" + DCR + "/streams/Custom-AppLogs_CL?api-version=2023-01-01");
    assertThat(s.host).isEqualTo(HOST + ":" + server.getPort());
    assertThat(s.header("Content-Encoding")).isEqualTo("gzip");
    assertThat(s.header("Content-Type")).isEqualTo("application/json");
    assertThat(s.header("Authorization")).isEqualTo("Bearer tok-1");
    assertThat(s.header("x-ms-client-request-id")).matches(UUID_TEXT).isEqualTo(result.chunkId());
    assertThat(s.header("User-Agent")).startsWith("loganalytics-java-sdk/");
    assertThat(s.json).isEqualTo("[{\"n\":0,\"msg\":\"record 0\"},{\"n\":1,\"msg\":\"record 1\"},"
        + "{\"n\":2,\"msg\":\"record 2\"}]");
    assertThat(provider.calls.get()).isEqualTo(1);
    assertThat(provider.scopes).containsExactly("https://monitor.azure.com//.default");
    assertThat(sleeper.waits()).isEmpty();
    assertThat(listener.events()).containsExactly("delivered(3,try 1)");
  }

  @Test
  void theTokenIsReadFromTheCacheForEveryRequestAndRefreshedWhenDue() {
    provider.lifetime = Duration.ofMinutes(30);
    DefaultChunkUploader u = uploader();
    u.upload(chunk(records("Custom-AppLogs_CL", 0, 1)));
    clock.advance(Duration.ofMinutes(24)); // 6 minutes before expiry: still used
    u.upload(chunk(records("Custom-AppLogs_CL", 1, 1)));
    clock.advance(Duration.ofMinutes(2)); // 4 minutes before expiry: refreshed first
    u.upload(chunk(records("Custom-AppLogs_CL", 2, 1)));

    assertThat(script.seen).extracting(s -> s.header("Authorization"))
        .containsExactly("Bearer tok-1", "Bearer tok-1", "Bearer tok-2");
  }

  @Test
  void recordsOfSeveralStreamsAndDcrsGoToTheirOwnPathsOneStreamPerRequest() {
    List<byte[]> mixed = new ArrayList<>();
    List<byte[]> a = records("Custom-A_CL", 0, 3);
    List<byte[]> b = records("Microsoft-Syslog", 3, 2);
    List<byte[]> c = records(OTHER_DCR + "/Custom-C_CL", 5, 2);
    List<byte[]> cUpper = records(OTHER_DCR.toUpperCase(java.util.Locale.ROOT).replace("DCR-", "dcr-")
        + "/Custom-C_CL", 7, 1);
    // Interleaved on purpose: the uploader groups by stream.
    mixed.add(a.get(0));
    mixed.add(c.get(0));
    mixed.add(b.get(0));
    mixed.add(a.get(1));
    mixed.add(c.get(1));
    mixed.add(b.get(1));
    mixed.add(a.get(2));
    mixed.addAll(cUpper);

    UploadResult result = uploader().upload(chunk(mixed));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    Map<String, List<Integer>> byPath = new LinkedHashMap<>();
    for (Seen s : script.seen) {
      byPath.computeIfAbsent(s.target, k -> new ArrayList<>()).addAll(numbers(s.json));
    }
    String q = "?api-version=2023-01-01";
    assertThat(byPath).containsOnlyKeys(
        "/dataCollectionRules/" + DCR + "/streams/Custom-A_CL" + q,
        "/dataCollectionRules/" + DCR + "/streams/Microsoft-Syslog" + q,
        "/dataCollectionRules/" + OTHER_DCR + "/streams/Custom-C_CL" + q);
    assertThat(byPath.get("/dataCollectionRules/" + DCR + "/streams/Custom-A_CL" + q)).containsExactly(0, 1, 2);
    assertThat(byPath.get("/dataCollectionRules/" + DCR + "/streams/Microsoft-Syslog" + q)).containsExactly(3, 4);
    assertThat(byPath.get("/dataCollectionRules/" + OTHER_DCR + "/streams/Custom-C_CL" + q))
        .containsExactlyInAnyOrder(5, 6, 7);
    assertThat(script.seen).extracting(s -> s.header("x-ms-client-request-id")).containsOnly(result.chunkId());
  }

  @Test
  void recordTypesMustBeStreamsOptionallyOfAnotherDcrAndTheUriFollowsThem() {
    for (String ok : new String[] {"Custom-AppLogs_CL", "Microsoft-Syslog", OTHER_DCR + "/Custom-X_CL",
        "Custom-" + "a".repeat(60)}) {
      transport.validateType(ok);
    }
    for (String bad : new String[] {"AppLogs_CL", "Custom-", "custom-AppLogs_CL", "Custom-App-Logs",
        "dcr-0123/Custom-X_CL", OTHER_DCR + "/AppLogs", "Custom-" + "a".repeat(61), "Custom-X_CL/" + OTHER_DCR,
        "Custom-X_CL?api-version=1", "Custom-X_CL/../../other", null}) {
      assertThatThrownBy(() -> transport.validateType(bad))
          .isInstanceOf(io.loganalytics.sdk.InvalidRecordException.class).hasMessageStartingWith("type:")
          .hasMessageContaining("streamDeclarations");
    }
    assertThat(transport.uri(OTHER_DCR.toUpperCase(java.util.Locale.ROOT).replace("DCR-", "dcr-") + "/Custom-X_CL"))
        .isEqualTo(URI.create(endpoint() + "/dataCollectionRules/" + OTHER_DCR + "/streams/Custom-X_CL"
            + "?api-version=2023-01-01"));
    assertThat(transport.toString()).contains(DCR).doesNotContain("tok-");
  }

  // ------------------------------------------------------------------ size

  @Test
  void aChunkAboveOneMebibyteIsSplitBeforeSendingAndNoRequestHoldsMoreThan1MiBOfJson() {
    // ~2.6 MiB of JSON in records of ~5 KB: cut into requests of at most 1 MiB before compression.
    List<byte[]> many = records("Custom-Big_CL", 0, 520, "x".repeat(5_000));

    UploadResult result = uploader().upload(chunk(many));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).hasSizeGreaterThanOrEqualTo(3).allSatisfy(s -> {
      assertThat(s.status).isEqualTo(204);
      assertThat(s.json.getBytes(StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES);
      assertThat(s.json).startsWith("[{").endsWith("}]");
    });
    assertThat(deliveredNumbers()).containsExactlyElementsOf(range(0, 520));
    assertThat(script.seen).extracting(s -> s.header("x-ms-client-request-id")).containsOnly(result.chunkId());
  }

  /** A record whose JSON is exactly {@code jsonBytes} long, in fields under the 64 KB field limit. */
  private byte[] recordOfJsonLength(String type, int n, int jsonBytes) {
    RecordEncoder encoder = new RecordEncoder(transport.limits(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES));
    int fields = jsonBytes / 60_000 + 1;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("n", n);
    for (int i = 0; i < fields; i++) {
      r.put("f" + i, "x".repeat(60_000));
    }
    byte[] first = encoder.encode(type, "", r);
    int length = first.length - io.loganalytics.sdk.impl.json.RecordFormat.headerLength(first);
    String last = "f" + (fields - 1);
    r.put(last, "x".repeat(60_000 + jsonBytes - length));
    byte[] exact = encoder.encode(type, "", r);
    assertThat(exact.length - io.loganalytics.sdk.impl.json.RecordFormat.headerLength(exact)).isEqualTo(jsonBytes);
    return exact;
  }

  @Test
  void exactlyOneMebibyteOfJsonGoesInOneRequestAndOneByteMoreInTwo() {
    // 3 records of 349,524 bytes, 2 commas and the brackets: 1,048,576 bytes.
    int each = (LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES - 4) / 3;
    List<byte[]> exact = List.of(recordOfJsonLength("Custom-Big_CL", 0, each),
        recordOfJsonLength("Custom-Big_CL", 1, each), recordOfJsonLength("Custom-Big_CL", 2, each));
    DefaultChunkUploader u = uploader();

    assertThat(u.upload(chunk(exact)).outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).singleElement().satisfies(s -> assertThat(s.json.getBytes(StandardCharsets.UTF_8))
        .hasSize(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES));

    script.seen.clear();
    List<byte[]> oneMore = List.of(recordOfJsonLength("Custom-Big_CL", 0, each),
        recordOfJsonLength("Custom-Big_CL", 1, each), recordOfJsonLength("Custom-Big_CL", 2, each + 1));
    assertThat(Chunk.of(2, oneMore, Instant.EPOCH).records()).hasSize(3);
    assertThat(u.upload(Chunk.of(2, oneMore, Instant.EPOCH)).outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).hasSize(2).allSatisfy(s -> assertThat(s.json.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES));
    assertThat(script.seen).extracting(s -> numbers(s.json)).containsExactly(List.of(0, 1), List.of(2));
  }

  @Test
  void a413SplitsTheRequestAndEveryPartKeepsTheChunksRequestIdAcrossRetriesAndSplits() {
    script.answers.add(azureError(413, "ContentLengthLimitExceeded",
        "Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: 1068792 bytes."));
    script.answers.add(azureError(413, "ContentLengthLimitExceeded", "Maximum allowed content length"));
    script.answers.add(azureError(503, "ServiceUnavailable", "busy"));
    // then 204s

    UploadResult result = uploader().upload(chunk(records("Custom-AppLogs_CL", 0, 8)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).extracting(s -> s.status).containsExactly(413, 413, 503, 204, 204, 204);
    assertThat(script.seen).extracting(s -> numbers(s.json).size()).containsExactly(8, 4, 2, 2, 2, 4);
    assertThat(deliveredNumbers()).containsExactlyInAnyOrderElementsOf(range(0, 8)).doesNotHaveDuplicates();
    assertThat(script.seen).extracting(s -> s.header("x-ms-client-request-id"))
        .containsOnly(result.chunkId());
    assertThat(result.chunkId()).matches(UUID_TEXT);
    assertThat(sleeper.waits()).hasSize(1); // the 503 only: a split is sent at once
  }

  @Test
  void aLoneRecordStillRefusedAs413IsGivenUpAsTooLargeWithoutRetrying() {
    script.fallback = () -> azureError(413, "ContentLengthLimitExceeded", "Maximum allowed content length: 1048576");

    UploadResult result = uploader().upload(chunk(records("Custom-AppLogs_CL", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(script.seen).hasSize(3); // 2 records, then each alone
    assertThat(listener.events()).containsExactly("givenUp(1,TOO_LARGE)", "dropped(TOO_LARGE,1)",
        "givenUp(1,TOO_LARGE)", "dropped(TOO_LARGE,1)");
    assertThat(sleeper.waits()).isEmpty();
  }

  @Test
  void aSingleRecordAboveOneMebibyteIsRefusedAtSendNamingTheLimit() throws Exception {
    LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder()
        .logsIngestion(endpoint(), DCR)
        .tokenProvider(provider)
        .hostResolver(TestTls.loopbackResolver())
        .trustCertificates(TestTls.shared().writeCaPem(tmp))
        .bufferDirectory(tmp.resolve("buffer"))
        .maxRequestBytes(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES)
        .listener(listener);
    Map<String, Object> huge = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      huge.put("f" + i, "y".repeat(60_000)); // each field under the 64 KB field limit, 1.2 MB in all
    }
    try (LogAnalyticsClient client = builder.build()) {
      assertThatThrownBy(() -> client.send("Custom-AppLogs_CL", huge))
          .isInstanceOf(RecordTooLargeException.class)
          .hasMessageContaining("at most " + (LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES - 2) + " bytes")
          .hasMessageContaining("maxRequestBytes");
      assertThat(client.stats().bufferedRecords()).isZero();
    }
    assertThat(script.seen).isEmpty();
  }

  @Test
  void theBuilderRefusesARequestSizeAboveTheApisLimit() {
    LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder()
        .logsIngestion(endpoint(), DCR)
        .tokenProvider(provider)
        .bufferDirectory(tmp.resolve("buffer"))
        .maxRequestBytes(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES + 1);

    assertThatThrownBy(builder::build).isInstanceOf(io.loganalytics.sdk.ConfigurationException.class)
        .hasMessageContaining("maxRequestBytes").hasMessageContaining("1048576");
  }

  // ------------------------------------------------------------------ retries

  @Test
  void retries429And5xxHonouringRetryAfterWithoutWaitingInRealTime() {
    RetryPolicy policy = RetryPolicy.defaults();
    script.answers.add(new MockResponse.Builder().code(429).setHeader("Retry-After", "7").build());
    script.answers.add(new MockResponse.Builder().code(503).setHeader("Retry-After", "11")
        .setHeader("x-ms-error-code", "ServiceUnavailable").build());
    script.answers.add(azureError(500, "InternalServerError", "oops"));

    UploadResult result = uploader(policy, LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES)
        .upload(chunk(records("Custom-AppLogs_CL", 0, 4)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).extracting(s -> s.status).containsExactly(429, 503, 500, 204);
    // Retry-After where given, else the policy's third backoff.
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(11),
        policy.backoff(3, 0.5));
    assertThat(script.seen).extracting(s -> s.header("x-ms-client-request-id")).containsOnly(result.chunkId());
    assertThat(script.seen).extracting(s -> s.json).containsOnly(script.seen.get(0).json);
    assertThat(provider.calls.get()).as("throttling is not a token problem").isEqualTo(1);
    assertThat(counters.retries()).isEqualTo(3);
  }

  @Test
  void retriesAreBoundedByThePolicyThenTheRecordsAreGivenUp() {
    script.fallback = () -> azureError(503, "ServiceUnavailable", "down");
    RetryPolicy policy = RetryPolicy.builder().maxRetries(2).build();

    UploadResult result = uploader(policy, LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES)
        .upload(chunk(records("Custom-AppLogs_CL", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(script.seen).hasSize(3);
    assertThat(listener.dropDetails).singleElement().asString().contains("503").contains("ServiceUnavailable");
  }

  @Test
  void aRedirectIsNotFollowedSoTheTokenGoesNowhereElse() {
    script.answers.add(new MockResponse.Builder().code(307).setHeader("Location", "https://" + HOST + ":"
        + server.getPort() + "/elsewhere").build());

    UploadResult result = uploader().upload(chunk(records("Custom-AppLogs_CL", 0, 1)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).extracting(s -> s.target).containsOnly("/dataCollectionRules/" + DCR
        + "/streams/Custom-AppLogs_CL?api-version=2023-01-01");
    assertThat(script.seen).extracting(s -> s.status).containsExactly(307, 204);
  }

  // ------------------------------------------------------------------ permanent refusals

  @Test
  void a400GivesUpAtOnceWithTheServicesErrorCodeAndMessage() {
    script.answers.add(azureError(400, "InvalidPayload", "Record 3 is not an object"));

    UploadResult result = uploader().upload(chunk(records("Custom-AppLogs_CL", 0, 5)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(result.recordsGivenUp()).isEqualTo(5);
    assertThat(script.seen).hasSize(1);
    assertThat(sleeper.waits()).isEmpty();
    assertThat(listener.events()).containsExactly("givenUp(5,REJECTED)", "dropped(REJECTED,5)");
    assertThat(listener.dropDetails).singleElement().asString().contains("400")
        .contains("InvalidPayload").contains("Record 3 is not an object");
  }

  @Test
  void a404ForAnUnknownDcrIsReportedClearlyAndNotRetried() {
    script.answers.add(azureError(404, "NotFound", "Data collection rule with immutable Id '" + DCR
        + "' not found."));

    UploadResult result = uploader().upload(chunk(records("Custom-AppLogs_CL", 0, 2)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(script.seen).hasSize(1);
    assertThat(listener.events()).containsExactly("givenUp(2,REJECTED)", "dropped(REJECTED,2)");
    assertThat(listener.dropDetails).singleElement().asString().contains("404").contains(DCR)
        .contains("Custom-AppLogs_CL").contains("streamDeclarations").contains(endpoint().toString());
  }

  @Test
  void a404ForAnUndeclaredStreamWhoseNameSaysLargeIsAWrongStreamNotATooLargeRequest() {
    // The service echoes the stream's name; a name such as Custom-LargeFiles_CL must not read as "too large".
    script.fallback = () -> azureError(404, "InvalidStream", "The stream 'Custom-LargeFiles_CL' is not declared in "
        + "the data collection rule with immutable Id '" + DCR + "'.");

    UploadResult result = uploader().upload(chunk(records("Custom-LargeFiles_CL", 0, 4)));

    assertThat(result.outcome()).isEqualTo(Outcome.GIVEN_UP);
    assertThat(script.seen).as("no split, no retry").hasSize(1);
    assertThat(listener.events()).containsExactly("givenUp(4,REJECTED)", "dropped(REJECTED,4)");
    assertThat(listener.dropDetails).singleElement().asString().contains("InvalidStream")
        .contains("Custom-LargeFiles_CL").contains("streamDeclarations");
  }

  // ------------------------------------------------------------------ authentication

  @Test
  void a401RefreshesTheTokenOnceAndRetriesAtOnceWithoutUsingTheRetryBudget() {
    script.answers.add(azureError(401, "TokenExpired", "The authentication token provided has expired."));
    RetryPolicy noRetries = RetryPolicy.builder().maxRetries(0).build();

    UploadResult result = uploader(noRetries, LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES)
        .upload(chunk(records("Custom-AppLogs_CL", 0, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).extracting(s -> s.status).containsExactly(401, 204);
    assertThat(script.seen).extracting(s -> s.header("Authorization")).containsExactly("Bearer tok-1", "Bearer tok-2");
    assertThat(script.seen).extracting(s -> s.header("x-ms-client-request-id")).containsOnly(result.chunkId());
    assertThat(provider.calls.get()).isEqualTo(2);
    assertThat(sleeper.waits()).as("the retry after a refresh is immediate").isEmpty();
    assertThat(listener.authFailures).as("a single 401 healed by a refresh is not a failure").isEmpty();
  }

  @Test
  void aSecond401DoesNotLoopItIsReportedAndRetriedAfterABackoffWithoutUsingTheBudget() {
    script.answers.add(azureError(401, "InvalidToken", "The authentication token is not valid."));
    script.answers.add(azureError(401, "InvalidToken", "The authentication token is not valid."));
    RetryPolicy noRetries = RetryPolicy.builder().maxRetries(0).build();

    UploadResult result = uploader(noRetries, LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES)
        .upload(chunk(records("Custom-AppLogs_CL", 0, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).extracting(s -> s.status).containsExactly(401, 401, 204);
    assertThat(sleeper.waits()).as("one backoff after the second 401").containsExactly(noRetries.backoff(1, 0.5));
    assertThat(listener.authFailures).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.reason()).isEqualTo("InvalidToken: The authentication token is not valid.");
      assertThat(e.getMessage()).contains("https://monitor.azure.com//.default").doesNotContain("tok-")
          .containsOnlyOnce("system clock");
    });
  }

  @Test
  void an401ThatNeverEndsKeepsTheRecordsAndNeverSendsTwoRequestsWithoutAWaitBetween() throws Exception {
    script.fallback = () -> azureError(401, "InvalidToken", "The authentication token is not valid.");
    sleeper.blockFrom(3);
    DefaultChunkUploader u = uploader();

    CompletableFuture<UploadResult> running = CompletableFuture.supplyAsync(() -> u.upload(chunk(
        records("Custom-AppLogs_CL", 0, 2))));
    assertThat(sleeper.awaitBlocked(10, TimeUnit.SECONDS)).isTrue();
    u.close();
    UploadResult result = running.get(10, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(result.recordsGivenUp()).isZero();
    // 401 + immediate retry with a fresh token, then one try per wait: 2 + 2 requests before the third wait.
    assertThat(script.seen).hasSize(4);
    assertThat(sleeper.waits()).hasSize(3);
    assertThat(listener.authFailures).hasSize(3);
    assertThat(listener.events()).noneMatch(e -> e.startsWith("dropped") || e.startsWith("givenUp"));
  }

  @Test
  void a403NamesTheMissingRoleAndThePropagationDelayKeepsTheTokenAndTheRecords() {
    script.answers.add(azureError(403, "OperationFailed", "The authentication token provided does not have access "
        + "to ingest data for the data collection rule with immutable Id '" + DCR + "' PipelineAccessResult: "
        + "AccessGranted: False, IsRbacPresent: False"));
    RetryPolicy noRetries = RetryPolicy.builder().maxRetries(0).build();

    UploadResult result = uploader(noRetries, LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES)
        .upload(chunk(records("Custom-AppLogs_CL", 0, 3)));

    assertThat(result.outcome()).as("a 403 uses no retry budget").isEqualTo(Outcome.DELIVERED);
    assertThat(script.seen).extracting(s -> s.status).containsExactly(403, 204);
    assertThat(provider.calls.get()).as("a new token would carry the same roles").isEqualTo(1);
    assertThat(listener.authFailures).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(403);
      assertThat(e.reason()).startsWith("OperationFailed");
      assertThat(e.getMessage()).contains("Monitoring Metrics Publisher").contains(DCR).contains("Custom-AppLogs_CL")
          .contains("can take up to 30 minutes to apply. The token is kept").doesNotContain("tok-1");
    });
    assertThat(sleeper.waits()).hasSize(1);
  }

  @Test
  void noTokenFromEntraKeepsTheRecordsBufferedReportsItAndSendsNothing() throws Exception {
    provider.failWith = new AuthenticationException("Microsoft Entra ID refused the client secret credential "
        + "(HTTP 401 invalid_client, AADSTS7000215)", 401, "AADSTS7000215", null, null, false, null);
    sleeper.blockFrom(2);
    DefaultChunkUploader u = uploader();

    CompletableFuture<UploadResult> running = CompletableFuture.supplyAsync(() -> u.upload(chunk(
        records("Custom-AppLogs_CL", 0, 2))));
    assertThat(sleeper.awaitBlocked(10, TimeUnit.SECONDS)).isTrue();
    u.close();
    UploadResult result = running.get(10, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(script.seen).isEmpty();
    assertThat(listener.authFailures).isNotEmpty().allSatisfy(e -> assertThat(e.getMessage())
        .contains("AADSTS7000215").contains("No access token could be had"));
  }

  // ------------------------------------------------------------------ fakes

  /** Hands out tok-1, tok-2, ... valid for {@link #lifetime} by the test clock; counts the calls. */
  private final class Tokens implements AccessTokenProvider {
    final AtomicInteger calls = new AtomicInteger();
    final List<String> scopes = new CopyOnWriteArrayList<>();
    volatile Duration lifetime = Duration.ofHours(1);
    volatile RuntimeException failWith;

    @Override
    public AccessToken getToken(String scope) {
      scopes.add(scope);
      int n = calls.incrementAndGet();
      if (failWith != null) {
        throw failWith;
      }
      return AccessToken.of("tok-" + n, clock.instant().plus(lifetime));
    }
  }

  /** What the server saw, with the body decompressed. */
  private static final class Seen {
    final String method;
    final String target;
    final String host;
    final Map<String, String> headers = new LinkedHashMap<>();
    final String json;
    final int status;

    Seen(RecordedRequest r, int status) {
      this.method = r.getMethod();
      this.target = r.getTarget();
      this.host = r.getHeaders().get("Host");
      for (String name : r.getHeaders().names()) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), r.getHeaders().get(name));
      }
      byte[] body = r.getBody() == null ? new byte[0] : r.getBody().toByteArray();
      this.json = "gzip".equals(headers.get("content-encoding")) ? gunzip(body)
          : new String(body, StandardCharsets.UTF_8);
      this.status = status;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** Answers from a queue, then with {@link #fallback}; records every request. */
  private static final class Script extends Dispatcher {
    final List<MockResponse> answers = Collections.synchronizedList(new ArrayList<>());
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    volatile java.util.function.Supplier<MockResponse> fallback = LogsIngestionTransportTest::noContent;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse r;
      synchronized (answers) {
        r = answers.isEmpty() ? fallback.get() : answers.remove(0);
      }
      seen.add(new Seen(request, r.getCode()));
      return r;
    }

    Seen single() {
      assertThat(seen).hasSize(1);
      return seen.get(0);
    }
  }
}
