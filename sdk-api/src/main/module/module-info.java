/**
 * The Log Analytics SDK's contract: the client, its builder, credentials, clouds, the disk buffer and the uploader.
 * It has no third-party dependency. The implementation ({@code io.loganalytics.sdk.impl}) is found with
 * {@link java.util.ServiceLoader}.
 */
module io.loganalytics.sdk {
  exports io.loganalytics.sdk;
  exports io.loganalytics.sdk.spi;

  uses io.loganalytics.sdk.spi.LogAnalyticsProvider;
}
