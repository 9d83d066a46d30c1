package io.loganalytics.integration;

import io.loganalytics.sdk.LogAnalyticsClientBuilder;

/**
 * Adjusts the client builder of an appender or exporter beyond what its configuration file can say: a proxy, a
 * retry policy, a listener, a token provider, a host resolver. Name the implementing class in the integration's
 * {@code customizer} setting; it needs a public no-argument constructor and is called once, when the appender or
 * exporter starts, after every setting of the file has been applied.
 *
 * <p>Implementations are called on the thread that starts the appender; they must not log through the framework
 * being configured (it is not started yet).
 */
@FunctionalInterface
public interface ClientBuilderCustomizer {
  /**
   * Adjusts the builder.
   *
   * @param builder the builder, with the file's settings applied
   */
  void customize(LogAnalyticsClientBuilder builder);
}
