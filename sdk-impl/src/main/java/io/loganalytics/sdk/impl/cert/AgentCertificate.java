package io.loganalytics.sdk.impl.cert;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * An agent's client certificate and its private key, as JDK types so that no other package sees Bouncy Castle.
 * Internal: public only so that the SDK's other packages can use it; not an API.
 *
 * <p>The private key is a secret: {@link #toString()} shows the certificate's subject, serial and validity, never the
 * key. Not a {@code record} on purpose (records print their components). Immutable and thread-safe.
 */
public final class AgentCertificate {
  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  /**
   * Pairs a certificate with its key.
   *
   * @param certificate the certificate
   * @param privateKey the matching private key
   * @throws IllegalArgumentException when the key does not belong to the certificate
   */
  public AgentCertificate(X509Certificate certificate, PrivateKey privateKey) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    if (!Pem.keyMatches(certificate.getPublicKey(), privateKey)) {
      throw new IllegalArgumentException("the private key does not belong to the certificate "
          + subject() + " (serial " + serial() + ")");
    }
  }

  /** @return the X.509 certificate */
  public X509Certificate certificate() {
    return certificate;
  }

  /** @return the private key; a secret */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** @return the end of the validity period ({@code notAfter}) */
  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** @return the start of the validity period ({@code notBefore}) */
  public Instant notBefore() {
    return certificate.getNotBefore().toInstant();
  }

  /** @return the serial number in decimal */
  public String serial() {
    BigInteger s = certificate.getSerialNumber();
    return s.toString();
  }

  /**
   * The subject in the order of its RDN sequence, as the agent wrote it, e.g.
   * {@code CN=<workspace>,CN=<agent guid>,OU=Linux Monitoring Agent,O=Microsoft}.
   *
   * @return the subject
   */
  public String subject() {
    return Pem.subjectInOrder(certificate);
  }

  /**
   * Whether the certificate has expired at the given time.
   *
   * @param now the time
   * @return {@code true} when {@code now} is after {@code notAfter}
   */
  public boolean isExpiredAt(Instant now) {
    return now.isAfter(notAfter());
  }

  /**
   * The base64 DER body of the certificate, on one line: what the agent puts in {@code AuthenticationCertificate}
   * and {@code NewCertificate} (PROTOCOL §B2 step 3).
   *
   * @return base64 without line breaks
   */
  public String base64Der() {
    try {
      return Base64.getEncoder().encodeToString(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  /** Shows subject, serial and validity; never the key. */
  @Override
  public String toString() {
    return "AgentCertificate{subject=" + subject() + ", serial=" + serial() + ", notBefore=" + notBefore()
        + ", notAfter=" + notAfter() + ", privateKey=OBFUSCATED}";
  }
}
