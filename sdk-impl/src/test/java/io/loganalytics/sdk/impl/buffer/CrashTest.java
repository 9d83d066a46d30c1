package io.loganalytics.sdk.impl.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
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
 *
 * <p>The seed of the test's choices (when to kill, the child's reader) is printed; {@code -Dcrash.seed=N} repeats
 * them (the moments of the kills still depend on timing).
 */
class CrashTest {
  private static final int KILLS = 20;

  @TempDir
  Path tmp;

  @Test
  void everyAcknowledgedAppendSurvivesSigkillExactlyOnceInOrder() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("CrashTest seed " + seed + " (repeat with -Dcrash.seed=" + seed + ")");
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
    return startChild(stdout, "child-" + kill, "simple", dir.toString(), Long.toString(firstId));
  }

  private Process startChild(Path stdout, String name, String... args) throws IOException {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xshare:auto", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectOutput(stdout.toFile());
    pb.redirectError(tmp.resolve(name + ".err").toFile());
    return pb.start();
  }

  private static final int FULL_KILLS = 40;
  private static final int THREADS = 3;

  /**
   * Several appending threads, a reader that acknowledges out of order and releases, a small buffer under
   * {@code DROP_OLDEST}, payload checksums, and kills at random moments, some while the child is still opening
   * (recovering, delivering the reports the journal owes). Every few kills the test itself opens the buffer and reads
   * it all without acknowledging. At the end it drains the buffer and accounts for every record: an acknowledged one
   * never comes back; every record whose append returned was acknowledged, is delivered now, or was reported
   * dropped; and the drops reported (by the children and the test, across all kills) are no more than the records
   * that could have been dropped. The slack of the accounting is what a kill leaves unknown: an acknowledgement
   * that was under way, appends under way, and a report delivered just before the kill and again after it.
   */
  @Test
  void withAppendersAReaderAndEvictionsEveryRecordIsAcknowledgedDeliveredOrReportedAcrossKills() throws Exception {
    full(Durability.SYNC, FULL_KILLS);
  }

  /**
   * The same with {@link Durability#INTERVAL}, whose evictions are journaled and deleted by the eviction thread after
   * the appending thread evicted them: kills fall between the two halves too.
   */
  @Test
  void withIntervalDurabilityEvictionsFinishedOffTheAppendingThreadAccountForEveryRecordAcrossKills()
      throws Exception {
    full(Durability.INTERVAL, FULL_KILLS / 2);
  }

  private void full(Durability durability, int kills) throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("CrashTest full seed " + seed + " (repeat with -Dcrash.seed=" + seed + ")");
    Random random = new Random(seed);
    Path dir = tmp.resolve("full-" + durability);
    java.util.Set<Long> appended = new java.util.HashSet<>();
    java.util.Set<Long> ackIntended = new java.util.HashSet<>();
    java.util.Set<Long> acked = new java.util.HashSet<>();
    java.util.Set<Long> inFlight = new java.util.HashSet<>();
    long dropped = 0;
    long slack = 0;
    long firstId = 0;
    long maxId = -1;
    int recoveryKills = 0;
    for (int kill = 0; kill < kills; kill++) {
      Path stdout = tmp.resolve("full-" + kill + ".out");
      boolean duringRecovery = kill % 4 == 2;
      int linesBeforeKill = 1 + random.nextInt(800);
      Process child = startChild(stdout, "full-" + kill, "full", dir.toString(), Long.toString(firstId),
          Integer.toString(THREADS), Long.toString(seed + kill), durability.name());
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        if (duringRecovery) {
          while (lines(stdout) < 1 && child.isAlive() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
          }
          // Some land in recovery, some just after the first appends returned (before anything was printed).
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(40_000)));
        } else {
          while (lines(stdout) < 2 + linesBeforeKill && child.isAlive() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
          }
        }
        assertThat(child.isAlive()).as("child %d runs (see full-%d.err), seed %d", kill, kill, seed).isTrue();
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      String[] out = Files.readString(stdout, StandardCharsets.US_ASCII).split("\n", -1);
      // Appender t appends ids firstId + t + k * THREADS; before its first append returns, "the id before" is
      // firstId + t - THREADS.
      long[] lastConfirmed = new long[THREADS];
      for (int t = 0; t < THREADS; t++) {
        lastConfirmed[t] = firstId + t - THREADS;
      }
      List<Long> dropsThisRun = new ArrayList<>();
      boolean opened = false;
      // The last element is what follows the last newline: empty, or a line the kill cut off.
      for (int i = 0; i < out.length - 1; i++) {
        String line = out[i];
        assertThat(line).as("seed %d kill %d: a record failed its checksum", seed, kill).doesNotStartWith("BAD");
        if (line.equals("open")) {
          opened = true;
        } else if (line.startsWith("a ")) {
          long id = Long.parseLong(line.substring(2));
          appended.add(id);
          int t = (int) ((id - firstId) % THREADS);
          lastConfirmed[t] = Math.max(lastConfirmed[t], id);
          maxId = Math.max(maxId, id);
        } else if (line.startsWith("i ") || line.startsWith("k ")) {
          for (String id : line.substring(2).split(" ")) {
            long v = Long.parseLong(id);
            (line.charAt(0) == 'i' ? ackIntended : acked).add(v);
            maxId = Math.max(maxId, v);
          }
        } else if (line.startsWith("d ")) {
          long n = Long.parseLong(line.substring(2));
          dropped += n;
          dropsThisRun.add(n);
        }
      }
      recoveryKills += opened ? 0 : 1;
      // An appender prints an id only after its append returned: the kill may fall between the two, so up to the
      // next three ids of each appender (a batch) may be stored unprinted. The next child starts above all of them,
      // even when this one printed nothing at all (killed while opening, or right after its first appends): a child
      // that reused ids would store the same record twice.
      long highestPossible = maxId;
      for (int t = 0; t < THREADS; t++) {
        for (int k = 1; k <= 3; k++) {
          long id = lastConfirmed[t] + (long) k * THREADS;
          inFlight.add(id);
          highestPossible = Math.max(highestPossible, id);
        }
      }
      // A report delivered just before the kill may be delivered again after it (the journal was not yet updated).
      for (int i = Math.max(0, dropsThisRun.size() - 3); i < dropsThisRun.size(); i++) {
        slack += dropsThisRun.get(i);
      }
      assertThat(FileDiskBuffer.verify(dir).corruptSegments()).as("seed %d kill %d: a crash damages nothing", seed,
          kill).isEmpty();
      if (kill % 5 == 4) {
        RecordingListener events = new RecordingListener();
        try (FileDiskBuffer b = FileDiskBuffer.open(CrashChild.fullOptions(dir, durability), events)) {
          List<Long> ids = new ArrayList<>();
          Optional<Chunk> c;
          while ((c = b.read(Long.MAX_VALUE, 1000)).isPresent()) {
            c.get().records().forEach(r -> ids.add(CrashChild.checkedId(r)));
          }
          checkDelivery(ids, acked, seed, kill);
        }
        dropped += events.dropped(DropReason.BUFFER_OVERFLOW);
        assertThat(events.dropped(DropReason.CORRUPTED)).isZero();
      }
      assertThat(highestPossible).isGreaterThanOrEqualTo(firstId);
      firstId = highestPossible + 1;
    }
    RecordingListener events = new RecordingListener();
    List<Long> delivered = new ArrayList<>();
    try (FileDiskBuffer b = FileDiskBuffer.open(CrashChild.fullOptions(dir, durability), events)) {
      Optional<Chunk> c;
      while ((c = b.read(Long.MAX_VALUE, 1000)).isPresent()) {
        c.get().records().forEach(r -> delivered.add(CrashChild.checkedId(r)));
        b.acknowledge(c.get());
      }
      assertThat(b.recordCount()).isZero();
    }
    dropped += events.dropped(DropReason.BUFFER_OVERFLOW);
    assertThat(events.dropped(DropReason.CORRUPTED)).isZero();
    checkDelivery(delivered, acked, seed, kills);
    java.util.Set<Long> gone = new java.util.HashSet<>(appended);
    gone.removeAll(ackIntended);
    gone.removeAll(acked);
    gone.removeAll(delivered);
    java.util.Set<Long> possible = new java.util.HashSet<>(appended);
    possible.addAll(ackIntended);
    possible.addAll(inFlight);
    possible.removeAll(acked);
    possible.removeAll(delivered);
    System.out.printf("CrashTest full: %d kills (%d while opening), %d appends returned, %d acknowledged, %d"
        + " delivered at the end, %d reported dropped (between %d and %d + %d)%n", kills, recoveryKills,
        appended.size(), acked.size(), delivered.size(), dropped, gone.size(), possible.size(), slack);
    assertThat(dropped).as("seed %d: every record not acknowledged nor delivered was reported dropped", seed)
        .isGreaterThanOrEqualTo(gone.size());
    assertThat(dropped).as("seed %d: no record was reported twice", seed)
        .isLessThanOrEqualTo(possible.size() + slack);
    assertThat(dropped).as("seed %d: the small buffer evicted", seed).isPositive();
  }

  /** Records read in one session: valid checksums, each once, in order per appender, none acknowledged before. */
  private static void checkDelivery(List<Long> ids, java.util.Set<Long> acked, long seed, int kill) {
    assertThat(ids).as("seed %d kill %d: checksums", seed, kill).doesNotContain(-1L);
    assertThat(new java.util.HashSet<>(ids)).as("seed %d kill %d: once", seed, kill).hasSameSizeAs(ids);
    assertThat(ids).as("seed %d kill %d: acknowledged records stay gone", seed, kill).noneMatch(acked::contains);
    // An appender's ids share their residue modulo THREADS, and every run's ids are above the previous run's.
    java.util.Map<Long, Long> last = new java.util.HashMap<>();
    for (long id : ids) {
      Long before = last.put(id % THREADS, id);
      if (before != null) {
        assertThat(id).as("seed %d kill %d: in order per appender", seed, kill).isGreaterThan(before);
      }
    }
  }
}
