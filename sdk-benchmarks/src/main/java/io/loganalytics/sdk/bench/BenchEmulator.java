package io.loganalytics.sdk.bench;

import io.loganalytics.integration.ClientBuilderCustomizer;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.time.Duration;

/**
 * Points an appender's client at the workspace emulator of the running benchmark (its cloud, its resolver), with
 * short retries; the appender instantiates it by name ({@code customizer}). One emulator at a time.
 */
public final class BenchEmulator implements ClientBuilderCustomizer {
  static volatile WorkspaceEmulator emulator;

  /** Instantiated by the appender. */
  public BenchEmulator() {}

  @Override
  public void customize(LogAnalyticsClientBuilder builder) {
    builder.cloud(emulator.cloud()).hostResolver(emulator.hostResolver()).retryPolicy(RetryPolicy.builder()
        .uploadInterval(Duration.ofMillis(200)).initialBackoff(Duration.ofMillis(50))
        .maxBackoff(Duration.ofMillis(500)).maxRetries(100).build());
  }
}
