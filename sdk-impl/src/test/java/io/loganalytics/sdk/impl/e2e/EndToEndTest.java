package io.loganalytics.sdk.impl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.HostResolver;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End-to-end: the SDK through its public API only ({@link LogAnalyticsClient#builder()}, found by the
 * {@link java.util.ServiceLoader}) against the {@link WorkspaceEmulator} over real TLS on loopback.
 *
 * <p>Real time is short here: a retry policy of 50 ms waits capped at 200 ms; every wait for an outcome is a bounded
 * {@link WorkspaceEmulator#awaitRecords} or a bounded poll of a condition, never a fixed sleep. The SDK logs at DEBUG
 * during the whole class (surefire runs this package in its own JVM, see sdk-impl/pom.xml, so that the level is set
 * before any SDK logger exists); {@link #noSecretReachedTheLog()} checks the captured output for every key used.
 *
 * <p>Not covered here: a proxy between client and service. MockWebServer cannot relay a TLS tunnel to the emulator;
 * {@code HttpClientsTest} covers CONNECT, 407 and preemptive proxy authentication on the executor the client uses.
 */
class EndToEndTest {
  static {
    // Before SLF4J creates any logger of the SDK (this class runs first in its JVM).
    System.setProperty("org.slf4j.simpleLogger.log.io.loganalytics.sdk", "debug");
  }

  private static final Duration AWAIT = Duration.ofSeconds(10);
  private static final RetryPolicy FAST = RetryPolicy.builder()
      .uploadInterval(Duration.ofMillis(50))
      .initialBackoff(Duration.ofMillis(50))
      .maxBackoff(Duration.ofMillis(200))
      .maxRetries(30)
      .build();
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
  private static final Set<String> WORKSPACES = ConcurrentHashMap.newKeySet();
  private static final ByteArrayOutputStream CAPTURED = new ByteArrayOutputStream();
  private static PrintStream originalErr;

  @TempDir Path tmp;

  @BeforeAll
  static void captureLog() {
    originalErr = System.err;
    // slf4j-simple looks System.err up at every line (cacheOutputStream is off by default).
    System.setErr(new PrintStream(new TeeOutputStream(originalErr, CAPTURED), true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void noSecretReachedTheLog() {
    System.setErr(originalErr);
    String log;
    synchronized (CAPTURED) {
      log = CAPTURED.toString(StandardCharsets.UTF_8);
    }
    assertThat(log).as("the SDK logged at DEBUG during the run").contains("DEBUG io.loganalytics.sdk");
    assertThat(SECRETS).isNotEmpty();
    for (String secret : SECRETS) {
      assertThat(log).as("a secret in the log").doesNotContain(secret);
    }
    // Authorization values: "SharedKey <ws>:<signature>" (Data Collector), "<ws>; <signature>" (onboarding).
    assertThat(log).doesNotContain("SharedKey ").doesNotContain("PRIVATE KEY");
    for (String workspace : WORKSPACES) {
      assertThat(log).doesNotContainPattern(Pattern.quote(workspace) + "; [A-Za-z0-9+/]{43}=");
    }
  }

  // --- Delivery on both transports ---

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"AGENT_CERTIFICATE", "DATA_COLLECTOR"})
  void deliversEveryRecordWithItsFields(Transport transport) throws Exception {
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder());
        LogAnalyticsClient client = builder(emulator, transport, emulator.credentials(), new Events()).build()) {
      sendNumbered(client, "E2eDelivery", 0, 40);
      assertThat(client.flush(AWAIT)).isTrue();

      List<ReceivedRecord> records = emulator.records("E2eDelivery");
      assertExactlyOnce(records, 0, 40);
      ReceivedRecord seventh = records.stream().filter(r -> id(r) == 7).findFirst().orElseThrow();
      assertThat(seventh.field("message")).isEqualTo("record 7");
      assertThat(seventh.field("ok")).isEqualTo(true);
      assertThat(((Number) seventh.field("ratio")).doubleValue()).isEqualTo(0.25);
      assertThat(seventh.field("nested")).isEqualTo(Map.of("k", "v7"));
      assertThat(seventh.transport()).isEqualTo(transport == Transport.DATA_COLLECTOR
          ? ReceivedRecord.DATA_COLLECTOR : ReceivedRecord.ODS);
      if (transport == Transport.AGENT_CERTIFICATE) {
        assertThat(seventh.ipName()).isEqualTo("LogManagement");
        assertThat(seventh.agentId()).isIn(emulator.registeredAgents());
      }
      assertThat(client.stats().recordsSent()).isEqualTo(40);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"AGENT_CERTIFICATE", "DATA_COLLECTOR"})
  void retries503WithRetryAfterResetsAnd429ThenDeliversEachRecordExactlyOnce(Transport transport) throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder());
        LogAnalyticsClient client = builder(emulator, transport, emulator.credentials(), events).build()) {
      sendNumbered(client, "E2eWarmUp", 0, 1); // onboarding and the first heartbeat are behind us after this
      assertThat(client.flush(AWAIT)).isTrue();
      emulator.faults().failNext(1, 503, Duration.ofSeconds(1), false).failNextWithReset(1)
          .failNext(1, 429, Duration.ofSeconds(1), true).failNext(1, 500, null, false);

      sendNumbered(client, "E2eFaults", 0, 30);
      assertThat(client.flush(AWAIT)).isTrue();

      assertExactlyOnce(emulator.records("E2eFaults"), 0, 30);
      assertThat(emulator.faults().pending()).isZero();
      assertThat(statuses(emulator)).contains(503, 0, 429, 500);
      assertThat(client.stats().retries()).isGreaterThanOrEqualTo(1);
      assertThat(events.dropped.get()).isZero();
    }
  }

  // --- Agent path: onboarding, renewal ---

  @Test
  void buildSucceedsWhileOnboardingAnswers503AndRecordsGoOnceTheServiceRecovers() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      emulator.faults().failNext(3, 503, null, false);
      try (LogAnalyticsClient client = builder(emulator, Transport.AGENT_CERTIFICATE, emulator.credentials(), events)
          .build()) {
        sendNumbered(client, "E2eLazy", 0, 25);

        assertThat(emulator.awaitRecords(25, AWAIT)).isTrue();
        assertExactlyOnce(emulator.records("E2eLazy"), 0, 25);
        assertThat(emulator.registeredAgents()).hasSize(1);
        assertThat(emulator.requests()).filteredOn(r -> r.path().contains("LinuxAgentTopologyRequest"))
            .extracting(ReceivedRequest::status).startsWith(503, 503, 503).contains(200);
        assertThat(Files.exists(tmp.resolve("state").resolve("omsadmin.conf"))).isTrue();
      }
    }
  }

  @Test
  void buildSucceedsWhileTheServiceIsUnreachableAndRecordsStayBufferedUntilItIs() throws Exception {
    Events events = new Events();
    AtomicBoolean reachable = new AtomicBoolean(false);
    AtomicLong lookupsWhileDown = new AtomicLong();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      HostResolver network = host -> {
        if (!reachable.get()) {
          lookupsWhileDown.incrementAndGet();
          throw new UnknownHostException(host + " (network down in this test)");
        }
        return emulator.hostResolver().resolve(host);
      };
      try (LogAnalyticsClient client = builder(emulator, Transport.AGENT_CERTIFICATE, emulator.credentials(), events)
          .hostResolver(network).build()) {
        sendNumbered(client, "E2eOffline", 0, 10);
        // The uploader keeps trying to onboard in the background; nothing is given up meanwhile.
        pollUntil(() -> lookupsWhileDown.get() >= 3, "three onboarding attempts while the network is down");
        assertThat(client.flush(Duration.ofMillis(100))).isFalse();
        assertThat(client.stats().bufferedRecords()).isEqualTo(10);
        assertThat(client.stats().certificateExpiry()).isEmpty();
        assertThat(emulator.requests()).isEmpty();

        reachable.set(true);
        assertThat(emulator.awaitRecords(10, AWAIT)).isTrue();
        assertExactlyOnce(emulator.records("E2eOffline"), 0, 10);
        assertThat(client.stats().certificateExpiry()).isPresent();
        assertThat(events.dropped.get()).isZero();
      }
    }
  }

  @Test
  void aWrongKeyFailsBuildWithTheServiceReasonAndAnEvent() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      String wrongKey = newKey();
      WorkspaceCredentials wrong = WorkspaceCredentials.of(emulator.workspaceId(), wrongKey);
      LogAnalyticsClientBuilder builder = builder(emulator, Transport.AGENT_CERTIFICATE, wrong, events);

      assertThatThrownBy(builder::build).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("InvalidWorkspaceKey").hasMessageContaining("shared key")
          .satisfies(e -> assertThat(((AuthenticationException) e).status()).isEqualTo(403))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrongKey));
      assertThat(events.authFailures).hasSize(1);
      assertThat(events.authFailures.get(0).reason()).isEqualTo("InvalidWorkspaceKey");
      assertThat(emulator.registeredAgents()).isEmpty();
      assertThat(Files.exists(tmp.resolve("state").resolve("omsadmin.conf"))).isFalse();
    }
  }

  @Test
  void missingCredentialsOnAnEmptyStateDirectoryFailBuildWithoutNetwork() throws Exception {
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder()
          .transport(Transport.AGENT_CERTIFICATE)
          .cloud(emulator.cloud())
          .hostResolver(emulator.hostResolver())
          .bufferDirectory(tmp.resolve("buffer"))
          .stateDirectory(tmp.resolve("state"));

      assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("not onboarded").hasMessageContaining("credentials")
          .satisfies(e -> assertThat(((ConfigurationException) e).field()).isEqualTo("stateDirectory"));
      assertThat(emulator.requests()).isEmpty();
    }
  }

  @Test
  void aStateDirectoryThatIsAFileFailsBuildAtOnce() throws Exception {
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
      LogAnalyticsClientBuilder builder = builder(emulator, Transport.AGENT_CERTIFICATE, emulator.credentials(),
          new Events()).stateDirectory(file.resolve("state"));

      assertThatThrownBy(builder::build).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("is not a directory")
          .satisfies(e -> assertThat(((ConfigurationException) e).field()).isEqualTo("stateDirectory"));
      assertThat(emulator.requests()).isEmpty();
    }
  }

  @Test
  void serverRequestedRenewalSwitchesTheCertificateWithoutRestartAndUploadsContinue() throws Exception {
    Events events = new Events();
    // No grace period: once renewed, the old certificate is refused, so later deliveries prove the switch.
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder().renewalGracePeriod(Duration.ZERO));
        LogAnalyticsClient client = builder(emulator, Transport.AGENT_CERTIFICATE, emulator.credentials(), events)
            .build()) {
      sendNumbered(client, "E2eBefore", 0, 5);
      assertThat(client.flush(AWAIT)).isTrue();
      pollUntil(() -> heartbeats(emulator) >= 1, "the first heartbeat");
      Path certFile = tmp.resolve("state").resolve("certs").resolve("oms.crt");
      String before = Files.readString(certFile);

      // The service asks for a renewal in its heartbeat answer; a refused upload makes the session heartbeat now.
      emulator.faults().requestCertificateUpdate(true).failNext(1, 403, null, false);
      sendNumbered(client, "E2eDuring", 0, 5);
      pollUntil(() -> !events.renewals.isEmpty(), "the certificate renewal");
      assertThat(Files.readString(certFile)).isNotEqualTo(before);
      assertThat(emulator.requests()).filteredOn(r -> r.path().contains("RenewCertificate"))
          .extracting(ReceivedRequest::status).contains(200);

      sendNumbered(client, "E2eAfter", 0, 5);
      assertThat(client.flush(AWAIT)).isTrue();
      assertExactlyOnce(emulator.records("E2eDuring"), 0, 5);
      assertExactlyOnce(emulator.records("E2eAfter"), 0, 5);
      assertThat(emulator.registeredAgents()).hasSize(1);
      assertThat(events.dropped.get()).isZero();
    }
  }

  // --- Data Collector path: keys ---

  @Test
  void afterKeyRegenerationUploadsAreRefusedUntilTheClientRotatesThenSucceed() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      WorkspaceCredentials credentials = emulator.credentials();
      try (LogAnalyticsClient client = builder(emulator, Transport.DATA_COLLECTOR, credentials, events).build()) {
        sendNumbered(client, "E2eKeys", 0, 5);
        assertThat(client.flush(AWAIT)).isTrue();

        String newKey = remember(newKey());
        emulator.regenerateKeys(newKey, null);
        sendNumbered(client, "E2eKeys", 5, 10);
        // The event comes after the emulator recorded the 403, so wait for the event.
        pollUntil(() -> !events.authFailures.isEmpty(), "an upload refused with the old key");
        assertThat(statuses(emulator)).contains(403);
        assertThat(emulator.records("E2eKeys")).hasSize(5);
        assertThat(events.authFailures.get(0).status()).isEqualTo(403);

        credentials.rotate(newKey, null);
        assertThat(client.flush(AWAIT)).isTrue();
        assertExactlyOnce(emulator.records("E2eKeys"), 0, 10);
        assertThat(events.dropped.get()).isZero();
        for (AuthenticationException e : events.authFailures) {
          assertThat(e.getMessage()).doesNotContain(newKey).doesNotContain(emulator.sharedKey());
        }
      }
    }
  }

  @Test
  void fallsBackToTheSecondaryKeyWhenThePrimaryIsRefused() throws Exception {
    String secondary = remember(newKey());
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder().secondaryKey(secondary))) {
      WorkspaceCredentials staleprimary = WorkspaceCredentials.of(emulator.workspaceId(), remember(newKey()),
          secondary);
      try (LogAnalyticsClient client = builder(emulator, Transport.DATA_COLLECTOR, staleprimary, new Events())
          .build()) {
        sendNumbered(client, "E2eSecondary", 0, 12);
        assertThat(client.flush(AWAIT)).isTrue();

        assertExactlyOnce(emulator.records("E2eSecondary"), 0, 12);
        List<ReceivedRequest> uploads = emulator.requests().stream()
            .filter(r -> r.path().toLowerCase().contains("/api/logs")).collect(Collectors.toList());
        assertThat(uploads.get(0).status()).isEqualTo(403);
        assertThat(uploads.get(uploads.size() - 1).status()).isEqualTo(200);
      }
    }
  }

  // --- Logs Ingestion API with an Entra ID client secret ---

  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String OTHER_DCR = "dcr-fedcba9876543210fedcba9876543210";
  private static final String APP = "11111111-2222-3333-4444-555555555555";

  private LogAnalyticsClientBuilder logsIngestion(WorkspaceEmulator emulator, io.loganalytics.sdk.EntraCredential
      credential, Events events) {
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

  private static String newSecret() {
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    String secret = "Sec~" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    SECRETS.add(secret);
    return secret;
  }

  @Test
  void logsIngestionDeliversEveryRecordToItsStreamAndDcrWithAClientSecret() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      io.loganalytics.sdk.EntraCredential credential = emulator.registerClientSecret(APP, newSecret());
      emulator.createDataCollectionRule(DCR, "Custom-AppLogs_CL", "Custom-Audit_CL");
      emulator.createDataCollectionRule(OTHER_DCR, "Custom-Other_CL");
      emulator.grantPublisher(DCR, APP);
      emulator.grantPublisher(OTHER_DCR, APP);
      try (LogAnalyticsClient client = logsIngestion(emulator, credential, events).build()) {
        sendNumbered(client, "Custom-AppLogs_CL", 0, 50);
        sendNumbered(client, "Custom-Audit_CL", 50, 60);
        sendNumbered(client, OTHER_DCR + "/Custom-Other_CL", 60, 65);
        assertThat(client.flush(AWAIT)).isTrue();

        assertExactlyOnce(emulator.records("Custom-AppLogs_CL"), 0, 50);
        assertExactlyOnce(emulator.records("Custom-Audit_CL"), 50, 60);
        assertExactlyOnce(emulator.records("Custom-Other_CL"), 60, 65);
        assertThat(emulator.records("Custom-Other_CL")).allSatisfy(r -> {
          assertThat(r.transport()).isEqualTo(ReceivedRecord.LOGS_INGESTION);
          assertThat(r.ipName()).isEqualTo(OTHER_DCR);
        });
        ReceivedRecord first = emulator.records("Custom-AppLogs_CL").get(0);
        assertThat(first.field("nested")).isEqualTo(Map.of("k", "v" + id(first)));
        assertThat(client.stats().recordsSent()).isEqualTo(65);
        assertThat(events.authFailures).isEmpty();
      }
    }
  }

  @Test
  void logsIngestionWithoutThePublisherRoleReportsTheRoleAndKeepsTheRecords() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      io.loganalytics.sdk.EntraCredential credential = emulator.registerClientSecret(APP, newSecret());
      emulator.createDataCollectionRule(DCR, "Custom-AppLogs_CL");
      try (LogAnalyticsClient client = logsIngestion(emulator, credential, events).build()) {
        sendNumbered(client, "Custom-AppLogs_CL", 0, 5);
        assertThat(client.flush(Duration.ofSeconds(2))).isFalse();
        assertThat(events.authFailures).isNotEmpty();
        assertThat(events.authFailures.get(0).getMessage()).contains("Monitoring Metrics Publisher")
            .contains("30 minutes");
        assertThat(client.stats().bufferedRecords()).isEqualTo(5);

        emulator.grantPublisher(DCR, APP);
        assertThat(client.flush(AWAIT)).isTrue();
        assertExactlyOnce(emulator.records("Custom-AppLogs_CL"), 0, 5);
      }
    }
  }

  @Test
  void logsIngestionWithAWrongSecretSaysSoWithoutTheSecretAndKeepsTheRecords() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      emulator.registerClientSecret(APP, newSecret());
      emulator.createDataCollectionRule(DCR, "Custom-AppLogs_CL");
      emulator.grantPublisher(DCR, APP);
      String wrong = newSecret();
      io.loganalytics.sdk.EntraCredential credential =
          io.loganalytics.sdk.EntraCredential.clientSecret(emulator.tenantId(), APP, wrong);
      try (LogAnalyticsClient client = logsIngestion(emulator, credential, events).build()) {
        sendNumbered(client, "Custom-AppLogs_CL", 0, 3);
        assertThat(client.flush(Duration.ofSeconds(2))).isFalse();
        assertThat(events.authFailures).isNotEmpty();
        assertThat(events.authFailures.get(0).getMessage()).contains("7000215").doesNotContain(wrong);
        assertThat(client.stats().bufferedRecords()).isEqualTo(3);
        assertThat(emulator.records("Custom-AppLogs_CL")).isEmpty();
      }
    }
  }

  @Test
  void logsIngestionRefreshesTheTokenAcrossItsExpiryWithoutLosingRecords() throws Exception {
    Events events = new Events();
    io.loganalytics.testkit.MutableClock clock = new io.loganalytics.testkit.MutableClock(Instant.now());
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder().clock(clock))) {
      io.loganalytics.sdk.EntraCredential credential = emulator.registerClientSecret(APP, newSecret());
      emulator.createDataCollectionRule(DCR, "Custom-AppLogs_CL");
      emulator.grantPublisher(DCR, APP);
      emulator.tokenLifetime(Duration.ofMinutes(20));
      try (LogAnalyticsClient client = logsIngestion(emulator, credential, events).clock(clock).build()) {
        sendNumbered(client, "Custom-AppLogs_CL", 0, 5);
        assertThat(client.flush(AWAIT)).isTrue();
        clock.advance(Duration.ofHours(2));
        sendNumbered(client, "Custom-AppLogs_CL", 5, 10);
        assertThat(client.flush(AWAIT)).isTrue();

        assertExactlyOnce(emulator.records("Custom-AppLogs_CL"), 0, 10);
        long tokenRequests = emulator.requests().stream().filter(r -> r.path().endsWith("/oauth2/v2.0/token"))
            .count();
        assertThat(tokenRequests).as("one token per expiry").isEqualTo(2);
        assertThat(statuses(emulator)).as("the expired token was never sent").doesNotContain(401);
      }
    }
  }

  // --- Clock skew, restart ---

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"AGENT_CERTIFICATE", "DATA_COLLECTOR"})
  void learnsAClockSkewOf30MinutesAndDelivers(Transport transport) throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      emulator.faults().clockSkew(Duration.ofMinutes(30));
      try (LogAnalyticsClient client = builder(emulator, transport, emulator.credentials(), events).build()) {
        sendNumbered(client, "E2eSkew", 0, 8);
        assertThat(client.flush(AWAIT)).isTrue();

        assertExactlyOnce(emulator.records("E2eSkew"), 0, 8);
        assertThat(events.skews).isNotEmpty();
        assertThat(events.skews.get(0)).isBetween(Duration.ofMinutes(29), Duration.ofMinutes(31));
        assertThat(events.dropped.get()).isZero();
      }
    }
  }

  @Test
  void aClientReopenedOnTheSameBufferSendsWhatTheFirstCouldNot() throws Exception {
    try (WorkspaceEmulator emulator = emulator(WorkspaceEmulator.builder())) {
      emulator.faults().failNext(1_000, 503, null, false);
      LogAnalyticsClient first = builder(emulator, Transport.DATA_COLLECTOR, emulator.credentials(), new Events())
          .build();
      sendNumbered(first, "E2eRestart", 0, 20);
      pollUntil(() -> statuses(emulator).contains(503), "a refused upload");
      assertThat(first.close(Duration.ofMillis(100))).isFalse();
      assertThat(emulator.recordCount()).isZero();

      emulator.faults().clear();
      try (LogAnalyticsClient second = builder(emulator, Transport.DATA_COLLECTOR, emulator.credentials(),
          new Events()).build()) {
        assertThat(emulator.awaitRecords(20, AWAIT)).isTrue();
        assertThat(second.flush(AWAIT)).isTrue();
        assertExactlyOnce(emulator.records("E2eRestart"), 0, 20);
        assertThat(second.stats().bufferedRecords()).isZero();
      }
    }
  }

  // --- Helpers ---

  private WorkspaceEmulator emulator(WorkspaceEmulator.Builder builder) {
    WorkspaceEmulator emulator = builder.start();
    remember(emulator.sharedKey());
    WORKSPACES.add(emulator.workspaceId());
    return emulator;
  }

  private LogAnalyticsClientBuilder builder(WorkspaceEmulator emulator, Transport transport,
      WorkspaceCredentials credentials, Events events) {
    return LogAnalyticsClient.builder()
        .transport(transport)
        .credentials(credentials)
        .cloud(emulator.cloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("emulator-ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .stateDirectory(tmp.resolve("state"))
        .retryPolicy(FAST)
        .listener(events);
  }

  private static void sendNumbered(LogAnalyticsClient client, String type, int from, int to) {
    for (int i = from; i < to; i++) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("id", i);
      record.put("message", "record " + i);
      record.put("ok", true);
      record.put("ratio", 0.25);
      record.put("nested", Map.of("k", "v" + i));
      client.send(type, record);
    }
  }

  private static int id(ReceivedRecord r) {
    return ((Number) r.field("id")).intValue();
  }

  /** Every id of [from, to) arrived, and none twice. */
  private static void assertExactlyOnce(List<ReceivedRecord> records, int from, int to) {
    List<Integer> ids = new ArrayList<>();
    records.forEach(r -> ids.add(id(r)));
    List<Integer> expected = new ArrayList<>();
    for (int i = from; i < to; i++) {
      expected.add(i);
    }
    assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static List<Integer> statuses(WorkspaceEmulator emulator) {
    return emulator.requests().stream().map(ReceivedRequest::status).collect(Collectors.toList());
  }

  private static long heartbeats(WorkspaceEmulator emulator) {
    return emulator.requests().stream().filter(r -> r.path().contains("LinuxAgentTopologyRequest")
        && r.header("Authorization") == null && r.status() == 200).count();
  }

  private static String newKey() {
    byte[] key = new byte[64];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String remember(String secret) {
    SECRETS.add(secret);
    return secret;
  }

  /** Polls a condition every 10 ms, failing after {@link #AWAIT}; for outcomes that have no blocking wait. */
  private static void pollUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + AWAIT + " waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  /** Records the events the tests look at; thread-safe. */
  static final class Events extends LogAnalyticsListener {
    final List<AuthenticationException> authFailures = new CopyOnWriteArrayList<>();
    final List<Duration> skews = new CopyOnWriteArrayList<>();
    final List<Instant> renewals = new CopyOnWriteArrayList<>();
    final AtomicLong dropped = new AtomicLong();

    @Override
    public void onAuthenticationFailure(AuthenticationException error) {
      authFailures.add(error);
    }

    @Override
    public void onClockSkewDetected(Duration skew) {
      skews.add(skew);
    }

    @Override
    public void onCertificateRenewed(String trigger, Instant newExpiry) {
      renewals.add(newExpiry);
    }

    @Override
    public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
      dropped.addAndGet(records);
    }
  }
}
