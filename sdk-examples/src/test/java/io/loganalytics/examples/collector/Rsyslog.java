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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real rsyslogd (Debian's package) run as a child process on its own configuration, socket and pid file in a
 * test's directory, in the foreground ({@code -n}); the system's rsyslog is never touched. It reads a private
 * {@code imuxsock} socket, which {@link #logger} writes with {@code logger -u}, and forwards everything with the
 * given {@code omfwd} action. {@link #close()} stops it.
 *
 * <p>Where rsyslogd or logger is not installed, {@link #start} skips the calling test with a JUnit assumption that
 * says so, so the README's {@code mvn -B verify} passes on a machine with only Java and Maven; with the environment
 * variable {@code CI=true} (set by {@code .ci/run}, which installs rsyslog) it fails the test instead.
 */
final class Rsyslog implements AutoCloseable {
  static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");
  static final Path LOGGER = Path.of("/usr/bin/logger");

  private final Process process;
  private final Path socket;

  private Rsyslog(Process process, Path socket) {
    this.process = process;
    this.socket = socket;
  }

  /**
   * Starts rsyslogd and waits (at most 15 s) until its socket exists.
   *
   * @param dir a private directory for its configuration, socket, pid file and output
   * @param forwardAction the {@code action(type="omfwd" ...)} for {@code *.*}
   * @return the running rsyslogd
   */
  static Rsyslog start(Path dir, String forwardAction) throws IOException, InterruptedException {
    requireInstalled(System.getenv(), RSYSLOGD, LOGGER);
    Path socket = dir.resolve("log.sock");
    Path conf = dir.resolve("rsyslog.conf");
    Files.writeString(conf, String.join("\n",
        "global(workDirectory=\"" + dir + "\")",
        "module(load=\"imuxsock\" SysSock.Use=\"off\")",
        "input(type=\"imuxsock\" Socket=\"" + socket + "\" CreatePath=\"on\")",
        "*.* " + forwardAction,
        ""), StandardCharsets.UTF_8);
    Path output = dir.resolve("rsyslogd.out");
    Process p = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", conf.toString(), "-i",
        dir.resolve("rsyslogd.pid").toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    Rsyslog r = new Rsyslog(p, socket);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Files.exists(socket)) {
      if (!p.isAlive() || System.nanoTime() > end) {
        r.close();
        throw new AssertionError("rsyslogd did not start: " + Files.readString(output));
      }
      Thread.sleep(10); // waiting for the child process to create its socket
    }
    return r;
  }

  /**
   * Skips the calling test (a JUnit assumption with the reason) when rsyslogd or logger is missing, unless
   * {@code CI=true}: then it fails.
   *
   * @param environment the environment variables
   * @param rsyslogd where rsyslogd must be
   * @param logger where logger must be
   */
  static void requireInstalled(Map<String, String> environment, Path rsyslogd, Path logger) {
    List<String> missing = new ArrayList<>();
    for (Path p : List.of(rsyslogd, logger)) {
      if (!Files.isExecutable(p)) {
        missing.add(p.toString());
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String what = String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not installed";
    if ("true".equalsIgnoreCase(environment.getOrDefault("CI", ""))) {
      throw new AssertionError(what + ": with CI=true the rsyslog tests are mandatory; install the Debian "
          + "packages rsyslog and bsdutils (.ci/run does)");
    }
    Assumptions.assumeTrue(false, "skipped: " + what + " (install the Debian packages rsyslog and bsdutils to run "
        + "this test; CI=true makes it mandatory)");
  }

  /** An omfwd action over UDP in the traditional (RFC 3164) forwarding format. */
  static String udpForward(int port) {
    return "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" + port + "\" protocol=\"udp\" "
        + "template=\"RSYSLOG_TraditionalForwardFormat\")";
  }

  /** An omfwd action over TCP, octet-counted, in RFC 5424. */
  static String tcpForward5424(int port) {
    return "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" + port + "\" protocol=\"tcp\" "
        + "TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")";
  }

  /**
   * Runs {@code logger -u <socket> args...} and checks it succeeded.
   *
   * @param args logger's other arguments
   */
  void logger(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(LOGGER.toString(), "-u", socket.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("logger: " + output).isZero();
  }

  static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops rsyslogd (SIGTERM, then SIGKILL after 10 s). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
