package io.loganalytics.sdk.impl.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.testkit.ManagedIdentityEmulator;
import io.loganalytics.testkit.ManagedIdentityEmulator.Flavour;
import io.loganalytics.testkit.ManagedIdentityEmulator.SeenRequest;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManagedIdentityTokenProviderTest {
  static final String MONITOR = "https://monitor.azure.com";
  static final String SCOPE = "https://monitor.azure.com//.default";
  static final String USER_ASSIGNED = "1b2c3d4e-0000-4000-8000-0000000000aa";

  @TempDir Path tmp;

  final MutableClock clock = MutableClock.at("2026-12-05T12:00:00Z");
  ClientCertificateExecutor http;
  ManagedIdentityEmulator emulator;

  @BeforeEach
  void client() {
    http = HttpClients.forManagedIdentity(HttpSettings.builder().callTimeout(Duration.ofSeconds(10)).build());
  }

  @AfterEach
  void close() {
    http.close();
    if (emulator != null) {
      emulator.close();
    }
  }

  ManagedIdentityTokenProvider provider(EntraCredential credential) {
    Path arcDir = emulator != null && emulator.arcTokenDirectory() != null ? emulator.arcTokenDirectory() : tmp;
    return new ManagedIdentityTokenProvider(credential, MONITOR, http, clock, arcDir);
  }

  // --- IMDS ---

  @Test
  void imdsSystemAssignedSendsMetadataHeaderAndReadsStringTypedExpiry() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock).tokenLifetime(Duration.ofHours(24));

    AccessToken token = provider(emulator.credential()).getToken(SCOPE);

    assertThat(emulator.isValid(token.token())).isTrue();
    assertThat(token.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
    SeenRequest r = single(emulator.requests());
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/metadata/identity/oauth2/token");
    assertThat(r.header("Metadata")).isEqualTo("true");
    assertThat(r.query()).containsEntry("api-version", "2018-02-01").containsEntry("resource", MONITOR)
        .doesNotContainKey("client_id");
    assertThat(emulator.issuedTokens().get(0).clientId()).isEqualTo(ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID);
  }

  @Test
  void imdsUserAssignedSendsClientId() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock).assignUserIdentity(USER_ASSIGNED)
        .systemAssigned(false);

    AccessToken token = provider(emulator.credential(USER_ASSIGNED)).getToken(SCOPE);

    assertThat(emulator.isValid(token.token())).isTrue();
    assertThat(single(emulator.requests()).query()).containsEntry("client_id", USER_ASSIGNED);
    assertThat(emulator.issuedTokens().get(0).clientId()).isEqualTo(USER_ASSIGNED);
  }

  @Test
  void imdsWithoutIdentityIsAnAuthenticationFailureThatSaysToEnableIt() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock).systemAssigned(false);

    assertThatThrownBy(() -> provider(emulator.credential()).getToken(SCOPE))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.reason()).isEqualTo("invalid_request");
        })
        .hasMessageContaining("Identity not found")
        .hasMessageContaining("enable the system-assigned managed identity of this VM");
  }

  @Test
  void imdsWithAnUnassignedUserIdentityNamesTheClientId() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock);

    assertThatThrownBy(() -> provider(emulator.credential(USER_ASSIGNED)).getToken(SCOPE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("assign the user-assigned identity with client ID " + USER_ASSIGNED);
  }

  @Test
  void unknownResourceSaysToCheckTheCloud() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock);
    ManagedIdentityTokenProvider p = new ManagedIdentityTokenProvider(emulator.credential(),
        "https://monitor.example.invalid", http, clock, tmp);

    assertThatThrownBy(() -> p.getToken(null))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("invalid_resource").hasMessageContaining("AADSTS500011")
        .hasMessageContaining("check the cloud");
  }

  @Test
  void scopeOfAnotherResourceAsksForThatResource() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock);

    provider(emulator.credential()).getToken("https://management.azure.com/.default");
    provider(emulator.credential()).getToken("https://monitor.azure.com/.default");

    assertThat(emulator.requests()).extracting(r -> r.query().get("resource"))
        .containsExactly("https://management.azure.com", MONITOR);
  }

  @Test
  void emulatorRefusesARequestWithoutTheMetadataHeaderAsImdsDoes() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock);
    HttpResponse r = http.execute(HttpRequest.get(URI.create(emulator.endpoint()
        + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + MONITOR), Map.of()));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).contains("Required metadata header not specified");
    assertThat(emulator.issuedTokens()).isEmpty();
  }

  @Test
  void metadataHeaderStrippedOnTheWayIsExplained() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json(400, "{\"error\":\"invalid_request\",\"error_description\":\"Required metadata header "
          + "not specified\"}"));
      server.start();
      EntraCredential c = EntraCredential.managedIdentity().withManagedIdentityEndpoint(URI.create(
          "http://127.0.0.1:" + server.getPort()));

      assertThatThrownBy(() -> provider(c).getToken(SCOPE)).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("a proxy in the path may strip it");
    }
  }

  // --- App Service ---

  @Test
  void appServiceSendsTheIdentityHeaderAndReadsEpochExpiresOn() {
    emulator = ManagedIdentityEmulator.start(Flavour.APP_SERVICE, clock).tokenLifetime(Duration.ofMinutes(90));

    AccessToken token = provider(emulator.credential()).getToken(SCOPE);

    assertThat(emulator.isValid(token.token())).isTrue();
    assertThat(token.expiresAt()).isEqualTo(emulator.issuedTokens().get(0).expiresAt());
    SeenRequest r = single(emulator.requests());
    assertThat(r.path()).isEqualTo("/msi/token");
    assertThat(r.header("X-IDENTITY-HEADER")).isEqualTo(emulator.identityHeader());
    assertThat(r.header("Metadata")).isNull();
    assertThat(r.query()).containsEntry("api-version", "2019-08-01").containsEntry("resource", MONITOR)
        .doesNotContainKey("client_id");
  }

  @Test
  void appServiceUserAssignedSendsClientId() {
    emulator = ManagedIdentityEmulator.start(Flavour.APP_SERVICE, clock).assignUserIdentity(USER_ASSIGNED);

    AccessToken token = provider(emulator.credential(USER_ASSIGNED)).getToken(SCOPE);

    assertThat(emulator.issuedTokens()).singleElement().satisfies(t -> {
      assertThat(t.token()).isEqualTo(token.token());
      assertThat(t.clientId()).isEqualTo(USER_ASSIGNED);
    });
  }

  @Test
  void appServiceWrongHeaderIsRefusedWithoutShowingIt() {
    emulator = ManagedIdentityEmulator.start(Flavour.APP_SERVICE, clock);
    String wrong = "wrong-identity-header-value-123";
    EntraCredential c = EntraCredential.appServiceManagedIdentity(emulator.endpoint(), wrong, null);
    ManagedIdentityTokenProvider p = provider(c);

    assertThatThrownBy(() -> p.getToken(SCOPE))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("401").hasMessageContaining("IDENTITY_HEADER")
        .hasMessageNotContaining(wrong);
    assertThat(p.toString()).doesNotContain(wrong);
    assertThat(c.toString()).doesNotContain(wrong);
  }

  // --- Azure Arc ---

  @Test
  void arcAnswersTheChallengeWithTheKeyFile() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);

    AccessToken token = provider(emulator.credential()).getToken(SCOPE);

    assertThat(emulator.isValid(token.token())).isTrue();
    List<SeenRequest> requests = emulator.requests();
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).header("Authorization")).isNull();
    assertThat(requests.get(0).header("Metadata")).isEqualTo("true");
    assertThat(requests.get(0).query()).containsEntry("api-version", "2020-06-01");
    try (var files = Files.list(emulator.arcTokenDirectory())) {
      Path key = files.filter(f -> f.toString().endsWith(".key")).findFirst().orElseThrow();
      assertThat(requests.get(1).header("Authorization"))
          .isEqualTo("Basic " + Files.readString(key, StandardCharsets.US_ASCII));
      assertThat(Files.getPosixFilePermissions(key)).extracting(Object::toString)
          .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
    }
  }

  @Test
  void arcRefusesASymlinkPlantedInTheTokenDirectory() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);
    Path secret = Files.writeString(tmp.resolve("elsewhere.key"), "not-for-the-agent");
    Path link = Files.createSymbolicLink(emulator.arcTokenDirectory().resolve("planted.key"), secret);
    emulator.plantChallenge(link);

    assertThatThrownBy(() -> provider(emulator.credential()).getToken(SCOPE))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("not a regular file (a link is refused)")
        .hasMessageNotContaining("not-for-the-agent");
    assertThat(emulator.requests()).hasSize(1);
  }

  @Test
  void arcRefusesAFileOutsideTheTokenDirectory() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);
    Path outside = Files.writeString(tmp.resolve("outside.key"), "some-key");
    emulator.plantChallenge(outside);

    assertThatThrownBy(() -> provider(emulator.credential()).getToken(SCOPE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("outside the agent's token directory");
    assertThat(emulator.requests()).hasSize(1);
  }

  @Test
  void arcRefusesATraversalOutOfTheTokenDirectory() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);
    Files.writeString(tmp.resolve("up.key"), "some-key");
    emulator.plantChallenge(Path.of(emulator.arcTokenDirectory() + "/../" + tmp.getFileName() + "/up.key"));

    ManagedIdentityTokenProvider p = new ManagedIdentityTokenProvider(emulator.credential(), MONITOR, http, clock,
        emulator.arcTokenDirectory());
    assertThatThrownBy(() -> p.getToken(SCOPE)).isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("outside the agent's token directory");
  }

  @Test
  void arcRefusesAnOversizedFile() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);
    Path big = Files.writeString(emulator.arcTokenDirectory().resolve("big.key"), "k".repeat(4097));
    emulator.plantChallenge(big);

    assertThatThrownBy(() -> provider(emulator.credential()).getToken(SCOPE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("4097 bytes; at most 4096");
    assertThat(emulator.requests()).hasSize(1);
  }

  @Test
  void arcAcceptsAFileOfExactly4096Bytes() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);
    Path max = Files.writeString(emulator.arcTokenDirectory().resolve("max.key"), "k".repeat(4096));
    emulator.plantChallenge(max);

    AccessToken token = provider(emulator.credential()).getToken(SCOPE);

    assertThat(emulator.isValid(token.token())).isTrue();
  }

  @Test
  void arcRefusesAFileThatIsNotAKeyFile() throws IOException {
    emulator = ManagedIdentityEmulator.start(Flavour.ARC, clock);
    Path txt = Files.writeString(emulator.arcTokenDirectory().resolve("passwd"), "root:x:0:0");
    emulator.plantChallenge(txt);

    assertThatThrownBy(() -> provider(emulator.credential()).getToken(SCOPE))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("not an absolute path to a .key file");
  }

  @Test
  void arcChallengeWithoutRealmIsRefused() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(401).setHeader("WWW-Authenticate", "Bearer").build());
      server.start();
      EntraCredential c = EntraCredential.arcManagedIdentity(URI.create("http://127.0.0.1:" + server.getPort()
          + "/metadata/identity/oauth2/token"));

      assertThatThrownBy(() -> provider(c).getToken(SCOPE)).isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("not 'Basic realm=<file>'");
    }
  }

  // --- Errors that a retry can cure ---

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 503})
  void throttlingAndServerErrorsAreRetryableThenSucceed(int status) {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock).failNext(1, status);
    ManagedIdentityTokenProvider p = provider(emulator.credential());

    assertThatThrownBy(() -> p.getToken(SCOPE))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.status()).isEqualTo(status);
        })
        .isNotInstanceOf(AuthenticationException.class);
    assertThat(emulator.isValid(p.getToken(SCOPE).token())).isTrue();
  }

  @Test
  void notFoundIsRetryable() {
    emulator = ManagedIdentityEmulator.start(Flavour.APP_SERVICE, clock);
    EntraCredential c = EntraCredential.appServiceManagedIdentity(URI.create(emulator.endpoint() + "/nope"),
        emulator.identityHeader(), null);

    assertThatThrownBy(() -> provider(c).getToken(SCOPE))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("404");
  }

  @Test
  void connectionRefusedIsRetryableAndSaysWhatToCheck() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EntraCredential c = EntraCredential.managedIdentity().withManagedIdentityEndpoint(URI.create(
        "http://127.0.0.1:" + port));

    assertThatThrownBy(() -> provider(c).getToken(SCOPE))
        .isInstanceOfSatisfying(LogAnalyticsException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("cannot reach the managed identity (IMDS) endpoint http://127.0.0.1:" + port)
        .hasMessageContaining("is this an Azure VM");
  }

  // --- Hostile answers ---

  @Test
  void oversizedAnswerIsRefused() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock).replyPadding(70_000);

    assertThatThrownBy(() -> provider(emulator.credential()).getToken(SCOPE))
        .isInstanceOf(LogAnalyticsException.class)
        .hasMessageContaining("more than 65536 bytes; refused");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "<html>proxy error</html>|not a JSON object",
      "{\"token_type\":\"Bearer\",\"expires_in\":\"3600\"}|without an access_token",
      "{\"access_token\":\"abc def\",\"expires_in\":\"3600\"}|unusable access_token",
      "{\"access_token\":\"abc\"}|without a usable expires_in or expires_on",
      "{\"access_token\":\"abc\",\"expires_in\":\"soon\"}|without a usable expires_in or expires_on",
      "{\"access_token\":\"abc\",\"expires_in\":3600|not a JSON object"})
  void malformedSuccessIsARetryableFailureThatNeverShowsTheBody(String body, String message) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json(200, body));
      server.start();
      EntraCredential c = EntraCredential.managedIdentity().withManagedIdentityEndpoint(URI.create(
          "http://127.0.0.1:" + server.getPort()));

      assertThatThrownBy(() -> provider(c).getToken(SCOPE))
          .isInstanceOfSatisfying(LogAnalyticsException.class, e -> assertThat(e.isRetryable()).isTrue())
          .hasMessageContaining(message)
          .hasMessageNotContaining("abc");
    }
  }

  @Test
  void numericExpiresOnAndRefreshInAreHonoured() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      long on = clock.instant().plus(Duration.ofHours(2)).getEpochSecond();
      server.enqueue(json(200, "{\"access_token\":\"tok\",\"expires_on\":" + on + ",\"refresh_in\":3600}"));
      server.start();
      EntraCredential c = EntraCredential.managedIdentity().withManagedIdentityEndpoint(URI.create(
          "http://127.0.0.1:" + server.getPort()));

      AccessToken t = provider(c).getToken(SCOPE);

      assertThat(t.expiresAt()).isEqualTo(Instant.ofEpochSecond(on));
      assertThat(t.refreshAt()).contains(clock.instant().plus(Duration.ofHours(1)));
    }
  }

  @Test
  void longErrorTextFromTheServiceIsCappedAndKeptOnOneLine() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(json(403, "{\"error\":\"forbidden\",\"error_description\":\"line1\\nline2 "
          + "x".repeat(5000) + "\"}"));
      server.start();
      EntraCredential c = EntraCredential.managedIdentity().withManagedIdentityEndpoint(URI.create(
          "http://127.0.0.1:" + server.getPort()));

      assertThatThrownBy(() -> provider(c).getToken(SCOPE)).isInstanceOf(AuthenticationException.class)
          .satisfies(e -> {
            assertThat(e.getMessage()).doesNotContain("\n").contains("line1 line2");
            assertThat(e.getMessage().length()).isLessThan(1000);
          });
    }
  }

  // --- Refresh across expiry, by the clock ---

  @Test
  void aNewTokenIsFetchedAfterTheOldOneExpiredByTheInjectedClock() {
    emulator = ManagedIdentityEmulator.start(Flavour.IMDS, clock).tokenLifetime(Duration.ofHours(1));
    ManagedIdentityTokenProvider p = provider(emulator.credential());

    AccessToken first = p.getToken(SCOPE);
    assertThat(first.expiresAt()).isEqualTo(Instant.parse("2026-12-05T13:00:00Z"));
    clock.advance(Duration.ofHours(1).plusSeconds(1));
    assertThat(emulator.isValid(first.token())).isFalse();

    AccessToken second = p.getToken(SCOPE);

    assertThat(second.token()).isNotEqualTo(first.token());
    assertThat(emulator.isValid(second.token())).isTrue();
    assertThat(second.expiresAt()).isEqualTo(Instant.parse("2026-12-05T14:00:01Z"));
  }

  // --- Configuration ---

  @Test
  void refusesCredentialsThatAreNotManagedIdentities() {
    EntraCredential secret = EntraCredential.clientSecret("contoso.onmicrosoft.com", USER_ASSIGNED, "s3cr3t-value");

    assertThatThrownBy(() -> new ManagedIdentityTokenProvider(secret, MONITOR, http, clock))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.getMessage()).contains("credential"))
        .hasMessageNotContaining("s3cr3t-value");
  }

  @Test
  void refusesPlainHttpToAHostThatIsNotLocal() {
    EntraCredential c = EntraCredential.managedIdentity().withManagedIdentityEndpoint(
        URI.create("http://imds.example.com"));

    assertThatThrownBy(() -> new ManagedIdentityTokenProvider(c, MONITOR, http, clock))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("managedIdentityEndpoint").hasMessageContaining("use https");
  }

  @Test
  void theManagedIdentityClientRefusesPlainHttpToOtherHostsBeforeConnecting() {
    assertThatThrownBy(() -> http.execute(HttpRequest.get(URI.create("http://10.1.2.3:1/token"), Map.of())))
        .isInstanceOf(IOException.class).hasMessageContaining("refusing plain http to 10.1.2.3");
  }

  @ParameterizedTest
  @CsvSource({
      "http://169.254.169.254, true",
      "http://127.0.0.1:40342/metadata/identity/oauth2/token, true",
      "http://localhost:40342/x, true",
      "http://[::1]:8080/x, true",
      "http://[fe80::1]/x, true",
      "http://10.0.0.4, false",
      "http://169.254.169.254.example.com, false",
      "http://metadata.internal, false",
      "https://127.0.0.1, false"})
  void localPlainHttpIsLoopbackOrLinkLocalOnly(String url, boolean local) {
    assertThat(HttpClients.isLocalPlainHttp(URI.create(url))).isEqualTo(local);
  }

  private static SeenRequest single(List<SeenRequest> requests) {
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(body).build();
  }
}
