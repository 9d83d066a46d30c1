package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.Transport;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailCommandTest {
  @TempDir Path dir;

  @Test
  void sendsEachLineAsAMessageRecordAndStopsOnRequest() throws Exception {
    Path log = dir.resolve("app.log");
    FileFollowerTest.append(log, "started\n\nlistening on 8080\n");
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    cli.stop.countDown(); // asked to stop at once: it reads once more, pushes and ends

    Cli.Result r = cli.run("tail", log.toString(), "--data-type", "APP_LOG", "--from-start", "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString());

    assertThat(r.exit()).isZero();
    assertThat(client.records()).extracting(RecordingClient.Sent::type).containsOnly("APP_LOG");
    assertThat(client.records()).extracting(s -> s.field("Message")).containsExactly("started", "listening on 8080");
    assertThat(client.records().get(0).map()).containsEntry("FilePath", log.toString());
    assertThat(client.isClosed()).isTrue();
    assertThat(r.out()).contains("read 2, sent 2, given up 0, invalid 0, still buffered 0");
    assertThat(cli.lastBuilder.get().transport()).isEqualTo(Transport.AGENT_CERTIFICATE);
    assertThat(cli.lastBuilder.get().stateDirectory()).contains(dir.resolve("state"));
    assertThat(cli.lastBuilder.get().bufferOptions().directory()).isEqualTo(dir.resolve("buffer"));
  }

  @Test
  void jsonFormatSendsTheObjectsAndCountsBadLines() throws Exception {
    Path log = dir.resolve("events.jsonl");
    FileFollowerTest.append(log, "{\"level\":\"info\"}\nnot json\n{\"level\":\"warn\"}\n");
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    cli.stop.countDown();

    Cli.Result r = cli.run("tail", log.toString(), "--log-type", "AppEvents", "-w", CommandLineErrorsTest.WS,
        "-s", CommandLineErrorsTest.KEY, "--format", "json", "--from-start", "--buffer-dir",
        dir.resolve("buffer").toString(), "--state-dir", dir.resolve("state").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(client.records()).extracting(RecordingClient.Sent::record)
        .containsExactly("{\"level\":\"info\"}", "{\"level\":\"warn\"}");
    assertThat(r.err()).contains("skipped a line: record: is not a single JSON object");
    assertThat(r.out()).contains("read 3, sent 2, given up 0, invalid 1");
    assertThat(cli.lastBuilder.get().transport()).isEqualTo(Transport.DATA_COLLECTOR);
  }
}
