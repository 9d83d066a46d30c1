package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The shaded jars as built by {@code mvn package} (this test runs in the package phase, after the shade plugin): the
 * production collector ships no JUnit, AssertJ, MockWebServer or emulator classes and still runs; the demo jar has
 * the emulator.
 */
class CollectorJarContentsTest {
  static final Path JAR = Path.of("target/loganalytics-collector.jar");
  static final Path DEMO_JAR = Path.of("target/loganalytics-collector-demo.jar");

  static List<String> entries(Path jar) throws IOException {
    try (JarFile f = new JarFile(jar.toFile())) {
      return f.stream().map(ZipEntry::getName).toList();
    }
  }

  @Test
  void theProductionJarShipsNoTestLibraries() throws Exception {
    assumeTrue(Files.isRegularFile(JAR), "runs after mvn package (" + JAR + " not built)");
    List<String> names = entries(JAR);

    assertThat(names).contains("io/loganalytics/examples/collector/CollectorMain.class",
        "io/loganalytics/sdk/LogAnalyticsClient.class", "picocli/CommandLine.class", "okhttp3/OkHttpClient.class");
    assertThat(names).noneMatch(n -> n.startsWith("org/junit/")).noneMatch(n -> n.startsWith("org/assertj/"))
        .noneMatch(n -> n.startsWith("mockwebserver3/")).noneMatch(n -> n.startsWith("okhttp3/mockwebserver"))
        .noneMatch(n -> n.startsWith("org/opentest4j/")).noneMatch(n -> n.startsWith("io/loganalytics/testkit/"))
        .noneMatch(n -> n.startsWith("okhttp3/tls/"));
  }

  @Test
  void theDemoJarHasTheEmulator() throws Exception {
    assumeTrue(Files.isRegularFile(DEMO_JAR), "runs after mvn package (" + DEMO_JAR + " not built)");
    assumeTrue(!Files.isRegularFile(JAR) || !Files.getLastModifiedTime(DEMO_JAR).toInstant().isBefore(
        Files.getLastModifiedTime(JAR).toInstant().minusSeconds(60)), DEMO_JAR + " is older than " + JAR
        + " (not built by this build, as with -Pimage)");

    assertThat(entries(DEMO_JAR)).contains("io/loganalytics/testkit/WorkspaceEmulator.class");
  }

  @Test
  void theProductionJarRunsAndItsDemoPointsToTheDemoJar() throws Exception {
    assumeTrue(Files.isRegularFile(JAR), "runs after mvn package (" + JAR + " not built)");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    Run version = run(java.toString(), "-jar", JAR.toString(), "--version");
    Run help = run(java.toString(), "-jar", JAR.toString(), "send", "--help");
    Run demo = run(java.toString(), "-jar", JAR.toString(), "demo");

    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("loganalytics-collector ");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--endpoint=URL").contains("Exit status:");
    assertThat(demo.exit()).isEqualTo(1);
    assertThat(demo.err()).startsWith("error: demo: this jar has no workspace emulator")
        .contains("loganalytics-collector-demo.jar").doesNotContain("Exception");
  }

  record Run(int exit, String out, String err) {}

  static Run run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
