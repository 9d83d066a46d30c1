package io.loganalytics.examples.collector;

import java.util.Map;

/**
 * Where the collector's inputs put records. In production it is {@code client::send} of a
 * {@link io.loganalytics.sdk.LogAnalyticsClient}; tests record what arrives. Implementations must be thread-safe:
 * the syslog receiver calls it from several threads.
 */
@FunctionalInterface
interface RecordSink {
  /**
   * Takes one record.
   *
   * @param type the record type (a DataType on the agent path, a Log-Type on the Data Collector path)
   * @param record the fields, in the order they should be written
   * @throws io.loganalytics.sdk.LogAnalyticsException when the record cannot be taken; a retryable one (a full
   *     buffer) means "try again later" and the caller retries or counts a drop, see {@link SyslogReceiver}
   * @throws RuntimeException when the record cannot be taken for good (the caller counts it and goes on)
   */
  void accept(String type, Map<String, Object> record);
}
