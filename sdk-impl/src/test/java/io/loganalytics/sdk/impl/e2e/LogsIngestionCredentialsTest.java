package io.loganalytics.sdk.impl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.identity.IdentityTestSupport;
import io.loganalytics.testkit.ManagedIdentityEmulator;
import io.loganalytics.testkit.ManagedIdentityEmulator.Flavour;
import io.loganalytics.testkit.MutableClock;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind of Entra credential end to end: the client gets its token from the emulator's Entra endpoint (which
 * verifies certificate assertions with the registered certificate's public key) or from a managed identity emulator,
 * and the records arrive at the emulator's ingestion endpoint, which accepts only tokens it (or a trusted managed
 * identity endpoint) issued. Waits are bounded flushes, never fixed sleeps.
 */
class LogsIngestionCredentialsTest {
  private static final Duration AWAIT = Duration.ofSeconds(10);
  private static final RetryPolicy FAST = RetryPolicy.builder().uploadInterval(Duration.ofMillis(50))
      .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).maxRetries(30).build();
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String STREAM = "Custom-AppLogs_CL";
  private static final String APP = "21111111-2222-3333-4444-555555555555";
  private static HeldCertificate registered;
  private static HeldCertificate unregistered;

  @TempDir Path tmp;

  @BeforeAll
  static void certificates() {
    registered = new HeldCertificate.Builder().commonName("li-app").rsa2048().build();
    unregistered = new HeldCertificate.Builder().commonName("someone-else").rsa2048().build();
  }

  private Path pem(String name, String... parts) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, String.join("\n", parts), StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    return p;
  }

  private LogAnalyticsClientBuilder builder(WorkspaceEmulator emulator, Events events) {
    return LogAnalyticsClient.builder()
        .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("emulator-ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .retryPolicy(FAST)
        .listener(events);
  }

  private static WorkspaceEmulator emulator(String principal) {
    return emulator(principal, Clock.systemUTC());
  }

  private static WorkspaceEmulator emulator(String principal, Clock clock) {
    WorkspaceEmulator emulator = WorkspaceEmulator.builder().clock(clock).start();
    emulator.createDataCollectionRule(DCR, STREAM);
    emulator.grantPublisher(DCR, principal);
    return emulator;
  }

  private static void send(LogAnalyticsClient client, int from, int to) {
    for (int i = from; i < to; i++) {
      client.send(STREAM, Map.of("id", i, "message", "record " + i));
    }
  }

  private static void assertArrived(WorkspaceEmulator emulator, int from, int to, String principal) {
    List<ReceivedRecord> records = emulator.records(STREAM);
    List<Integer> ids = records.stream().map(r -> ((Number) r.field("id")).intValue()).collect(Collectors.toList());
    List<Integer> expected = new ArrayList<>();
    for (int i = from; i < to; i++) {
      expected.add(i);
    }
    assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(records).allSatisfy(r -> {
      assertThat(r.transport()).isEqualTo(ReceivedRecord.LOGS_INGESTION);
      assertThat(r.agentId()).as("the token's principal").isEqualTo(principal.toLowerCase());
    });
  }

  private static long tokenRequests(WorkspaceEmulator emulator) {
    return emulator.requests().stream().filter(r -> r.path().endsWith("/oauth2/v2.0/token")).count();
  }

  // --- client certificate ---

  @Test
  void clientCertificateSignsPs256AssertionsTheEmulatorVerifiesAndRecordsArrive() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(APP)) {
      emulator.registerClientCertificate(APP, registered.certificate());
      Path file = pem("app.pem", registered.certificatePem(), registered.privateKeyPkcs8Pem());
      EntraCredential credential = EntraCredential.fromEnvironment(Map.of("AZURE_TENANT_ID", emulator.tenantId(),
          "AZURE_CLIENT_ID", APP, "AZURE_CLIENT_CERTIFICATE_PATH", file.toString()));
      assertThat(credential.kind()).isEqualTo(EntraCredential.Kind.CLIENT_CERTIFICATE);
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(credential).build()) {
        send(client, 0, 12);
        assertThat(client.flush(AWAIT)).isTrue();
      }
      assertArrived(emulator, 0, 12, APP);
      assertThat(events.authFailures).isEmpty();
      assertThat(tokenRequests(emulator)).isEqualTo(1);
    }
  }

  @Test
  void clientCertificateSigningRs256IsAcceptedAsWell() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(APP)) {
      emulator.registerClientCertificate(APP, registered.certificate());
      EntraCredential credential = EntraCredential.clientCertificate(emulator.tenantId(), APP,
          pem("app.pem", registered.privateKeyPkcs1Pem(), registered.certificatePem()));
      Path ca = emulator.writeCaCertificate(tmp.resolve("ca-for-provider.pem"));
      try (ClientCertificateExecutor http = HttpClients.withoutClientCertificate(HttpSettings.builder()
          .resolver(emulator.hostResolver()).trustedCertificates(List.of(ca)).build())) {
        AccessTokenProvider rs256 = IdentityTestSupport.rs256(credential, emulator.logsIngestionCloud(), http,
            Clock.systemUTC());
        try (LogAnalyticsClient client = builder(emulator, events).tokenProvider(rs256).build()) {
          send(client, 0, 7);
          assertThat(client.flush(AWAIT)).isTrue();
        }
      }
      assertArrived(emulator, 0, 7, APP);
      assertThat(events.authFailures).isEmpty();
    }
  }

  @Test
  void anUnregisteredCertificateIsRefusedWithAClearErrorAndTheRecordsStay() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(APP)) {
      emulator.registerClientCertificate(APP, registered.certificate());
      EntraCredential credential = EntraCredential.clientCertificate(emulator.tenantId(), APP,
          pem("other.pem", unregistered.certificatePem(), unregistered.privateKeyPkcs8Pem()));
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(credential).build()) {
        send(client, 0, 3);
        assertThat(client.flush(Duration.ofSeconds(1))).isFalse();
        assertThat(client.stats().bufferedRecords()).isEqualTo(3);
        assertThat(client.close(Duration.ofMillis(100))).isFalse();
      }
      assertThat(emulator.records(STREAM)).isEmpty();
      assertThat(events.authFailures).isNotEmpty().allSatisfy(e -> assertThat(e.getMessage())
          .contains("AADSTS700027").contains("upload this certificate to the app registration")
          .doesNotContain("PRIVATE KEY"));
      assertThat(emulator.requests()).filteredOn(r -> r.path().contains("/dataCollectionRules/")).isEmpty();
    }
  }

  @Test
  void theRegisteredCertificateWithAnotherKeyFailsTheSignatureCheck() throws Exception {
    // The x5t#S256 names the registered certificate, but the assertion is signed with another key: only a verified
    // signature tells these apart.
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(APP)) {
      emulator.registerClientCertificate(APP, registered.certificate());
      EntraCredential credential = EntraCredential.clientCertificate(emulator.tenantId(), APP,
          pem("mixed.pem", registered.certificatePem(), unregistered.privateKeyPkcs8Pem()));
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(credential).build()) {
        send(client, 0, 2);
        assertThat(client.flush(Duration.ofSeconds(1))).isFalse();
        assertThat(client.close(Duration.ofMillis(100))).isFalse();
      }
      assertThat(emulator.records(STREAM)).isEmpty();
      assertThat(events.authFailures).isNotEmpty().allSatisfy(e -> assertThat(e.getMessage())
          .contains("AADSTS700027").contains("signature"));
      assertThat(emulator.requests()).filteredOn(r -> r.path().endsWith("/oauth2/v2.0/token"))
          .extracting(ReceivedRequest::status).containsOnly(401);
    }
  }

  // --- workload identity ---

  @Test
  void workloadIdentityReadsTheFederatedTokenFileAgainAfterItsIssuerRotatedIt() throws Exception {
    Events events = new Events();
    MutableClock clock = new MutableClock(Instant.now());
    try (WorkspaceEmulator emulator = emulator(APP, clock)) {
      emulator.tokenLifetime(Duration.ofMinutes(20));
      emulator.registerFederatedToken(APP, "federated-token-one");
      Path file = tmp.resolve("azure-identity-token");
      Files.writeString(file, "federated-token-one\n");
      EntraCredential credential = EntraCredential.fromEnvironment(Map.of("AZURE_TENANT_ID", emulator.tenantId(),
          "AZURE_CLIENT_ID", APP, "AZURE_FEDERATED_TOKEN_FILE", file.toString()));
      assertThat(credential.kind()).isEqualTo(EntraCredential.Kind.WORKLOAD_IDENTITY);
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(credential).clock(clock).build()) {
        send(client, 0, 4);
        assertThat(client.flush(AWAIT)).isTrue();

        // The issuer rotates the projected token; the old one is no longer accepted.
        Files.writeString(file, "federated-token-two\n");
        emulator.registerFederatedToken(APP, "federated-token-two");
        emulator.revokeFederatedToken(APP, "federated-token-one");
        clock.advance(Duration.ofHours(1)); // the access token expired: a new one is needed
        send(client, 4, 8);
        assertThat(client.flush(AWAIT)).isTrue();
      }
      assertArrived(emulator, 0, 8, APP);
      assertThat(events.authFailures).as("the new file content was used at once").isEmpty();
      assertThat(emulator.requests()).filteredOn(r -> r.path().endsWith("/oauth2/v2.0/token"))
          .extracting(ReceivedRequest::status).containsExactly(200, 200);
    }
  }

  @Test
  void workloadIdentityWithATokenTheTenantDoesNotKnowSaysWhichCredentialToCheck() throws Exception {
    Events events = new Events();
    try (WorkspaceEmulator emulator = emulator(APP)) {
      emulator.registerFederatedToken(APP, "federated-token-one");
      Path file = tmp.resolve("azure-identity-token");
      Files.writeString(file, "federated-token-stale");
      EntraCredential credential = EntraCredential.workloadIdentity(emulator.tenantId(), APP, file);
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(credential).build()) {
        send(client, 0, 2);
        assertThat(client.flush(Duration.ofSeconds(1))).isFalse();
        assertThat(client.stats().bufferedRecords()).isEqualTo(2);
        assertThat(client.close(Duration.ofMillis(100))).isFalse();
      }
      assertThat(events.authFailures).isNotEmpty().allSatisfy(e -> assertThat(e.getMessage())
          .contains("AADSTS700213").contains("AZURE_FEDERATED_TOKEN_FILE").doesNotContain("federated-token-stale"));
    }
  }

  // --- managed identity ---

  @ParameterizedTest
  @EnumSource(value = Flavour.class, names = {"IMDS", "APP_SERVICE"})
  void managedIdentityFromTheEnvironmentDeliversWithItsToken(Flavour flavour) throws Exception {
    Events events = new Events();
    try (ManagedIdentityEmulator identity = ManagedIdentityEmulator.start(flavour);
        WorkspaceEmulator emulator = emulator(ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID)) {
      emulator.trustManagedIdentity(identity);
      EntraCredential credential = EntraCredential.fromEnvironment(identity.environment());
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(credential).build()) {
        send(client, 0, 6);
        assertThat(client.flush(AWAIT)).isTrue();
      }
      assertArrived(emulator, 0, 6, ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID);
      assertThat(identity.issuedTokens()).hasSize(1)
          .allSatisfy(t -> assertThat(t.resource()).isEqualTo(emulator.logsIngestionCloud().ingestionAudience()));
      assertThat(tokenRequests(emulator)).as("no Entra app registration involved").isZero();
      assertThat(events.authFailures).isEmpty();
    }
  }

  @Test
  void aUserAssignedIdentityDeliversAsItsOwnPrincipal() throws Exception {
    String userAssigned = "3b2c3d4e-0000-4000-8000-0000000000aa";
    Events events = new Events();
    try (ManagedIdentityEmulator identity = ManagedIdentityEmulator.start(Flavour.IMDS).systemAssigned(false)
        .assignUserIdentity(userAssigned);
        WorkspaceEmulator emulator = emulator(userAssigned)) {
      emulator.trustManagedIdentity(identity);
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(identity.credential(userAssigned))
          .build()) {
        send(client, 0, 3);
        assertThat(client.flush(AWAIT)).isTrue();
      }
      assertArrived(emulator, 0, 3, userAssigned);
    }
  }

  @Test
  void anIdentityWithoutThePublisherRoleIsToldAboutTheRole() throws Exception {
    Events events = new Events();
    try (ManagedIdentityEmulator identity = ManagedIdentityEmulator.start(Flavour.IMDS);
        WorkspaceEmulator emulator = emulator(APP)) { // the role is granted to someone else
      emulator.trustManagedIdentity(identity);
      try (LogAnalyticsClient client = builder(emulator, events).entraCredential(identity.credential()).build()) {
        send(client, 0, 2);
        assertThat(client.flush(Duration.ofSeconds(1))).isFalse();
        assertThat(client.close(Duration.ofMillis(100))).isFalse();
      }
      assertThat(events.authFailures).isNotEmpty().allSatisfy(e -> {
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getMessage()).contains("Monitoring Metrics Publisher");
      });
    }
  }

  @Test
  void azureArcAnswersTheChallengeAndDelivers() throws Exception {
    Events events = new Events();
    try (ManagedIdentityEmulator identity = ManagedIdentityEmulator.start(Flavour.ARC);
        WorkspaceEmulator emulator = emulator(ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID);
        ClientCertificateExecutor local = HttpClients.forManagedIdentity(HttpSettings.builder().build())) {
      emulator.trustManagedIdentity(identity);
      EntraCredential credential = EntraCredential.fromEnvironment(identity.environment());
      assertThat(credential.kind()).isEqualTo(EntraCredential.Kind.MANAGED_IDENTITY_ARC);
      // The builder's wiring looks for challenge files in the agent's directory; this one is the emulator's.
      AccessTokenProvider arc = IdentityTestSupport.arc(credential,
          emulator.logsIngestionCloud().ingestionAudience(), local, Clock.systemUTC(), identity.arcTokenDirectory());
      try (LogAnalyticsClient client = builder(emulator, events).tokenProvider(arc).build()) {
        send(client, 0, 5);
        assertThat(client.flush(AWAIT)).isTrue();
      }
      assertArrived(emulator, 0, 5, ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID);
      assertThat(identity.requests()).hasSize(2); // the challenge, then the answer with the key
      assertThat(identity.requests().get(1).header("Authorization")).startsWith("Basic ");
    }
  }

  /** Records authentication failures; thread-safe. */
  static final class Events extends LogAnalyticsListener {
    final List<AuthenticationException> authFailures = new CopyOnWriteArrayList<>();

    @Override
    public void onAuthenticationFailure(AuthenticationException error) {
      authFailures.add(error);
    }
  }
}
