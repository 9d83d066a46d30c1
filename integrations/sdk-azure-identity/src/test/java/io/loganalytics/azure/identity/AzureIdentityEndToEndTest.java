package io.loganalytics.azure.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredential;
import com.azure.identity.ClientSecretCredentialBuilder;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * azure-identity's real {@link ClientSecretCredential} (MSAL underneath) against the workspace emulator's Entra
 * token endpoint, through {@link AzureIdentityTokenProvider}, delivering records over the Logs Ingestion transport.
 * azure-identity talks HTTP through {@link OkHttpAzureHttpClient}, which trusts the emulator's CA (hostname
 * verification on) and resolves the emulator's host names to loopback.
 */
class AzureIdentityEndToEndTest {
  private static final String APP = "6f1c4a52-3b1e-4f4e-9a53-0d2c1b5e8a11";
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String STREAM = "Custom-AppLogs_CL";
  private static final String SECRET = "Sec~" + UUID.randomUUID();

  @TempDir
  Path tmp;

  private WorkspaceEmulator emulator;
  private OkHttpAzureHttpClient http;

  @BeforeEach
  void startEmulator() {
    emulator = WorkspaceEmulator.builder().start();
    emulator.registerClientSecret(APP, SECRET);
    emulator.createDataCollectionRule(DCR, STREAM);
    emulator.grantPublisher(DCR, APP);
    http = new OkHttpAzureHttpClient(emulator.caCertificate(), emulator.hostResolver());
  }

  @AfterEach
  void stop() {
    http.close();
    emulator.close();
  }

  private ClientSecretCredential credential(String secret) {
    return new ClientSecretCredentialBuilder()
        .tenantId(emulator.tenantId())
        .clientId(APP)
        .clientSecret(secret)
        .authorityHost(emulator.logsIngestionCloud().authorityHost().toString())
        .disableInstanceDiscovery()
        .httpClient(http)
        .build();
  }

  /** Records the scopes asked for, delegating to the real credential. */
  private static final class Recording implements TokenCredential {
    final TokenCredential delegate;
    final List<String> scopes = new CopyOnWriteArrayList<>();

    Recording(TokenCredential delegate) {
      this.delegate = delegate;
    }

    @Override
    public Mono<com.azure.core.credential.AccessToken> getToken(TokenRequestContext request) {
      scopes.addAll(request.getScopes());
      return delegate.getToken(request);
    }

    @Override
    public com.azure.core.credential.AccessToken getTokenSync(TokenRequestContext request) {
      scopes.addAll(request.getScopes());
      return delegate.getTokenSync(request);
    }
  }

  @Test
  void aClientSecretCredentialDeliversRecordsThroughTheLogsIngestionTransport() throws Exception {
    Recording recording = new Recording(credential(SECRET));
    TokenCredential credential = recording;
    URI endpoint = emulator.logsIngestionEndpoint();
    String dcr = DCR;
    Path bufferDirectory = tmp.resolve("buffer");
    // README:begin
    LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder()
        .logsIngestion(endpoint, dcr)                              // the DCE and the DCR's immutable id
        .tokenProvider(AzureIdentityTokenProvider.of(credential))  // asks for the client's cloud's scope
        .bufferDirectory(bufferDirectory);
    // README:end
    List<AuthenticationException> failures = new CopyOnWriteArrayList<>();
    try (LogAnalyticsClient client = builder
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofMillis(50)).build())
        .listener(new LogAnalyticsListener() {
          @Override
          public void onAuthenticationFailure(AuthenticationException error) {
            failures.add(error);
          }
        })
        .build()) {
      for (int i = 0; i < 20; i++) {
        client.send(STREAM, Map.of("n", i, "message", "hello " + i));
      }
      assertThat(client.flush(Duration.ofSeconds(30))).isTrue();
    }

    List<ReceivedRecord> received = emulator.records(STREAM);
    assertThat(received).hasSize(20);
    assertThat(received).allSatisfy(r -> assertThat(r.transport()).isEqualTo(ReceivedRecord.LOGS_INGESTION));
    assertThat(failures).isEmpty();
    // The emulator's ingestion audience, in the SDK's double-slash form; one token served all requests.
    assertThat(recording.scopes).containsExactly(emulator.logsIngestionCloud().ingestionScope());
    assertThat(recording.scopes.get(0)).isEqualTo("https://monitor.emulator.test//.default");
    assertThat(emulator.requests()).filteredOn(r -> r.path().endsWith("/oauth2/v2.0/token")).singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(emulator.requests()).filteredOn(r -> r.path().startsWith("/dataCollectionRules/"))
        .isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(204));
  }

  @Test
  void aRefusedCredentialIsReportedToTheListenerAndTheRecordsStayBuffered() throws Exception {
    String wrong = "Sec~" + UUID.randomUUID();
    java.util.concurrent.CountDownLatch refused = new java.util.concurrent.CountDownLatch(1);
    List<AuthenticationException> failures = new CopyOnWriteArrayList<>();
    try (LogAnalyticsClient client = LogAnalyticsClient.builder()
        .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
        .tokenProvider(AzureIdentityTokenProvider.of(credential(wrong)))
        .cloud(emulator.logsIngestionCloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
        .bufferDirectory(tmp.resolve("buffer"))
        .listener(new LogAnalyticsListener() {
          @Override
          public void onAuthenticationFailure(AuthenticationException error) {
            failures.add(error);
            refused.countDown();
          }
        })
        .build()) {
      for (int i = 0; i < 3; i++) {
        client.send(STREAM, Map.of("n", i));
      }
      client.flush(Duration.ZERO); // wakes the uploader
      assertThat(refused.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

      assertThat(failures.get(0).getMessage()).contains("AADSTS7000215").doesNotContain(wrong);
      assertThat(client.stats().bufferedRecords()).isEqualTo(3);
      assertThat(emulator.records(STREAM)).isEmpty();
    }
  }

  @Test
  void theReadmeShowsTheSnippetThisTestRuns() throws Exception {
    String source = Files.readString(Path.of("src/test/java/io/loganalytics/azure/identity/"
        + "AzureIdentityEndToEndTest.java"));
    int begin = source.indexOf("// README:begin\n") + "// README:begin\n".length();
    String snippet = source.substring(begin, source.indexOf("    // README:end", begin));
    String unindented = snippet.lines().map(l -> l.substring(Math.min(4, l.length())))
        .collect(Collectors.joining("\n", "", "\n"));
    assertThat(Files.readString(Path.of("../../README.md"))).contains("```java\n" + unindented + "```");
  }

  @Test
  void theTokenCarriesTheIssuersExpiry() {
    emulator.tokenLifetime(Duration.ofMinutes(20));
    long before = System.currentTimeMillis();
    io.loganalytics.sdk.AccessToken token = AzureIdentityTokenProvider.of(credential(SECRET))
        .getToken(emulator.logsIngestionCloud().ingestionScope());

    assertThat(token.token()).startsWith("emu.");
    // MSAL turns expires_in (1200 s) into an absolute time; allow for the seconds this test takes.
    assertThat(token.expiresAt().toEpochMilli()).isBetween(before + 1_140_000, before + 1_260_000);
    assertThat(token.toString()).doesNotContain(token.token());
  }

  @Test
  void aWrongSecretIsAnAuthenticationExceptionWithTheEntraCodeAndWithoutTheSecret() {
    String wrong = "Sec~" + UUID.randomUUID();
    AzureIdentityTokenProvider provider = AzureIdentityTokenProvider.of(credential(wrong));

    assertThatThrownBy(() -> provider.getToken(emulator.logsIngestionCloud().ingestionScope()))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.reason()).isEqualTo("AADSTS7000215");
          assertThat(e.status()).isEqualTo(401); // the emulator answers invalid_client with 401, as Entra does
          assertThat(e.getMessage()).contains("ClientSecretCredential").contains("secret's value, not its ID")
              .doesNotContain(wrong).doesNotContain(SECRET);
        });
  }
}
