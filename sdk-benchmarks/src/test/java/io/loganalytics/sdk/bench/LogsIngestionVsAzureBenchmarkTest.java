package io.loganalytics.sdk.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Both sides of {@link LogsIngestionVsAzureBenchmark} really deliver to the sink, one 204 per call. */
class LogsIngestionVsAzureBenchmarkTest {
  @Test
  void bothClientsDeliverEveryRecordToTheSink() throws Exception {
    LogsIngestionVsAzureBenchmark bench = new LogsIngestionVsAzureBenchmark();
    bench.setUp();
    try {
      assertThat(BenchData.averageJsonBytes(bench.records)).isBetween(250.0, 350.0);

      bench.sdkSendAllUntil204();
      assertThat(bench.sdk.stats().recordsSent()).isEqualTo(LogsIngestionVsAzureBenchmark.RECORDS);
      assertThat(bench.sink.requests.sum()).isEqualTo(1);
      long sdkBytes = bench.sink.bytes.sum();

      bench.azureUpload();
      assertThat(bench.sink.requests.sum()).isEqualTo(2);
      long azureBytes = bench.sink.bytes.sum() - sdkBytes;
      // Both gzip the same ~300 KB of JSON into one request: the bodies are of a size.
      assertThat(sdkBytes).isBetween(10_000L, 200_000L);
      assertThat(azureBytes).isBetween(sdkBytes / 2, sdkBytes * 2);
    } finally {
      bench.tearDown();
    }
  }
}
