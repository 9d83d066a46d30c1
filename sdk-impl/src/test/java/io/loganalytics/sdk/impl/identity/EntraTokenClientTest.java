package io.loganalytics.sdk.impl.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.http.TestTls;
import io.loganalytics.sdk.impl.json.FlatJson;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Entra token request on the wire (a MockWebServer over TLS plays login.microsoftonline.com): the form each
 * credential posts, how answers become tokens, and how hostile or failed answers become errors that say what to fix
 * and never carry the secret or the assertion.
 */
class EntraTokenClientTest {
  private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  private static final String CLIENT = "11111111-2222-3333-4444-555555555555";
  private static final String SECRET = "Sec~ret+value/that=never.shows";
  private static final String SCOPE = "https://monitor.azure.com//.default";
  private static final String HOST = "login.ods." + TestTls.DOMAIN;

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at("2026-12-05T12:00:00Z");
  private MockWebServer server;
  private ClientCertificateExecutor executor;
  private CloudEnvironment cloud;

  @BeforeEach
  void start() throws IOException {
    server = new MockWebServer();
    server.useHttps(new HandshakeCertificates.Builder().heldCertificate(TestTls.shared().server).build()
        .sslSocketFactory());
    server.start(InetAddress.getLoopbackAddress(), 0);
    executor = HttpClients.withoutClientCertificate(HttpSettings.builder().resolver(TestTls.loopbackResolver())
        .trustedCertificates(List.of(TestTls.shared().writeCaPem(tmp))).build());
    cloud = CloudEnvironment.AZURE_CLOUD.withAuthorityHost(URI.create("https://" + HOST + ":" + server.getPort()));
  }

  @AfterEach
  void stop() throws IOException {
    executor.close();
    server.close();
  }

  private io.loganalytics.sdk.AccessTokenProvider secretProvider() {
    return EntraTokenProviders.create(EntraCredential.clientSecret(TENANT, CLIENT, SECRET), cloud, executor, clock);
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json; charset=utf-8")
        .body(body).build();
  }

  private static Map<String, String> form(RecordedRequest r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : r.getBody().string(StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String entraError(int code, String error, String description) {
    return "{\"error\":\"" + error + "\",\"error_description\":\"AADSTS" + code + ": " + description
        + "\\r\\nTrace ID: 0000\\r\\nCorrelation ID: 1111\\r\\nTimestamp: 2026-12-05 12:00:00Z\",\"error_codes\":["
        + code + "],\"trace_id\":\"0000\"}";
  }

  @Test
  void clientSecretPostsTheClientCredentialsFormAndReadsExpiresIn() throws Exception {
    server.enqueue(json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
        + "\"access_token\":\"at-1\"}"));

    AccessToken token = secretProvider().getToken(SCOPE);

    assertThat(token.token()).isEqualTo("at-1");
    assertThat(token.expiresAt()).isEqualTo(clock.instant().plusSeconds(3599));
    assertThat(token.refreshAt()).isEmpty();
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/" + TENANT + "/oauth2/v2.0/token");
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
    assertThat(form(r)).containsExactly(Map.entry("grant_type", "client_credentials"), Map.entry("client_id", CLIENT),
        Map.entry("client_secret", SECRET), Map.entry("scope", SCOPE));
  }

  @Test
  void aCertificatePostsASignedAssertionWhoseAudienceIsTheTokenEndpoint() throws Exception {
    HeldCertificate cert = new HeldCertificate.Builder().commonName("app").rsa2048().build();
    Path pem = tmp.resolve("app.pem");
    Files.writeString(pem, cert.certificatePem() + cert.privateKeyPkcs8Pem());
    server.enqueue(json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"at-1\"}"));

    EntraTokenProviders.create(EntraCredential.clientCertificate(TENANT, CLIENT, pem), cloud, executor, clock)
        .getToken(SCOPE);

    Map<String, String> f = form(server.takeRequest());
    assertThat(f).containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        .containsEntry("client_id", CLIENT).containsEntry("scope", SCOPE).doesNotContainKey("client_secret");
    String[] jwt = f.get("client_assertion").split("\\.");
    Map<String, Object> header = FlatJson.parseObject(Base64.getUrlDecoder().decode(jwt[0])).orElseThrow();
    Map<String, Object> claims = FlatJson.parseObject(Base64.getUrlDecoder().decode(jwt[1])).orElseThrow();
    assertThat(header).containsEntry("alg", "PS256");
    assertThat(claims).containsEntry("aud", "https://" + HOST + ":" + server.getPort() + "/" + TENANT
        + "/oauth2/v2.0/token");
  }

  @Test
  void aWorkloadIdentityPostsTheFileContentReadAgainForEveryRequest() throws Exception {
    Path file = tmp.resolve("token");
    Files.writeString(file, "federated-1\n");
    io.loganalytics.sdk.AccessTokenProvider p = EntraTokenProviders.create(
        EntraCredential.workloadIdentity(TENANT, CLIENT, file), cloud, executor, clock);
    server.enqueue(json(200, "{\"expires_in\":3599,\"access_token\":\"at-1\"}"));
    server.enqueue(json(200, "{\"expires_in\":3599,\"access_token\":\"at-2\"}"));

    p.getToken(SCOPE);
    Files.writeString(file, "federated-2");
    p.getToken(SCOPE);

    assertThat(form(server.takeRequest())).containsEntry("client_assertion", "federated-1");
    assertThat(form(server.takeRequest())).containsEntry("client_assertion", "federated-2");
    Files.writeString(file, "  \n");
    assertThatThrownBy(() -> p.getToken(SCOPE)).isInstanceOf(LogAnalyticsException.class)
        .hasMessageContaining("is empty").hasMessageContaining(file.toString())
        .satisfies(e -> assertThat(((LogAnalyticsException) e).isRetryable()).isTrue());
    Files.writeString(file, "x".repeat(WorkloadIdentityTokenProvider.MAX_FILE_BYTES + 1));
    assertThatThrownBy(() -> p.getToken(SCOPE)).hasMessageContaining("more than");
    Files.delete(file);
    assertThatThrownBy(() -> p.getToken(SCOPE)).hasMessageContaining("Cannot read the federated token file");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void refreshInIsReadAndNumbersSentAsStringsAreAccepted() {
    server.enqueue(json(200, "{\"expires_in\":\"7200\",\"refresh_in\":3600,\"access_token\":\"at-1\"}"));

    AccessToken token = secretProvider().getToken(SCOPE);

    assertThat(token.expiresAt()).isEqualTo(clock.instant().plusSeconds(7200));
    assertThat(token.refreshAt()).contains(clock.instant().plusSeconds(3600));
  }

  @Test
  void aWrongSecretIsANonRetryableRefusalThatSaysWhatToFixOnOneLine() {
    server.enqueue(json(401, entraError(7000215, "invalid_client", "Invalid client secret provided. Ensure the "
        + "secret being sent in the request is the client secret value, not the client secret ID")));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.reason()).isEqualTo("AADSTS7000215");
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("client secret is wrong").contains("not its id")
              .contains("Invalid client secret provided").doesNotContain("Trace ID").doesNotContain("\n")
              .doesNotContain(SECRET);
        });
  }

  @Test
  void theCodeIsTakenFromTheDescriptionWhenErrorCodesAreMissing() {
    server.enqueue(json(400, "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS90002: Tenant "
        + "'x' not found.\"}"));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.reason()).isEqualTo("AADSTS90002");
          assertThat(e.getMessage()).contains("tenant was not found").contains("cloud");
        });
  }

  @Test
  void aServiceEchoingTheSecretOrAssertionDoesNotPutItInTheError() {
    // Entra does not echo credentials; a hostile or broken endpoint (or a proxy) might.
    server.enqueue(json(400, "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS50000: bad request "
        + "client_secret=" + SECRET + " and " + SECRET.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        + "\"}"));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE))
        .isInstanceOf(AuthenticationException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("Sec~ret%2Bvalue")
            .contains("AADSTS50000").contains("not shown"));
  }

  @Test
  void anEchoedSecretIsCutBeforeTheDescriptionIsShortened() {
    // The secret straddles the 300-character cut: shortening first would leave a piece of it.
    server.enqueue(json(400, "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS50000: "
        + "x".repeat(280) + SECRET + "\"}"));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Sec~ret").contains("***"));
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 503, 504})
  void throttlingAndServerErrorsAreRetryable(int status) {
    server.enqueue(json(status, "{\"error\":\"temporarily_unavailable\",\"error_description\":\"try later\"}"));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e).isNotInstanceOf(AuthenticationException.class);
          assertThat(e.status()).isEqualTo(status);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("HTTP " + status).contains("retried later");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"<html>not json</html>", "{\"token_type\":\"Bearer\"}", "{\"access_token\":\"at-leak\"}",
      "{\"access_token\":\"at-leak\",\"expires_in\":0}", "{\"access_token\":\"at-leak\",\"expires_in\":-5}",
      "{\"access_token\":7,\"expires_in\":3599}", "[]", ""})
  void aSuccessWithoutAUsableTokenIsARetryableFailureThatNeverQuotesTheBody(String body) {
    server.enqueue(json(200, body));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).doesNotContain("at-leak").doesNotContain("<html>");
        });
  }

  @Test
  void aHugeAnswerIsNotReadWhole() {
    server.enqueue(json(200, "{\"access_token\":\"" + "a".repeat(2 * 1024 * 1024) + "\",\"expires_in\":3599}"));

    assertThatThrownBy(() -> secretProvider().getToken(SCOPE)).isInstanceOf(LogAnalyticsException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2_000));
  }

  @Test
  void anUnreachableEndpointIsRetryableAndNamesIt() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CloudEnvironment nowhere = CloudEnvironment.AZURE_CLOUD.withAuthorityHost(URI.create("https://" + HOST + ":"
        + port));

    assertThatThrownBy(() -> EntraTokenProviders.create(EntraCredential.clientSecret(TENANT, CLIENT, SECRET),
        nowhere, executor, clock).getToken(SCOPE))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("Could not reach").contains(HOST).doesNotContain(SECRET);
        });
  }

  @Test
  void theCredentialsOwnAuthorityHostWinsOverTheClouds() throws Exception {
    server.enqueue(json(200, "{\"expires_in\":3599,\"access_token\":\"at-1\"}"));
    EntraCredential c = EntraCredential.clientSecret(TENANT, CLIENT, SECRET)
        .withAuthorityHost(URI.create("https://" + HOST + ":" + server.getPort() + "/"));

    EntraTokenProviders.create(c, CloudEnvironment.AZURE_US_GOVERNMENT, executor, clock).getToken(SCOPE);

    assertThat(server.takeRequest().getTarget()).isEqualTo("/" + TENANT + "/oauth2/v2.0/token");
    assertThat(EntraTokenProviders.tokenEndpoint(EntraCredential.clientSecret(TENANT, CLIENT, SECRET),
        CloudEnvironment.AZURE_US_GOVERNMENT))
        .isEqualTo(URI.create("https://login.microsoftonline.us/" + TENANT + "/oauth2/v2.0/token"));
    assertThat(EntraTokenProviders.tokenEndpoint(EntraCredential.clientSecret(TENANT, CLIENT, SECRET),
        CloudEnvironment.AZURE_CHINA_CLOUD))
        .isEqualTo(URI.create("https://login.chinacloudapi.cn/" + TENANT + "/oauth2/v2.0/token"));
  }

  @Test
  void toStringOfTheProviderShowsNoSecret() {
    assertThat(secretProvider().toString()).contains(CLIENT).doesNotContain(SECRET);
  }
}
