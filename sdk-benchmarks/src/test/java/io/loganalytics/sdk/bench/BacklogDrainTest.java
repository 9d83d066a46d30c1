package io.loganalytics.sdk.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays bounded while a backlog drains: a child JVM with a 24 MB heap fills a file buffer with 96 MB of
 * 300-byte records (more than three times its heap in JSON) and uploads all of it through the TLS executor to a
 * loopback sink. The full-size run is {@link BacklogDrain} with {@code -Xmx64m --mb 1024}.
 */
class BacklogDrainTest {
  private static final Pattern SENT = Pattern.compile("sent=(\\d+)");

  @Test
  void aChildJvmWithA24MegabyteHeapDrainsA96MegabyteBacklogCompletely(@TempDir Path dir) throws Exception {
    Path output = dir.resolve("output.txt");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx24m", "-XX:+ExitOnOutOfMemoryError", "-Dslf4j.provider=org.slf4j.nop.NOPServiceProvider",
        "-Dslf4j.internal.verbosity=WARN",
        "-cp", System.getProperty("java.class.path"),
        BacklogDrain.class.getName(), "--mb", "96", "--dir", dir.resolve("work").toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    boolean exited = child.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly().waitFor();
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);

    assertThat(exited).as("the child finished; output: %s", text).isTrue();
    assertThat(child.exitValue()).as("exit status; output: %s", text).isZero();
    assertThat(text.lines()).as("output: %s", text).anyMatch(line -> line.startsWith("DRAINED "));
    assertThat(text).doesNotContain("OutOfMemoryError");
    Matcher sent = SENT.matcher(text);
    assertThat(sent.find()).isTrue();
    assertThat(Long.parseLong(sent.group(1)) * 300).as("JSON bytes delivered").isGreaterThan(3L * (24 << 20));
    assertThat(segmentBytes(dir.resolve("work").resolve("buffer"))).as("bytes left in segments").isLessThan(4L << 20);
  }

  private static long segmentBytes(Path buffer) throws IOException {
    try (Stream<Path> files = Files.walk(buffer)) {
      List<Path> all = files.filter(Files::isRegularFile).toList();
      long sum = 0;
      for (Path p : all) {
        sum += Files.size(p);
      }
      return sum;
    }
  }
}
