package io.loganalytics.sdk.impl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.identity.EntraTokenProviders;
import io.loganalytics.sdk.impl.identity.TokenCache;
import io.loganalytics.sdk.impl.transport.LogsIngestionTransport;
import io.loganalytics.testkit.MutableClock;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret of the Logs Ingestion path in the SDK's output: deliveries with a client secret and with a certificate,
 * across a token refresh, a refused secret, a refused certificate and a missing role, with the SDK's loggers at DEBUG
 * (surefire runs the e2e package in its own JVM with that level). At the end the captured stderr, every listener
 * event (its strings, its exceptions and their causes), the exceptions' messages and the {@code toString} of the
 * credential, provider, token cache, transport, client and its stats are searched for: the client secret (raw and
 * form-encoded), every access token the emulator issued (read from the Authorization headers it received), any JWT
 * (the assertion's base64url header and claims) and the private key (its PEM lines).
 */
class LogsIngestionSecretsTest {
  static {
    // For a run of this class alone (-Dtest puts it in surefire's default JVM): before any SDK logger exists.
    System.setProperty("org.slf4j.simpleLogger.log.io.loganalytics.sdk", "debug");
  }

  private static final Duration AWAIT = Duration.ofSeconds(10);
  private static final RetryPolicy FAST = RetryPolicy.builder().uploadInterval(Duration.ofMillis(50))
      .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(200)).maxRetries(30).build();
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String STREAM = "Custom-AppLogs_CL";
  private static final String APP = "31111111-2222-3333-4444-555555555555";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Secrets seen during the run; checked at the end. */
  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
  /** Everything the SDK said through listeners, exceptions and toString. */
  private static final List<String> SAID = new CopyOnWriteArrayList<>();
  private static final ByteArrayOutputStream CAPTURED = new ByteArrayOutputStream();
  private static PrintStream originalErr;

  @TempDir Path tmp;

  @BeforeAll
  static void captureLog() {
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeOutputStream(originalErr, CAPTURED), true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void noSecretReachedTheOutput() {
    System.setErr(originalErr);
    String log;
    synchronized (CAPTURED) {
      log = CAPTURED.toString(StandardCharsets.UTF_8);
    }
    assertThat(log).as("the SDK logged at DEBUG").contains("DEBUG io.loganalytics.sdk")
        .contains("New access token for");
    assertThat(SECRETS).as("secrets collected").hasSizeGreaterThanOrEqualTo(4);
    assertThat(SAID).as("things the SDK said").isNotEmpty();
    for (String secret : SECRETS) {
      assertThat(log).as("a secret in the log").doesNotContain(secret);
      for (String s : SAID) {
        assertThat(s).as("a secret in an event, exception or toString").doesNotContain(secret);
      }
    }
    List<String> all = new ArrayList<>(SAID);
    all.add(log);
    for (String s : all) {
      // The assertion's header and claims, base64url: {"alg": and {"aud": (FlatJson writes them in this order).
      assertThat(s).doesNotContain("eyJhbGciO").doesNotContain("eyJhdWQiO").doesNotContain("PRIVATE KEY").doesNotContain("Bearer ")
          .doesNotContain("client_secret=").doesNotContain("client_assertion=");
    }
  }

  private static String newSecret() {
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    // '~', '.', '_' and '-' as real Entra secrets have; a '+' and '/' to make its form encoding differ.
    String secret = "Q8~" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + ".+/_";
    remember(secret);
    remember(URLEncoder.encode(secret, StandardCharsets.UTF_8));
    return secret;
  }

  private static void remember(String secret) {
    SECRETS.add(secret);
  }

  /** Every access token the ingestion endpoint was shown. */
  private static void rememberTokens(WorkspaceEmulator emulator) {
    int found = 0;
    for (ReceivedRequest r : emulator.requests()) {
      String auth = r.header("Authorization");
      if (r.path().contains("/dataCollectionRules/") && auth != null && auth.startsWith("Bearer ")) {
        remember(auth.substring("Bearer ".length()));
        found++;
      }
    }
    assertThat(found).as("access tokens seen by the emulator").isPositive();
  }

  private static void rememberKey(HeldCertificate certificate) {
    for (String pem : List.of(certificate.privateKeyPkcs8Pem(), certificate.privateKeyPkcs1Pem())) {
      pem.lines().filter(l -> !l.startsWith("-----") && l.length() >= 32).forEach(LogsIngestionSecretsTest::remember);
    }
  }

  private LogAnalyticsClientBuilder builder(WorkspaceEmulator emulator, Clock clock) {
    return LogAnalyticsClient.builder()
        .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("emulator-ca.pem")))
        .bufferDirectory(tmp.resolve("buffer-" + RANDOM.nextInt(1_000_000)))
        .retryPolicy(FAST)
        .clock(clock)
        .listener(new Recorder());
  }

  private static void send(LogAnalyticsClient client, int from, int to) {
    for (int i = from; i < to; i++) {
      client.send(STREAM, Map.of("id", i, "message", "record " + i));
    }
  }

  /** The toString of the credential, the provider and cache the client would build, the transport, the client. */
  private void sayToStrings(WorkspaceEmulator emulator, EntraCredential credential, LogAnalyticsClient client,
      Clock clock) throws IOException {
    SAID.add(credential.toString());
    SAID.add(client.toString());
    SAID.add(client.stats().toString());
    Path ca = emulator.writeCaCertificate(tmp.resolve("ca-tostring.pem"));
    try (ClientCertificateExecutor http = HttpClients.withoutClientCertificate(HttpSettings.builder()
        .resolver(emulator.hostResolver()).trustedCertificates(List.of(ca)).build())) {
      AccessTokenProvider provider = EntraTokenProviders.create(credential, emulator.logsIngestionCloud(), http,
          clock);
      TokenCache cache = new TokenCache(provider, emulator.logsIngestionCloud().ingestionScope(), clock);
      cache.get(); // a real token in the cache while its toString is taken
      SAID.add(provider.toString());
      SAID.add(cache.toString());
      SAID.add(cache.get().toString());
      LogsIngestionTransport transport = new LogsIngestionTransport(http, emulator.logsIngestionEndpoint(), DCR,
          cache, new ClockSkew(clock));
      SAID.add(transport.toString());
      transport.close();
    }
  }

  @Test
  void clientSecretDeliveryRefreshAndRefusalsLeakNothing() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().clock(clock).start()) {
      String secret = newSecret();
      EntraCredential credential = emulator.registerClientSecret(APP, secret);
      emulator.createDataCollectionRule(DCR, STREAM);
      emulator.tokenLifetime(Duration.ofMinutes(20));
      try (LogAnalyticsClient client = builder(emulator, clock).entraCredential(credential).build()) {
        // No role yet: 403 events and WARNs while the records wait.
        send(client, 0, 3);
        assertThat(client.flush(Duration.ofMillis(500))).isFalse();
        emulator.grantPublisher(DCR, APP);
        assertThat(client.flush(AWAIT)).isTrue();
        // Across the token's expiry: a refresh.
        clock.advance(Duration.ofHours(1));
        send(client, 3, 6);
        assertThat(client.flush(AWAIT)).isTrue();
        sayToStrings(emulator, credential, client, clock);
      }
      assertThat(emulator.records(STREAM)).hasSize(6);
      rememberTokens(emulator);

      // A wrong secret: the refusal's event, log line and message.
      String wrong = newSecret();
      EntraCredential bad = EntraCredential.clientSecret(emulator.tenantId(), APP, wrong);
      try (LogAnalyticsClient client = builder(emulator, clock).entraCredential(bad).build()) {
        send(client, 0, 1);
        assertThat(client.flush(Duration.ofMillis(500))).isFalse();
        SAID.add(client.stats().toString());
        SAID.add(bad.toString());
        assertThat(client.close(Duration.ofMillis(100))).isFalse();
      }
    }
  }

  @Test
  void certificateDeliveryAndARefusedCertificateLeakNothing() throws Exception {
    HeldCertificate certificate = new HeldCertificate.Builder().commonName("secrets-app").rsa2048().build();
    HeldCertificate stranger = new HeldCertificate.Builder().commonName("stranger").rsa2048().build();
    rememberKey(certificate);
    rememberKey(stranger);
    Path pem = tmp.resolve("app.pem");
    Files.writeString(pem, certificate.certificatePem() + certificate.privateKeyPkcs8Pem());
    Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-------"));
    Path strangerPem = tmp.resolve("stranger.pem");
    Files.writeString(strangerPem, stranger.certificatePem() + stranger.privateKeyPkcs1Pem());
    MutableClock clock = new MutableClock(Instant.now());
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().clock(clock).start()) {
      emulator.registerClientCertificate(APP, certificate.certificate());
      emulator.createDataCollectionRule(DCR, STREAM);
      emulator.grantPublisher(DCR, APP);
      emulator.tokenLifetime(Duration.ofMinutes(20));
      EntraCredential credential = EntraCredential.clientCertificate(emulator.tenantId(), APP, pem);
      try (LogAnalyticsClient client = builder(emulator, clock).entraCredential(credential).build()) {
        send(client, 0, 4);
        assertThat(client.flush(AWAIT)).isTrue();
        clock.advance(Duration.ofHours(1));
        send(client, 4, 8);
        assertThat(client.flush(AWAIT)).isTrue();
        sayToStrings(emulator, credential, client, clock);
      }
      assertThat(emulator.records(STREAM)).hasSize(8);
      rememberTokens(emulator);

      EntraCredential refused = EntraCredential.clientCertificate(emulator.tenantId(), APP, strangerPem);
      try (LogAnalyticsClient client = builder(emulator, clock).entraCredential(refused).build()) {
        send(client, 0, 1);
        assertThat(client.flush(Duration.ofMillis(500))).isFalse();
        SAID.add(client.stats().toString());
        assertThat(client.close(Duration.ofMillis(100))).isFalse();
      }
    }
  }

  /** Keeps every string of every event, and every exception's message and causes. */
  static final class Recorder extends LogAnalyticsListener {
    private static void say(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
        SAID.add(String.valueOf(c));
        SAID.add(String.valueOf(c.getMessage()));
      }
    }

    @Override
    public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
      SAID.add(String.valueOf(detail));
    }

    @Override
    public void onBufferError(BufferException error) {
      say(error);
    }

    @Override
    public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {
      SAID.add(String.valueOf(cause));
    }

    @Override
    public void onAuthenticationFailure(AuthenticationException error) {
      say(error);
      SAID.add(String.valueOf(error.reason()));
    }

    @Override
    public void onCertificateRenewalFailed(String reason, Instant currentExpiry) {
      SAID.add(String.valueOf(reason));
    }
  }
}
