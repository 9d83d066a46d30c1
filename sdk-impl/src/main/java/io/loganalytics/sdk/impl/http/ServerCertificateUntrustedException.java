package io.loganalytics.sdk.impl.http;

import javax.net.ssl.SSLException;

/**
 * The TLS handshake failed because this client does not trust the server's certificate (no path to a trust
 * anchor). Retrying cannot help: a trust anchor has to be added ({@code trustCertificates}, the collector's
 * {@code --ca-file}) or the interception removed. The message says so. Internal: public only for the SDK's other
 * packages.
 */
public final class ServerCertificateUntrustedException extends SSLException {
  private static final long serialVersionUID = 1L;

  ServerCertificateUntrustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
