package io.loganalytics.sdk.spi;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;

/**
 * The implementation behind the API, found with {@link java.util.ServiceLoader}. The artifact
 * {@code io.loganalytics:loganalytics-sdk-impl} provides one. Not for applications: they use {@link LogAnalyticsClient#builder()}
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
   * Builds a stand-alone uploader from a validated builder: the client's transport, credentials, proxy, trust,
   * retry policy and listener, without a disk buffer or a background thread. The default refuses, for providers
   * written before this method existed.
   *
   * @param config the builder's settings
   * @return an uploader that also encodes records; closing it releases its connections
   * @throws UnsupportedOperationException when the provider cannot build one
   */
  default ChunkUploader createUploader(LogAnalyticsClientBuilder config) {
    throw new UnsupportedOperationException("this Log Analytics SDK implementation cannot build a stand-alone "
        + "uploader");
  }

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
