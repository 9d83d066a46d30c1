package io.loganalytics.sdk.impl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Logs Ingestion statuses end to end against the strict emulator (which refuses more than 1 MiB of decoded JSON,
 * unknown DCRs and undeclared streams, and expired tokens): the client through its public API only.
 */
class LogsIngestionWireTest {
  private static final Duration AWAIT = Duration.ofSeconds(15);
  private static final RetryPolicy FAST = RetryPolicy.builder().uploadInterval(Duration.ofMillis(50))
      .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).maxRetries(30).build();
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String UNKNOWN_DCR = "dcr-99999999999999999999999999999999";
  private static final String STREAM = "Custom-AppLogs_CL";
  private static final String APP = "41111111-2222-3333-4444-555555555555";

  @TempDir Path tmp;

  private WorkspaceEmulator emulator() {
    WorkspaceEmulator emulator = WorkspaceEmulator.builder().start();
    emulator.createDataCollectionRule(DCR, STREAM);
    emulator.grantPublisher(DCR, APP);
    return emulator;
  }

  private LogAnalyticsClientBuilder builder(WorkspaceEmulator emulator, Events events) {
    EntraCredential credential = emulator.registerClientSecret(APP, "wire-test-secret~" + APP);
    return LogAnalyticsClient.builder()
        .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
        .entraCredential(credential)
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("emulator-ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .retryPolicy(FAST)
        .listener(events);
  }

  private static void send(LogAnalyticsClient client, String type, int from, int to, int padding) {
    for (int i = from; i < to; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", i);
      r.put("message", "record " + i + " " + "p".repeat(padding));
      client.send(type, r);
    }
  }

  private static List<Integer> ids(List<ReceivedRecord> records) {
    return records.stream().map(r -> ((Number) r.field("id")).intValue()).collect(Collectors.toList());
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  private static List<ReceivedRequest> uploads(WorkspaceEmulator emulator) {
    return emulator.requests().stream().filter(r -> r.path().contains("/dataCollectionRules/"))
        .collect(Collectors.toList());
  }

  @Test
  void threeMebibytesAtTheLargestRequestSizeArriveWithoutA413() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator();
        LogAnalyticsClient client = builder(emulator, events)
            .maxRequestBytes(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES).build()) {
      send(client, STREAM, 0, 300, 10_000);
      assertThat(client.flush(AWAIT)).isTrue();

      assertThat(ids(emulator.records(STREAM))).containsExactlyInAnyOrderElementsOf(range(0, 300));
      assertThat(uploads(emulator)).hasSizeGreaterThanOrEqualTo(3)
          .extracting(ReceivedRequest::status).containsOnly(204);
      assertThat(events.dropped).isEmpty();
    }
  }

  @Test
  void anAccessTokenTheServiceCallsExpiredIsRefreshedOnceAndTheRecordsGoThrough() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator();
        LogAnalyticsClient client = builder(emulator, events).build()) {
      send(client, STREAM, 0, 3, 0);
      assertThat(client.flush(AWAIT)).isTrue();
      // The service's clock is two hours ahead: our token, valid by our clock, has expired by its.
      emulator.faults().clockSkew(Duration.ofHours(2));
      send(client, STREAM, 3, 6, 0);
      assertThat(client.flush(AWAIT)).isTrue();

      assertThat(ids(emulator.records(STREAM))).containsExactlyInAnyOrderElementsOf(range(0, 6));
      List<ReceivedRequest> uploads = uploads(emulator);
      assertThat(uploads).extracting(ReceivedRequest::status).containsExactly(204, 401, 204);
      assertThat(uploads.get(1).reason()).contains("TokenExpired");
      assertThat(uploads.get(2).header("x-ms-client-request-id"))
          .isEqualTo(uploads.get(1).header("x-ms-client-request-id"));
      assertThat(uploads.get(2).header("Authorization")).isNotEqualTo(uploads.get(1).header("Authorization"));
      assertThat(emulator.requests()).filteredOn(r -> r.path().endsWith("/oauth2/v2.0/token")).hasSize(2);
      assertThat(events.authFailures).as("a 401 healed by one refresh is not reported").isEmpty();
    }
  }

  @Test
  void throttlingAndServerErrorsAreRetriedAndEveryRecordArrivesOnce() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator();
        LogAnalyticsClient client = builder(emulator, events).build()) {
      emulator.faults().failNext(1, 429, Duration.ofSeconds(1), false).failNext(1, 503, Duration.ofSeconds(1), true)
          .failNext(1, 500, null, false);
      send(client, STREAM, 0, 20, 0);
      assertThat(client.flush(AWAIT)).isTrue();

      assertThat(ids(emulator.records(STREAM))).containsExactlyInAnyOrderElementsOf(range(0, 20));
      assertThat(emulator.requests()).extracting(ReceivedRequest::status).contains(429, 503, 500);
      assertThat(client.stats().retries()).isGreaterThanOrEqualTo(3);
      assertThat(events.dropped).isEmpty();
    }
  }

  @Test
  void anUndeclaredStreamAndAnUnknownDcrAreRejectedWithAdviceWhileOtherStreamsArrive() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator();
        LogAnalyticsClient client = builder(emulator, events).build()) {
      send(client, STREAM, 0, 5, 0);
      send(client, "Custom-LargeUndeclared_CL", 5, 8, 0);
      send(client, UNKNOWN_DCR + "/" + STREAM, 8, 10, 0);
      assertThat(client.flush(AWAIT)).isTrue();

      assertThat(ids(emulator.records(STREAM))).containsExactlyInAnyOrderElementsOf(range(0, 5));
      assertThat(events.dropped).containsOnlyKeys(DropReason.REJECTED);
      assertThat(events.dropped.get(DropReason.REJECTED)).hasSize(2).anySatisfy(d -> assertThat(d)
          .contains("Custom-LargeUndeclared_CL").contains("streamDeclarations").contains("InvalidStream"))
          .anySatisfy(d -> assertThat(d).contains(UNKNOWN_DCR).contains("NotFound"));
      assertThat(uploads(emulator)).extracting(ReceivedRequest::status).containsExactlyInAnyOrder(204, 404, 404);
    }
  }

  /** Records the events the tests look at; thread-safe. */
  static final class Events extends LogAnalyticsListener {
    final List<AuthenticationException> authFailures = new CopyOnWriteArrayList<>();
    final Map<DropReason, List<String>> dropped = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onAuthenticationFailure(AuthenticationException error) {
      authFailures.add(error);
    }

    @Override
    public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
      dropped.computeIfAbsent(reason, r -> new CopyOnWriteArrayList<>()).add(detail);
    }
  }
}
