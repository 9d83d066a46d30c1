package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator's Entra token endpoint and Logs Ingestion endpoint are strict where the real ones are: tests of the
 * SDK against it are only as good as these refusals. Raw HTTP, no SDK code.
 */
class LogsIngestionEndpointsTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String STREAM = "Custom-AppLogs_CL";
  private static final String APP = "11111111-2222-3333-4444-555555555555";
  private static final String SECRET = "emulator~secret";
  private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\":\"([^\"]+)\"");
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private final MutableClock clock = new MutableClock(T0);
  private WorkspaceEmulator emulator;
  private OkHttpClient http;
  private String scope;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().clock(clock).start();
    http = TestAgent.client(emulator, null);
    emulator.registerClientSecret(APP, SECRET);
    emulator.createDataCollectionRule(DCR, STREAM);
    emulator.grantPublisher(DCR, APP);
    scope = emulator.logsIngestionCloud().ingestionScope();
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private record Answer(int status, String body, String errorCode) {}

  private URI tokenUrl() {
    return emulator.logsIngestionCloud().tokenEndpoint(emulator.tenantId());
  }

  private Answer post(URI url, String contentType, byte[] body, Map<String, String> headers) throws IOException {
    Request.Builder b = new Request.Builder().url(url.toString())
        .post(RequestBody.create(body, contentType == null ? null : MediaType.get(contentType)));
    headers.forEach(b::header);
    try (Response r = http.newCall(b.build()).execute()) {
      return new Answer(r.code(), r.body().string(), r.header("x-ms-error-code"));
    }
  }

  private Answer token(Map<String, String> form) throws IOException {
    return token(tokenUrl(), form);
  }

  private Answer token(URI url, Map<String, String> form) throws IOException {
    StringBuilder sb = new StringBuilder();
    form.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return post(url, "application/x-www-form-urlencoded", sb.toString().getBytes(StandardCharsets.UTF_8), Map.of());
  }

  private static Map<String, String> form(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private String accessToken() throws IOException {
    Answer a = token(form("grant_type", "client_credentials", "client_id", APP, "client_secret", SECRET,
        "scope", scope));
    assertThat(a.status()).isEqualTo(200);
    Matcher m = ACCESS_TOKEN.matcher(a.body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private URI ingestUrl(String dcr, String stream, String apiVersion) {
    return URI.create(emulator.logsIngestionEndpoint() + "/dataCollectionRules/" + dcr + "/streams/" + stream
        + "?api-version=" + apiVersion);
  }

  private Answer ingest(String token, URI url, byte[] body, String encoding) throws IOException {
    Map<String, String> h = new LinkedHashMap<>();
    if (token != null) {
      h.put("Authorization", "Bearer " + token);
    }
    if (encoding != null) {
      h.put("Content-Encoding", encoding);
    }
    h.put("x-ms-client-request-id", "6f1c1c55-0000-4000-8000-000000000001");
    return post(url, "application/json", body, h);
  }

  private Answer ingest(String token, String json) throws IOException {
    return ingest(token, ingestUrl(DCR, STREAM, "2023-01-01"), gzip(json.getBytes(StandardCharsets.UTF_8)), "gzip");
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  // ---- token endpoint

  @Test
  void theTokenEndpointIssuesForTheRightSecretAndRefusesTheRestWithEntrasCodes() throws Exception {
    Answer ok = token(form("grant_type", "client_credentials", "client_id", APP, "client_secret", SECRET,
        "scope", scope));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).contains("\"token_type\":\"Bearer\"").contains("\"expires_in\":3600");

    assertThat(token(form("grant_type", "client_credentials", "client_id", APP, "client_secret", "wrong",
        "scope", scope))).satisfies(a -> {
          assertThat(a.status()).isEqualTo(401);
          assertThat(a.body()).contains("\"error\":\"invalid_client\"").contains("AADSTS7000215")
              .contains("\"error_codes\":[7000215]").doesNotContain("wrong\"");
        });
    assertThat(token(form("grant_type", "client_credentials", "client_id", UUID.randomUUID().toString(),
        "client_secret", SECRET, "scope", scope)).body()).contains("700016");
    assertThat(token(form("grant_type", "client_credentials", "client_id", APP, "client_secret", SECRET,
        "scope", "https://monitor.emulator.test")).body()).contains("1002012");
    assertThat(token(form("grant_type", "client_credentials", "client_id", APP, "scope", scope)).body())
        .contains("7000218");
    assertThat(token(form("grant_type", "password", "client_id", APP, "client_secret", SECRET, "scope", scope))
        .status()).isEqualTo(400);
    URI otherTenant = emulator.logsIngestionCloud().tokenEndpoint(UUID.randomUUID().toString());
    assertThat(token(otherTenant, form("grant_type", "client_credentials", "client_id", APP, "client_secret", SECRET,
        "scope", scope)).body()).contains("90002");
  }

  // ---- client assertions

  private static String jwt(Map<String, Object> header, Map<String, Object> claims, HeldCertificate signer,
      String alg) throws Exception {
    String input = URL.encodeToString(json(header)) + "." + URL.encodeToString(json(claims));
    Signature s;
    if ("PS256".equals(alg)) {
      s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    } else {
      s = Signature.getInstance("SHA256withRSA");
    }
    s.initSign(signer.keyPair().getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + URL.encodeToString(s.sign());
  }

  private static byte[] json(Map<String, Object> m) {
    StringBuilder sb = new StringBuilder("{");
    m.forEach((k, v) -> sb.append(sb.length() == 1 ? "" : ",").append('"').append(k).append("\":")
        .append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v)));
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private Map<String, Object> header(String alg, HeldCertificate cert) throws Exception {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg);
    h.put("typ", "JWT");
    h.put("x5t#S256", URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.certificate()
        .getEncoded())));
    return h;
  }

  private Map<String, Object> claims() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("aud", tokenUrl().toString());
    c.put("iss", APP);
    c.put("sub", APP);
    c.put("jti", UUID.randomUUID().toString());
    c.put("nbf", T0.getEpochSecond());
    c.put("exp", T0.getEpochSecond() + 600);
    return c;
  }

  private Answer assertion(String jwt) throws IOException {
    return token(form("grant_type", "client_credentials", "client_id", APP, "client_assertion_type",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", jwt, "scope", scope));
  }

  @Test
  void aClientAssertionIsAcceptedOnlyWhenSignedByTheRegisteredCertificateForThisEndpointAndTime() throws Exception {
    HeldCertificate cert = new HeldCertificate.Builder().commonName("app").rsa2048().build();
    HeldCertificate other = new HeldCertificate.Builder().commonName("other").rsa2048().build();
    emulator.registerClientCertificate(APP, cert.certificate());

    assertThat(assertion(jwt(header("PS256", cert), claims(), cert, "PS256")).status()).isEqualTo(200);
    assertThat(assertion(jwt(header("RS256", cert), claims(), cert, "RS256")).status()).isEqualTo(200);
    // Claimed PS256, signed RS256: the padding is part of the check.
    assertThat(assertion(jwt(header("PS256", cert), claims(), cert, "RS256")).body()).contains("700027");
    // The registered certificate's thumbprint, another key's signature.
    assertThat(assertion(jwt(header("PS256", cert), claims(), other, "PS256")).body()).contains("700027")
        .contains("signature");
    // An unregistered certificate.
    assertThat(assertion(jwt(header("PS256", other), claims(), other, "PS256")).body()).contains("700027")
        .contains("not registered");
    Map<String, Object> wrongAudience = claims();
    wrongAudience.put("aud", "https://login.microsoftonline.com/" + emulator.tenantId() + "/oauth2/v2.0/token");
    assertThat(assertion(jwt(header("PS256", cert), wrongAudience, cert, "PS256")).body()).contains("700212");
    Map<String, Object> wrongIssuer = claims();
    wrongIssuer.put("iss", UUID.randomUUID().toString());
    assertThat(assertion(jwt(header("PS256", cert), wrongIssuer, cert, "PS256")).body()).contains("700021");
    Map<String, Object> expired = claims();
    expired.put("exp", T0.getEpochSecond() - 3600);
    assertThat(assertion(jwt(header("PS256", cert), expired, cert, "PS256")).body()).contains("700024");
    Map<String, Object> noJti = claims();
    noJti.remove("jti");
    assertThat(assertion(jwt(header("PS256", cert), noJti, cert, "PS256")).status()).isEqualTo(400);
    assertThat(assertion(jwt(header("none", cert), claims(), cert, "RS256")).status()).isEqualTo(400);
    assertThat(assertion("not.a.jwt!").body()).contains("50027");
    // A valid one tampered with after signing.
    String good = jwt(header("PS256", cert), claims(), cert, "PS256");
    String[] parts = good.split("\\.");
    Map<String, Object> changed = claims();
    changed.put("exp", T0.getEpochSecond() + 86_400);
    assertThat(assertion(parts[0] + "." + URL.encodeToString(json(changed)) + "." + parts[2]).body())
        .contains("700027");
  }

  @Test
  void federatedTokensAreAcceptedWhileRegisteredOnly() throws Exception {
    String app = "22222222-2222-3333-4444-555555555555";
    emulator.registerFederatedToken(app, "fed-1");
    Map<String, String> f = form("grant_type", "client_credentials", "client_id", app, "client_assertion_type",
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", "fed-1", "scope", scope);
    assertThat(token(f).status()).isEqualTo(200);

    emulator.registerFederatedToken(app, "fed-2");
    emulator.revokeFederatedToken(app, "fed-1");

    assertThat(token(f).body()).contains("700213");
    f.put("client_assertion", "fed-2");
    assertThat(token(f).status()).isEqualTo(200);
  }

  // ---- ingestion endpoint

  @Test
  void aGoodUploadIsStoredWithItsClientRequestId() throws Exception {
    Answer a = ingest(accessToken(), "[{\"id\":1,\"msg\":\"a\"},{\"id\":2,\"nested\":{\"k\":\"v\"}}]");

    assertThat(a.status()).isEqualTo(204);
    assertThat(emulator.records(STREAM)).hasSize(2).allSatisfy(r -> {
      assertThat(r.ipName()).isEqualTo(DCR);
      assertThat(r.requestId()).isEqualTo("6f1c1c55-0000-4000-8000-000000000001");
      assertThat(r.agentId()).isEqualTo(APP);
    });
  }

  @Test
  void theIngestionEndpointRefusesWhatTheServiceRefuses() throws Exception {
    String token = accessToken();
    String body = "[{\"id\":1}]";

    assertThat(ingest(null, body)).satisfies(a -> assertThat(a.status()).isEqualTo(401));
    assertThat(ingest("emu.forged", body).errorCode()).isEqualTo("InvalidToken");
    assertThat(ingest(token, ingestUrl(DCR, STREAM, "2021-11-01-preview"), body.getBytes(StandardCharsets.UTF_8),
        null).status()).isEqualTo(400);
    Answer unknownDcr = ingest(token, ingestUrl("dcr-99999999999999999999999999999999", STREAM, "2023-01-01"),
        body.getBytes(StandardCharsets.UTF_8), null);
    assertThat(unknownDcr.status()).isEqualTo(404);
    assertThat(unknownDcr.errorCode()).isEqualTo("NotFound");
    Answer undeclared = ingest(token, ingestUrl(DCR, "Custom-Other_CL", "2023-01-01"),
        body.getBytes(StandardCharsets.UTF_8), null);
    assertThat(undeclared.status()).isEqualTo(404);
    assertThat(undeclared.errorCode()).isEqualTo("InvalidStream");
    assertThat(undeclared.body()).contains("\"error\":{\"code\":\"InvalidStream\",\"message\":");
    assertThat(ingest(token, ingestUrl(DCR, STREAM, "2023-01-01"), body.getBytes(StandardCharsets.UTF_8), "deflate")
        .status()).isEqualTo(400);
    assertThat(ingest(token, "{\"id\":1}").errorCode()).isEqualTo("InvalidPayload");
    assertThat(ingest(token, "[{\"id\":1},").errorCode()).isEqualTo("InvalidPayload");
    assertThat(emulator.records()).isEmpty();
  }

  @Test
  void moreThanOneMebibyteCompressedOrDecodedIsA413() throws Exception {
    String token = accessToken();
    StringBuilder sb = new StringBuilder("[");
    while (sb.length() < 1024 * 1024) {
      sb.append("{\"m\":\"").append("z".repeat(1000)).append("\"},");
    }
    sb.setLength(sb.length() - 1);
    String big = sb.append(']').toString();
    String exact = "[{\"m\":\"" + "z".repeat(1024 * 1024 - 10) + "\"}]"; // 1,048,576 bytes

    Answer decoded = ingest(token, big);
    assertThat(decoded.status()).isEqualTo(413);
    assertThat(decoded.errorCode()).isEqualTo("ContentLengthLimitExceeded");
    assertThat(ingest(token, ingestUrl(DCR, STREAM, "2023-01-01"), big.getBytes(StandardCharsets.UTF_8), null)
        .status()).isEqualTo(413);
    assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(1024 * 1024);
    assertThat(ingest(token, exact).status()).isEqualTo(204);
  }

  @Test
  void aRoleMissingOnTheDcrIs403AndAnExpiredOrForeignTokenIs401() throws Exception {
    String other = "33333333-2222-3333-4444-555555555555";
    emulator.registerClientSecret(other, "other~secret");
    Answer t = token(form("grant_type", "client_credentials", "client_id", other, "client_secret", "other~secret",
        "scope", scope));
    Matcher m = ACCESS_TOKEN.matcher(t.body());
    assertThat(m.find()).isTrue();
    Answer denied = ingest(m.group(1), "[{\"id\":1}]");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.errorCode()).isEqualTo("OperationFailed");

    Answer foreign = token(form("grant_type", "client_credentials", "client_id", APP, "client_secret", SECRET,
        "scope", "https://monitor.azure.com//.default"));
    Matcher fm = ACCESS_TOKEN.matcher(foreign.body());
    assertThat(fm.find()).isTrue();
    assertThat(ingest(fm.group(1), "[{\"id\":1}]").errorCode()).isEqualTo("InvalidAudience");

    String token = accessToken();
    clock.advance(Duration.ofMinutes(60));
    assertThat(ingest(token, "[{\"id\":1}]").errorCode()).isEqualTo("TokenExpired");
  }

  @Test
  void aTrustedManagedIdentitysTokensAreAcceptedUntilTheyExpire() throws Exception {
    try (ManagedIdentityEmulator identity = ManagedIdentityEmulator.start(ManagedIdentityEmulator.Flavour.IMDS,
        clock).tokenLifetime(Duration.ofHours(1))) {
      String audience = emulator.logsIngestionCloud().ingestionAudience();
      Request before = new Request.Builder().url(identity.endpoint() + "/metadata/identity/oauth2/token?api-version="
          + "2018-02-01&resource=" + audience).header("Metadata", "true").build();
      try (Response r = new OkHttpClient().newCall(before).execute()) {
        assertThat(r.code()).as("an unknown resource before the trust").isEqualTo(400);
      }
      emulator.trustManagedIdentity(identity);
      emulator.grantPublisher(DCR, ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID);
      String token;
      try (Response r = new OkHttpClient().newCall(before).execute()) {
        assertThat(r.code()).isEqualTo(200);
        Matcher m = ACCESS_TOKEN.matcher(r.body().string());
        assertThat(m.find()).isTrue();
        token = m.group(1);
      }

      assertThat(ingest(token, "[{\"id\":1}]").status()).isEqualTo(204);
      assertThat(emulator.records(STREAM)).singleElement()
          .satisfies(r -> assertThat(r.agentId()).isEqualTo(ManagedIdentityEmulator.SYSTEM_ASSIGNED_CLIENT_ID));
      clock.advance(Duration.ofHours(1));
      assertThat(ingest(token, "[{\"id\":2}]").errorCode()).isEqualTo("TokenExpired");
    }
  }
}
