package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.appendRange;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.drain;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.names;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.rec;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * INTERVAL mode rolls without forcing on the appending thread: the next segment comes from a spare file the sync
 * thread prepared, and the sealed segment is forced by the next periodic force or by {@code close()}. The crash tests
 * take an image of the directory while the buffer is open (what the page cache held), then take away what a power
 * cut may take from files no force covered ({@link FaultyChannels#unforced} tells which), and open the image.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileDiskBufferIntervalRollTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir
  Path root;

  private final MutableClock clock = new MutableClock(T0);
  private final RecordingListener events = new RecordingListener();
  private final FaultyChannels channels = new FaultyChannels();
  private int images;

  {
    channels.skipRealForce = true;
  }

  private BufferOptions.Builder options(Path dir) {
    return BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(1 << 20).durability(Durability.INTERVAL)
        .syncInterval(Duration.ofHours(1));
  }

  private FileDiskBuffer open(Path dir) {
    return FileDiskBuffer.open(options(dir).build(), events, clock, channels);
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static List<Path> temps(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).sorted().toList();
    }
  }

  /** A copy of the buffer's files as they are now: what reached the disk if everything in the page cache did. */
  private Path image(Path dir) throws IOException {
    Path to = Files.createDirectory(root.resolve("image-" + images++));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().equals(DirectoryLock.FILE)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
    return to;
  }

  private static long firstSeq(Path segment) {
    return Format.parseSegmentName(segment.getFileName().toString());
  }

  /** The offset of record {@code seq}'s frame in the segment starting at {@code first} (records from {@link #rec}). */
  private static long offsetOf(long first, long seq) {
    long p = Format.SEGMENT_HEADER_BYTES;
    for (long i = first; i < seq; i++) {
      p += Format.FRAME_HEADER_BYTES + rec((int) i).length;
    }
    return p;
  }

  /**
   * Appends 0..200 (several rolls) while every force is held at a barrier: if a roll forced on the appending thread,
   * the append would wait there and fail. Takes the crash image before any force ran, then lets the forces go.
   */
  private Path crashAfterRolls(Path dir, RecordingListener listener) throws IOException {
    FileDiskBuffer b = FileDiskBuffer.open(options(dir).build(), listener, clock, channels);
    CountDownLatch barrier = new CountDownLatch(1);
    channels.forceBarrier = barrier;
    Path image;
    try {
      appendRange(b, 0, 200);
      assertThat(segments(dir)).as("rolled").hasSizeGreaterThanOrEqualTo(3);
      assertThat(channels.unforced).as("sealed segments wait for the sync thread's force").isNotEmpty();
      // The sync thread creates the next spare after a roll took one (its force then waits at the barrier).
      await("the next spare file", () -> {
        try {
          return !temps(dir).isEmpty();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      image = image(dir);
    } finally {
      channels.forceBarrier = null;
      barrier.countDown();
      b.close();
    }
    assertThat(channels.unforced).as("close forced every sealed segment").isEmpty();
    return image;
  }

  @Test
  void rollsRunNoForceOnTheAppendingThreadAndCloseForcesEverySegment() throws IOException {
    Path dir = root.resolve("buffer");
    crashAfterRolls(dir, events);
    assertThat(temps(dir)).as("the spare is deleted on close").isEmpty();
    try (FileDiskBuffer b = open(dir)) {
      assertThat(drain(b)).isEqualTo(names(0, 200));
    }
    assertThat(events.drops).isEmpty();
    assertThat(events.quarantined).isEmpty();
    assertThat(events.errors).isEmpty();
  }

  @Test
  void theIntervalForceCoversTheSealedSegmentsAndRetriesThemAfterAFailure() throws IOException {
    Path dir = root.resolve("buffer");
    try (FileDiskBuffer b = open(dir)) {
      appendRange(b, 0, 200);
      assertThat(segments(dir)).hasSizeGreaterThanOrEqualTo(3);
      assertThat(channels.unforced).isNotEmpty();
      channels.broken = true;
      assertThatThrownBy(b::sync).isInstanceOf(BufferException.class);
      channels.broken = false;
      assertThat(channels.unforced).as("still owed after the failed force").isNotEmpty();
      b.sync();
      assertThat(channels.unforced).as("every sealed segment and the active one forced while open").isEmpty();
      b.append(rec(200));
      assertThat(drain(b)).isEqualTo(names(0, 201));
    }
    assertThat(events.drops).isEmpty();
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.onSpinWait();
    }
  }

  @Test
  void rollsDoNotWaitForAPeriodicForceInProgress() throws Exception {
    Path dir = root.resolve("buffer");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (FileDiskBuffer b = open(dir)) {
      appendRange(b, 0, 100);
      await("the next spare", b::spareReady);
      CountDownLatch barrier = new CountDownLatch(1);
      channels.forceBarrier = barrier;
      // A periodic force (sealed segments, then the active one) holds the force lock, stuck in the device.
      Future<?> sync = pool.submit(b::sync);
      await("the periodic force", () -> channels.forcesWaiting.get() == 1);
      int before = segments(dir).size();
      appendRange(b, 100, 300);
      assertThat(segments(dir).size()).as("rolled meanwhile").isGreaterThan(before + 1);
      channels.forceBarrier = null;
      barrier.countDown();
      sync.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(channels.unforced).isEmpty();
    try (FileDiskBuffer b = open(dir)) {
      assertThat(drain(b)).isEqualTo(names(0, 300));
    }
    assertThat(events.drops).isEmpty();
    assertThat(events.errors).isEmpty();
  }

  @Test
  void aSpareLeftByACrashHoldsNothingAndIsDeletedOnOpenWithoutAReport() throws IOException {
    Path image = crashAfterRolls(root.resolve("buffer"), new RecordingListener());
    assertThat(temps(image)).as("the spare prepared for the next roll").isNotEmpty()
        .allSatisfy(t -> assertThat(Files.size(t)).as("a spare holds nothing").isZero());
    assertThat(FileDiskBuffer.verify(image).healthy()).isTrue();
    try (FileDiskBuffer b = open(image)) {
      assertThat(temps(image)).as("only the new spare of this buffer").hasSize(1)
          .allSatisfy(t -> assertThat(Files.size(t)).isZero());
      b.append(rec(200));
      assertThat(drain(b)).isEqualTo(names(0, 201));
    }
    assertThat(events.drops).isEmpty();
    assertThat(events.quarantined).isEmpty();
  }

  @Test
  void aSealedSegmentWithATornUnforcedTailIsReportedAsDamageAndTheRestIsRead() throws IOException {
    Path image = crashAfterRolls(root.resolve("buffer"), new RecordingListener());
    List<Path> segs = segments(image);
    Path sealed = segs.get(0);
    long first = firstSeq(sealed);
    long end = firstSeq(segs.get(1));
    // The power cut kept the first bytes of the third-last frame and nothing after it.
    long tornAt = offsetOf(first, end - 3) + 7;
    assertThat(Files.size(sealed)).isGreaterThan(tornAt);
    try (FileChannel ch = FileChannel.open(sealed, StandardOpenOption.WRITE)) {
      ch.truncate(tornAt);
    }
    BufferReport report = FileDiskBuffer.verify(image);
    assertThat(report.lostRecords()).isEqualTo(3);
    assertThat(report.records()).isEqualTo(197);
    try (FileDiskBuffer b = open(image)) {
      List<String> expected = names(0, 200);
      expected.subList((int) end - 3, (int) end).clear();
      assertThat(drain(b)).isEqualTo(expected);
      b.append(rec(200));
      assertThat(drain(b)).containsExactly(str(rec(200)));
    }
    assertThat(events.dropped(DropReason.CORRUPTED)).isEqualTo(3);
    assertThat(events.quarantined).hasSize(1);
  }

  @Test
  void aRolledSegmentWhoseHeaderNeverReachedTheDiskIsRewrittenWithoutAReport() throws IOException {
    Path image = crashAfterRolls(root.resolve("buffer"), new RecordingListener());
    List<Path> segs = segments(image);
    Path newest = segs.get(segs.size() - 1);
    // The rename and the frames reached the disk, the header (written first, in another block) did not.
    try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(Format.SEGMENT_HEADER_BYTES), 0);
    }
    assertThat(FileDiskBuffer.verify(image).healthy()).isTrue();
    try (FileDiskBuffer b = open(image)) {
      assertThat(drain(b)).isEqualTo(names(0, 200));
    }
    assertThat(events.drops).isEmpty();
    assertThat(events.quarantined).isEmpty();
  }

  @Test
  void aRolledSegmentThatIsOnlyANameLosesOnlyTheUnforcedRecordsAndAppendsGoOn() throws IOException {
    Path image = crashAfterRolls(root.resolve("buffer"), new RecordingListener());
    List<Path> segs = segments(image);
    Path newest = segs.get(segs.size() - 1);
    long first = firstSeq(newest);
    // Only the rename reached the disk: an empty file. Its records were never forced (beyond the durable end).
    try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    try (FileDiskBuffer b = open(image)) {
      b.append(rec(500));
      List<String> expected = names(0, (int) first);
      expected.add(str(rec(500)));
      assertThat(drain(b)).isEqualTo(expected);
    }
    assertThat(events.drops).isEmpty();
    assertThat(events.quarantined).isEmpty();
    try (FileDiskBuffer b = open(image)) {
      assertThat(b.recordCount()).isZero();
    }
  }

  @Test
  void aDamagedHeaderBelowTheDurableEndIsStillQuarantined() throws IOException {
    Path dir = root.resolve("buffer");
    try (FileDiskBuffer b = open(dir)) {
      appendRange(b, 0, 200);
    }
    List<Path> segs = segments(dir);
    Path middle = segs.get(1);
    try (FileChannel ch = FileChannel.open(middle, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(Format.SEGMENT_HEADER_BYTES), 0);
    }
    assertThat(FileDiskBuffer.verify(dir).corruptSegments()).hasSize(1);
    try (FileDiskBuffer b = open(dir)) {
      assertThat(drain(b)).isEqualTo(names(0, 200));
    }
    assertThat(events.quarantined).hasSize(1);
  }
}
