package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.impl.buffer.FileDiskBuffer;
import io.loganalytics.sdk.impl.json.RecordFormat;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of the collector against the workspace emulator (loopback, its own TLS CA given with
 * {@code --ca-file}), through the real SDK: happy paths and error paths.
 */
class CollectorAgainstEmulatorTest {
  @TempDir Path dir;
  WorkspaceEmulator emulator;
  Path ca;
  Cli cli;

  @BeforeEach
  void startEmulator() {
    emulator = WorkspaceEmulator.builder().start();
    ca = emulator.writeCaCertificate(dir.resolve("ca.pem"));
    cli = newCli();
  }

  @AfterEach
  void stopEmulator() {
    emulator.close();
  }

  /** A CLI whose clients reach the emulator (its cloud with the loopback port, its resolver) and retry fast. */
  Cli newCli() {
    return new Cli(dir).realClients().clock(Clock.systemUTC()).customizer(this::toEmulator)
        .env(Map.of(ClientSetup.SHARED_KEY_ENV, emulator.sharedKey()));
  }

  LogAnalyticsClientBuilder toEmulator(LogAnalyticsClientBuilder b) {
    return b.cloud(emulator.cloud()).hostResolver(emulator.hostResolver())
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofMillis(100))
            .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(500)).maxRetries(2).build());
  }

  String[] common(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--state-dir", dir.resolve("state").toString(), "--buffer-dir",
        dir.resolve("buffer").toString(), "--ca-file", ca.toString()));
    return all.toArray(String[]::new);
  }

  Cli.Result onboard() {
    return cli.run(common("onboard", "-w", emulator.workspaceId()));
  }

  @Test
  void onboardPrintsTheGuidAndExpiryAndStatusShowsThem() {
    Cli.Result r = onboard();

    assertThat(r.exit()).as(r.err()).isZero();
    String guid = emulator.registeredAgents().iterator().next();
    assertThat(r.out()).contains("agent GUID          " + guid).contains("certificate expires ");
    assertThat(r.out() + r.err()).doesNotContain(emulator.sharedKey());
    assertThat(dir.resolve("state/certs/oms.key")).exists();

    Cli.Result status = cli.run(common("status"));
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("agent GUID       " + guid).contains("CN=" + guid)
        .contains("workspace        " + emulator.workspaceId());
  }

  @Test
  void onboardWithAWrongKeyFailsWithOneLineWithoutTheKey() {
    String wrong = Base64.getEncoder().encodeToString(new byte[64]);

    Cli.Result r = newCli().env(Map.of(ClientSetup.SHARED_KEY_ENV, wrong)).run(common("onboard", "-w",
        emulator.workspaceId()));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: ").contains("403").doesNotContain(wrong);
    assertThat(emulator.registeredAgents()).isEmpty();
  }

  @Test
  void sendOnTheAgentPathDeliversEveryLine() {
    assertThat(onboard().exit()).isZero();
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      in.append("{\"n\":").append(i).append(",\"msg\":\"event ").append(i).append("\"}\n");
    }

    Cli.Result r = newCli().stdin(in.toString()).run(common("send", "--data-type", "MYAPP_BLOB"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("read 250, sent 250, given up 0, invalid 0, still buffered 0");
    assertThat(emulator.records("MYAPP_BLOB")).hasSize(250)
        .allSatisfy(rec -> assertThat(rec.transport()).isEqualTo(ReceivedRecord.ODS));
  }

  @Test
  void sendOnTheDataCollectorPathDeliversEveryLine() {
    Cli.Result r = newCli().stdin("{\"level\":\"info\"}\n{\"level\":\"warn\"}\n")
        .run(common("send", "-w", emulator.workspaceId(), "--log-type", "AppEvents"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(emulator.records("AppEvents")).extracting(rec -> rec.field("level")).containsExactly("info", "warn");
  }

  @Test
  void sendReportsMalformedLinesFromTheRealClientWithoutTheirValuesAndSendsTheRest() {
    String in = "{\"level\":\"info\"}\n"
        + "{\"password\": hunter2secret}\n"
        + "{\"RawData\":\"hunter2secret\"}\n"
        + "[\"hunter2secret\"]\n"
        + "{\"level\":\"warn\"}\n";

    Cli.Result r = newCli().stdin(in).run(common("send", "-w", emulator.workspaceId(), "--log-type", "AppEvents"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(3);
    assertThat(r.errLines().get(0)).startsWith("line 2: record: is not valid JSON: ");
    assertThat(r.errLines().get(1)).isEqualTo("line 3: RawData: field name is reserved by the service (compared "
        + "without case)");
    assertThat(r.errLines().get(2)).isEqualTo("line 4: record: must be one JSON object ({...}), but starts with "
        + "an array ([)");
    assertThat(r.err()).doesNotContain("hunter2");
    assertThat(r.out()).startsWith("read 5, sent 2, given up 0, invalid 3");
    assertThat(emulator.records("AppEvents")).extracting(rec -> rec.field("level")).containsExactly("info", "warn");
  }

  @Test
  void sendReportsRecordsTheServiceRejects() {
    emulator.faults().failNext(10, 400, null, false);

    Cli.Result r = newCli().stdin("{\"a\":1}\n").run(common("send", "-w", emulator.workspaceId(), "--log-type",
        "AppEvents"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("given up 1");
  }

  @Test
  void sendWithoutOnboardingOrKeyIsABadStateDirectory() {
    Cli.Result r = newCli().stdin("{}\n").run(common("send", "--data-type", "T"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: --state-dir: ");
  }

  @Test
  void renewCertReplacesTheCertificate() throws Exception {
    assertThat(onboard().exit()).isZero();
    String before = Files.readString(dir.resolve("state/certs/oms.crt"));

    Cli.Result r = cli.run(common("renew-cert"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("renewed the certificate of agent").contains("new expiry");
    assertThat(Files.readString(dir.resolve("state/certs/oms.crt"))).isNotEqualTo(before);
  }

  @Test
  void renewCertWithoutAnAgentNamesTheStateDirectory() {
    Cli.Result r = cli.run(common("renew-cert"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --state-dir: ");
  }

  @Test
  void sendCountsTheRecordsLostToACorruptSegmentInItsSummaryAndVerifyBufferFoundThemBefore() throws Exception {
    // What an earlier run left buffered: 300 records in small segments; then one sealed segment is zeroed at rest.
    Path buffer = dir.resolve("buffer");
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(buffer).segmentBytes(4096)
        .durability(Durability.INTERVAL).build(), LogAnalyticsListener.NONE)) {
      for (int i = 0; i < 300; i++) {
        byte[] json = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
        b.append(RecordFormat.build("AppEvents", "", json, 0, json.length));
      }
    }
    List<Path> segments;
    try (var files = Files.list(buffer)) {
      segments = files.filter(f -> f.toString().endsWith(".seg")).sorted().toList();
    }
    assertThat(segments.size()).isGreaterThan(3);
    long first = Long.parseLong(segments.get(1).getFileName().toString().substring(0, 20));
    long next = Long.parseLong(segments.get(2).getFileName().toString().substring(0, 20));
    byte[] zeros = new byte[(int) Files.size(segments.get(1)) - 32];
    try (var f = new java.io.RandomAccessFile(segments.get(1).toFile(), "rw")) {
      f.seek(32);
      f.write(zeros);
    }
    long lost = next - first;

    Cli.Result verify = cli.run(common("verify-buffer"));
    Cli.Result r = newCli().stdin("").run(common("send", "-w", emulator.workspaceId(), "--log-type", "AppEvents"));

    assertThat(verify.out()).contains("records  " + (300 - lost)).contains("lost     " + lost)
        .contains("NOT healthy");
    assertThat(r.out()).as(r.err()).startsWith("read 0, sent " + (300 - lost) + ", given up " + lost
        + " (corrupted " + lost + ")");
    assertThat(emulator.records()).hasSize((int) (300 - lost));
  }

  @Test
  void verifyBufferReportsAnEmptyHealthyBufferAfterDelivery() {
    newCli().stdin("{}\n").run(common("send", "-w", emulator.workspaceId(), "--log-type", "AppEvents"));

    Cli.Result r = cli.run(common("verify-buffer"));

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("records  0").contains("healthy");
  }

  @Test
  void tailDeliversTheLinesOfAFile() throws Exception {
    assertThat(onboard().exit()).isZero();
    Path log = dir.resolve("app.log");
    Files.writeString(log, "one\ntwo\n");
    Cli tail = newCli();
    tail.stop.countDown();

    Cli.Result r = tail.run(common("tail", log.toString(), "--data-type", "APP_LOG_BLOB", "--from-start"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(emulator.records("APP_LOG_BLOB")).extracting(rec -> rec.field("Message")).containsExactly("one", "two");
  }

  @Test
  void rsyslogMessagesArriveAtTheEmulatorAsSyslogRecords() throws Exception {
    assertThat(onboard().exit()).isZero();
    int port = Rsyslog.freeUdpPort();
    Cli syslogCli = newCli();
    Cli.Running syslog = syslogCli.start(common("syslog", "--port", Integer.toString(port)));
    syslog.awaitErr("listening for syslog on udp 127.0.0.1:" + port);
    try (Rsyslog rsyslog = Rsyslog.start(dir, Rsyslog.udpForward(port))) {
      rsyslog.logger("-t", "sshd", "-p", "authpriv.notice", "--id=321", "Accepted publickey for alice");
      rsyslog.logger("-t", "backupd", "-p", "daemon.crit", "backup volume missing");
      assertThat(emulator.awaitRecords(2, Duration.ofSeconds(30))).isTrue();
    }
    syslogCli.stop.countDown();
    assertThat(syslog.await().exit()).isZero();

    List<ReceivedRecord> got = emulator.records("LINUX_SYSLOGS_BLOB");
    assertThat(got).hasSize(2).allSatisfy(rec -> assertThat(rec.ipName()).isEqualTo("LogManagement"));
    assertThat(got.get(0).fields()).containsEntry("Facility", "authpriv").containsEntry("Severity", "notice")
        .containsEntry("ident", "sshd").containsEntry("ProcessId", "321")
        .containsEntry("Message", "Accepted publickey for alice").containsEntry("HostIP", "127.0.0.1")
        .containsKeys("Host", "EventTime", "Timestamp");
    assertThat(got.get(1).fields()).containsEntry("Facility", "daemon").containsEntry("Severity", "crit");
  }

  @Test
  void demoProvesEveryRecordArrived() {
    Cli.Result r = new Cli(dir).realClients().clock(Clock.systemUTC()).run("demo", "--records", "400");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("RESULT: every record arrived: sent 400 = received 400")
        .contains("Entra tokens issued 1").contains("Custom-Syslog_CL: sent");
  }

  @Test
  void onboardWithoutTheEmulatorsCaNamesCaFileAsTheFix() {
    Cli.Result r = cli.run("onboard", "-w", emulator.workspaceId(), "--state-dir", dir.resolve("state").toString(),
        "--buffer-dir", dir.resolve("buffer").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: onboarding failed: ").contains("not trusted").contains("--ca-file PEM")
        .doesNotContain(emulator.sharedKey());
    assertThat(emulator.registeredAgents()).isEmpty();
  }

  @Test
  void sendUsesTheSavedCloudAndStatusSumsRunsAndShowsTheTarget() {
    assertThat(onboard().exit()).isZero();
    assertThat(newCli().stdin("{\"n\":1}\n").run(common("send", "--data-type", "MYAPP_BLOB")).exit()).isZero();
    assertThat(newCli().stdin("{\"n\":2}\n{\"n\":3}\n").run(common("send", "--data-type", "MYAPP_BLOB")).exit())
        .isZero();

    Cli.Result status = cli.run(common("status"));

    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("target           agent " + dir.resolve("state"))
        .contains("counters         sent 3, given up 0").contains("(over 2 runs").contains("health           ok");
    assertThat(emulator.records("MYAPP_BLOB")).hasSize(3);
  }

  @Test
  void sendWithoutTheEmulatorsCaFailsAtOnceNamingCaFile() {
    assertThat(onboard().exit()).isZero();

    Cli.Result r = newCli().stdin("{}\n").run("send", "--data-type", "MYAPP_BLOB", "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString(), "--timeout", "5");

    assertThat(r.exit()).as(r.out()).isEqualTo(1);
    assertThat(r.out()).startsWith("read 1, sent 0").contains("last error").contains("does not trust the server "
        + "certificate");
    assertThat(r.errLines()).containsExactly("error: " + Failures.UNTRUSTED_HINT);
  }
}
