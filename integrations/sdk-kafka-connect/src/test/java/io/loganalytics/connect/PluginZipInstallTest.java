package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.WorkspaceEmulator;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the plugin zip built by {@code package} the way an operator does (unzip into a directory named by
 * {@code plugin.path}) and starts a plain Connect worker ({@code ConnectStandalone}) in a separate JVM whose class
 * path holds Kafka only: the connector can come from nowhere but the zip. The worker delivers records to the
 * emulator. Runs in the {@code integration-test} phase (the zip does not exist before {@code package}).
 */
class PluginZipInstallTest {
  @TempDir Path tmp;

  @Test
  void thePluginZipInstallsIntoPluginPathAndRunsInAWorkerThatHasOnlyKafkaOnItsClassPath() throws Exception {
    Path zip = findZip();
    Path plugins = tmp.resolve("plugins");
    unzip(zip, plugins);
    Path pluginDir;
    try (Stream<Path> s = Files.list(plugins)) {
      List<Path> dirs = s.collect(Collectors.toList());
      assertThat(dirs).hasSize(1);
      pluginDir = dirs.get(0);
    }
    assertThat(pluginDir.resolve("manifest.json")).exists();
    assertThat(Files.readString(pluginDir.resolve("manifest.json"))).contains("\"component_types\": [\"sink\"]");
    List<String> libs;
    try (Stream<Path> s = Files.list(pluginDir.resolve("lib"))) {
      libs = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertThat(libs).anyMatch(n -> n.startsWith("loganalytics-sdk-kafka-connect-")).anyMatch(n -> n.startsWith("loganalytics-sdk-api-"))
        .anyMatch(n -> n.startsWith("loganalytics-sdk-impl-")).anyMatch(n -> n.startsWith("okhttp"))
        .anyMatch(n -> n.startsWith("jackson-core-"))
        .noneMatch(n -> n.startsWith("kafka") || n.startsWith("connect-") || n.startsWith("slf4j"));
    Path connectorJar = pluginDir.resolve("lib").resolve(libs.stream().filter(n -> n.startsWith("loganalytics-sdk-kafka-connect-"))
        .findFirst().orElseThrow());
    try (JarFile jar = new JarFile(connectorJar.toFile())) {
      ZipEntry services = jar.getEntry("META-INF/services/org.apache.kafka.connect.sink.SinkConnector");
      assertThat(services).isNotNull();
      try (InputStream in = jar.getInputStream(services)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip())
            .isEqualTo(LogAnalyticsSinkConnector.class.getName());
      }
    }

    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, new Properties());
    Process worker = null;
    Path log = tmp.resolve("worker.log");
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start()) {
      kafka.start();
      kafka.createTopic("zip.logs", 2);
      for (int i = 0; i < 20; i++) {
        kafka.produce("zip.logs", i % 2, null, "{\"n\":" + i + "}");
      }
      Path workerProps = write("worker.properties", Map.of(
          "bootstrap.servers", kafka.bootstrapServers(),
          "key.converter", "org.apache.kafka.connect.storage.StringConverter",
          "value.converter", "org.apache.kafka.connect.storage.StringConverter",
          "offset.storage.file.filename", tmp.resolve("offsets").toString(),
          "offset.flush.interval.ms", "1000",
          "listeners", "http://127.0.0.1:0",
          "plugin.path", plugins.toString()));
      Map<String, String> connector = new java.util.HashMap<>(Map.of(
          "name", "zip-sink",
          "connector.class", "io.loganalytics.connect.LogAnalyticsSinkConnector",
          "tasks.max", "1",
          "topics", "zip.logs",
          "loganalytics.transport", "DATA_COLLECTOR",
          "loganalytics.workspace.id", emulator.workspaceId(),
          "loganalytics.shared.key", emulator.sharedKey(),
          "loganalytics.cloud", emulator.cloud().domain(),
          "loganalytics.cloud.port", String.valueOf(emulator.port()),
          "loganalytics.host.address", "127.0.0.1"));
      connector.put("loganalytics.ssl.truststore.pem",
          emulator.writeCaCertificate(tmp.resolve("ca.pem")).toString());
      connector.put("loganalytics.table.mapping", "zip.logs:ZipLogs");
      connector.put("batch.linger.ms", "100");
      Path connectorProps = write("connector.properties", connector);

      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-cp", kafkaOnlyClassPath(),
          "org.apache.kafka.connect.cli.ConnectStandalone", workerProps.toString(), connectorProps.toString()));
      worker = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();

      boolean arrived = emulator.awaitRecords(20, Duration.ofSeconds(120));
      String output = Files.readString(log);
      assertThat(arrived).as("records from the worker; its log:%n%s", tail(output)).isTrue();
      assertThat(emulator.records("ZipLogs")).hasSize(20);
      assertThat(output).contains("Loading plugin from: " + pluginDir);
      assertThat(output).doesNotContain(emulator.sharedKey());
    } finally {
      if (worker != null) {
        worker.destroy();
        if (!worker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      }
      kafka.stop();
    }
  }

  private static String tail(String s) {
    return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
  }

  /** The test class path without this module's classes and without the SDK and its libraries. */
  private static String kafkaOnlyClassPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !e.contains("sdk-kafka-connect") && !e.contains("sdk-api") && !e.contains("sdk-impl")
            && !e.contains("sdk-testkit") && !e.contains("okhttp") && !e.contains("okio")
            && !e.contains("bcp") && !e.contains("bcutil") && !e.contains("mockwebserver"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  private Path write(String name, Map<String, String> props) throws IOException {
    Properties p = new Properties();
    p.putAll(props);
    Path file = tmp.resolve(name);
    try (var out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    return file;
  }

  private static Path findZip() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("target"))) {
      return s.filter(p -> p.getFileName().toString().matches("loganalytics-kafka-connect-.*\\.zip")).findFirst()
          .orElseThrow(() -> new AssertionError("no plugin zip in target/: run this test after package"));
    }
  }

  private static void unzip(Path zip, Path into) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry outside the target: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target);
        }
      }
    }
  }
}
