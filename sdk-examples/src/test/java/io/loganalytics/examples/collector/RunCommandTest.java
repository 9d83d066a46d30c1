package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code run --config}: several inputs to several destinations, and a configuration checked key by key. */
class RunCommandTest {
  static final Path EXAMPLE = Path.of("src/main/dist/collector.example.json");
  static final String DCR = "dcr-00112233445566778899aabbccddeeff";

  @TempDir Path dir;

  /** Every destination's client by its buffer directory. */
  final Map<Path, RecordingClient> clients = new ConcurrentHashMap<>();

  Cli cli() {
    return new Cli(dir).env(Map.of("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47", "AZURE_CLIENT_ID",
        "11111111-2222-3333-4444-555555555555", "AZURE_CLIENT_SECRET", "s3cret", ClientSetup.SHARED_KEY_ENV,
        CommandLineErrorsTest.KEY)).factory(b -> {
          RecordingClient c = new RecordingClient();
          clients.put(b.bufferOptions().directory(), c);
          return c;
        });
  }

  @Test
  void theReadmesExampleFileIsAValidConfiguration() throws Exception {
    RunConfig c = RunConfig.parse(Files.readString(EXAMPLE));

    assertThat(c.destinations).containsOnlyKeys("main", "legacy");
    assertThat(c.destinations.get("main").transport()).isEqualTo("logs-ingestion");
    assertThat(c.inputs).extracting(RunConfig.Input::type).containsExactly("tail", "syslog");
    assertThat(c.inputs.get(0).to()).containsEntry("main", "Custom-MyApp_CL").containsEntry("legacy", "MYAPP_BLOB");
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).contains(Files.readString(EXAMPLE).strip());
  }

  @Test
  void oneFileGoesToTwoDestinationsEachWithItsTypeBufferAndSummary() throws Exception {
    Path log = dir.resolve("app.log");
    Files.writeString(log, "{\"n\":1}\n{\"n\":2}\n");
    Path config = write("{\"stateDir\": \"" + dir.resolve("state") + "\", \"destinations\": {"
        + "\"main\": {\"transport\": \"logs-ingestion\", \"endpoint\": \"https://dce.example\", \"dcr\": \"" + DCR
        + "\", \"bufferDir\": \"" + dir.resolve("b1") + "\"},"
        + "\"dc\": {\"transport\": \"data-collector\", \"workspaceId\": \"" + CommandLineErrorsTest.WS
        + "\", \"bufferDir\": \"" + dir.resolve("b2") + "\", \"domain\": \"opinsights.azure.us\"}},"
        + "\"inputs\": [{\"type\": \"tail\", \"file\": \"" + log + "\", \"format\": \"json\", \"fromStart\": true,"
        + " \"to\": {\"main\": \"Custom-App_CL\", \"dc\": \"AppEvents\"}}]}");
    Cli cli = cli();
    cli.stop.countDown();

    Cli.Result r = cli.run("run", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    RecordingClient main = clients.get(dir.resolve("b1"));
    RecordingClient dc = clients.get(dir.resolve("b2"));
    assertThat(main.records()).extracting(RecordingClient.Sent::type).containsExactly("Custom-App_CL",
        "Custom-App_CL");
    assertThat(dc.records()).extracting(RecordingClient.Sent::record).containsExactly("{\"n\":1}", "{\"n\":2}");
    assertThat(dc.records()).extracting(RecordingClient.Sent::type).containsOnly("AppEvents");
    assertThat(r.out().split("\n")).containsExactly(
        "main: read 2, sent 2, given up 0, invalid 0, still buffered 0, requests 1, retries 0",
        "dc: read 2, sent 2, given up 0, invalid 0, still buffered 0, requests 1, retries 0");
    assertThat(r.err()).contains("destination main: logs ingestion https://dce.example " + DCR)
        .contains("destination dc: data collector").doesNotContain("s3cret").doesNotContain(CommandLineErrorsTest.KEY);
    assertThat(Files.exists(dir.resolve("state/main").resolve(StatusFile.NAME))).isTrue();
    assertThat(Files.exists(dir.resolve("state/dc").resolve(StatusFile.NAME))).isTrue();
  }

  @Test
  void eachDestinationsSummaryCountsOnlyTheInputsThatSendToIt() throws Exception {
    Path a = dir.resolve("a.log");
    Path b = dir.resolve("b.log");
    Files.writeString(a, "one\ntwo\n");
    Files.writeString(b, "three\n");
    Path config = write("{\"stateDir\": \"" + dir.resolve("state") + "\", \"destinations\": {"
        + "\"main\": {\"transport\": \"logs-ingestion\", \"endpoint\": \"https://dce.example\", \"dcr\": \"" + DCR
        + "\", \"bufferDir\": \"" + dir.resolve("b1") + "\"},"
        + "\"old\": {\"transport\": \"agent\", \"bufferDir\": \"" + dir.resolve("b2") + "\"}},"
        + "\"inputs\": [{\"type\": \"tail\", \"file\": \"" + a + "\", \"fromStart\": true, \"to\": {\"main\": "
        + "\"Custom-A_CL\"}}, {\"type\": \"tail\", \"file\": \"" + b + "\", \"fromStart\": true, \"to\": "
        + "{\"main\": \"Custom-B_CL\", \"old\": \"B_BLOB\"}}]}");
    Cli cli = cli();
    cli.stop.countDown();

    Cli.Result r = cli.run("run", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("main: read 3, sent 3").contains("old: read 1, sent 1");
    assertThat(clients.get(dir.resolve("b1")).records()).extracting(rec -> rec.field("Message"))
        .containsExactlyInAnyOrder("one", "two", "three");
    assertThat(clients.get(dir.resolve("b2")).records()).extracting(RecordingClient.Sent::type)
        .containsExactly("B_BLOB");
  }

  @Test
  void aSyslogListenerSendsToEveryDestination() throws Exception {
    int port = Rsyslog.freeUdpPort();
    Path config = write("{\"destinations\": {"
        + "\"a\": {\"transport\": \"logs-ingestion\", \"endpoint\": \"https://dce.example\", \"dcr\": \"" + DCR
        + "\", \"bufferDir\": \"" + dir.resolve("b1") + "\"},"
        + "\"b\": {\"transport\": \"agent\", \"bufferDir\": \"" + dir.resolve("b2") + "\"}},"
        + "\"inputs\": [{\"type\": \"syslog\", \"port\": " + port + ", \"to\": {\"a\": \"Custom-Syslog_CL\", "
        + "\"b\": \"LINUX_SYSLOGS_BLOB\"}}]}");
    Cli cli = cli();
    Cli.Running run = cli.start("run", "--config", config.toString(), "--state-dir", dir.resolve("s").toString());
    run.awaitErr("listening for syslog on udp 127.0.0.1:" + port);
    byte[] msg = "<13>Nov 25 10:00:00 web-1 sshd[42]: Accepted publickey".getBytes(
        java.nio.charset.StandardCharsets.UTF_8);
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.send(new java.net.DatagramPacket(msg, msg.length, java.net.InetAddress.getLoopbackAddress(), port));
    }
    assertThat(clients.get(dir.resolve("b1")).awaitRecords(1)).hasSize(1);
    assertThat(clients.get(dir.resolve("b2")).awaitRecords(1)).hasSize(1);
    cli.stop.countDown();
    Cli.Result r = run.await();

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(clients.get(dir.resolve("b1")).records().get(0).type()).isEqualTo("Custom-Syslog_CL");
    assertThat(clients.get(dir.resolve("b2")).records().get(0).field("Message")).isEqualTo("Accepted publickey");
    assertThat(cli.lastBuilder.get().transport()).isIn(Transport.LOGS_INGESTION, Transport.AGENT_CERTIFICATE);
  }

  static Stream<Arguments> badConfigs() {
    String li = "\"transport\": \"logs-ingestion\", \"endpoint\": \"https://dce.example\", \"dcr\": \"" + DCR + "\"";
    String tail = "{\"type\": \"tail\", \"file\": \"/tmp/x.log\", \"to\": {\"m\": \"Custom-T_CL\"}}";
    return Stream.of(
        bad("config", "is not valid JSON", "{"),
        bad("config", "is not valid JSON", "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}"),
        bad("config", "must be a JSON object", "[]"),
        bad("config", "holds more than one JSON value", "{} {}"),
        bad("destinations.m.transport", "must be a non-empty string", "{\"destinations\": {\"m\": {\"transport\": "
            + "7, \"bufferDir\": \"/b\"}}, \"inputs\": [{\"type\": \"tail\", \"file\": \"/x\", \"to\": {\"m\": "
            + "\"T\"}}]}"),
        bad("destinations", "is required", "{\"inputs\": []}"),
        bad("destinations", "is empty", "{\"destinations\": {}, \"inputs\": []}"),
        bad("bogus", "unknown key", "{\"bogus\": 1}"),
        bad("destinations.m.transport", "is not one of", "{\"destinations\": {\"m\": {\"transport\": \"x\", "
            + "\"bufferDir\": \"/b\"}}, \"inputs\": [" + tail + "]}"),
        bad("destinations.m.bufferDir", "is required", "{\"destinations\": {\"m\": {" + li + "}}, \"inputs\": ["
            + tail + "]}"),
        bad("destinations.m.sharedKey", "secrets are not read from the config file", "{\"destinations\": {\"m\": {"
            + "\"transport\": \"agent\", \"bufferDir\": \"/b\", \"sharedKey\": \"abc\"}}, \"inputs\": [" + tail
            + "]}"),
        bad("destinations.m.domain", "is for the agent and data-collector transports", "{\"destinations\": {\"m\": {"
            + li + ", \"bufferDir\": \"/b\", \"domain\": \"opinsights.azure.us\"}}, \"inputs\": [" + tail + "]}"),
        bad("destinations.m.dcr", "is not a DCR immutable id", "{\"destinations\": {\"m\": {\"transport\": "
            + "\"logs-ingestion\", \"endpoint\": \"https://dce.example\", \"dcr\": \"nope\", \"bufferDir\": \"/b\"}},"
            + " \"inputs\": [" + tail + "]}"),
        bad("destinations.m.endpoint", "must be an https URL", "{\"destinations\": {\"m\": {\"transport\": "
            + "\"logs-ingestion\", \"endpoint\": \"http://dce.example\", \"dcr\": \"" + DCR + "\", \"bufferDir\": "
            + "\"/b\"}}, \"inputs\": [" + tail + "]}"),
        bad("inputs[0].to.other", "names no destination", "{\"destinations\": {\"m\": {" + li + ", \"bufferDir\": "
            + "\"/b\"}}, \"inputs\": [{\"type\": \"tail\", \"file\": \"/x\", \"to\": {\"other\": \"Custom-T_CL\"}}]}"),
        bad("inputs[0].to.m", "is not a stream name", "{\"destinations\": {\"m\": {" + li + ", \"bufferDir\": "
            + "\"/b\"}}, \"inputs\": [{\"type\": \"tail\", \"file\": \"/x\", \"to\": {\"m\": \"MYAPP_BLOB\"}}]}"),
        bad("inputs[0].port", "is outside 1..65535", "{\"destinations\": {\"m\": {" + li + ", \"bufferDir\": "
            + "\"/b\"}}, \"inputs\": [{\"type\": \"syslog\", \"port\": 70000, \"to\": {\"m\": \"Custom-T_CL\"}}]}"),
        bad("inputs[0].file", "is required", "{\"destinations\": {\"m\": {" + li + ", \"bufferDir\": \"/b\"}}, "
            + "\"inputs\": [{\"type\": \"tail\", \"to\": {\"m\": \"Custom-T_CL\"}}]}"),
        bad("inputs[0].type", "is not one of tail, syslog", "{\"destinations\": {\"m\": {" + li + ", \"bufferDir\": "
            + "\"/b\"}}, \"inputs\": [{\"type\": \"kafka\", \"to\": {\"m\": \"Custom-T_CL\"}}]}"),
        bad("destinations.n", "no input sends to it", "{\"destinations\": {\"m\": {" + li + ", \"bufferDir\": \"/b\"},"
            + " \"n\": {" + li + ", \"bufferDir\": \"/c\"}}, \"inputs\": [" + tail + "]}"),
        bad("destinations.n.bufferDir", "is also the buffer of destination m", "{\"destinations\": {\"m\": {" + li
            + ", \"bufferDir\": \"/b\"}, \"n\": {" + li + ", \"bufferDir\": \"/b/\"}}, \"inputs\": [{\"type\": "
            + "\"tail\", \"file\": \"/x\", \"to\": {\"m\": \"Custom-T_CL\", \"n\": \"Custom-T_CL\"}}]}"));
  }

  private static Arguments bad(String key, String problem, String json) {
    return Arguments.of(key, problem, json);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badConfigs")
  void aBadConfigurationIsOneLineNamingTheKey(String key, String problem, String json) throws Exception {
    Path config = write(json);

    Cli.Result r = new Cli(dir).env(Map.of("AZURE_CLIENT_SECRET", "s3cret")).run("run", "--config",
        config.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: " + key + ": ").contains(problem).doesNotContain("s3cret");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aConfigFileThatIsNotUtf8IsNamed() throws Exception {
    Path f = dir.resolve("latin1.json");
    Files.write(f, new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}'});

    Cli.Result r = new Cli(dir).run("run", "--config", f.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --config: ").contains("is not UTF-8 text");
  }

  @Test
  void theConfigFileMustExist() {
    Cli.Result r = new Cli(dir).run("run", "--config", dir.resolve("none.json").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --config: ").contains("is not a readable file");
  }

  Path write(String json) throws Exception {
    Path f = dir.resolve("config-" + System.nanoTime() + ".json");
    Files.writeString(f, json);
    return f;
  }
}
