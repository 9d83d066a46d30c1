package io.loganalytics.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK as named modules: an application module that {@code requires io.loganalytics.sdk} is compiled and run on
 * the module path with sdk-api, sdk-impl and their dependencies only (Bouncy Castle left out, as it is optional).
 * It builds a client (which loads OkHttp through the implementation module), sends a record, and checks that the
 * agent path, which needs Bouncy Castle, says which artifact to add.
 */
class ModulePathTest {
  private static final List<String> MODULES = List.of("sdk-api", "sdk-impl", "okhttp-jvm", "okio-jvm",
      "kotlin-stdlib", "jackson-core", "slf4j-api");

  @Test
  void anApplicationModuleUsesTheSdkOnTheModulePath(@TempDir Path tmp) throws Exception {
    String modulePath = sdkModulePath();
    Path src = tmp.resolve("src/demo");
    Files.createDirectories(src.resolve("demo"));
    Files.writeString(src.resolve("module-info.java"), "module demo { requires io.loganalytics.sdk; }\n");
    Files.writeString(src.resolve("demo/Main.java"), String.join("\n",
        "package demo;",
        "import io.loganalytics.sdk.*;",
        "import java.nio.file.Path;",
        "import java.time.Duration;",
        "import java.util.Map;",
        "public final class Main {",
        "  public static void main(String[] args) {",
        "    WorkspaceCredentials credentials = WorkspaceCredentials.of(\"00000000-0000-0000-0000-000000000001\",",
        "        \"" + "A".repeat(86) + "==\");",
        "    LogAnalyticsClient client = LogAnalyticsClient.builder().transport(Transport.DATA_COLLECTOR)",
        "        .credentials(credentials).bufferDirectory(Path.of(args[0], \"buffer\"))",
        "        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1)).build()).build();",
        "    client.send(\"ModuleTest\", Map.of(\"message\", \"hello from a named module\"));",
        "    System.out.println(\"implementation module: \" + client.getClass().getModule().getName());",
        "    System.out.println(\"buffered: \" + client.stats().bufferedRecords());",
        "    client.close(Duration.ZERO);",
        "    try {",
        "      LogAnalyticsClient.builder().transport(Transport.AGENT_CERTIFICATE).credentials(credentials)",
        "          .stateDirectory(Path.of(args[0], \"state\")).bufferDirectory(Path.of(args[0], \"agent-buffer\"))",
        "          .build().close();",
        "      System.out.println(\"agent path built without Bouncy Castle\");",
        "    } catch (ConfigurationException e) {",
        "      System.out.println(\"agent path: \" + e.getMessage());",
        "    }",
        "  }",
        "}",
        ""));
    Path classes = tmp.resolve("classes");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> javacArgs = new ArrayList<>(List.of("--module-path", modulePath, "-d", classes.toString(),
        src.resolve("module-info.java").toString(), src.resolve("demo/Main.java").toString()));
    assertThat(javac.run(null, null, null, javacArgs.toArray(String[]::new))).as("javac exit code").isZero();

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "--module-path", classes + File.pathSeparator + modulePath,
        "-m", "demo/demo.Main", tmp.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the module application ended").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("implementation module: io.loganalytics.sdk.impl")
        .contains("buffered: 1")
        .contains("agent path: transport: the agent transport needs Bouncy Castle")
        .contains("org.bouncycastle:bcpkix-jdk18on")
        .doesNotContain("NoClassDefFoundError");
  }

  /** The test class path's SDK jars (with their module descriptors) and their dependencies, nothing else. */
  private static String sdkModulePath() throws IOException {
    List<String> entries = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> MODULES.stream().anyMatch(m -> isEntryOf(e, m)))
        .collect(Collectors.toList());
    for (String module : MODULES) {
      assertThat(entries).as("class path entry for " + module).anyMatch(e -> isEntryOf(e, module));
    }
    for (String e : entries) {
      if (isEntryOf(e, "sdk-api") || isEntryOf(e, "sdk-impl")) {
        Path descriptor = Path.of(e).resolve("module-info.class");
        assertThat(e.endsWith(".jar") || Files.exists(descriptor))
            .as(e + " holds a module descriptor (built in prepare-package: run through mvn verify)").isTrue();
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static boolean isEntryOf(String entry, String module) {
    Path p = Path.of(entry);
    String name = p.getFileName().toString();
    if (name.equals("classes") && p.getParent() != null && p.getParent().getParent() != null) {
      return p.getParent().getParent().getFileName().toString().equals(module);
    }
    return (name.startsWith(module + "-") || name.startsWith("loganalytics-" + module + "-")) && name.endsWith(".jar");
  }
}
