package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.impl.json.FlatJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Signs JWT client assertions with an app registration's certificate (LOGS-INGESTION §2b).
 *
 * <p>Header: {@code alg} ({@link Algorithm#PS256} by default: RSASSA-PSS, SHA-256, MGF1 with SHA-256, 32-byte salt;
 * or {@link Algorithm#RS256}: PKCS #1 v1.5), {@code typ} {@code JWT}, {@code x5t#S256} the base64url SHA-256 of the
 * certificate's DER. Claims: {@code aud} the token endpoint URL, {@code iss} = {@code sub} = the client id,
 * {@code jti} a new GUID, {@code nbf} = {@code iat} = now, {@code exp} now + 10 minutes. Only the JDK's providers are
 * used.
 *
 * <p>The PEM file must hold the certificate and its unencrypted RSA private key (PKCS #8 {@code PRIVATE KEY} or
 * PKCS #1 {@code RSA PRIVATE KEY}), in any order, as {@code AZURE_CLIENT_CERTIFICATE_PATH} does; it is read once.
 * Errors name the file and what is missing, never key material.
 *
 * <p>Internal, not API. Thread-safe; {@link #toString()} shows the thumbprint, never the key.
 */
final class ClientAssertion {
  /** The {@code client_assertion_type} of a JWT bearer assertion. */
  static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  /** How long an assertion is valid. */
  static final Duration LIFETIME = Duration.ofMinutes(10);

  /** The signature algorithms Entra accepts for client assertions. */
  enum Algorithm {
    /** RSASSA-PSS with SHA-256 (the current documentation's choice). */
    PS256,
    /** RSASSA-PKCS1-v1_5 with SHA-256 (what MSAL4J still sends). */
    RS256
  }

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Algorithm algorithm;
  private final String thumbprint;
  private final Clock clock;

  ClientAssertion(X509Certificate certificate, PrivateKey key, Algorithm algorithm, Clock clock) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.key = Objects.requireNonNull(key, "key");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      this.thumbprint = URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * Reads the certificate and key of a PEM file.
   *
   * @param pemFile the file
   * @param algorithm the signature algorithm
   * @param clock the clock for the claims
   * @return the signer
   * @throws ConfigurationException naming {@code clientCertificate} when the file cannot be read or lacks a part
   */
  static ClientAssertion fromPem(Path pemFile, Algorithm algorithm, Clock clock) {
    byte[] raw;
    try {
      raw = Files.readAllBytes(pemFile);
    } catch (IOException e) {
      throw new ConfigurationException("clientCertificate", "cannot read the PEM file " + pemFile + " ("
          + e.getClass().getSimpleName() + ")");
    }
    // ISO-8859-1 maps every byte: a binary file is recognised below instead of failing to decode.
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    if (!text.contains("-----BEGIN ")) {
      boolean der = raw.length > 0 && raw[0] == 0x30;
      throw new ConfigurationException("clientCertificate", "the file " + pemFile + " is not PEM" + (der
          ? " (it looks like DER or a PKCS #12 .pfx/.p12 file; convert it, for example with openssl pkcs12 -in "
              + "cert.pfx -out cert.pem -nodes, and keep the result private: chmod 600)"
          : "; it must hold the certificate and its unencrypted RSA private key as -----BEGIN ...----- blocks"));
    }
    X509Certificate cert = null;
    PrivateKey key = null;
    Matcher m = PEM.matcher(text);
    try {
      while (m.find()) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        switch (m.group(1)) {
          case "CERTIFICATE":
            if (cert == null) {
              cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                  .generateCertificate(new java.io.ByteArrayInputStream(der));
            }
            break;
          case "PRIVATE KEY":
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            break;
          case "RSA PRIVATE KEY":
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
            break;
          case "ENCRYPTED PRIVATE KEY":
            throw new ConfigurationException("clientCertificate", "the PEM file " + pemFile + " holds an encrypted "
                + "private key; export it without a password (and protect the file: chmod 600)");
          default:
            break;
        }
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigurationException("clientCertificate", "the PEM file " + pemFile + " holds a certificate or "
          + "RSA private key that cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (cert == null) {
      throw new ConfigurationException("clientCertificate", "the PEM file " + pemFile + " holds no CERTIFICATE "
          + "block; it must hold the certificate and its private key");
    }
    if (key == null) {
      throw new ConfigurationException("clientCertificate", "the PEM file " + pemFile + " holds no PRIVATE KEY "
          + "block; it must hold the certificate and its unencrypted RSA private key");
    }
    if (!(cert.getPublicKey() instanceof RSAPublicKey)) {
      throw new ConfigurationException("clientCertificate", "the certificate in " + pemFile + " has a "
          + cert.getPublicKey().getAlgorithm() + " key; Entra client assertions need an RSA certificate");
    }
    return new ClientAssertion(cert, key, algorithm, clock);
  }

  /** Wraps a PKCS #1 RSAPrivateKey into a PKCS #8 PrivateKeyInfo (rsaEncryption, NULL parameters). */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
        0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octet = der(0x04, pkcs1);
    byte[] content = new byte[version.length + algId.length + octet.length];
    System.arraycopy(version, 0, content, 0, version.length);
    System.arraycopy(algId, 0, content, version.length, algId.length);
    System.arraycopy(octet, 0, content, version.length + algId.length, octet.length);
    return der(0x30, content);
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] len;
    if (n < 0x80) {
      len = new byte[] {(byte) n};
    } else if (n < 0x100) {
      len = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + len.length + n];
    out[0] = (byte) tag;
    System.arraycopy(len, 0, out, 1, len.length);
    System.arraycopy(content, 0, out, 1 + len.length, n);
    return out;
  }

  /**
   * A new signed assertion.
   *
   * @param audience the token endpoint URL
   * @param clientId the client id ({@code iss} and {@code sub})
   * @return the compact JWT
   */
  String create(String audience, String clientId) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", algorithm.name());
    header.put("typ", "JWT");
    header.put("x5t#S256", thumbprint);
    Instant now = clock.instant();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", audience);
    claims.put("iss", clientId);
    claims.put("sub", clientId);
    claims.put("jti", UUID.randomUUID().toString());
    claims.put("nbf", now.getEpochSecond());
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.plus(LIFETIME).getEpochSecond());
    String signingInput = URL.encodeToString(FlatJson.write(header)) + "." + URL.encodeToString(FlatJson.write(claims));
    try {
      Signature s;
      if (algorithm == Algorithm.PS256) {
        s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      } else {
        s = Signature.getInstance("SHA256withRSA");
      }
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + URL.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing the client assertion with " + algorithm + " failed ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** @return the certificate */
  X509Certificate certificate() {
    return certificate;
  }

  /** @return the base64url SHA-256 thumbprint */
  String thumbprint() {
    return thumbprint;
  }

  @Override
  public String toString() {
    return "ClientAssertion{" + algorithm + ", x5t#S256=" + thumbprint + "}";
  }
}
