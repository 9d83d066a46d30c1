package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped systemd unit: what it runs, as whom, how it restarts and stops; and systemd's own check of it. */
class SystemdUnitTest {
  static final Path UNIT = Path.of("src/main/dist/loganalytics-collector.service");

  @TempDir Path dir;

  /** The unit's {@code key=value} lines by section ("Service.User"); comments and blank lines left out. */
  static Map<String, String> parse(List<String> lines) {
    Map<String, String> out = new LinkedHashMap<>();
    String section = "";
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1);
        continue;
      }
      int eq = line.indexOf('=');
      assertThat(eq).as("a key=value line: %s", line).isPositive();
      String key = section + "." + line.substring(0, eq);
      assertThat(out).as("key given twice: %s", key).doesNotContainKey(key);
      out.put(key, line.substring(eq + 1));
    }
    return out;
  }

  @Test
  void theUnitRunsTheCollectorsRunModeAsAnUnprivilegedUserAndTreatsSigtermAsAStop() throws Exception {
    Map<String, String> u = parse(Files.readAllLines(UNIT, StandardCharsets.UTF_8));

    assertThat(u.get("Service.ExecStart")).startsWith("/usr/bin/java ").contains(" -jar /opt/loganalytics/"
        + "loganalytics-collector.jar run --config /etc/loganalytics/collector.json");
    assertThat(u.get("Service.User")).isEqualTo("loganalytics").isNotEqualTo("root");
    assertThat(u.get("Service.Restart")).isEqualTo("on-failure");
    assertThat(u.get("Service.SuccessExitStatus").split(" ")).contains("143", "130");
    assertThat(u.get("Service.KillSignal")).isEqualTo("SIGTERM");
    assertThat(u.get("Service.EnvironmentFile")).isEqualTo("-/etc/loganalytics/collector.env");
    assertThat(u.get("Service.UMask")).isEqualTo("0077");
    assertThat(u.get("Install.WantedBy")).isEqualTo("multi-user.target");
    assertThat(u.get("Service.ExecStart")).as("no secret on the command line").doesNotContain(" -s ")
        .doesNotContain("--shared-key").doesNotContain("SECRET");
  }

  @Test
  void theExecStartCommandLineIsOneTheCollectorAccepts() {
    Map<String, String> u;
    try {
      u = parse(Files.readAllLines(UNIT, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String exec = u.get("Service.ExecStart");
    String[] collectorArgs = exec.substring(exec.indexOf(".jar ") + 5).split(" ");

    var parsed = ParsedArgs.of(Commands.commandLine(collectorArgs[0]).parseArgs(
        java.util.Arrays.copyOfRange(collectorArgs, 1, collectorArgs.length)));
    assertThat(parsed.value("config")).contains("/etc/loganalytics/collector.json");
    assertThat(parsed.value("state-dir")).contains("/var/lib/loganalytics/state");
  }

  @Test
  void systemdAnalyzeVerifiesTheUnit() throws Exception {
    assertThat(verify(Files.readString(UNIT))).isEmpty();
  }

  @Test
  void systemdAnalyzeWouldCatchABrokenUnit() throws Exception {
    String broken = Files.readString(UNIT).replace("Restart=on-failure", "Restart=sometimes");

    assertThat(verify(broken)).anySatisfy(l -> assertThat(l).contains("restart specifier"));
  }

  /** The problems systemd-analyze verify reports about the unit (a copy whose java is this JVM's). */
  private List<String> verify(String unitText) throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed; the unit is only parsed");
    // verify checks that ExecStart's binary exists; point it at this JVM's java in a copy.
    String unit = unitText.replace("/usr/bin/java ", Path.of(System.getProperty("java.home"), "bin", "java") + " ");
    Path copy = dir.resolve("loganalytics-collector.service");
    Files.writeString(copy, unit);
    Process p = new ProcessBuilder(analyze.toString(), "verify", copy.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // Without a running systemd (containers) verify still parses the unit and names it in every complaint.
    return out.lines().filter(l -> l.contains("loganalytics-collector.service")).toList();
  }
}
