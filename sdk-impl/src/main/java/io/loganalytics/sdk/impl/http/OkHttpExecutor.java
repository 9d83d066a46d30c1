package io.loganalytics.sdk.impl.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HttpExecutor} over OkHttp. It keeps an immutable client per client certificate, derived from one base
 * client with {@code newBuilder()} (so all share the connection pool and dispatcher), and swaps the current one
 * atomically. Each certificate gets its own {@code SSLContext}, hence its own TLS session cache: a resumed session
 * can never present an old certificate. Connections are pooled per {@code SSLSocketFactory}, so a connection opened
 * with the old certificate is never used for a request started after the switch.
 *
 * <p>Response bodies are read up to {@link HttpSettings#maxResponseBytes()}; the rest is dropped (the connection is
 * then not reused). I/O failures are rethrown with a sentence on what to check, never with a secret: a server
 * certificate this client does not trust (add a trust anchor), a client certificate the server refused during the
 * handshake ({@link ClientCertificateRefusedException}: expired or not registered), refused proxy credentials.
 *
 * <p>A request made on a thread bound to an {@link HttpCancellation} is registered with it while it runs; cancelling
 * the token cancels the OkHttp call, which then fails with an {@link IOException} saying it was cancelled.
 * Thread-safe.
 */
final class OkHttpExecutor implements ClientCertificateExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(OkHttpExecutor.class);
  private static final Set<String> BODY_HEADERS = Set.of("content-type", "content-length", "host");
  /** TLS alerts by which a server refuses the client certificate. */
  private static final List<String> REFUSAL_ALERTS = List.of("certificate_unknown", "bad_certificate",
      "certificate_expired", "certificate_revoked", "unsupported_certificate", "certificate_required");

  private final OkHttpClient base;
  private final HttpClients.TlsFactory tls;
  private final HttpSettings settings;
  private final AtomicReference<Identity> current;
  private final boolean owner;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A client and the certificate it presents (null for none). */
  private static final class Identity {
    final OkHttpClient client;
    final X509Certificate certificate;

    Identity(OkHttpClient client, X509Certificate certificate) {
      this.client = client;
      this.certificate = certificate;
    }
  }

  OkHttpExecutor(OkHttpClient base, HttpClients.TlsFactory tls, HttpSettings settings, PrivateKey key,
      X509Certificate certificate, boolean owner) {
    this.base = base;
    this.tls = tls;
    this.settings = settings;
    this.owner = owner;
    this.current = new AtomicReference<>(identity(key, certificate));
  }

  private Identity identity(PrivateKey key, X509Certificate certificate) {
    OkHttpClient client = base.newBuilder()
        .sslSocketFactory(tls.socketFactory(key, certificate), tls.trustManager())
        .build();
    return new Identity(client, certificate);
  }

  @Override
  public void presentCertificate(PrivateKey key, X509Certificate certificate) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(certificate, "certificate");
    current.set(identity(key, certificate));
    // Idle connections of the previous certificate would never be picked again; close them now.
    base.connectionPool().evictAll();
    LOG.debug("New connections now present the certificate with serial {}", certificate.getSerialNumber());
  }

  @Override
  public HttpExecutor withCertificate(PrivateKey key, X509Certificate certificate) {
    return new OkHttpExecutor(base, tls, settings, key, certificate, false);
  }

  @Override
  public X509Certificate currentCertificate() {
    return current.get().certificate;
  }

  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    if (closed.get()) {
      throw new IOException("the HTTP client is closed");
    }
    Request.Builder rb = new Request.Builder().url(request.uri().toString());
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      if (!BODY_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        rb.addHeader(h.getKey(), h.getValue());
      }
    }
    if ("GET".equals(request.method())) {
      rb.get();
    } else {
      MediaType type = request.contentType() == null ? null : MediaType.parse(request.contentType());
      rb.post(RequestBody.create(request.body(), type));
    }
    OkHttpClient client = current.get().client;
    Call call = client.newCall(rb.build());
    HttpCancellation cancellation = HttpCancellation.current();
    if (cancellation != null) {
      cancellation.started(call);
    }
    try (Response response = call.execute()) {
      int limit = request.maxResponseBytes() > 0
          ? Math.min(request.maxResponseBytes(), settings.maxResponseBytes()) : settings.maxResponseBytes();
      return readLimited(response, limit);
    } catch (IOException e) {
      if (call.isCanceled()) {
        throw new IOException("the request to " + describe(request.uri()) + " was cancelled (the client is closing)",
            e);
      }
      if (e instanceof SSLException) {
        throw tlsFailure(request.uri().getHost(), (SSLException) e, current.get().certificate);
      }
      if (String.valueOf(e.getMessage()).contains("Failed to authenticate with proxy")) {
        throw new IOException("the proxy " + settings.proxy().map(p -> p.host() + ":" + p.port()).orElse("")
            + " refused the credentials (HTTP 407) for " + describe(request.uri())
            + "; check the proxy user and password", e);
      }
      throw e;
    } finally {
      if (cancellation != null) {
        cancellation.finished(call);
      }
    }
  }

  /**
   * Says whose certificate a TLS failure is about. We refused the server's ({@code PKIX path building failed}, no
   * valid certification path): a trust-anchor hint. The server refused ours (a {@code certificate_unknown},
   * {@code bad_certificate}, {@code certificate_expired}, ... alert): a {@link ClientCertificateRefusedException}.
   * We do not trust the server: a {@link ServerCertificateUntrustedException}.
   * Anything else keeps the handshake's own words.
   */
  static IOException tlsFailure(String host, SSLException e, X509Certificate clientCertificate) {
    if (isServerTrustFailure(e)) {
      return new ServerCertificateUntrustedException("TLS handshake with " + host + " failed: this client does not trust the "
          + "server certificate (" + e.getMessage() + "). If a TLS-inspecting proxy or a private CA is in the path, "
          + "add its CA certificate as an extra trust anchor (trustCertificates, or --ca-file for the collector); "
          + "the JVM trust store (javax.net.ssl.trustStore) is also honoured.", e);
    }
    String alert = refusalAlert(e);
    if (alert != null && clientCertificate != null) {
      return new ClientCertificateRefusedException("TLS handshake with " + host + " failed: the service refused the "
          + "agent certificate (expired or not registered?): serial " + clientCertificate.getSerialNumber()
          + ", expires " + clientCertificate.getNotAfter().toInstant() + ", alert " + alert, e);
    }
    if (alert != null) {
      return new IOException("TLS handshake with " + host + " failed: the server requires a client "
          + "certificate (alert " + alert + ")", e);
    }
    if (e instanceof SSLPeerUnverifiedException) {
      return new IOException("TLS handshake with " + host + " failed: " + e.getMessage()
          + ". The server certificate does not name this host; check the cloud domain, and that no proxy "
          + "intercepts TLS with a certificate for another name", e);
    }
    return new IOException("TLS with " + host + " failed: " + e.getMessage(), e);
  }

  private static boolean isServerTrustFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return true;
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("PKIX path building failed") || m.contains("unable to find valid certification path")
          || m.contains("PKIX path validation failed")) {
        return true;
      }
    }
    return false;
  }

  /** The name of a certificate-refusal alert received from the peer, or {@code null}. */
  private static String refusalAlert(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("Received fatal alert")) {
        for (String alert : REFUSAL_ALERTS) {
          if (m.contains(alert)) {
            return alert;
          }
        }
      }
    }
    return null;
  }

  private static String describe(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  /** Reads at most {@code max} bytes of the body, and one more to know whether it was longer; never the rest. */
  private static HttpResponse readLimited(Response response, int max) throws IOException {
    ResponseBody body = response.body();
    try (InputStream in = body.byteStream()) {
      byte[] bytes = in.readNBytes(max);
      boolean truncated = bytes.length == max && in.read() >= 0;
      if (truncated) {
        LOG.debug("Response body longer than {} bytes; the rest is dropped", max);
      }
      return new HttpResponse(response.code(), response.headers().toMultimap(), bytes, truncated);
    }
  }

  @Override
  public void close() {
    if (owner && closed.compareAndSet(false, true)) {
      base.dispatcher().executorService().shutdown();
      base.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    X509Certificate c = current.get().certificate;
    return "OkHttpExecutor{" + settings + (c == null ? "" : ", clientCertificateSerial=" + c.getSerialNumber())
        + "}";
  }
}
