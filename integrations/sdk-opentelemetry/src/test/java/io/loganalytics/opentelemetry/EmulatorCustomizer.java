package io.loganalytics.opentelemetry;

import io.loganalytics.integration.ClientBuilderCustomizer;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.time.Duration;

/**
 * What the otel.exporter.loganalytics properties cannot say about the test workspace: the emulator's cloud (its port), its host resolver, a fast
 * retry policy and a test listener. Named by otel.exporter.loganalytics.customizer.
 */
public final class EmulatorCustomizer implements ClientBuilderCustomizer {
  static volatile WorkspaceEmulator emulator;
  static volatile LogAnalyticsListener listener;

  static final RetryPolicy FAST = RetryPolicy.builder()
      .uploadInterval(Duration.ofMillis(50))
      .initialBackoff(Duration.ofMillis(20))
      .maxBackoff(Duration.ofMillis(100))
      .maxRetries(100)
      .build();

  /** The exporter provider instantiates it by name. */
  public EmulatorCustomizer() {}

  @Override
  public void customize(LogAnalyticsClientBuilder builder) {
    builder.cloud(emulator.logsIngestionCloud()).hostResolver(emulator.hostResolver()).retryPolicy(FAST);
    if (listener != null) {
      builder.listener(listener);
    }
  }
}
