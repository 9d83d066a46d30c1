package io.loganalytics.log4j2;

import io.loganalytics.integration.ClientBuilderCustomizer;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.time.Duration;

/**
 * What log4j2.xml cannot say about the test workspace: the emulator's cloud (its port), its host resolver, a fast
 * retry policy and a test listener. Named in the test configuration files as {@code <customizer>}.
 */
public final class EmulatorCustomizer implements ClientBuilderCustomizer {
  static volatile WorkspaceEmulator emulator;
  static volatile LogAnalyticsListener listener;
  /** Whether the configuration under test uses the Data Collector transport rather than Logs Ingestion. */
  static volatile boolean dataCollector;

  static final RetryPolicy FAST = RetryPolicy.builder()
      .uploadInterval(Duration.ofMillis(50))
      .initialBackoff(Duration.ofMillis(20))
      .maxBackoff(Duration.ofMillis(100))
      .maxRetries(100)
      .build();

  /** Log4j2 instantiates it by name (through the appender). */
  public EmulatorCustomizer() {}

  @Override
  public void customize(LogAnalyticsClientBuilder builder) {
    builder.cloud(dataCollector ? emulator.cloud() : emulator.logsIngestionCloud()).hostResolver(emulator.hostResolver()).retryPolicy(FAST);
    if (listener != null) {
      builder.listener(listener);
    }
  }
}
