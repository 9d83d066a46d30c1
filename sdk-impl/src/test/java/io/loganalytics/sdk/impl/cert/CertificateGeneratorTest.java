package io.loganalytics.sdk.impl.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateGeneratorTest {
  static final String WS = "01234567-89ab-cdef-0123-456789abcdef";
  static final String GUID = "fedcba98-7654-4321-8fed-cba987654321";
  static final Instant NOW = Instant.parse("2024-05-06T07:08:09.123Z");

  static AgentCertificate generated;

  @BeforeAll
  static void generateOnce() {
    generated = new CertificateGenerator(Clock.fixed(NOW, ZoneOffset.UTC), CertificateGenerator.DEFAULT_VALIDITY,
        new SecureRandom()).generate(WS, GUID);
  }

  @Test
  void subjectAndIssuerAreTheAgentsRdnSequence() {
    X509Certificate c = generated.certificate();
    assertThat(generated.subject())
        .isEqualTo("CN=" + WS + ",CN=" + GUID + ",OU=Linux Monitoring Agent,O=Microsoft");
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(Pem.commonNames(c)).containsExactly(WS, GUID);
  }

  @Test
  void isAnRsa2048Sha256SelfSignedV3Certificate() throws Exception {
    X509Certificate c = generated.certificate();
    assertThat(c.getVersion()).isEqualTo(3);
    assertThat(c.getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(((RSAPublicKey) c.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
    c.verify(c.getPublicKey());
  }

  @Test
  void validityStartsAtTheInjectedClockAndLasts90DaysByDefault() {
    assertThat(generated.notBefore()).isEqualTo(Instant.parse("2024-05-06T07:08:09Z"));
    assertThat(Duration.between(generated.notBefore(), generated.notAfter())).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void validityIsConfigurable() {
    AgentCertificate c = new CertificateGenerator(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(365),
        new SecureRandom()).generate(WS, GUID);
    assertThat(Duration.between(c.notBefore(), c.notAfter())).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void extensionsAreSkiAkiAndCaTrueAllNonCritical() {
    X509Certificate c = generated.certificate();
    assertThat(c.getCriticalExtensionOIDs()).isNullOrEmpty();
    assertThat(c.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        Extension.subjectKeyIdentifier.getId(), Extension.authorityKeyIdentifier.getId(),
        Extension.basicConstraints.getId());
    assertThat(c.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE); // CA:TRUE without a path length
    byte[] ski = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        c.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
    byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        c.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets()).getKeyIdentifierOctets();
    assertThat(ski).hasSize(20);
    assertThat(Arrays.equals(ski, aki)).isTrue();
  }

  @Test
  void serialIsBetween1And65534() {
    BigInteger serial = generated.certificate().getSerialNumber();
    assertThat(serial).isBetween(BigInteger.ONE, BigInteger.valueOf(65534));
  }

  @Test
  void keyIsWrittenAsPkcs1AndBothPemFormsReadBack() throws IOException {
    String pkcs1 = Pem.privateKeyPkcs1(generated.privateKey());
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----\n");
    assertThat(Pem.readPrivateKey(pkcs1, "oms.key")).isEqualTo(generated.privateKey());
    String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(generated.privateKey().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    assertThat(Pem.keyMatches(generated.certificate().getPublicKey(), Pem.readPrivateKey(pkcs8, "oms.key")))
        .isTrue();
    String certPem = Pem.certificate(generated.certificate());
    assertThat(certPem).startsWith("-----BEGIN CERTIFICATE-----\n");
    assertThat(Pem.readCertificate(certPem, "oms.crt")).isEqualTo(generated.certificate());
  }

  @Test
  void readsTheOpensslGeneratedLegacyKeysInBothForms() throws IOException {
    Path dir = Path.of("src/test/resources/legacy-agent-state/certs");
    X509Certificate cert = Pem.readCertificate(Files.readString(dir.resolve("oms.crt")), "oms.crt");
    assertThat(Pem.keyMatches(cert.getPublicKey(),
        Pem.readPrivateKey(Files.readString(dir.resolve("oms.key")), "oms.key"))).isTrue();
    assertThat(Pem.keyMatches(cert.getPublicKey(),
        Pem.readPrivateKey(Files.readString(dir.resolve("oms-pkcs8.key")), "oms-pkcs8.key"))).isTrue();
  }

  @Test
  void malformedKeyErrorNamesTheFileButNotItsContent() {
    String secretLooking = "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETTOPSECRET\n-----END RSA PRIVATE KEY-----\n";
    assertThatThrownBy(() -> Pem.readPrivateKey(secretLooking, "certs/oms.key"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("certs/oms.key:")
        .hasMessageNotContaining("TOPSECRET");
    assertThatThrownBy(() -> Pem.readPrivateKey("nothing here", "certs/oms.key"))
        .hasMessageContaining("no PEM block");
  }

  @Test
  void toStringShowsSubjectAndExpiryButNeverTheKey() {
    String key = Pem.privateKeyPkcs1(generated.privateKey());
    String body = key.split("\n")[1];
    assertThat(generated.toString()).contains(GUID, "notAfter=", "OBFUSCATED").doesNotContain(body);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    AgentCertificate other = new CertificateGenerator(Clock.systemUTC(), Duration.ofDays(1), new SecureRandom())
        .generate(WS, GUID);
    assertThatThrownBy(() -> new AgentCertificate(generated.certificate(), other.privateKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong");
  }
}
