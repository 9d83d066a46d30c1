package io.loganalytics.sdk.impl.http;

import javax.net.ssl.SSLException;

/**
 * The server refused the client certificate during the TLS handshake: it answered with a
 * {@code certificate_unknown}, {@code bad_certificate}, {@code certificate_expired}, {@code certificate_revoked} or
 * {@code certificate_required} alert. For the agent service this means the agent certificate is expired or no longer
 * registered, the same as an HTTP 401/403 answer. The message names the certificate's serial, never key material.
 *
 * <p>Internal: public only for the SDK's other packages. Immutable.
 */
public final class ClientCertificateRefusedException extends SSLException {
  private static final long serialVersionUID = 1L;

  ClientCertificateRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
