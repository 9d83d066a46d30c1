package io.loganalytics.sdk.spi;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;

/**
 * The implementation behind the API, found with {@link java.util.ServiceLoader}. The artifact
 * {@code io.loganalytics:sdk-impl} provides one. Not for applications: they use {@link LogAnalyticsClient#builder()}
 * and {@link DiskBuffer#open}.
 */
public interface LogAnalyticsProvider {
  /**
   * Builds a client from a validated builder.
   *
   * @param config the builder's settings
   * @return a running client
   */
  LogAnalyticsClient createClient(LogAnalyticsClientBuilder config);

  /**
   * Opens (or creates) a disk buffer.
   *
   * @param options the buffer settings
   * @param listener where drops and quarantines are reported
   * @return the open buffer
   */
  DiskBuffer openBuffer(BufferOptions options, LogAnalyticsListener listener);

  /**
   * Reads a buffer directory without changing it and says what it holds.
   *
   * @param directory the buffer directory
   * @return the report
   */
  BufferReport verifyBuffer(Path directory);
}
