package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real rsyslog (Debian's package; {@code .ci/run} installs it) forwards what {@code logger} writes to the
 * collector's {@code syslog} command. rsyslogd runs as a child process on its own configuration, socket and pid file
 * in a temporary directory; the system's rsyslog is never touched. Loopback only.
 */
class RsyslogForwardingTest {
  static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");
  static final Path LOGGER = Path.of("/usr/bin/logger");

  @TempDir Path dir;
  private Process rsyslogd;

  @AfterEach
  void stopRsyslogd() throws InterruptedException {
    if (rsyslogd != null) {
      rsyslogd.destroy();
      if (!rsyslogd.waitFor(10, TimeUnit.SECONDS)) {
        rsyslogd.destroyForcibly();
      }
    }
  }

  @Test
  void loggerMessagesArriveOverUdpWithTheAgentsFields() throws Exception {
    int port = freeUdpPort();
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    Cli.Running syslog = cli.start("syslog", "--port", Integer.toString(port), "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString());
    syslog.awaitErr("listening for syslog on udp 127.0.0.1:" + port);
    Path socket = startRsyslogd("action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" + port
        + "\" protocol=\"udp\" template=\"RSYSLOG_TraditionalForwardFormat\")");

    logger(socket, "-t", "myapp", "-p", "local3.warning", "--id=4242", "disk almost full: 91%");
    logger(socket, "-t", "sshd", "-p", "authpriv.info", "Accepted publickey for bob from 192.0.2.9");
    logger(socket, "-t", "app", "-p", "user.err", "unicode ✓ ünïcödé");
    List<RecordingClient.Sent> got = client.awaitRecords(3);

    assertThat(got).hasSize(3).allSatisfy(s -> assertThat(s.type()).isEqualTo("LINUX_SYSLOGS_BLOB"));
    String host = InetAddress.getLocalHost().getHostName().split("\\.")[0];
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
  void rfc5424OverTcpWithOctetCountingArrives() throws Exception {
    int port = freeTcpPort();
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client);
    Cli.Running syslog = cli.start("syslog", "--tcp", "--port", Integer.toString(port), "--state-dir",
        dir.resolve("state").toString(), "--buffer-dir", dir.resolve("buffer").toString());
    syslog.awaitErr("listening for syslog on tcp 127.0.0.1:" + port);
    Path socket = startRsyslogd("action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" + port
        + "\" protocol=\"tcp\" TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")");

    logger(socket, "-t", "billing", "-p", "local0.notice", "--id=77", "invoice 17 paid\nsecond line");
    List<RecordingClient.Sent> got = client.awaitRecords(1);

    assertThat(got).hasSize(1);
    assertThat(got.get(0).map()).containsEntry("Facility", "local0").containsEntry("Severity", "notice")
        .containsEntry("ident", "billing").containsEntry("ProcessId", "77").containsEntry("HostIP", "127.0.0.1");
    // rsyslog escapes control characters on receipt (#012 is its spelling of the newline).
    assertThat(got.get(0).field("Message")).isEqualTo("invoice 17 paid#012second line");

    cli.stop.countDown();
    assertThat(syslog.await().exit()).isZero();
  }

  /** Starts rsyslogd in the foreground on a private socket, forwarding everything with the given action. */
  private Path startRsyslogd(String forwardAction) throws IOException, InterruptedException {
    if (!Files.isExecutable(RSYSLOGD) || !Files.isExecutable(LOGGER)) {
      throw new AssertionError(RSYSLOGD + " or " + LOGGER + " is missing: install the Debian packages rsyslog and "
          + "bsdutils (.ci/run does)");
    }
    Path socket = dir.resolve("log.sock");
    Path conf = dir.resolve("rsyslog.conf");
    Files.writeString(conf, String.join("\n",
        "global(workDirectory=\"" + dir + "\")",
        "module(load=\"imuxsock\" SysSock.Use=\"off\")",
        "input(type=\"imuxsock\" Socket=\"" + socket + "\" CreatePath=\"on\")",
        "*.* " + forwardAction,
        ""), StandardCharsets.UTF_8);
    rsyslogd = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", conf.toString(), "-i",
        dir.resolve("rsyslogd.pid").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Files.exists(socket)) {
      if (!rsyslogd.isAlive() || System.nanoTime() > end) {
        throw new AssertionError("rsyslogd did not start: " + Files.readString(dir.resolve("rsyslogd.out")));
      }
      Thread.sleep(10); // waiting for the child process to create its socket
    }
    return socket;
  }

  private static void logger(Path socket, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(LOGGER.toString(), "-u", socket.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("logger: " + output).isZero();
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

}
