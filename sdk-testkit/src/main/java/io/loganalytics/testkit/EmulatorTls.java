package io.loganalytics.testkit;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The emulator's own TLS material: a throw-away test CA, a server certificate it issued for
 * {@code *.oms.<domain>}, {@code *.ods.<domain>}, {@code localhost} and {@code 127.0.0.1}, and the server's
 * {@link SSLContext}.
 *
 * <p>The server context <em>requests</em> a client certificate and accepts any one, self-signed included, at the TLS
 * layer, as the real service does; which certificate is acceptable is decided per request against the agents
 * that onboarding registered (see {@link AgentRegistry}). The TLS handshake itself still proves that the client holds
 * the private key of the certificate it presents.
 *
 * <p>The certificates are valid from a day before to ten years after both the real time and the emulator clock, so
 * that clients validating with the system time and tests running on a fake clock both accept them.
 *
 * <p>Immutable and thread-safe.
 */
final class EmulatorTls {
  private static final Duration BEFORE = Duration.ofDays(1);
  private static final Duration AFTER = Duration.ofDays(3650);

  private final HeldCertificate ca;
  private final SSLContext serverContext;

  private EmulatorTls(HeldCertificate ca, SSLContext serverContext) {
    this.ca = ca;
    this.serverContext = serverContext;
  }

  static EmulatorTls create(String domain, Instant emulatorNow) {
    Instant realNow = Instant.now();
    Instant from = (emulatorNow.isBefore(realNow) ? emulatorNow : realNow).minus(BEFORE);
    Instant until = (emulatorNow.isAfter(realNow) ? emulatorNow : realNow).plus(AFTER);
    HeldCertificate ca = new HeldCertificate.Builder()
        .certificateAuthority(0)
        .commonName("Log Analytics workspace emulator test CA")
        .organizationalUnit("io.loganalytics.testkit")
        .validityInterval(from.toEpochMilli(), until.toEpochMilli())
        .ecdsa256()
        .build();
    HeldCertificate server = new HeldCertificate.Builder()
        .commonName("*.oms." + domain)
        .addSubjectAlternativeName("*.oms." + domain)
        .addSubjectAlternativeName("*.ods." + domain)
        .addSubjectAlternativeName("*.ingest." + domain)
        .addSubjectAlternativeName("login." + domain)
        .addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1")
        .validityInterval(from.toEpochMilli(), until.toEpochMilli())
        .signedBy(ca)
        .ecdsa256()
        .build();
    HandshakeCertificates keys = new HandshakeCertificates.Builder()
        .heldCertificate(server, ca.certificate())
        .build();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keys.keyManager()}, new TrustManager[] {new AnyClientCertificate()},
          new SecureRandom());
      return new EmulatorTls(ca, context);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the emulator's TLS context", e);
    }
  }

  /** The test CA's certificate, the trust anchor a client needs. */
  X509Certificate caCertificate() {
    return ca.certificate();
  }

  /** The test CA's certificate as PEM. */
  String caCertificatePem() {
    return ca.certificatePem();
  }

  SSLContext serverContext() {
    return serverContext;
  }

  /**
   * Accepts every client certificate chain at the TLS layer and names no acceptable issuers, so that clients send
   * their self-signed certificate. Never used to check servers.
   */
  private static final class AnyClientCertificate extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      requireChain(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      requireChain(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      requireChain(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("the emulator never acts as a TLS client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("the emulator never acts as a TLS client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("the emulator never acts as a TLS client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }

    private static void requireChain(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("empty client certificate chain");
      }
    }
  }
}
