package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage at rest, at random: a buffer is filled, some of its records are read and acknowledged out of order (others
 * stay outstanding or are released), it is closed, and then its files are damaged as a disk, a file system or an
 * operator could: flipped bytes, truncation, zeroed ranges, garbage appended, emptied files, a damaged
 * {@code ack.state}. Two sessions then read and acknowledge everything (the first stops part way, with chunks still
 * out), under a watchdog that fails a trial instead of hanging the build when {@code read()} spins, and a third
 * session must find nothing left to say. The invariants:
 * <ul>
 *   <li>{@code read()} always makes progress (the watchdog);
 *   <li>every record whose frame the damage did not touch, and that was not acknowledged, is delivered, intact;
 *   <li>no acknowledged record comes back (unless {@code ack.state} itself was damaged: then at least once);
 *   <li>every record that is not delivered is reported dropped, exactly once, as {@link DropReason#CORRUPTED}, in
 *       the first session or the second, never again;
 *   <li>{@link FileDiskBuffer#verify} before opening agrees with what the sessions find: the records it counts are
 *       the records delivered, the records it counts as lost are the records reported, and the files it calls
 *       corrupt are the files the sessions quarantine;
 *   <li>{@code recordCount()} agrees with {@code read()}: what it says at open, less what it says at close, is what
 *       was acknowledged plus what was reported lost in between.
 * </ul>
 * Each run prints its seed. Rerun one trial with {@code -Dbuffer.damage.seed=N}; run more trials with
 * {@code -Dbuffer.damage.trials=N} (default {@value #DEFAULT_TRIALS}).
 */
class RandomDamageTest {
  private static final int DEFAULT_TRIALS = 300;
  private static final Duration WATCHDOG = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  @Test
  void damageAtRestNeverHangsNeverLosesValidRecordsAndReportsEveryLossOnce() {
    String fixed = System.getProperty("buffer.damage.seed", "");
    fixed = fixed.isBlank() ? null : fixed;
    long base = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    int trials = fixed != null ? 1 : Integer.getInteger("buffer.damage.trials", DEFAULT_TRIALS);
    System.out.println("RandomDamageTest base seed " + base + ", " + trials + " trials (replay one trial with "
        + "-Dbuffer.damage.seed=<its seed>)");
    boolean survey = Boolean.getBoolean("buffer.damage.survey");
    Map<String, Integer> failures = new TreeMap<>();
    int[] outcome = new int[3];
    for (int i = 0; i < trials; i++) {
      long seed = base + i;
      Trial trial = new Trial(seed, tmp.resolve("t" + seed));
      try {
        assertTimeoutPreemptively(WATCHDOG, trial::run,
            () -> "trial seed " + seed + " did not finish within " + WATCHDOG + ": read() or open() spins");
        outcome[0] += trial.reportedLost > 0 ? 1 : 0;
        outcome[1] += trial.ackStateDamaged ? 1 : 0;
        outcome[2] += trial.quarantines > 0 ? 1 : 0;
      } catch (AssertionError | RuntimeException e) {
        // Whatever still spins on the watchdog's (daemon) thread fails at its next file access.
        trial.channels.broken = true;
        if (!survey) {
          throw e;
        }
        String kind = (e instanceof RuntimeException ? e.getClass().getSimpleName() + " " : "")
            + String.valueOf(e.getMessage()).replaceAll("seed -?\\d+.*?damage \\[.*?\\]", "")
            .replaceAll("\\d+", "N").replaceAll("\\s+", " ");
        failures.merge(kind.substring(0, Math.min(kind.length(), 160)), 1, Integer::sum);
      }
    }
    System.out.printf("RandomDamageTest: %d trials, %d with records reported lost, %d with files quarantined, %d"
        + " with a damaged ack.state%n", trials, outcome[0], outcome[2], outcome[1]);
    if (trials >= 100 && failures.isEmpty()) {
      // The damage must bite: a test whose damage never loses a record would prove nothing.
      assertThat(outcome[0]).as("trials with records lost").isGreaterThan(trials / 4);
      assertThat(outcome[2]).as("trials with files quarantined").isGreaterThan(trials / 4);
    }
    if (survey) {
      System.out.println("RandomDamageTest survey of " + trials + " trials, failing trials by first failure:");
      failures.forEach((k, v) -> System.out.println(v + "\t" + k));
      assertThat(failures).isEmpty();
    }
  }

  /** One buffer, damaged once, read by three sessions. */
  private static final class Trial {
    final long seed;
    final Random random;
    final Path dir;
    final BufferOptions options;
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
    final FaultyChannels channels = new FaultyChannels();
    /** Every record appended, by sequence (which is its id). */
    final Map<Long, byte[]> appended = new HashMap<>();
    final Set<Long> ackedBefore = new HashSet<>();
    /** Every record acknowledged so far, in any session. */
    final Set<Long> ackedEver = new HashSet<>();
    /** Frame byte ranges per segment file name, per sequence: [start, end). */
    final Map<String, Map<Long, long[]>> frames = new HashMap<>();
    /** Byte ranges the damage touched, per file name. */
    final Map<String, List<long[]>> touched = new HashMap<>();
    boolean ackStateDamaged;
    final List<String> damageLog = new ArrayList<>();
    long reportedLost;
    int quarantines;

    Trial(long seed, Path dir) {
      this.seed = seed;
      this.random = new Random(seed);
      this.dir = dir;
      channels.skipRealForce = true;
      int segment = 4096 + random.nextInt(4096);
      this.options = BufferOptions.builder(dir).segmentBytes(segment).capacityBytes(50_000_000)
          .durability(random.nextBoolean() ? Durability.SYNC : Durability.INTERVAL).build();
    }

    String where() {
      return "seed " + seed + " " + options.durability() + " segment " + options.segmentBytes() + " damage "
          + damageLog;
    }

    void run() throws IOException {
      fill();
      mapFrames();
      damage();
      BufferReport before = FileDiskBuffer.verify(dir);
      Set<Long> candidates = new TreeSet<>(appended.keySet());
      candidates.removeAll(ackedBefore);

      Session first = new Session();
      first.run(true);
      Session second = new Session();
      second.run(false);
      Session third = new Session();
      third.run(false);

      reportedLost = first.corrupted() + second.corrupted();
      quarantines = first.events.quarantined.size() + second.events.quarantined.size();
      Set<Long> delivered = new TreeSet<>(first.acknowledged);
      delivered.addAll(second.acknowledged);
      // Valid records stay readable: every untouched frame of a record not acknowledged before is delivered.
      for (long seq : candidates) {
        if (intact(seq)) {
          assertThat(delivered).as("%s: record %d (frame untouched) is delivered", where(), seq).contains(seq);
        }
      }
      if (!ackStateDamaged) {
        assertThat(delivered).as("%s: acknowledged records stay gone", where()).noneMatch(ackedBefore::contains);
        Set<Long> lost = new TreeSet<>(candidates);
        lost.removeAll(delivered);
        long reported = first.corrupted() + second.corrupted();
        assertThat(reported).as("%s: records reported lost (lost: %s)", where(), lost).isEqualTo(lost.size());
        assertThat(before.records()).as("%s: verify counts the records the sessions deliver", where())
            .isEqualTo(delivered.size());
        assertThat(before.lostRecords()).as("%s: verify counts the records the sessions report lost", where())
            .isEqualTo(reported);
        assertThat(before.bytes()).as("%s: verify counts the payload bytes of the records held", where())
            .isEqualTo(delivered.stream().mapToLong(q -> appended.get(q).length).sum());
      }
      assertThat(first.overflow() + second.overflow()).as(where()).isZero();
      assertThat(third.events.drops).as("%s: nothing reported twice", where()).isEmpty();
      assertThat(third.events.quarantined).as("%s: nothing quarantined twice", where()).isEmpty();
      assertThat(third.events.errors).as("%s: no error left for a third open", where()).isEmpty();
      assertThat(third.acknowledged).as(where()).isEmpty();

      // verify and the sessions agree on which segment files are corrupt.
      Set<String> corruptBefore = before.corruptSegments().stream().map(s -> s.substring(0, s.indexOf(':')))
          .filter(n -> n.endsWith(Format.SEGMENT_SUFFIX)).collect(Collectors.toCollection(TreeSet::new));
      Set<String> quarantinedFiles = new TreeSet<>();
      for (Session s : List.of(first, second)) {
        for (Path p : s.events.quarantined) {
          String name = p.getFileName().toString();
          quarantinedFiles.add(name.substring(0, name.indexOf(Format.SEGMENT_SUFFIX) + Format.SEGMENT_SUFFIX
              .length()));
        }
      }
      assertThat(quarantinedFiles).as("%s: files quarantined = files verify calls corrupt", where())
          .isEqualTo(corruptBefore);
      boolean ackStateCorrupt = before.corruptSegments().stream().anyMatch(s -> s.startsWith(AckState.FILE));
      assertThat(ackStateCorrupt).as("%s: verify sees a damaged ack.state", where()).isEqualTo(ackStateDamaged
          && first.events.errors.stream().anyMatch(e -> e.getMessage().contains(AckState.FILE)));
      BufferReport after = FileDiskBuffer.verify(dir);
      assertThat(after.healthy()).as("%s: healthy after two sessions: %s", where(), after).isTrue();
      assertThat(after.records()).as(where()).isZero();
      assertThat(after.lostRecords()).as(where()).isZero();
    }

    /** Appends records, acknowledges some out of order, releases some, leaves some outstanding, closes. */
    void fill() {
      int n = 20 + random.nextInt(400);
      try (FileDiskBuffer b = FileDiskBuffer.open(options, new RecordingListener(), clock, channels)) {
        long seq = 0;
        while (seq < n) {
          clock.advance(Duration.ofMillis(10));
          if (random.nextInt(5) == 0) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = random.nextInt(8); i >= 0; i--) {
              byte[] r = record(seq++);
              batch.add(r);
            }
            b.appendAll(batch);
          } else {
            b.append(record(seq++));
          }
        }
        List<Chunk> out = new ArrayList<>();
        int reads = random.nextInt(12);
        for (int i = 0; i < reads; i++) {
          Optional<Chunk> c = b.read(1 + random.nextInt(3000), 1 + random.nextInt(40));
          if (c.isEmpty()) {
            break;
          }
          out.add(c.get());
        }
        java.util.Collections.shuffle(out, random);
        for (Chunk c : out) {
          int what = random.nextInt(4);
          if (what < 2) {
            b.acknowledge(c);
            for (int i = 0; i < c.recordCount(); i++) {
              ackedBefore.add(c.firstSequence() + i);
              ackedEver.add(c.firstSequence() + i);
            }
          } else if (what == 2) {
            b.release(c);
          }
        }
      }
    }

    byte[] record(long seq) {
      int filler = 1 + random.nextInt(random.nextInt(4) == 0 ? 900 : 120);
      byte[] r = ("id=" + seq + ";" + "z".repeat(filler)).getBytes(UTF_8);
      appended.put(seq, r);
      return r;
    }

    /** Where every frame lies, read before the damage. */
    void mapFrames() throws IOException {
      for (Path p : segmentFiles()) {
        String name = p.getFileName().toString();
        long first = Format.parseSegmentName(name);
        Map<Long, long[]> m = new HashMap<>();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
          FrameReader r = new FrameReader(ch, Format.SEGMENT_HEADER_BYTES, ch.size(), 1 << 20);
          long at = r.position();
          long expected = first;
          while (r.next(true, expected) == FrameReader.OK) {
            m.put(expected, new long[] {at, r.position()});
            at = r.position();
            expected++;
          }
        }
        frames.put(name, m);
      }
    }

    List<Path> segmentFiles() throws IOException {
      try (Stream<Path> s = Files.list(dir)) {
        return s.filter(p -> p.getFileName().toString().endsWith(Format.SEGMENT_SUFFIX)).sorted()
            .collect(Collectors.toList());
      }
    }

    boolean intact(long seq) {
      for (Map.Entry<String, Map<Long, long[]>> f : frames.entrySet()) {
        long[] range = f.getValue().get(seq);
        if (range != null) {
          for (long[] t : touched.getOrDefault(f.getKey(), List.of())) {
            if (t[0] < range[1] && range[0] < t[1]) {
              return false;
            }
          }
          return true;
        }
      }
      return false;
    }

    void damage() throws IOException {
      int damages = 1 + random.nextInt(random.nextInt(4) == 0 ? 4 : 2);
      for (int d = 0; d < damages; d++) {
        List<Path> files = new ArrayList<>(segmentFiles());
        Path ack = dir.resolve(AckState.FILE);
        if (Files.exists(ack) && random.nextInt(6) == 0) {
          files = List.of(ack);
        }
        Path f = files.get(random.nextInt(files.size()));
        String name = f.getFileName().toString();
        byte[] bytes = Files.readAllBytes(f);
        int kind = random.nextInt(6);
        byte[] out;
        long[] range;
        String what;
        switch (kind) {
          case 0 -> {
            if (bytes.length == 0) {
              continue;
            }
            int at = random.nextInt(bytes.length);
            out = bytes.clone();
            out[at] ^= (byte) (1 + random.nextInt(255));
            range = new long[] {at, at + 1};
            what = "flip@" + at;
          }
          case 1 -> {
            int len = random.nextInt(bytes.length + 1);
            out = Arrays.copyOf(bytes, len);
            range = new long[] {len, Long.MAX_VALUE};
            what = "truncate@" + len;
          }
          case 2 -> {
            if (bytes.length == 0) {
              continue;
            }
            int at = random.nextInt(bytes.length);
            int len = 1 + random.nextInt(Math.min(200, bytes.length - at));
            out = bytes.clone();
            Arrays.fill(out, at, at + len, (byte) 0);
            range = new long[] {at, at + len};
            what = "zero@" + at + "+" + len;
          }
          case 3 -> {
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            out = Arrays.copyOf(bytes, bytes.length + garbage.length);
            System.arraycopy(garbage, 0, out, bytes.length, garbage.length);
            range = new long[] {bytes.length, bytes.length + garbage.length};
            what = "garbage+" + garbage.length;
          }
          case 4 -> {
            out = new byte[0];
            range = new long[] {0, Long.MAX_VALUE};
            what = "empty";
          }
          default -> {
            // A flip in the first bytes: the segment header, or the first frame's header.
            int at = random.nextInt(Math.max(1, Math.min(bytes.length, 64)));
            if (bytes.length == 0) {
              continue;
            }
            out = bytes.clone();
            out[at] ^= (byte) (1 + random.nextInt(255));
            range = new long[] {at, at + 1};
            what = "flip-head@" + at;
          }
        }
        if (Arrays.equals(out, bytes)) {
          continue;
        }
        Files.write(f, out);
        damageLog.add(name + ":" + what);
        if (name.equals(AckState.FILE)) {
          ackStateDamaged = true;
        } else {
          touched.computeIfAbsent(name, k -> new ArrayList<>()).add(range);
        }
      }
    }

    /** One open, reading with chunks acknowledged out of order and some released, then close. */
    final class Session {
      final RecordingListener events = new RecordingListener();
      final Set<Long> acknowledged = new TreeSet<>();

      long corrupted() {
        return events.dropped(DropReason.CORRUPTED);
      }

      long overflow() {
        return events.dropped(DropReason.BUFFER_OVERFLOW);
      }

      void run(boolean stopPartWay) {
        long reportedAtOpen;
        long countAtOpen;
        long countAtEnd;
        long acknowledgedRecords = 0;
        try (FileDiskBuffer b = FileDiskBuffer.open(options, events, clock, channels)) {
          reportedAtOpen = events.dropped(DropReason.CORRUPTED);
          countAtOpen = b.recordCount();
          List<Chunk> out = new ArrayList<>();
          int budget = stopPartWay ? random.nextInt(10) : Integer.MAX_VALUE;
          boolean more = true;
          int steps = 0;
          while (more || !out.isEmpty()) {
            assertThat(++steps).as("%s: steps", where()).isLessThan(100_000);
            if (more && out.size() < 3 && budget-- > 0) {
              Optional<Chunk> c = b.read(1 + random.nextInt(4000), 1 + random.nextInt(30));
              if (c.isPresent()) {
                check(c.get());
                out.add(c.get());
                continue;
              }
              more = false;
              continue;
            }
            if (out.isEmpty() || (stopPartWay && budget <= 0 && random.nextBoolean())) {
              break;
            }
            Chunk c = out.remove(random.nextInt(out.size()));
            if (random.nextInt(5) == 0) {
              b.release(c);
              more = budget > 0;
            } else {
              b.acknowledge(c);
              acknowledgedRecords += c.recordCount();
              for (int i = 0; i < c.recordCount(); i++) {
                acknowledged.add(c.firstSequence() + i);
                ackedEver.add(c.firstSequence() + i);
              }
            }
          }
          countAtEnd = b.recordCount();
          if (!stopPartWay) {
            assertThat(countAtEnd).as("%s: recordCount after reading everything", where()).isZero();
          }
        }
        long reportedWhileOpen = events.dropped(DropReason.CORRUPTED) - reportedAtOpen;
        assertThat(countAtOpen - countAtEnd).as("%s: recordCount at open (%d) less at close (%d) = acknowledged "
            + "(%d) + reported lost after open (%d)", where(), countAtOpen, countAtEnd, acknowledgedRecords,
            reportedWhileOpen).isEqualTo(acknowledgedRecords + reportedWhileOpen);
      }

      void check(Chunk c) {
        for (int i = 0; i < c.recordCount(); i++) {
          long seq = c.firstSequence() + i;
          assertThat(c.records().get(i)).as("%s: record %d intact", where(), seq).isEqualTo(appended.get(seq));
          if (!ackStateDamaged || !ackedBefore.contains(seq)) {
            assertThat(ackedEver).as("%s: acknowledged record %d stays gone", where(), seq).doesNotContain(seq);
          }
        }
      }
    }
  }
}
