package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.rec;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs one script of appends, reads and acknowledgements again and again, failing the N-th write (after writing half
 * of it) or the N-th force, for every N the script reaches. After each run the directory is reopened with a healthy
 * file system: every append that returned is there, in order, and nothing else is; an acknowledgement that returned
 * is never undone; an acknowledgement that threw is either fully applied or not at all.
 */
class FaultInjectionTest {
  private static final int APPENDS = 150;

  @TempDir
  Path root;

  private int run;

  @Test
  void everyFailingWriteLeavesOnlyAcknowledgedAppendsBehind() throws IOException {
    int total = countOps(true);
    assertThat(total).isGreaterThan(APPENDS);
    for (int n = 1; n <= total; n++) {
      FaultyChannels ch = faulty();
      ch.failAtWrite = n;
      checkRun(ch, "write " + n);
    }
  }

  @Test
  void everyFailingForceLeavesOnlyAcknowledgedAppendsBehind() throws IOException {
    int total = countOps(false);
    assertThat(total).isGreaterThan(APPENDS);
    for (int n = 1; n <= total; n++) {
      FaultyChannels ch = faulty();
      ch.failAtForce = n;
      checkRun(ch, "force " + n);
    }
  }

  private int countOps(boolean writes) throws IOException {
    FaultyChannels ch = faulty();
    Outcome o = script(ch, newDir());
    assertThat(o.failures).isZero();
    return writes ? ch.writes.get() : ch.forces.get();
  }

  private static FaultyChannels faulty() {
    FaultyChannels ch = new FaultyChannels();
    ch.skipRealForce = true;
    return ch;
  }

  private Path newDir() throws IOException {
    return Files.createDirectory(root.resolve("run-" + run++));
  }

  private static BufferOptions options(Path dir) {
    return BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(1_000_000).build();
  }

  private static final class Outcome {
    final List<String> live = new ArrayList<>();
    final List<List<String>> doubtful = new ArrayList<>();
    int failures;
  }

  /** Appends, reads and acknowledges; records what a caller was told. */
  private static Outcome script(FaultyChannels ch, Path dir) {
    Outcome o = new Outcome();
    FileDiskBuffer b;
    try {
      b = FileDiskBuffer.open(options(dir), LogAnalyticsListener.NONE, Clock.systemUTC(), ch);
    } catch (BufferException e) {
      o.failures++;
      b = FileDiskBuffer.open(options(dir), LogAnalyticsListener.NONE, Clock.systemUTC(), ch);
    }
    try {
      for (int i = 0; i < APPENDS; i++) {
        try {
          b.append(rec(i));
          o.live.add(str(rec(i)));
        } catch (BufferException e) {
          o.failures++;
        }
        if (i % 25 == 24) {
          Optional<Chunk> c = b.read(Long.MAX_VALUE, 10);
          if (c.isPresent()) {
            List<String> recs = c.get().records().stream().map(FileDiskBufferTest::str).collect(Collectors.toList());
            try {
              b.acknowledge(c.get());
              o.live.removeAll(recs);
            } catch (BufferException e) {
              o.failures++;
              o.doubtful.add(recs);
            }
          }
        }
      }
    } finally {
      b.close();
    }
    return o;
  }

  private void checkRun(FaultyChannels ch, String what) throws IOException {
    Path dir = newDir();
    Outcome o = script(ch, dir);
    assertThat(o.failures).as("the injected failure at %s surfaced", what).isLessThanOrEqualTo(1);
    List<String> after;
    try (FileDiskBuffer b = FileDiskBuffer.open(options(dir), LogAnalyticsListener.NONE)) {
      after = FileDiskBufferTest.drain(b);
    }
    List<String> expected = new ArrayList<>(o.live);
    for (List<String> chunk : o.doubtful) {
      boolean kept = after.containsAll(chunk);
      boolean gone = chunk.stream().noneMatch(after::contains);
      assertThat(kept || gone).as("an acknowledgement that failed at %s is all or nothing", what).isTrue();
      if (gone) {
        expected.removeAll(chunk);
      }
    }
    assertThat(after).as("records after a failure at %s", what).isEqualTo(expected);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("quarantine"));
    }
  }
}
