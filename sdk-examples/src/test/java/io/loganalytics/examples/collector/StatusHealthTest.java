package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} as a health check: stalled delivery, and targets that need no agent identity. */
class StatusHealthTest {
  @TempDir Path dir;

  /** A buffer holding one record appended now (real time), as a stuck collector leaves it. */
  Instant bufferWithOneRecord(Path buffer) {
    try (DiskBuffer b = DiskBuffer.open(BufferOptions.builder(buffer).build(), LogAnalyticsListener.NONE)) {
      b.append("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
      b.sync();
      return b.oldestAppendTime().orElseThrow();
    }
  }

  @Test
  void anOldUnsentRecordMakesStatusExit1WithTheLastError() throws Exception {
    Path state = dir.resolve("state");
    OnboardAndStatusTest.writeAgentState(state);
    Instant appended = bufferWithOneRecord(dir.resolve("buffer"));
    Files.writeString(state.resolve(StatusFile.NAME), "lastError=connect to 127.0.0.1\\:9 failed\nlastErrorAt="
        + appended + "\n");
    Clock later = Clock.fixed(appended.plus(Duration.ofMinutes(45)), ZoneOffset.UTC);

    Cli.Result stalled = new Cli(dir).clock(later).run("status", "--state-dir", state.toString(), "--buffer-dir",
        dir.resolve("buffer").toString());
    Cli.Result patient = new Cli(dir).clock(later).run("status", "--state-dir", state.toString(), "--buffer-dir",
        dir.resolve("buffer").toString(), "--stalled-after", "60");

    assertThat(stalled.exit()).isEqualTo(1);
    assertThat(stalled.errLines()).hasSize(1);
    assertThat(stalled.err()).startsWith("error: stalled: the oldest unsent record is 45 minutes old (limit 30, "
        + "--stalled-after); last error: connect to 127.0.0.1:9 failed");
    assertThat(stalled.out()).contains("  records        1 (7 bytes of records, ")
        .contains("last error       " + appended + " connect to 127.0.0.1:9 failed")
        .contains("health           1 problem(s)");
    assertThat(patient.exit()).as(patient.err()).isZero();
    assertThat(patient.out()).contains("health           ok");
  }

  @Test
  void aLogsIngestionTargetNeedsNoAgentIdentity() {
    Map<String, String> env = Map.of("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47", "AZURE_CLIENT_ID",
        "11111111-2222-3333-4444-555555555555", "AZURE_CLIENT_SECRET", "s3cret");
    new Cli(dir).client(new RecordingClient()).env(env).stdin("{}\n").run("send", "--endpoint",
        "https://dce.example", "--dcr", "dcr-00112233445566778899aabbccddeeff", "--stream", "Custom-T_CL",
        "--state-dir", dir.resolve("state").toString(), "--buffer-dir", dir.resolve("b").toString());

    Cli.Result status = new Cli(dir).run("status", "--state-dir", dir.resolve("state").toString(), "--buffer-dir",
        dir.resolve("none").toString());

    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("target           logs ingestion https://dce.example "
        + "dcr-00112233445566778899aabbccddeeff (AzureCloud)").contains("health           ok")
        .doesNotContain("s3cret");
  }

  @Test
  void anExpiredCertificateIsAProblem() throws Exception {
    Path state = dir.resolve("state");
    OnboardAndStatusTest.writeAgentState(state);

    Cli.Result r = new Cli(dir).clock(Clock.fixed(OnboardAndStatusTest.EXPIRY.plusSeconds(1), ZoneOffset.UTC))
        .run("status", "--state-dir", state.toString(), "--buffer-dir", dir.resolve("none").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: the agent certificate expired ").contains("run renew-cert");
  }
}
