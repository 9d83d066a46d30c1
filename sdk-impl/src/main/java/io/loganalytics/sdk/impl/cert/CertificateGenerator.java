package io.loganalytics.sdk.impl.cert;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Creates the agent's self-signed client certificate exactly as the legacy agent did (PROTOCOL §B3), with Bouncy
 * Castle: RSA-2048, SHA256withRSA, subject and issuer the RDN sequence {@code CN=<workspaceId>, CN=<agentGuid>,
 * OU=Linux Monitoring Agent, O=Microsoft}, a random serial in 1..65534, and three non-critical extensions:
 * subjectKeyIdentifier (SHA-1 hash of the key), authorityKeyIdentifier (key id) and basicConstraints CA:TRUE.
 * {@code notBefore} is the injected clock's time (truncated to seconds, as X.509 stores it) and {@code notAfter}
 * {@code notBefore + validity}.
 *
 * <p>Internal: public only for the SDK's other packages. Bouncy Castle is used here and in {@link Pem} only; it is
 * never registered as a JCA provider (keys come from the JDK). Immutable and thread-safe.
 */
public final class CertificateGenerator {
  /** The agent's default validity is ours too: 90 days (PROTOCOL A2). */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(90);

  /** RSA modulus size, as the agent. */
  public static final int KEY_BITS = 2048;

  static final String ORGANIZATIONAL_UNIT = "Linux Monitoring Agent";
  static final String ORGANIZATION = "Microsoft";
  static final int MAX_SERIAL = 65534;

  private final Clock clock;
  private final Duration validity;
  private final SecureRandom random;

  /**
   * Creates a generator.
   *
   * @param clock the source of {@code notBefore}
   * @param validity how long certificates are valid, at least one hour
   * @param random the randomness for keys and serial numbers
   */
  public CertificateGenerator(Clock clock, Duration validity, SecureRandom random) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.validity = Objects.requireNonNull(validity, "validity");
    this.random = Objects.requireNonNull(random, "random");
    if (validity.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException("certificate validity must be at least one hour, was " + validity);
    }
  }

  /** @return the validity of the certificates this generator makes */
  public Duration validity() {
    return validity;
  }

  /**
   * Generates a fresh RSA-2048 key pair and a certificate for it.
   *
   * @param workspaceId the workspace GUID (first CN)
   * @param agentGuid the agent GUID (second CN)
   * @return the certificate and key
   */
  public AgentCertificate generate(String workspaceId, String agentGuid) {
    Objects.requireNonNull(workspaceId, "workspaceId");
    Objects.requireNonNull(agentGuid, "agentGuid");
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
      kpg.initialize(KEY_BITS, random);
      KeyPair keyPair = kpg.generateKeyPair();
      X500Name name = subject(workspaceId, agentGuid);
      Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      Instant notAfter = notBefore.plus(validity);
      BigInteger serial = BigInteger.valueOf(1 + random.nextInt(MAX_SERIAL));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial, Date.from(notBefore),
          Date.from(notAfter), name, keyPair.getPublic());
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(keyPair.getPublic()));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          ext.createAuthorityKeyIdentifier(keyPair.getPublic()));
      builder.addExtension(Extension.basicConstraints, false, new BasicConstraints(true));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate());
      X509CertificateHolder holder = builder.build(signer);
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
      return new AgentCertificate(certificate, keyPair.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot generate an RSA-" + KEY_BITS + " agent certificate: " + e, e);
    }
  }

  static X500Name subject(String workspaceId, String agentGuid) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, workspaceId)
        .addRDN(BCStyle.CN, agentGuid)
        .addRDN(BCStyle.OU, ORGANIZATIONAL_UNIT)
        .addRDN(BCStyle.O, ORGANIZATION)
        .build();
  }
}
