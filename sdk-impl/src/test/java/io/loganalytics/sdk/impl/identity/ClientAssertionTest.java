package io.loganalytics.sdk.impl.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.impl.json.FlatJson;
import io.loganalytics.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** JWT client assertions checked independently: decoded, thumbprint recomputed, signature verified with the JDK. */
class ClientAssertionTest {
  private static final String CLIENT = "11111111-2222-3333-4444-555555555555";
  private static final String AUD = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
  private static HeldCertificate app;
  private static HeldCertificate other;

  @TempDir Path tmp;
  private final MutableClock clock = MutableClock.at("2026-12-05T12:00:00Z");

  @BeforeAll
  static void keys() {
    app = new HeldCertificate.Builder().commonName("app").rsa2048().build();
    other = new HeldCertificate.Builder().commonName("other").rsa2048().build();
  }

  private Path pem(String... parts) throws Exception {
    Path p = tmp.resolve("cert-" + UUID.randomUUID() + ".pem");
    Files.writeString(p, String.join("\n", parts), StandardCharsets.US_ASCII);
    return p;
  }

  private static Map<String, Object> json(String base64url) {
    return FlatJson.parseObject(Base64.getUrlDecoder().decode(base64url)).orElseThrow();
  }

  private static boolean verifies(String jwt, PublicKey key, ClientAssertion.Algorithm algorithm) throws Exception {
    String[] parts = jwt.split("\\.");
    Signature s;
    if (algorithm == ClientAssertion.Algorithm.PS256) {
      s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    } else {
      s = Signature.getInstance("SHA256withRSA");
    }
    s.initVerify(key);
    s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    return s.verify(Base64.getUrlDecoder().decode(parts[2]));
  }

  @ParameterizedTest
  @EnumSource(ClientAssertion.Algorithm.class)
  void headerAndClaimsAreWhatEntraExpectsAndTheSignatureVerifies(ClientAssertion.Algorithm algorithm)
      throws Exception {
    ClientAssertion signer = ClientAssertion.fromPem(pem(app.certificatePem(), app.privateKeyPkcs8Pem()), algorithm,
        clock);

    String jwt = signer.create(AUD, CLIENT);

    String[] parts = jwt.split("\\.", -1);
    assertThat(parts).hasSize(3);
    assertThat(jwt).doesNotContain("=").doesNotContain("+").doesNotContain("/");
    Map<String, Object> header = json(parts[0]);
    String expectedThumbprint = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(app.certificate().getEncoded()));
    assertThat(header).containsEntry("alg", algorithm.name()).containsEntry("typ", "JWT")
        .containsEntry("x5t#S256", expectedThumbprint);
    assertThat(signer.thumbprint()).isEqualTo(expectedThumbprint);
    Map<String, Object> claims = json(parts[1]);
    long now = clock.instant().getEpochSecond();
    assertThat(claims).containsEntry("aud", AUD).containsEntry("iss", CLIENT).containsEntry("sub", CLIENT)
        .containsEntry("nbf", now).containsEntry("exp", now + 600);
    assertThat(UUID.fromString((String) claims.get("jti"))).isNotNull();

    assertThat(verifies(jwt, app.certificate().getPublicKey(), algorithm)).isTrue();
    assertThat(verifies(jwt, other.certificate().getPublicKey(), algorithm)).as("another key").isFalse();
    ClientAssertion.Algorithm wrong = algorithm == ClientAssertion.Algorithm.PS256
        ? ClientAssertion.Algorithm.RS256 : ClientAssertion.Algorithm.PS256;
    assertThat(verifies(jwt, app.certificate().getPublicKey(), wrong)).as("the other padding").isFalse();
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace(CLIENT,
            "99999999-2222-3333-4444-555555555555").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThat(verifies(tampered, app.certificate().getPublicKey(), algorithm)).as("changed claims").isFalse();
  }

  @Test
  void everyAssertionIsNewAndDatedByTheInjectedClock() throws Exception {
    ClientAssertion signer = ClientAssertion.fromPem(pem(app.privateKeyPkcs8Pem(), app.certificatePem()),
        ClientAssertion.Algorithm.PS256, clock);

    Map<String, Object> first = json(signer.create(AUD, CLIENT).split("\\.")[1]);
    clock.advance(java.time.Duration.ofHours(3));
    Map<String, Object> second = json(signer.create(AUD, CLIENT).split("\\.")[1]);

    assertThat(second.get("jti")).isNotEqualTo(first.get("jti"));
    assertThat((Long) second.get("nbf") - (Long) first.get("nbf")).isEqualTo(3 * 3600);
  }

  @Test
  void aPkcs1KeyIsReadAsWell() throws Exception {
    ClientAssertion signer = ClientAssertion.fromPem(pem(app.certificatePem(), app.privateKeyPkcs1Pem()),
        ClientAssertion.Algorithm.RS256, clock);

    assertThat(verifies(signer.create(AUD, CLIENT), app.certificate().getPublicKey(),
        ClientAssertion.Algorithm.RS256)).isTrue();
  }

  @Test
  void aFileWithoutKeyOrCertificateOrWithAnEncryptedKeyIsRefusedNamingTheFileNotTheKey() throws Exception {
    Path noKey = pem(app.certificatePem());
    assertThatThrownBy(() -> ClientAssertion.fromPem(noKey, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("clientCertificate"))
        .hasMessageContaining(noKey.toString()).hasMessageContaining("no PRIVATE KEY");

    Path noCert = pem(app.privateKeyPkcs8Pem());
    String keyBody = app.privateKeyPkcs8Pem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertThatThrownBy(() -> ClientAssertion.fromPem(noCert, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("no CERTIFICATE")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyBody));

    Path encrypted = pem(app.certificatePem(), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n"
        + "-----END ENCRYPTED PRIVATE KEY-----");
    assertThatThrownBy(() -> ClientAssertion.fromPem(encrypted, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("encrypted");

    Path garbage = pem(app.certificatePem(), "-----BEGIN PRIVATE KEY-----\nAAAA" + keyBody.substring(4, 40)
        + "\n-----END PRIVATE KEY-----");
    assertThatThrownBy(() -> ClientAssertion.fromPem(garbage, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot be read")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyBody.substring(4, 40)));

    Path missing = tmp.resolve("nope.pem");
    assertThatThrownBy(() -> ClientAssertion.fromPem(missing, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot read").hasMessageContaining("nope.pem");
  }

  @Test
  void aPkcs12FileIsRecognisedAndTheMessageSaysHowToConvertIt() throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("app", app.keyPair().getPrivate(), "changeit".toCharArray(),
        new java.security.cert.Certificate[] {app.certificate()});
    Path pfx = tmp.resolve("app.pfx");
    try (java.io.OutputStream out = Files.newOutputStream(pfx)) {
      store.store(out, "changeit".toCharArray());
    }

    assertThatThrownBy(() -> ClientAssertion.fromPem(pfx, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("clientCertificate"))
        .hasMessageContaining("is not PEM").hasMessageContaining("PKCS #12").hasMessageContaining("openssl pkcs12")
        .hasMessageContaining(pfx.toString());

    Path text = pem("just some text");
    assertThatThrownBy(() -> ClientAssertion.fromPem(text, ClientAssertion.Algorithm.PS256, clock))
        .hasMessageContaining("is not PEM").hasMessageContaining("BEGIN");
  }

  @Test
  void anEcCertificateIsRefusedBecauseEntraAssertionsNeedRsa() throws Exception {
    HeldCertificate ec = new HeldCertificate.Builder().commonName("ec").ecdsa256().build();
    Path p = pem(ec.certificatePem(), ec.privateKeyPkcs8Pem());

    assertThatThrownBy(() -> ClientAssertion.fromPem(p, ClientAssertion.Algorithm.PS256, clock))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void toStringShowsTheThumbprintNeverTheKey() throws Exception {
    ClientAssertion signer = ClientAssertion.fromPem(pem(app.certificatePem(), app.privateKeyPkcs8Pem()),
        ClientAssertion.Algorithm.PS256, clock);
    String keyBody = app.privateKeyPkcs8Pem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    assertThat(signer.toString()).contains(signer.thumbprint()).contains("PS256").doesNotContain(keyBody)
        .doesNotContain("PRIVATE");
  }
}
