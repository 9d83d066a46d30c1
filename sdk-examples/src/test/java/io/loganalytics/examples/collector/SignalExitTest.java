package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector as a real process stopped by a signal, as systemd and docker stop it: SIGTERM exits 143 and SIGINT
 * 130, each after printing the summary, which says what stays buffered and why. Records go through a "proxy" on a
 * closed loopback port, so nothing leaves the machine and they stay buffered.
 */
class SignalExitTest {
  @TempDir Path dir;

  @Test
  void sigtermPrintsTheSummaryAndExits143() throws Exception {
    assertExit("TERM", 143);
  }

  @Test
  void sigintPrintsTheSummaryAndExits130() throws Exception {
    assumeTrue(!sigintIgnored(), "SIGINT is ignored in this process tree (a shell ignores it for background jobs), "
        + "so the collector would inherit that");
    assertExit("INT", 130);
  }

  /** Whether this process ignores SIGINT (Linux: bit 2 of SigIgn in /proc/self/status); children inherit it. */
  static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
      }
    }
    return false;
  }

  private void assertExit(String signal, int expected) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")),
        "no kill command on this machine");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path log = dir.resolve("app.log");
    Files.writeString(log, "one\ntwo\nthree\n");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        CollectorMain.class.getName(), "tail", log.toString(), "--from-start", "--log-type", "App", "-w",
        CommandLineErrorsTest.WS, "--state-dir", dir.resolve("state").toString(), "--buffer-dir",
        dir.resolve("buffer").toString(), "-p", "http://127.0.0.1:" + closedPort, "--poll-ms", "50");
    pb.environment().put(ClientSetup.SHARED_KEY_ENV, CommandLineErrorsTest.KEY);
    pb.environment().remove("https_proxy");
    pb.environment().remove("HTTPS_PROXY");
    pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
    Process p = pb.start();
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!read("err.txt").contains("following") && p.isAlive() && System.nanoTime() < end) {
        Thread.sleep(20); // waiting for another process to start, not for a backoff
      }
      assertThat(read("err.txt")).as("stderr").contains("following");
      Thread.sleep(300); // let the first poll hand the three lines to the client
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.waitFor(40, TimeUnit.SECONDS)).as("exited").isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as(read("err.txt")).isEqualTo(expected);
    List<String> out = Files.readAllLines(dir.resolve("out.txt"), StandardCharsets.UTF_8);
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).startsWith("read 3, sent 0, given up 0, invalid 0, still buffered 3 (sent by the next run "
        + "on this buffer)").contains("; last error ").contains("Failed to connect to /127.0.0.1:" + closedPort);
    assertThat(read("out.txt") + read("err.txt")).doesNotContain(CommandLineErrorsTest.KEY);
  }

  private String read(String name) throws IOException {
    Path f = dir.resolve(name);
    return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }
}
