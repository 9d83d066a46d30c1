package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real rsyslog ({@link Rsyslog}) forwards what {@code logger} writes to the collector's {@code syslog} command,
 * which hands the records to a recording client. Loopback only.
 */
class RsyslogForwardingTest {
  @TempDir Path dir;

  @Test
  void loggerMessagesArriveOverUdpWithTheAgentsFields() throws Exception {
    int port = Rsyslog.freeUdpPort();
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    Cli.Running syslog = cli.start("syslog", "--port", Integer.toString(port), "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString());
    syslog.awaitErr("listening for syslog on udp 127.0.0.1:" + port);
    List<RecordingClient.Sent> got;
    try (Rsyslog rsyslog = Rsyslog.start(dir, Rsyslog.udpForward(port))) {
      rsyslog.logger("-t", "myapp", "-p", "local3.warning", "--id=4242", "disk almost full: 91%");
      rsyslog.logger("-t", "sshd", "-p", "authpriv.info", "Accepted publickey for bob from 192.0.2.9");
      rsyslog.logger("-t", "app", "-p", "user.err", "unicode ✓ ünïcödé");
      got = client.awaitRecords(3);
    }

    assertThat(got).hasSize(3).allSatisfy(s -> assertThat(s.type()).isEqualTo("LINUX_SYSLOGS_BLOB"));
    // rsyslog names the local host by gethostname(), without the domain (no DNS involved).
    String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().split("\\.")[0];
    assertThat(got.get(0).map()).containsEntry("Facility", "local3").containsEntry("Severity", "warn")
        .containsEntry("ident", "myapp").containsEntry("ProcessId", "4242")
        .containsEntry("Message", "disk almost full: 91%").containsEntry("HostIP", "127.0.0.1")
        .containsEntry("Host", host).containsKeys("EventTime", "Timestamp");
    assertThat(got.get(1).map()).containsEntry("Facility", "authpriv").containsEntry("Severity", "info")
        .containsEntry("ident", "sshd").containsEntry("Message", "Accepted publickey for bob from 192.0.2.9");
    assertThat(got.get(2).map()).containsEntry("Severity", "err").containsEntry("Message", "unicode ✓ ünïcödé");
    assertThat((String) got.get(0).field("EventTime")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000Z");

    cli.stop.countDown();
    Cli.Result end = syslog.await();
    assertThat(end.exit()).isZero();
    assertThat(end.out()).contains("read 3, sent 3, given up 0");
  }

  @Test
  void aPortInUseFailsWithOneLine() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RecordingClient client = new RecordingClient();

      Cli.Result r = new Cli(dir).client(client).run("syslog", "--tcp", "--port",
          Integer.toString(taken.getLocalPort()), "--state-dir", dir.resolve("s").toString());

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.errLines()).hasSize(1);
      assertThat(r.err()).startsWith("error: cannot listen on tcp 127.0.0.1:" + taken.getLocalPort());
      assertThat(client.isClosed()).isTrue();
    }
  }

  @Test
  void rfc5424OverTcpWithOctetCountingArrives() throws Exception {
    int port = Rsyslog.freeTcpPort();
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    Cli.Running syslog = cli.start("syslog", "--tcp", "--port", Integer.toString(port), "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString());
    syslog.awaitErr("listening for syslog on tcp 127.0.0.1:" + port);
    List<RecordingClient.Sent> got;
    try (Rsyslog rsyslog = Rsyslog.start(dir, Rsyslog.tcpForward5424(port))) {
      rsyslog.logger("-t", "billing", "-p", "local0.notice", "--id=77", "invoice 17 paid\nsecond line");
      got = client.awaitRecords(1);
    }

    assertThat(got).hasSize(1);
    assertThat(got.get(0).map()).containsEntry("Facility", "local0").containsEntry("Severity", "notice")
        .containsEntry("ident", "billing").containsEntry("ProcessId", "77").containsEntry("HostIP", "127.0.0.1");
    // rsyslog escapes control characters on receipt (#012 is its spelling of the newline).
    assertThat(got.get(0).field("Message")).isEqualTo("invoice 17 paid#012second line");

    cli.stop.countDown();
    assertThat(syslog.await().exit()).isZero();
  }
}
