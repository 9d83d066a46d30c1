package io.loganalytics.sdk.impl.http;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server when any of its delegates does: the JVM's default trust manager (which honours
 * {@code javax.net.ssl.trustStore}) and, optionally, one built from extra PEM anchors (for TLS-inspecting proxies).
 * Verification is never skipped: a chain no delegate accepts is refused with the first delegate's reason. Client
 * certificates are not checked here (the SDK is a client). Immutable and thread-safe.
 */
final class CompositeTrustManager implements X509TrustManager {
  private final List<X509TrustManager> delegates;

  CompositeTrustManager(List<X509TrustManager> delegates) {
    if (delegates.isEmpty()) {
      throw new IllegalArgumentException("at least one trust manager is needed");
    }
    this.delegates = List.copyOf(delegates);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    CertificateException first = null;
    for (X509TrustManager tm : delegates) {
      try {
        tm.checkServerTrusted(chain, authType);
        return;
      } catch (CertificateException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    throw first;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    CertificateException first = null;
    for (X509TrustManager tm : delegates) {
      try {
        tm.checkClientTrusted(chain, authType);
        return;
      } catch (CertificateException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    throw first;
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    List<X509Certificate> all = new ArrayList<>();
    for (X509TrustManager tm : delegates) {
      all.addAll(List.of(tm.getAcceptedIssuers()));
    }
    return all.toArray(new X509Certificate[0]);
  }
}
