package io.loganalytics.sdk.impl.cert;

import io.loganalytics.sdk.ConfigurationException;

/**
 * Bouncy Castle is an optional dependency of sdk-impl: only the retired agent path (generating, reading and writing
 * the agent certificate and key) needs it. This says so clearly when it is missing, instead of a
 * {@link NoClassDefFoundError} at the first certificate operation.
 *
 * <p>Internal, not API. Stateless and thread-safe.
 */
public final class BouncyCastle {
  /** The coordinates to add, as the error says them. */
  public static final String ARTIFACTS = "org.bouncycastle:bcpkix-jdk18on and org.bouncycastle:bcprov-jdk18on";

  private static final String[] REQUIRED = {
    "org.bouncycastle.jce.provider.BouncyCastleProvider", "org.bouncycastle.openssl.PEMParser",
    "org.bouncycastle.cert.X509v3CertificateBuilder"
  };

  private BouncyCastle() {}

  /**
   * Checks that Bouncy Castle can be loaded by this module's class loader.
   *
   * @param purpose what needs it, for the message, such as {@code "the agent transport"}
   * @throws ConfigurationException naming {@code transport} and the artifacts to add when it is missing
   */
  public static void require(String purpose) {
    require(purpose, BouncyCastle.class.getClassLoader());
  }

  static void require(String purpose, ClassLoader loader) {
    for (String name : REQUIRED) {
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new ConfigurationException("transport", purpose + " needs Bouncy Castle, which is not on the class "
            + "path: add " + ARTIFACTS + " (version 1.87 or later; on the module path also "
            + "--add-modules org.bouncycastle.pkix), or use the Logs Ingestion transport, which does not need it");
      }
    }
  }
}
