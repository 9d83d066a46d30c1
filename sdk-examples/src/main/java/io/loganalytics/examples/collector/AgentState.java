package io.loganalytics.examples.collector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads (never writes) the agent state directory the SDK keeps, compatible with the legacy agent's:
 * {@code omsadmin.conf} ({@code KEY=value} lines such as {@code WORKSPACE_ID}, {@code AGENT_GUID}) and
 * {@code certs/oms.crt}. The private key is never read. Plain JDK; stateless; thread-safe.
 */
final class AgentState {
  private AgentState() {}

  /**
   * @param stateDir the state directory
   * @return the {@code omsadmin.conf} entries in file order, empty when the file is missing
   * @throws IOException when the file exists but cannot be read
   */
  static Map<String, String> config(Path stateDir) throws IOException {
    Path conf = stateDir.resolve("omsadmin.conf");
    Map<String, String> entries = new LinkedHashMap<>();
    if (!Files.isRegularFile(conf)) {
      return entries;
    }
    for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) {
        entries.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return entries;
  }

  /**
   * @param stateDir the state directory
   * @return the agent certificate, empty when there is none
   * @throws IOException when it exists but cannot be read or parsed
   */
  static Optional<X509Certificate> certificate(Path stateDir) throws IOException {
    Path crt = stateDir.resolve("certs").resolve("oms.crt");
    if (!Files.isRegularFile(crt)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(crt)) {
      return Optional.of((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    } catch (CertificateException e) {
      throw new IOException(crt + " is not a readable X.509 certificate: " + e.getMessage(), e);
    }
  }
}
