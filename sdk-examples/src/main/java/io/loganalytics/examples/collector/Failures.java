package io.loganalytics.examples.collector;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One line an operator can act on for a failure: the SDK's message, followed by the root cause found in the cause
 * chain (TLS trust, DNS, a refused connection or proxy, a timeout) and what to do about it. The SDK's messages and the
 * JDK's network exceptions never contain secrets; nothing else is read. Stateless; thread-safe.
 */
final class Failures {
  /** The hint printed when the server's certificate is not trusted. */
  static final String UNTRUSTED_HINT = "the server's TLS certificate is not trusted: if a TLS-inspecting proxy or a "
      + "private CA sits in between, give its CA certificate with --ca-file PEM (the JVM trust store stays in force)";

  private Failures() {}

  /**
   * @param e the failure
   * @return one line: the message and, when the chain shows one, the cause and the fix
   */
  static String describe(Throwable e) {
    String top = oneLine(e);
    String cause = cause(e);
    if (cause == null || top.contains(cause)) {
      return top;
    }
    return top + " (cause: " + cause + ")";
  }

  /**
   * The root cause in operator terms, or null when the chain holds nothing recognisable.
   *
   * @param e the failure
   * @return the cause and what to do, one line
   */
  static String cause(Throwable e) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      String lower = m.toLowerCase(Locale.ROOT);
      if (t instanceof CertPathValidatorException || t instanceof SSLPeerUnverifiedException
          || lower.contains("pkix path") || lower.contains("unable to find valid certification path")
          || (t instanceof CertificateException && lower.contains("trust"))) {
        return UNTRUSTED_HINT;
      }
      if (t instanceof UnknownHostException) {
        return "cannot resolve host " + oneLine(t) + ": check DNS, -d (the cloud) and whether a proxy (-p, "
            + "proxy.conf, https_proxy) is needed";
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return "connection refused or unreachable (" + oneLine(t) + "): check the proxy (-p, proxy.conf, "
            + "https_proxy) and the firewall";
      }
      if (lower.contains("unable to tunnel through proxy") || lower.contains("proxy authentication required")
          || lower.contains("407")) {
        return "the proxy refused the tunnel (" + oneLine(t) + "): check its address and credentials ("
            + Commands.PROXY_PASSWORD_ENV + " or --proxy-password-file)";
      }
      if (t instanceof SocketTimeoutException) {
        return "timed out (" + oneLine(t) + "): check the network path and the proxy";
      }
      if (t instanceof SSLHandshakeException || (t instanceof SSLException && t.getCause() == null)) {
        return "TLS handshake failed (" + oneLine(t) + ")";
      }
    }
    return null;
  }

  /**
   * The fix for a failure known only by its text (a retry's cause, {@code ClientStats.lastError}): an untrusted
   * server certificate or a host name that does not resolve, which waiting does not cure.
   *
   * @param text the failure's text
   * @return what to do, or empty
   */
  static java.util.Optional<String> hintFromText(String text) {
    String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
    if (lower.contains("pkix path") || lower.contains("does not trust the server certificate")
        || lower.contains("unable to find valid certification path")) {
      return java.util.Optional.of(UNTRUSTED_HINT);
    }
    if (lower.contains("unknownhostexception") || lower.contains("name or service not known")) {
      return java.util.Optional.of("a host name does not resolve: check DNS, -d (the cloud) or --endpoint, and "
          + "whether a proxy (-p, proxy.conf, https_proxy) is needed");
    }
    return java.util.Optional.empty();
  }

  /** One line describing a throwable; the messages of the SDK's exceptions never contain secrets. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.replace('\n', ' ').replace('\r', ' ');
  }
}
