package io.loganalytics.sdk.impl.http;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * An {@link HttpExecutor} doing mutual TLS with a client certificate that can be replaced while it runs. After
 * {@link #presentCertificate} every new connection presents the new certificate; requests already in flight finish
 * on their connection, and idle connections made with the old one are closed so that they are not reused. Internal:
 * public only for the SDK's other packages. Thread-safe.
 */
public interface ClientCertificateExecutor extends HttpExecutor, AutoCloseable {
  /**
   * Switches to another certificate for all later requests.
   *
   * @param key its private key
   * @param certificate the certificate
   */
  void presentCertificate(PrivateKey key, X509Certificate certificate);

  /**
   * An executor sharing this one's settings, connection pool and threads but presenting another certificate; for
   * trying a new certificate before switching to it. Closing it does nothing.
   *
   * @param key the private key
   * @param certificate the certificate
   * @return the executor
   */
  HttpExecutor withCertificate(PrivateKey key, X509Certificate certificate);

  /** @return the certificate presented by new connections */
  X509Certificate currentCertificate();

  /** Closes idle connections and stops the client's threads. Idempotent. */
  @Override
  void close();
}
