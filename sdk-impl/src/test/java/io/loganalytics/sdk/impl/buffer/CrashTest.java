package io.loganalytics.sdk.impl.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends as fast as it can with SIGKILL ({@link Process#destroyForcibly()}) at random moments,
 * 20 times, and checks after each kill that every append the child saw return is in the buffer exactly once and in
 * order, that no record fails its checksum, and that what the test acknowledged before never comes back.
 */
class CrashTest {
  private static final int KILLS = 20;

  @TempDir
  Path tmp;

  @Test
  void everyAcknowledgedAppendSurvivesSigkillExactlyOnceInOrder() throws Exception {
    long seed = System.nanoTime();
    System.out.println("CrashTest seed " + seed);
    Random random = new Random(seed);
    Path dir = tmp.resolve("buffer");
    RecordingListener events = new RecordingListener();
    long firstId = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      int linesBeforeKill = kill % 5 == 0 ? 0 : 1 + random.nextInt(600);
      Path stdout = tmp.resolve("child-" + kill + ".out");
      Process child = start(dir, firstId, kill, stdout);
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(stdout) < 1 + linesBeforeKill && child.isAlive() && System.nanoTime() < deadline) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(child.isAlive()).as("child %d runs (see child-%d.err), seed %d", kill, kill, seed).isTrue();
        if (kill == 1) {
          assertThatThrownBy(() -> FileDiskBuffer.open(CrashChild.options(dir), events))
              .isInstanceOf(BufferException.class).hasMessageContaining(dir.toString());
        }
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      List<Long> printed = new ArrayList<>();
      String all = Files.readString(stdout, StandardCharsets.US_ASCII);
      String[] lines = all.split("\n", -1);
      assertThat(lines[0]).isEqualTo("open");
      // The last element is what follows the last newline: empty, or a line the kill cut off.
      for (int i = 1; i < lines.length - 1; i++) {
        printed.add(Long.parseLong(lines[i]));
      }
      BufferReport report = FileDiskBuffer.verify(dir);
      assertThat(report.corruptSegments()).as("seed %d kill %d", seed, kill).isEmpty();

      List<Long> stored = new ArrayList<>();
      try (FileDiskBuffer b = FileDiskBuffer.open(CrashChild.options(dir), events)) {
        Optional<Chunk> c;
        while ((c = b.read(Long.MAX_VALUE, 10_000)).isPresent()) {
          for (byte[] r : c.get().records()) {
            stored.add(CrashChild.idOf(r));
          }
          b.acknowledge(c.get());
        }
      }
      for (int i = 1; i < stored.size(); i++) {
        assertThat(stored.get(i)).as("seed %d kill %d: in order, once", seed, kill).isGreaterThan(stored.get(i - 1));
      }
      if (!stored.isEmpty()) {
        assertThat(stored.get(0)).as("seed %d kill %d: acknowledged records stay gone", seed, kill)
            .isGreaterThanOrEqualTo(firstId);
      }
      assertThat(stored).as("seed %d kill %d: every acknowledged append", seed, kill).containsAll(printed);
      System.out.printf("kill %d: %d appends acknowledged to the child, %d records stored%n", kill,
          printed.size(), stored.size());
      long max = firstId - 1;
      for (long id : printed) {
        max = Math.max(max, id);
      }
      for (long id : stored) {
        max = Math.max(max, id);
      }
      firstId = max + 1;
    }
    assertThat(events.quarantined).isEmpty();
    assertThat(events.drops).isEmpty();
    assertThat(firstId).isPositive();
  }

  private static int lines(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    int n = 0;
    for (byte b : Files.readAllBytes(file)) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }

  private Process start(Path dir, long firstId, int kill, Path stdout) throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xshare:auto", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), dir.toString(),
        Long.toString(firstId));
    pb.redirectOutput(stdout.toFile());
    pb.redirectError(tmp.resolve("child-" + kill + ".err").toFile());
    return pb.start();
  }
}
