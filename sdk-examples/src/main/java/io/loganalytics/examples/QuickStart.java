package io.loganalytics.examples;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The README's first snippet, compiled: send one record to a workspace's {@code MyAppEvents_CL} table over the
 * Data Collector API. The region between the {@code README-SNIPPET} markers is copied into README.md verbatim;
 * {@code ReadmeSnippetTest} fails the build when the two drift apart.
 *
 * <p>Run it with the workspace ID and a shared key in {@code LOGANALYTICS_WORKSPACE_ID} and
 * {@code LOGANALYTICS_SHARED_KEY}.
 */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Sends one record and waits until it is delivered.
   *
   * @param args not used
   */
  public static void main(String[] args) {
    String workspaceId = System.getenv("LOGANALYTICS_WORKSPACE_ID");
    String sharedKey = System.getenv("LOGANALYTICS_SHARED_KEY");
    if (workspaceId == null || sharedKey == null) {
      System.err.println("error: set LOGANALYTICS_WORKSPACE_ID and LOGANALYTICS_SHARED_KEY");
      System.exit(2);
    }
    // README-SNIPPET-START
    try (LogAnalyticsClient client = LogAnalyticsClient.builder()
        .credentials(WorkspaceCredentials.of(workspaceId, sharedKey))
        .transport(Transport.DATA_COLLECTOR)
        .bufferDirectory(Path.of("quickstart-buffer"))
        .build()) {
      client.send("MyAppEvents", Map.of("level", "info", "message", "hello from the QuickStart"));
      client.flush(Duration.ofSeconds(30));
      System.out.println(client.stats());
    }
    // README-SNIPPET-END
  }
}
