package io.loganalytics.sdk.impl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst into a small {@link OverflowPolicy#DROP_OLDEST} buffer while the workspace refuses everything: the uploader
 * holds a chunk whose records are evicted under it, then delivers it once the workspace is back. {@code flush} must
 * not count those records towards what was buffered when it was called: it returns {@code true} only when the buffer
 * is empty, and every record is then delivered or counted as dropped, exactly once.
 */
class FlushAfterEvictionTest {
  private static final String DCR = "dcr-99887766554433221100ffeeddccbbaa";
  private static final String APP = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
  private static final String STREAM = "Custom-Burst_CL";

  @TempDir Path tmp;

  @RepeatedTest(3)
  void flushReturnsTrueOnlyOnceEveryRecordIsDeliveredOrCountedDropped() throws Exception {
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start()) {
      EntraCredential credential = emulator.registerClientSecret(APP, "Sec~flush-eviction-5d1e");
      emulator.createDataCollectionRule(DCR, STREAM);
      emulator.grantPublisher(DCR, APP);
      emulator.faults().failNext(100_000, 503, null, false);
      try (LogAnalyticsClient client = LogAnalyticsClient.builder()
          .logsIngestion(emulator.logsIngestionEndpoint(), DCR)
          .entraCredential(credential)
          .cloud(emulator.logsIngestionCloud())
          .hostResolver(emulator.hostResolver())
          .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
          .bufferOptions(BufferOptions.builder(tmp.resolve("buffer")).capacityBytes(65_536).segmentBytes(8192)
              .overflowPolicy(OverflowPolicy.DROP_OLDEST).durability(Durability.INTERVAL).build())
          .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofMillis(20))
              .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(40)).maxRetries(100).build())
          .build()) {
        int sent = 2_000;
        String padding = "x".repeat(200);
        for (int i = 0; i < sent; i++) {
          client.send(STREAM, Map.of("n", i, "padding", padding));
        }
        assertThat(client.stats().recordsDropped().get(DropReason.BUFFER_OVERFLOW)).isPositive();

        emulator.faults().clear();
        assertThat(client.flush(Duration.ofSeconds(20))).isTrue();
        assertThat(client.stats().bufferedRecords()).as("flush returned true: %s", client.stats()).isZero();

        List<ReceivedRecord> rows = emulator.records(STREAM);
        Set<Object> delivered = rows.stream().map(r -> r.field("n")).collect(Collectors.toSet());
        long dropped = client.stats().recordsDropped().values().stream().mapToLong(Long::longValue).sum();
        assertThat(delivered).as("no duplicates").hasSize(rows.size());
        assertThat(rows.size() + dropped).as("delivered %s, dropped %s", rows.size(), dropped).isEqualTo(sent);
        assertThat(client.stats().recordsSent()).isEqualTo(rows.size());
        assertThat(delivered).as("the newest record is kept").contains((long) (sent - 1));
      }
    }
  }
}
