package io.loganalytics.sdk.impl.http;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.HostResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * The SDK's one OkHttp client setup. Internal: public only for the SDK's other packages.
 *
 * <ul>
 *   <li>HTTP/1.1 only (HTTP/2 was measured 240 times slower for this traffic);
 *   <li>{@code TCP_NODELAY} on every socket;
 *   <li>trust: the JVM's default trust manager ({@code TrustManagerFactory.init((KeyStore) null)}, so
 *       {@code javax.net.ssl.trustStore} is honoured) plus, optionally, the certificates of extra PEM files: a server
 *       is trusted when either trusts it. Verification and OkHttp's host name check are never turned off;
 *   <li>mutual TLS with the current client certificate ({@link ClientCertificateExecutor});
 *   <li>proxy through {@code CONNECT} with Basic credentials (preemptive and on 407), {@code no_proxy} honoured,
 *       credentials to the proxy only;
 *   <li>the SDK's {@link HostResolver} as OkHttp's {@code Dns};
 *   <li>timeouts from {@link HttpSettings}; no redirects followed (a 3xx is an answer);
 *   <li>no silent retries ({@code retryOnConnectionFailure(false)}): a reset or dropped connection is an
 *       {@link java.io.IOException} for the caller, so every retry is the uploader's, with its backoff, counted and
 *       reported to the listener.
 * </ul>
 *
 * <p>Stateless and thread-safe; each call builds a new client with its own pool and threads.
 */
public final class HttpClients {
  private HttpClients() {}

  /**
   * A client presenting a client certificate that can be switched at run time (agent path).
   *
   * @param settings the settings
   * @param key the private key of the first certificate
   * @param certificate the first certificate
   * @return the executor; close it when done
   * @throws ConfigurationException naming {@code trustCertificates} when an extra trust file cannot be read
   */
  public static ClientCertificateExecutor withClientCertificate(HttpSettings settings, PrivateKey key,
      X509Certificate certificate) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(certificate, "certificate");
    TlsFactory tls = new TlsFactory(trustManager(settings.trustedCertificates()));
    return new OkHttpExecutor(baseClient(settings), tls, settings, key, certificate, true);
  }

  /**
   * A client without client certificate (Data Collector path).
   *
   * @param settings the settings
   * @return the executor; close it when done
   * @throws ConfigurationException naming {@code trustCertificates} when an extra trust file cannot be read
   */
  public static ClientCertificateExecutor withoutClientCertificate(HttpSettings settings) {
    TlsFactory tls = new TlsFactory(trustManager(settings.trustedCertificates()));
    return new OkHttpExecutor(baseClient(settings), tls, settings, null, null, true);
  }

  /**
   * A client for managed identity endpoints (Azure VM IMDS, App Service, Azure Arc). It never goes through a proxy:
   * those endpoints live on this host or its link-local network, and IMDS refuses forwarded requests. Plain
   * {@code http} is allowed only to a {@linkplain #isLocalPlainHttp(URI) loopback or link-local address} (IMDS and
   * the Arc agent speak nothing else); any other {@code http} URL is refused before a byte is sent, and {@code https}
   * is verified as everywhere else.
   *
   * @param settings the settings (timeouts, extra trust anchors, response limit); the proxy is ignored
   * @return the executor; close it when done
   * @throws ConfigurationException naming {@code trustCertificates} when an extra trust file cannot be read
   */
  public static ClientCertificateExecutor forManagedIdentity(HttpSettings settings) {
    TlsFactory tls = new TlsFactory(trustManager(settings.trustedCertificates()));
    OkHttpClient direct = baseClient(settings).newBuilder().proxy(java.net.Proxy.NO_PROXY).build();
    return new LocalPlainHttpExecutor(new OkHttpExecutor(direct, tls, settings, null, null, true));
  }

  /**
   * Whether a URL may be fetched over plain {@code http} by {@link #forManagedIdentity}: its host is
   * {@code localhost} or an IP literal of a loopback ({@code 127.0.0.0/8}, {@code ::1}) or link-local
   * ({@code 169.254.0.0/16}, {@code fe80::/10}) address. No name is resolved.
   *
   * @param uri the URL
   * @return {@code true} for such an http URL
   */
  public static boolean isLocalPlainHttp(URI uri) {
    if (uri == null || !"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return false;
    }
    String host = uri.getHost();
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ipLiteral = literal.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || (literal.contains(":")
        && literal.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+"));
    if (!ipLiteral) {
      return false;
    }
    try {
      InetAddress a = InetAddress.getByName(literal);
      return a.isLoopbackAddress() || a.isLinkLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Refuses plain http to anything but a loopback or link-local address; delegates everything else. */
  private static final class LocalPlainHttpExecutor implements ClientCertificateExecutor {
    private final ClientCertificateExecutor delegate;

    LocalPlainHttpExecutor(ClientCertificateExecutor delegate) {
      this.delegate = delegate;
    }

    @Override
    public HttpResponse execute(HttpRequest request) throws IOException {
      URI uri = request.uri();
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (scheme.equals("http") && !isLocalPlainHttp(uri)) {
        throw new IOException("refusing plain http to " + uri.getHost() + ": only a loopback or link-local "
            + "managed identity endpoint may be reached without TLS; use https");
      }
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IOException("refusing the scheme '" + scheme + "'; use http or https");
      }
      return delegate.execute(request);
    }

    @Override
    public void presentCertificate(PrivateKey key, X509Certificate certificate) {
      throw new UnsupportedOperationException("managed identity endpoints take no client certificate");
    }

    @Override
    public HttpExecutor withCertificate(PrivateKey key, X509Certificate certificate) {
      throw new UnsupportedOperationException("managed identity endpoints take no client certificate");
    }

    @Override
    public X509Certificate currentCertificate() {
      return null;
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public String toString() {
      return "ManagedIdentityHttp{" + delegate + "}";
    }
  }

  static OkHttpClient baseClient(HttpSettings settings) {
    HostResolver resolver = settings.resolver();
    OkHttpClient.Builder b = new OkHttpClient.Builder()
        .protocols(List.of(Protocol.HTTP_1_1))
        .socketFactory(new TcpNoDelaySocketFactory())
        .dns(new ResolverDns(resolver))
        .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(settings.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .callTimeout(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false);
    settings.proxy().ifPresent(p -> b.proxySelector(ProxyRouting.selector(p))
        .proxyAuthenticator(ProxyRouting.authenticator(p, settings.preemptiveProxyAuthentication())));
    return b.build();
  }

  /**
   * The JVM's default trust manager, combined with one for the extra anchors when there are any.
   *
   * @param extraPemFiles PEM files of extra trust anchors
   * @return the trust manager
   * @throws ConfigurationException naming {@code trustCertificates} when a file cannot be read
   */
  static X509TrustManager trustManager(List<Path> extraPemFiles) {
    try {
      List<X509TrustManager> managers = new ArrayList<>();
      managers.add(x509((KeyStore) null));
      if (!extraPemFiles.isEmpty()) {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int n = 0;
        for (Path file : extraPemFiles) {
          for (X509Certificate c : readCertificates(file)) {
            anchors.setCertificateEntry("extra-" + n++, c);
          }
        }
        managers.add(x509(anchors));
      }
      return managers.size() == 1 ? managers.get(0) : new CompositeTrustManager(managers);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot initialise the JVM's trust manager: " + e, e);
    }
  }

  private static X509TrustManager x509(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager) {
        return (X509TrustManager) tm;
      }
    }
    throw new GeneralSecurityException("no X509TrustManager in " + tmf.getAlgorithm());
  }

  private static List<X509Certificate> readCertificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : all) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new ConfigurationException("trustCertificates", file + " holds no PEM certificate");
      }
      return out;
    } catch (IOException e) {
      throw new ConfigurationException("trustCertificates", "cannot read " + file + ": " + e, e);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("trustCertificates", file + " is not a PEM or DER certificate file: "
          + e.getMessage(), e);
    }
  }

  /** Makes an {@code SSLContext} per client identity around one shared trust manager. Thread-safe. */
  static final class TlsFactory {
    private final X509TrustManager trustManager;

    TlsFactory(X509TrustManager trustManager) {
      this.trustManager = trustManager;
    }

    X509TrustManager trustManager() {
      return trustManager;
    }

    SSLSocketFactory socketFactory(PrivateKey key, X509Certificate certificate) {
      try {
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManager[] kms = key == null ? null : new KeyManager[] {
            new FixedKeyManager(key, new X509Certificate[] {certificate})};
        ctx.init(kms, new TrustManager[] {trustManager}, null);
        return ctx.getSocketFactory();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
      }
    }
  }

  /** OkHttp's {@code Dns} over the SDK's {@link HostResolver}. */
  private static final class ResolverDns implements Dns {
    private final HostResolver resolver;

    ResolverDns(HostResolver resolver) {
      this.resolver = resolver;
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
      List<InetAddress> addresses = resolver.resolve(hostname);
      if (addresses == null || addresses.isEmpty()) {
        throw new UnknownHostException(hostname + ": the resolver returned no address");
      }
      return addresses;
    }
  }
}
