package io.loganalytics.connect;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The connector's Logs Ingestion settings for a {@link WorkspaceEmulator}: an app with a client secret in the
 * emulator's tenant, a DCR declaring the streams, the publisher role, and the keys that point the connector at the
 * emulator's Entra and ingestion endpoints on loopback (TLS verified against the emulator's CA).
 */
final class LogsIngestionSetup {
  static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  static final String APP = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f";

  private LogsIngestionSetup() {}

  /**
   * Registers the app with {@code secret}, creates the DCR with {@code streams} and grants the app on it.
   *
   * @param emulator the emulator
   * @param secret the client secret
   * @param streams the DCR's streams
   */
  static void register(WorkspaceEmulator emulator, String secret, String... streams) {
    emulator.registerClientSecret(APP, secret);
    emulator.createDataCollectionRule(DCR, streams);
    emulator.grantPublisher(DCR, APP);
  }

  /**
   * Connector properties for the Logs Ingestion transport against the emulator.
   *
   * @param emulator the emulator
   * @param ca the emulator's CA certificate, written to a file
   * @param secret the client secret as the connector config holds it (the value, or a {@code ${file:...}} reference)
   * @return mutable properties
   */
  static Map<String, String> props(WorkspaceEmulator emulator, Path ca, String secret) {
    CloudEnvironment cloud = emulator.logsIngestionCloud();
    Map<String, String> c = new HashMap<>();
    c.put("loganalytics.transport", "LOGS_INGESTION");
    c.put("loganalytics.dce.endpoint", emulator.logsIngestionEndpoint().toString());
    c.put("loganalytics.dcr.immutable.id", DCR);
    c.put("loganalytics.tenant.id", emulator.tenantId());
    c.put("loganalytics.client.id", APP);
    c.put("loganalytics.client.secret", secret);
    c.put("loganalytics.cloud", emulator.cloud().domain());
    c.put("loganalytics.cloud.port", String.valueOf(emulator.port()));
    c.put("loganalytics.authority.host", cloud.authorityHost().toString());
    c.put("loganalytics.ingestion.audience", cloud.ingestionAudience());
    c.put("loganalytics.host.address", "127.0.0.1");
    c.put("loganalytics.ssl.truststore.pem", ca.toString());
    return c;
  }
}
