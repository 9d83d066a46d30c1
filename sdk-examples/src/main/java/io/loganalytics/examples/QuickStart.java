package io.loganalytics.examples;

import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The README's first snippet, compiled: send one record to the stream {@code Custom-MyAppEvents_CL} of a data
 * collection rule over the Logs Ingestion API, authenticated with Microsoft Entra ID. The region between the
 * {@code README-SNIPPET} markers is copied into README.md verbatim; {@code ReadmeSnippetTest} fails the build when the
 * two drift apart.
 *
 * <p>Run it with the data collection endpoint in {@code LOGANALYTICS_ENDPOINT}, the DCR's immutable id in
 * {@code LOGANALYTICS_DCR}, and an Entra credential in the environment, as azure-identity reads it
 * ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_SECRET}; or a certificate, workload or
 * managed identity).
 */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Sends one record and waits until it is delivered.
   *
   * @param args not used
   */
  public static void main(String[] args) {
    String endpoint = System.getenv("LOGANALYTICS_ENDPOINT");
    String dcr = System.getenv("LOGANALYTICS_DCR");
    if (endpoint == null || dcr == null) {
      System.err.println("error: set LOGANALYTICS_ENDPOINT (the data collection endpoint) and LOGANALYTICS_DCR "
          + "(the DCR's immutable id, dcr-...)");
      System.exit(2);
    }
    // README-SNIPPET-START
    try (LogAnalyticsClient client = LogAnalyticsClient.builder()
        .logsIngestion(URI.create(endpoint), dcr)              // the DCE and the DCR's immutable id
        .entraCredential(EntraCredential.fromEnvironment())    // AZURE_TENANT_ID, AZURE_CLIENT_ID, ...
        .bufferDirectory(Path.of("quickstart-buffer"))
        .build()) {
      client.send("Custom-MyAppEvents_CL", Map.of("level", "info", "message", "hello from the QuickStart"));
      client.flush(Duration.ofSeconds(30));
      System.out.println(client.stats());
    }
    // README-SNIPPET-END
  }
}
