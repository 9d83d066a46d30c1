package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.drain;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.names;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.rec;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Durability;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SYNC mode rolls without creating, filling or forcing a new file on the appending thread: the next segment is a
 * spare the sync thread prepared (preallocated, forced with its directory entry), renamed; the rename is made durable
 * by a directory force before any append in the new segment returns. Every open and force is journaled by thread
 * ({@link FaultyChannels#journal}), so the tests see which thread did what, in which order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileDiskBufferSyncRollTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir
  Path root;

  private final MutableClock clock = new MutableClock(T0);
  private final RecordingListener events = new RecordingListener();
  private final FaultyChannels channels = new FaultyChannels();
  private final ConcurrentLinkedQueue<String> journal = new ConcurrentLinkedQueue<>();

  {
    channels.skipRealForce = true;
    channels.journal = journal;
  }

  private FileDiskBuffer open(Path dir) {
    return FileDiskBuffer.open(BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(1 << 20)
        .durability(Durability.SYNC).build(), events, clock, channels);
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static Object fileKey(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.onSpinWait();
    }
  }

  /** What the calling thread did since the journal was cleared. */
  private List<String> mine() {
    String me = Thread.currentThread().getName() + " ";
    List<String> out = new ArrayList<>();
    for (String e : journal) {
      if (e.startsWith(me)) {
        out.add(e.substring(me.length()));
      }
    }
    return out;
  }

  @Test
  void aRollTakesThePreparedSpareAndTheAppendReturnsOnlyAfterTheDirectoryForce() throws IOException {
    Path dir = root.resolve("buffer");
    String dirName = dir.getFileName().toString();
    try (FileDiskBuffer b = open(dir)) {
      assertThat(b.spareReady()).as("the first spare is made on open").isTrue();
      Path spare = files(dir, ".tmp").get(0);
      assertThat(Files.size(spare)).as("preallocated like a SYNC segment").isEqualTo(4096);
      Object spareFile = fileKey(spare);
      int i = 0;
      List<String> rolling = null;
      while (files(dir, ".seg").size() < 2) {
        journal.clear();
        b.append(rec(i++));
        rolling = mine();
      }
      Path next = files(dir, ".seg").get(1);
      assertThat(fileKey(next)).as("the spare became the new segment").isEqualTo(spareFile);
      assertThat(Files.size(next)).isEqualTo(4096);
      String oldSeg = files(dir, ".seg").get(0).getFileName().toString();
      // The rolling append: forces the old segment, then (leading its round) the new segment and the directory, in
      // that order; it creates no file.
      assertThat(rolling).noneMatch(e -> e.startsWith("open-new"));
      assertThat(rolling).containsSubsequence("force " + oldSeg, "force " + spare.getFileName(),
          "force " + dirName);
      assertThat(rolling.get(rolling.size() - 1)).as("the directory force is the last thing before it returns")
          .isEqualTo("force " + dirName);

      await("the next spare", b::spareReady);
      List<String> sync = new ArrayList<>();
      for (String e : journal) {
        if (e.startsWith("loganalytics-buffer-sync-")) {
          sync.add(e.substring(e.indexOf(' ') + 1));
        }
      }
      assertThat(sync).as("the sync thread made the next spare").anyMatch(e -> e.startsWith("open-new spare-"))
          .contains("force " + dirName);

      journal.clear();
      b.append(rec(i++));
      assertThat(mine()).as("no rename since the last directory force: no directory force")
          .containsExactly("force " + spare.getFileName());
      int appended = i;
      assertThat(drain(b)).isEqualTo(names(0, appended));
    }
    assertThat(files(dir, ".tmp")).as("the spare is deleted on close").isEmpty();
    assertThat(events.errors).isEmpty();
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  @Test
  void whenTheDirectoryForceAfterARollFailsTheAppendsInTheNewSegmentFailAndTheNextForceRetriesIt()
      throws IOException {
    Path dir = root.resolve("buffer");
    try (FileDiskBuffer b = open(dir)) {
      int i = 0;
      while (files(dir, ".seg").size() < 2) {
        journal.clear();
        if (files(dir, ".seg").size() == 1 && b.spareReady()) {
          // From now on the directory cannot be forced: the append that rolls must not return durable.
          channels.failForcesOf = p -> p.equals(dir);
        }
        try {
          b.append(rec(i));
        } catch (BufferException e) {
          break;
        }
        i++;
      }
      assertThat(files(dir, ".seg")).as("rolled").hasSize(2);
      int failed = i;
      assertThat(b.recordCount()).as("the record in the new segment failed; the old segment's are durable")
          .isEqualTo(failed);
      channels.failForcesOf = null;
      journal.clear();
      b.append(rec(1000));
      assertThat(mine()).as("the next force covers the directory").contains("force " + dir.getFileName());
      List<String> expected = new ArrayList<>(names(0, failed));
      expected.add(str(rec(1000)));
      assertThat(drain(b)).isEqualTo(expected);
    }
    try (FileDiskBuffer b = open(dir)) {
      assertThat(b.recordCount()).isZero();
    }
    assertThat(events.drops).isEmpty();
  }

  @Test
  void withoutASpareARollCreatesItsSegmentItselfAndLeavesNoTemporaryFile() throws IOException {
    Path dir = root.resolve("buffer");
    channels.failForcesOf = p -> p.getFileName().toString().startsWith("spare-");
    try (FileDiskBuffer b = open(dir)) {
      assertThat(b.spareReady()).isFalse();
      FileDiskBufferTest.appendRange(b, 0, 200);
      assertThat(files(dir, ".seg").size()).as("rolled").isGreaterThanOrEqualTo(3);
      assertThat(drain(b)).isEqualTo(names(0, 200));
    }
    assertThat(files(dir, ".tmp")).isEmpty();
    assertThat(events.errors).as("a spare that cannot be made is no error of the buffer").isEmpty();
    try (FileDiskBuffer b = open(dir)) {
      assertThat(b.recordCount()).isZero();
    }
  }
}
