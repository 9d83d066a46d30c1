package io.loganalytics.sdk.impl.http;

import io.loganalytics.sdk.HostResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Test PKI for a MockWebServer that plays the service over TLS: a private CA (the client trusts it through an extra
 * PEM anchor, as for a TLS-inspecting proxy), a server certificate for {@code *.oms.} and {@code *.ods.} of a test
 * domain, and a server that requires a client certificate but accepts any (the real service accepts the agent's
 * self-signed ones and decides by registration; so does the fake).
 */
public final class TestTls {
  public static final String DOMAIN = "loganalytics.test";

  public final HeldCertificate ca;
  public final HeldCertificate server;

  private static TestTls shared;

  /** One PKI for the whole test run: RSA key generation is the slow part of these tests. */
  public static synchronized TestTls shared() {
    if (shared == null) {
      shared = new TestTls();
    }
    return shared;
  }

  private TestTls() {
    ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("Test CA").rsa2048().build();
    server = new HeldCertificate.Builder().signedBy(ca).commonName("service")
        .addSubjectAlternativeName("*.oms." + DOMAIN).addSubjectAlternativeName("*.ods." + DOMAIN)
        .rsa2048().build();
  }

  /** Writes the CA as PEM, the extra trust anchor of the client. */
  public Path writeCaPem(Path dir) throws IOException {
    Path p = dir.resolve("test-ca.pem");
    Files.writeString(p, ca.certificatePem(), StandardCharsets.US_ASCII);
    return p;
  }

  /** Starts a server on loopback that requires (any) client certificate. */
  public MockWebServer startServer() throws IOException {
    MockWebServer s = new MockWebServer();
    s.useHttps(serverSocketFactory(server));
    s.requireClientAuth();
    s.start(InetAddress.getLoopbackAddress(), 0);
    return s;
  }

  /**
   * Starts a server on loopback that requires a client certificate and refuses every one, as the service does with
   * an expired or unregistered agent certificate at the TLS level (a {@code certificate_unknown} alert).
   */
  public MockWebServer startServerRefusingClientCertificates() throws IOException {
    MockWebServer s = new MockWebServer();
    // TLS 1.2: the refusal is part of the handshake. (With TLS 1.3 the client has finished its side before the
    // server checks the certificate, and often sees only a reset connection.)
    s.useHttps(new Tls12Only(serverSocketFactory(server, new NoClient())));
    s.requireClientAuth();
    s.start(InetAddress.getLoopbackAddress(), 0);
    return s;
  }

  static SSLSocketFactory serverSocketFactory(HeldCertificate serverCertificate) {
    return serverSocketFactory(serverCertificate, new AnyClient());
  }

  private static SSLSocketFactory serverSocketFactory(HeldCertificate serverCertificate, TrustManager clients) {
    HandshakeCertificates hc = new HandshakeCertificates.Builder()
        .heldCertificate(serverCertificate, List.of().toArray(new X509Certificate[0])).build();
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {hc.keyManager()}, new TrustManager[] {clients}, null);
      return new NoDelayServerSockets(ctx.getSocketFactory());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Maps every host of the test domain to loopback, as the workspace emulator does; others fail. */
  public static HostResolver loopbackResolver() {
    return host -> {
      if (host.toLowerCase(Locale.ROOT).endsWith("." + DOMAIN) || host.equals("localhost")) {
        return List.of(InetAddress.getLoopbackAddress());
      }
      throw new java.net.UnknownHostException(host + " (test resolver: only *." + DOMAIN + ")");
    };
  }

  /**
   * Sets TCP_NODELAY on the server's accepted sockets before TLS wraps them: MockWebServer writes headers and body
   * separately, and Nagle's algorithm with delayed ACKs would add 40 ms to every answer with a body.
   */
  private static final class NoDelayServerSockets extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    NoDelayServerSockets(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      s.setTcpNoDelay(true);
      return delegate.createSocket(s, host, port, autoClose);
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return delegate.createSocket(address, port, localAddress, localPort);
    }
  }

  /** Limits the server's sockets to TLS 1.2. */
  private static final class Tls12Only extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    Tls12Only(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    private static Socket limit(Socket s) {
      ((javax.net.ssl.SSLSocket) s).setEnabledProtocols(new String[] {"TLSv1.2"});
      return s;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return limit(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return limit(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return limit(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return limit(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return limit(delegate.createSocket(address, port, localAddress, localPort));
    }
  }

  /**
   * A trust manager for a test server: it never verifies a server; subclasses decide about client certificates in
   * {@link #checkClientTrusted(X509Certificate[], String)}, which every overload reaches.
   */
  private abstract static class ServerSide extends X509ExtendedTrustManager {
    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("server side only");
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("server side only");
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("server side only");
    }

    @Override
    public final X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Server side only: refuses every client certificate. */
  private static final class NoClient extends ServerSide {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      // Stands in for the network round trip: on loopback the refusal would otherwise race the client's last
      // handshake writes, and the client would see a broken pipe instead of the alert (it does over a real link).
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new CertificateException("test server: this client certificate is not registered");
    }
  }

  /** Server side only: requires a client certificate, accepts any (the agent's are self-signed). */
  private static final class AnyClient extends ServerSide {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}
  }
}
