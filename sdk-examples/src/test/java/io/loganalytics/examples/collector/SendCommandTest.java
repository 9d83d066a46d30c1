package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SendCommandTest {
  static final String WS = CommandLineErrorsTest.WS;
  static final String KEY = CommandLineErrorsTest.KEY;

  @TempDir Path dir;

  @Test
  void agentPathSendsEveryLineOfTheFileAndPrintsTheSummary() throws Exception {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, "{\"a\":1}\n\n{\"a\":2}\n   \n{\"a\":3}\n");
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);

    Cli.Result r = cli.run("send", "--data-type", "MY_DATA_BLOB", "--ip-name", "Security", "--file",
        file.toString(), "--state-dir", dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buf").toString());

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(client.records()).extracting(RecordingClient.Sent::record)
        .containsExactly("{\"a\":1}", "{\"a\":2}", "{\"a\":3}");
    assertThat(client.records()).extracting(RecordingClient.Sent::type).containsOnly("MY_DATA_BLOB");
    assertThat(r.out()).startsWith("read 3, sent 3, given up 0, invalid 0, still buffered 0");
    assertThat(client.isClosed()).isTrue();
    var b = cli.lastBuilder.get();
    assertThat(b.transport()).isEqualTo(Transport.AGENT_CERTIFICATE);
    assertThat(b.ipName()).isEqualTo("Security");
    assertThat(b.stateDirectory()).contains(dir.resolve("state"));
    assertThat(b.credentials()).isEmpty();
  }

  @Test
  void dataCollectorPathReadsStandardInput() {
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client).stdin("{\"level\":\"info\"}\n{\"level\":\"warn\"}")
        .env(java.util.Map.of(ClientSetup.SHARED_KEY_ENV, KEY));

    Cli.Result r = cli.run("send", "-w", WS, "--log-type", "AppEvents", "-d", "opinsights.azure.us",
        "--buffer-dir", dir.resolve("buf").toString(), "--state-dir", dir.resolve("state").toString());

    assertThat(r.exit()).isZero();
    assertThat(client.records()).extracting(RecordingClient.Sent::type).containsOnly("AppEvents");
    var b = cli.lastBuilder.get();
    assertThat(b.transport()).isEqualTo(Transport.DATA_COLLECTOR);
    assertThat(b.credentials()).map(c -> c.workspaceId()).contains(WS);
    assertThat(b.cloud().domain()).isEqualTo("opinsights.azure.us");
    assertThat(r.out()).doesNotContain(KEY);
  }

  @Test
  void invalidLinesAreReportedByLineNumberAndTheRestIsSent() {
    RecordingClient client = new RecordingClient();
    StringBuilder in = new StringBuilder("{\"ok\":1}\n");
    for (int i = 0; i < 7; i++) {
      in.append("oops ").append(i).append('\n');
    }
    in.append("{\"ok\":2}\n");
    Cli cli = new Cli(dir).client(client).stdin(in.toString());

    Cli.Result r = cli.run("send", "--data-type", "T", "--state-dir", dir.resolve("s").toString(), "--buffer-dir",
        dir.resolve("b").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly("line 2: record: is not a single JSON object",
        "line 3: record: is not a single JSON object", "line 4: record: is not a single JSON object",
        "line 5: record: is not a single JSON object", "line 6: record: is not a single JSON object",
        "... 2 more invalid lines");
    assertThat(client.records()).hasSize(2);
    assertThat(r.out()).startsWith("read 9, sent 2, given up 0, invalid 7");
  }

  @Test
  void givenUpRecordsAreCountedWithTheirReasonAndFailTheRun() {
    RecordingClient client = new RecordingClient(2);
    Cli cli = new Cli(dir).client(client).stdin("{}\n{}\n{}\n");

    Cli.Result r = cli.run("send", "--data-type", "T", "--state-dir", dir.resolve("s").toString(), "--buffer-dir",
        dir.resolve("b").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith("read 3, sent 1, given up 2 (retries_exhausted 2), invalid 0");
  }

  @Test
  void showsProgressOnATerminalOnly() {
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      in.append("{}\n");
    }
    Clock ticking = new Clock() { // two seconds pass between readings: progress is due every time
      private Instant now = Instant.parse("2026-11-25T10:00:00Z");

      @Override
      public synchronized Instant instant() {
        now = now.plusSeconds(2);
        return now;
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
    String[] args = {"send", "--data-type", "T", "--state-dir", dir.resolve("s").toString(), "--buffer-dir",
        dir.resolve("b").toString()};

    Cli.Result terminal = new Cli(dir).client(new RecordingClient()).clock(ticking).interactive()
        .stdin(in.toString()).run(args);
    Cli.Result pipe = new Cli(dir).client(new RecordingClient()).clock(ticking).stdin(in.toString()).run(args);

    assertThat(terminal.err()).contains("\rread 5, sent 0, buffered 5, given up 0").endsWith("\n");
    assertThat(pipe.err()).isEmpty();
    assertThat(terminal.out()).isEqualTo(pipe.out());
  }

  @Test
  void statusSumsTheCountersOfEveryRunAndSaysWhenNotOnboarded() {
    String[] send = {"send", "--data-type", "T", "--state-dir", dir.resolve("state").toString(), "--buffer-dir",
        dir.resolve("b").toString()};
    new Cli(dir).client(new RecordingClient()).stdin("{}\n{}\n").run(send);
    new Cli(dir).client(new RecordingClient()).stdin("{}\n{}\n{}\n").run(send);

    Cli.Result status = new Cli(dir).run("status", "--state-dir", dir.resolve("state").toString(), "--buffer-dir",
        dir.resolve("no-buffer").toString());

    assertThat(status.exit()).isEqualTo(1);
    assertThat(status.errLines()).hasSize(1);
    assertThat(status.err()).startsWith("error: not onboarded: ").contains("run onboard");
    assertThat(status.out()).contains("agent GUID       - (not onboarded: run onboard)")
        .contains("certificate      - (none)").contains("(no buffer yet)")
        .contains("last upload      2026-11-25T10:00:00Z")
        .contains("target           agent " + dir.resolve("state"))
        .contains("counters         sent 5, given up 0, requests 2, retries 0, dropped at input 0 (over 2 runs");
  }
}
