package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiskBufferTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(T0);
  private final RecordingListener events = new RecordingListener();
  private final FaultyChannels channels = new FaultyChannels();

  {
    // The logic is the same without asking the device to flush; CrashTest covers real forces.
    channels.skipRealForce = true;
  }

  static byte[] rec(int i) {
    return ("record-" + i + "-" + "x".repeat(i % 50)).getBytes(UTF_8);
  }

  static String str(byte[] b) {
    return new String(b, UTF_8);
  }

  private BufferOptions.Builder options() {
    return BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(65_536);
  }

  private FileDiskBuffer open(BufferOptions.Builder b) {
    return FileDiskBuffer.open(b.build(), events, clock, channels);
  }

  static List<String> drain(FileDiskBuffer buffer) {
    List<String> out = new ArrayList<>();
    Optional<Chunk> c;
    while ((c = buffer.read(Long.MAX_VALUE, 1000)).isPresent()) {
      c.get().records().forEach(r -> out.add(str(r)));
      buffer.acknowledge(c.get());
    }
    return out;
  }

  /** Appends records {@code from} (inclusive) to {@code to} (exclusive), one call each. */
  static void appendRange(DiskBuffer b, int from, int to) {
    for (int i = from; i < to; i++) {
      b.append(rec(i));
    }
  }

  /** After the fifth record was torn off: four remain, and a new record goes after them. */
  private static void assertFirstFourSurviveAndAppendsGoOn(FileDiskBuffer b) {
    assertThat(b.recordCount()).isEqualTo(4);
    b.append(rec(99));
    List<String> expected = names(0, 4);
    expected.add(str(rec(99)));
    assertThat(drain(b)).isEqualTo(expected);
  }

  static List<String> names(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> str(rec(i))).collect(Collectors.toList());
  }

  @Test
  void appendedRecordsAreReadInOrderAcrossSegmentsAndSurviveReopen() {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 200);
      assertThat(b.recordCount()).isEqualTo(200);
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isEqualTo(200);
      assertThat(drain(b)).isEqualTo(names(0, 200));
      assertThat(b.recordCount()).isZero();
    }
    assertThat(events.drops).isEmpty();
  }

  @Test
  void chunksAreBoundedByBytesAndRecordsButAnOversizedRecordComesAlone() {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 10);
      Chunk c = b.read(Long.MAX_VALUE, 3).orElseThrow();
      assertThat(c.recordCount()).isEqualTo(3);
      assertThat(c.firstSequence()).isZero();
      Chunk d = b.read(rec(3).length + rec(4).length, 100).orElseThrow();
      assertThat(d.records()).extracting(FileDiskBufferTest::str).containsExactly(str(rec(3)), str(rec(4)));
      Chunk e = b.read(1, 100).orElseThrow();
      assertThat(e.recordCount()).isEqualTo(1);
      assertThat(e.firstSequence()).isEqualTo(5);
      assertThat(e.payloadBytes()).isEqualTo(rec(5).length);
    }
  }

  @Test
  void releasedChunkIsReadAgainBeforeNewerRecords() {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 6);
      Chunk first = b.read(Long.MAX_VALUE, 2).orElseThrow();
      Chunk second = b.read(Long.MAX_VALUE, 2).orElseThrow();
      b.release(first);
      Chunk again = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(again.records()).extracting(FileDiskBufferTest::str).containsExactly(str(rec(0)), str(rec(1)));
      Chunk rest = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(rest.firstSequence()).isEqualTo(4);
      b.acknowledge(second);
      b.acknowledge(again);
      b.acknowledge(rest);
      assertThat(b.recordCount()).isZero();
      assertThat(b.read(Long.MAX_VALUE, 10)).isEmpty();
    }
  }

  @Test
  void readButUnacknowledgedRecordsComeBackAfterReopen() {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 5);
      assertThat(b.read(Long.MAX_VALUE, 5)).isPresent();
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(drain(b)).isEqualTo(names(0, 5));
    }
  }

  @Test
  void acknowledgedChunksStayGoneAfterReopenEvenWhenAcknowledgedOutOfOrder() {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 300);
      Chunk a = b.read(Long.MAX_VALUE, 100).orElseThrow();
      Chunk c = b.read(Long.MAX_VALUE, 100).orElseThrow();
      b.acknowledge(c);
      assertThat(b.recordCount()).isEqualTo(200);
      assertThat(a.firstSequence()).isZero();
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isEqualTo(200);
      List<String> expected = names(0, 100);
      expected.addAll(names(200, 300));
      assertThat(drain(b)).isEqualTo(expected);
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isZero();
      assertThat(b.read(Long.MAX_VALUE, 10)).isEmpty();
      b.append(rec(1000));
      Chunk next = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(next.firstSequence()).as("sequences are never reused").isEqualTo(300);
    }
  }

  @Test
  void acknowledgingTwiceOrAForeignChunkIsRefused() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      b.append(rec(1));
      Chunk c = b.read(100, 10).orElseThrow();
      b.acknowledge(c);
      assertThatThrownBy(() -> b.acknowledge(c)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not outstanding");
      assertThatThrownBy(() -> b.release(c)).isInstanceOf(IllegalArgumentException.class);
      Chunk foreign = new Chunk() {
        @Override
        public long firstSequence() {
          return 0;
        }

        @Override
        public List<byte[]> records() {
          return List.of();
        }

        @Override
        public Instant oldestAppendTime() {
          return T0;
        }
      };
      assertThatThrownBy(() -> b.acknowledge(foreign)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was not read from buffer");
    }
  }

  @Test
  void dropOldestEvictsWholeOldSegmentsAndReportsEveryDroppedRecord() {
    int n = 2000;
    long left;
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, n);
      assertThat(b.sizeBytes()).isLessThanOrEqualTo(65_536);
      left = b.recordCount();
      List<String> kept = drain(b);
      assertThat(kept).hasSize((int) left);
      assertThat(kept).isEqualTo(names(n - (int) left, n));
    }
    assertThat(events.dropped(DropReason.BUFFER_OVERFLOW)).isEqualTo(n - left);
    assertThat(events.drops).allSatisfy(d -> {
      assertThat(d.detail()).contains("capacity of 65536");
      assertThat(d.bytes()).isPositive();
    });
  }

  @Test
  void evictedRecordsOfAnOutstandingChunkAreReportedWhenItIsReleased() {
    try (FileDiskBuffer b = open(options())) {
      b.append(rec(0));
      Chunk held = b.read(Long.MAX_VALUE, 1).orElseThrow();
      appendRange(b, 1, 2000);
      long before = events.dropped(DropReason.BUFFER_OVERFLOW);
      b.release(held);
      assertThat(events.dropped(DropReason.BUFFER_OVERFLOW)).isEqualTo(before + 1);
      assertThat(events.dropped(DropReason.BUFFER_OVERFLOW) + b.recordCount()).isEqualTo(2000);
    }
  }

  @Test
  void everyRecordLostToEvictionIsReportedOnceWhenItsOutstandingChunkIsReleased() {
    int n = 3000;
    java.util.Set<String> delivered = new java.util.HashSet<>();
    try (FileDiskBuffer b = open(options().overflowPolicy(OverflowPolicy.DROP_OLDEST))) {
      appendRange(b, 0, 150);
      // Spans the first segments; they are evicted while it is out.
      Chunk held = b.read(Long.MAX_VALUE, 120).orElseThrow();
      Chunk second = b.read(Long.MAX_VALUE, 20).orElseThrow();
      appendRange(b, 150, n);
      b.release(held);
      b.acknowledge(second);
      second.records().forEach(r -> delivered.add(str(r)));
      delivered.addAll(drain(b));
    }
    long reported = events.drops.stream().mapToLong(RecordingListener.Drop::records).sum();
    assertThat(reported).as("records reported dropped").isEqualTo(n - delivered.size());
  }

  @Test
  void evictionReportsTheExactPayloadBytesOfTheRecordsItDrops() {
    int n = 3000;
    java.util.Set<String> delivered = new java.util.HashSet<>();
    try (FileDiskBuffer b = open(options().overflowPolicy(OverflowPolicy.DROP_OLDEST))) {
      appendRange(b, 0, 150);
      Chunk held = b.read(Long.MAX_VALUE, 20).orElseThrow();
      Chunk acked = b.read(Long.MAX_VALUE, 33).orElseThrow();
      b.acknowledge(acked);
      acked.records().forEach(r -> delivered.add(str(r)));
      appendRange(b, 150, n);
      b.release(held);
      delivered.addAll(drain(b));
    }
    long lostBytes = IntStream.range(0, n).filter(i -> !delivered.contains(str(rec(i))))
        .mapToLong(i -> rec(i).length).sum();
    assertThat(events.drops).isNotEmpty().allSatisfy(d -> assertThat(d.bytes()).isPositive());
    assertThat(events.drops.stream().mapToLong(RecordingListener.Drop::bytes).sum()).isEqualTo(lostBytes);
    assertThat(events.drops.stream().mapToLong(RecordingListener.Drop::records).sum())
        .isEqualTo(n - delivered.size());
  }

  @Test
  void recordsEvictedUnderAnAcknowledgedChunkAreNotReportedLost() {
    int n = 3000;
    java.util.Set<String> delivered = new java.util.HashSet<>();
    try (FileDiskBuffer b = open(options().overflowPolicy(OverflowPolicy.DROP_OLDEST))) {
      appendRange(b, 0, 150);
      Chunk held = b.read(Long.MAX_VALUE, 120).orElseThrow();
      appendRange(b, 150, n);
      b.acknowledge(held);
      held.records().forEach(r -> delivered.add(str(r)));
      delivered.addAll(drain(b));
    }
    long reported = events.drops.stream().mapToLong(RecordingListener.Drop::records).sum();
    assertThat(reported).as("records reported dropped").isEqualTo(n - delivered.size());
  }

  @Test
  void rejectNewRefusesWithSizesAndLeavesStoredRecordsAlone() {
    try (FileDiskBuffer b = open(options().overflowPolicy(OverflowPolicy.REJECT_NEW))) {
      int i = 0;
      BufferFullException full = null;
      while (full == null) {
        try {
          b.append(rec(i));
          i++;
        } catch (BufferFullException e) {
          full = e;
        }
      }
      assertThat(full.isRetryable()).isTrue();
      assertThat(full.getMessage()).contains("65536").contains("REJECT_NEW").contains("bytes");
      assertThat(full.directory()).isEqualTo(dir);
      assertThat(b.recordCount()).isEqualTo(i);
      assertThat(drain(b)).isEqualTo(names(0, i));
      b.append(rec(i));
      assertThat(b.recordCount()).isEqualTo(1);
    }
    assertThat(events.drops).isEmpty();
  }

  @Test
  void blockWaitsUntilAnAcknowledgementFreesSpace() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    // INTERVAL: segments grow with their records (no preallocation), so the size tells when the next append blocks.
    try (FileDiskBuffer b = open(options().overflowPolicy(OverflowPolicy.BLOCK).durability(Durability.INTERVAL)
        .blockTimeout(Duration.ofMinutes(5)))) {
      int i = 0;
      while (b.sizeBytes() + 24 + rec(i).length + 32 <= 65_536) {
        b.append(rec(i++));
      }
      int blocked = i;
      Future<?> waiting = pool.submit(() -> b.append(rec(blocked)));
      Chunk c = b.read(Long.MAX_VALUE, 500).orElseThrow();
      b.acknowledge(c);
      waiting.get(60, TimeUnit.SECONDS);
      assertThat(drain(b)).endsWith(str(rec(blocked)));
    } finally {
      pool.shutdownNow();
    }
    assertThat(events.drops).isEmpty();
  }

  @Test
  void blockGivesUpAfterItsTimeoutWithBufferFull() {
    try (FileDiskBuffer b = open(options().overflowPolicy(OverflowPolicy.BLOCK).blockTimeout(Duration.ZERO))) {
      assertThatThrownBy(() -> {
        appendRange(b, 0, 10_000);
      }).isInstanceOf(BufferFullException.class).hasMessageContaining("BLOCK");
    }
  }

  @Test
  void blockTimeoutIsMeasuredOnTheInjectedClock() {
    // Each reading of this clock is ten minutes later: a 1-hour BLOCK timeout expires after a few readings, so the
    // append gives up promptly. On System.nanoTime it would wait an hour (the watchdog below fails it instead).
    java.time.Clock racing = new java.time.Clock() {
      private final java.util.concurrent.atomic.AtomicLong t = new java.util.concurrent.atomic.AtomicLong();

      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(t.addAndGet(600_000));
      }
    };
    try (FileDiskBuffer b = FileDiskBuffer.open(options().overflowPolicy(OverflowPolicy.BLOCK)
        .blockTimeout(Duration.ofHours(1)).build(), events, racing, channels)) {
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
          assertThatThrownBy(() -> appendRange(b, 0, 10_000))
              .isInstanceOf(BufferFullException.class).hasMessageContaining("BLOCK"));
    }
  }

  @Test
  void recordLargerThanASegmentIsRefusedAsTooLarge() {
    try (FileDiskBuffer b = open(options())) {
      assertThatThrownBy(() -> b.append(new byte[4096])).isInstanceOf(RecordTooLargeException.class)
          .hasMessageContaining("4096");
      assertThatThrownBy(() -> b.append(new byte[0])).isInstanceOf(IllegalArgumentException.class);
      b.append(new byte[4096 - 56]);
      assertThat(b.recordCount()).isEqualTo(1);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsNamingIt() {
    try (FileDiskBuffer b = open(options())) {
      assertThatThrownBy(() -> open(options())).isInstanceOf(BufferException.class)
          .hasMessageContaining(dir.toString())
          .satisfies(e -> assertThat(((BufferException) e).isRetryable()).isFalse());
      b.append(rec(1));
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isEqualTo(1);
    }
  }

  @Test
  void aClosedBufferRefusesCalls() {
    FileDiskBuffer b = open(options());
    b.close();
    b.close();
    assertThatThrownBy(() -> b.append(rec(1))).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> b.read(10, 10)).isInstanceOf(ClientClosedException.class);
  }

  @Test
  void anAppendRacingCloseSucceedsOnlyWhenForced() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int run = 0; run < 150; run++) {
        Path d = dir.resolve("run-" + run);
        FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(d).segmentBytes(4096).capacityBytes(65_536)
            .build(), events, clock, channels);
        CountDownLatch started = new CountDownLatch(2);
        List<Future<Integer>> appenders = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          appenders.add(pool.submit(() -> {
            int ok = 0;
            try {
              for (int i = 0; ; i++) {
                b.append(rec(i));
                ok++;
                started.countDown();
              }
            } catch (ClientClosedException | BufferException e) {
              return ok;
            }
          }));
        }
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        b.close();
        for (Future<Integer> f : appenders) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isNotNegative();
        }
        assertThat(channels.unforced).as("files with writes no force covered, run " + run).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFullDiskFailsRetryablyKeepsTheBufferConsistentAndRecoversWithoutRestart() {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 10);
      channels.diskFull = true;
      assertThatThrownBy(() -> b.append(rec(10))).isInstanceOf(BufferException.class)
          .hasMessageContaining("No space left on device")
          .satisfies(e -> assertThat(((BufferException) e).isRetryable()).isTrue());
      assertThat(events.errors).isNotEmpty();
      assertThat(b.recordCount()).isEqualTo(10);
      channels.diskFull = false;
      appendRange(b, 10, 100);
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(drain(b)).isEqualTo(names(0, 100));
    }
  }

  @Test
  void aReadOnlyDirectoryFailsRetryablyAndWorksOnceWritableAgain() {
    // Tests run as root here, where chmod does not stop writes, so the file system is simulated.
    channels.readOnly = true;
    assertThatThrownBy(() -> open(options())).isInstanceOf(BufferException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("Read-only file system")
        .satisfies(e -> assertThat(((BufferException) e).isRetryable()).isTrue());
    channels.readOnly = false;
    try (FileDiskBuffer b = open(options())) {
      b.append(rec(0));
      channels.readOnly = true;
      assertThatThrownBy(() -> {
        appendRange(b, 1, 100);
      }).isInstanceOf(BufferException.class).hasMessageContaining("Read-only file system");
      assertThat(events.errors).isNotEmpty().allSatisfy(e -> assertThat(e.isRetryable()).isTrue());
      long stored = b.recordCount();
      channels.readOnly = false;
      b.append(rec(1000));
      assertThat(b.recordCount()).isEqualTo(stored + 1);
    }
  }

  /**
   * Makes a closed buffer look like one whose process was killed before it wrote {@code ack.state}: the durable end
   * that a clean close records is gone, so the last records may be torn (what a crash leaves) rather than damaged.
   */
  private void asIfKilledBeforeClose() throws IOException {
    Files.delete(dir.resolve(AckState.FILE));
  }

  @Test
  void aTornTailIsCutOffOnOpen() throws IOException {
    // INTERVAL segments are not preallocated: the file ends inside the torn frame.
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL))) {
      appendRange(b, 0, 5);
    }
    asIfKilledBeforeClose();
    Path seg = onlySegment();
    long size = Files.size(seg);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size - 3);
    }
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL))) {
      assertFirstFourSurviveAndAppendsGoOn(b);
    }
    assertThat(events.quarantined).isEmpty();
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  @Test
  void aSyncSegmentIsPreallocatedAndItsZerosReadAsTheCleanEnd() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 5);
      assertThat(b.sizeBytes()).as("the active segment counts with its zeros").isEqualTo(4096);
    }
    assertThat(Files.size(onlySegment())).isEqualTo(4096);
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
    try (FileDiskBuffer b = open(options())) {
      assertThat(drain(b)).isEqualTo(names(0, 5));
    }
    assertThat(events.quarantined).isEmpty();
    assertThat(Files.size(onlySegment())).as("a clean end is not cut").isEqualTo(4096);
  }

  @Test
  void aTornFrameBeforePreallocatedZerosIsCutOffOnOpen() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 5);
    }
    Path seg = onlySegment();
    long end = 32;
    for (int i = 0; i < 5; i++) {
      end += 24 + rec(i).length;
    }
    // The last three bytes of the last frame never reached the disk: zeros, as preallocated.
    asIfKilledBeforeClose();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(end - 3);
      f.write(new byte[3]);
    }
    assertThat(FileDiskBuffer.verify(dir).healthy()).as("a torn tail is what a crash leaves").isTrue();
    try (FileDiskBuffer b = open(options())) {
      assertFirstFourSurviveAndAppendsGoOn(b);
    }
    assertThat(events.quarantined).isEmpty();
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  @Test
  void recordsCutFromTheNewestSegmentOfAClosedBufferAreReportedNotTakenForATornTail() throws IOException {
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL))) {
      appendRange(b, 0, 5);
    }
    long end = 32;
    for (int i = 0; i < 3; i++) {
      end += 24 + rec(i).length;
    }
    // Closed cleanly, so ack.state says five records were forced: a cut after the third is damage at rest.
    try (RandomAccessFile f = new RandomAccessFile(onlySegment().toFile(), "rw")) {
      f.setLength(end + 10);
    }
    BufferReport report = FileDiskBuffer.verify(dir);
    assertThat(report.records()).isEqualTo(3);
    assertThat(report.lostRecords()).isEqualTo(2);
    assertThat(report.corruptSegments()).singleElement().asString().startsWith(onlySegment().getFileName()
        + ": offset " + end);
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL))) {
      assertThat(b.recordCount()).isEqualTo(3);
      b.append(rec(9));
      Chunk c = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(c.records()).extracting(FileDiskBufferTest::str).containsExactly(str(rec(0)), str(rec(1)),
          str(rec(2)));
      b.acknowledge(c);
      c = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(c.firstSequence()).as("new records do not reuse the lost sequences").isEqualTo(5);
      b.acknowledge(c);
    }
    assertThat(events.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.CORRUPTED);
      assertThat(d.records()).isEqualTo(2);
    });
    assertThat(events.quarantined).singleElement().satisfies(p -> assertThat(p).exists());
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  @Test
  void bytesAfterAZeroLengthInThePreallocatedTailAreKeptAsACopyAndCutOff() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 3);
    }
    long end = 32;
    for (int i = 0; i < 3; i++) {
      end += 24 + rec(i).length;
    }
    // A frame whose first bytes (its length) were lost while later bytes reached the disk: not a clean end.
    try (RandomAccessFile f = new RandomAccessFile(onlySegment().toFile(), "rw")) {
      f.seek(end + 30);
      f.write(new byte[] {1, 2, 3});
    }
    assertThat(FileDiskBuffer.verify(dir).corruptSegments()).singleElement().asString()
        .contains("offset " + end).contains("length of 0 followed by non-zero bytes");
    try (FileDiskBuffer b = open(options())) {
      assertThat(drain(b)).isEqualTo(names(0, 3));
    }
    assertThat(events.quarantined).singleElement().satisfies(p -> assertThat(p).exists());
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  @Test
  void newRecordsAfterAPowerCutLostAcknowledgedOnesGetFreshSequences() throws IOException {
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL))) {
      appendRange(b, 0, 5);
      b.sync();
      b.acknowledge(b.read(Long.MAX_VALUE, 5).orElseThrow());
    }
    // A power cut lost the records' bytes although their acknowledgement was stored.
    try (RandomAccessFile f = new RandomAccessFile(onlySegment().toFile(), "rw")) {
      f.setLength(32);
    }
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL))) {
      b.append(rec(7));
      Chunk c = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(c.records()).extracting(FileDiskBufferTest::str).containsExactly(str(rec(7)));
      assertThat(c.firstSequence()).isEqualTo(5);
    }
  }

  @Test
  void aCorruptSegmentIsQuarantinedReportedAndTheBufferKeepsWorking() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 100);
    }
    Path first = segments().get(0);
    flipByte(first, 32 + 24 + 2);
    BufferReport report = FileDiskBuffer.verify(dir);
    assertThat(report.healthy()).isFalse();
    assertThat(report.corruptSegments()).singleElement().asString().contains(first.getFileName().toString())
        .contains("CRC32C");
    List<String> read;
    try (FileDiskBuffer b = open(options())) {
      read = drain(b);
      b.append(rec(500));
      assertThat(drain(b)).containsExactly(str(rec(500)));
    }
    assertThat(events.quarantined).hasSize(1);
    assertThat(events.quarantined.get(0)).exists().hasParent(dir.resolve("quarantine"));
    long lost = events.dropped(DropReason.CORRUPTED);
    assertThat(lost).isPositive();
    assertThat(read).hasSize(100 - (int) lost);
    assertThat(read).isEqualTo(names(100 - read.size(), 100));
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isZero();
    }
    BufferReport after = FileDiskBuffer.verify(dir);
    assertThat(after.healthy()).isTrue();
    assertThat(after.quarantinedFiles()).hasSize(1);
  }

  @Test
  void aCorruptSegmentHeaderIsQuarantinedOnOpen() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 100);
    }
    flipByte(segments().get(0), 10);
    try (FileDiskBuffer b = open(options())) {
      List<String> read = drain(b);
      assertThat(read).isNotEmpty().endsWith(str(rec(99)));
      assertThat(events.dropped(DropReason.CORRUPTED) + read.size()).isEqualTo(100);
    }
    assertThat(events.quarantineDetails).singleElement().asString().contains("header");
  }

  @Test
  void aBitFlipInTheActiveSegmentKeepsACopyReportsItAndKeepsTheValidRecordsAfterIt() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      appendRange(b, 0, 5);
    }
    flipByte(onlySegment(), 32 + 24 + 1);
    byte[] damaged = Files.readAllBytes(onlySegment());
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isEqualTo(4);
      assertThat(drain(b)).isEqualTo(names(1, 5));
      b.append(rec(7));
      assertThat(drain(b)).containsExactly(str(rec(7)));
    }
    assertThat(events.quarantined).singleElement().satisfies(p -> {
      assertThat(p).hasBinaryContent(damaged);
      assertThat(perms(p)).isEqualTo("rw-------");
    });
    assertThat(events.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.CORRUPTED);
      assertThat(d.records()).isEqualTo(1);
    });
  }

  @Test
  void verifyReportsRecordsBytesOldestAgeAndSegments() {
    try (FileDiskBuffer b = open(options())) {
      for (int i = 0; i < 100; i++) {
        clock.advance(Duration.ofSeconds(1));
        b.append(rec(i));
      }
      b.acknowledge(b.read(Long.MAX_VALUE, 10).orElseThrow());
      assertThat(b.oldestAppendTime()).contains(T0.plusSeconds(11));
    }
    BufferReport r = FileDiskBuffer.verify(dir);
    assertThat(r.records()).isEqualTo(90);
    assertThat(r.segments()).isGreaterThan(1);
    assertThat(r.bytes()).isGreaterThan(90L * 24);
    assertThat(r.oldestAppendTime()).contains(T0.plusSeconds(11));
    assertThat(r.healthy()).isTrue();
    assertThatThrownBy(() -> FileDiskBuffer.verify(dir.resolve("missing"))).isInstanceOf(BufferException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void concurrentSyncAppendersAllLandExactlyOnce() throws Exception {
    concurrentSyncAppenders(8, 100);
  }

  /** 64 appenders hand the force's leadership on (parking, no monitor) and none waits for ever. */
  @Test
  void sixtyFourSyncAppendersAllLandExactlyOnceWithSharedForces() throws Exception {
    concurrentSyncAppenders(64, 40);
  }

  private void concurrentSyncAppenders(int threads, int each) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try (FileDiskBuffer b = open(options().capacityBytes(10_000_000).segmentBytes(65_536))) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * 10_000;
        fs.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            b.append(rec(base + i));
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
      List<String> all = drain(b);
      assertThat(all).hasSize(threads * each).doesNotHaveDuplicates();
      List<Integer> ids = all.stream().map(r -> Integer.parseInt(r.split("-")[1])).collect(Collectors.toList());
      for (int t = 0; t < threads; t++) {
        int thread = t;
        assertThat(ids.stream().filter(id -> id / 10_000 == thread).collect(Collectors.toList()))
            .as("thread %d's records in its order", t)
            .isEqualTo(IntStream.range(0, each).mapToObj(i -> thread * 10_000 + i).collect(Collectors.toList()));
      }
      assertThat(channels.forces.get()).as("forces shared by appenders").isLessThanOrEqualTo(threads * each + 50);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Spins until {@code condition} holds (60 s at most, a safety net: no assertion is on timing). */
  static void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.onSpinWait();
    }
  }

  @Test
  void appendersWaitingAtTheSameMomentShareOneForce() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (FileDiskBuffer b = open(options().capacityBytes(1_000_000).segmentBytes(256 * 1024))) {
      int before = channels.forces.get();
      // The first force waits until the other appenders have staged their records behind it.
      CountDownLatch barrier = new CountDownLatch(1);
      channels.forceBarrier = barrier;
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        fs.add(pool.submit(() -> b.append(rec(id))));
      }
      awaitCondition("eight records written or staged behind one force", () -> channels.forcesWaiting.get() == 1
          && b.recordCount() + b.stagedRecords() == threads);
      assertThat(fs).noneMatch(Future::isDone);
      channels.forceBarrier = null;
      barrier.countDown();
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(channels.forces.get() - before).as("forces for 8 concurrent appends").isBetween(1, 2);
      assertThat(b.recordCount()).isEqualTo(threads);
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] big(int i) {
    return ("big-" + i + "-" + "b".repeat(100_000)).getBytes(UTF_8);
  }

  private static List<String> ids(List<String> records) {
    return records.stream().map(r -> r.substring(0, r.indexOf('-', r.indexOf('-') + 1))).collect(Collectors.toList());
  }

  /**
   * SYNC: while the round of A is being forced, B and C stage 100 kB records behind it; D does not fit into the
   * staging buffer, so it writes B and C early. With {@code failEarlyWrite} that write fails; otherwise it succeeds
   * and the leader's write of D (just before its force) fails. Either way exactly B, C and D fail, A succeeds, and
   * none of B, C, D is in the buffer, now or after a restart; the buffer works on.
   */
  private void aFailedWriteFailsExactlyTheAppendsOfItsRound(boolean failEarlyWrite) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    BufferOptions.Builder opts = options().capacityBytes(10_000_000).segmentBytes(1 << 20);
    try (FileDiskBuffer b = open(opts)) {
      b.append(big(0));
      CountDownLatch barrier = new CountDownLatch(1);
      channels.forceBarrier = barrier;
      Future<?> a = pool.submit(() -> b.append(big(1)));
      awaitCondition("A's force", () -> channels.forcesWaiting.get() == 1);
      Future<?> bb = pool.submit(() -> b.append(big(2)));
      awaitCondition("B staged", () -> b.stagedRecords() == 1);
      Future<?> c = pool.submit(() -> b.append(big(3)));
      awaitCondition("C staged", () -> b.stagedRecords() == 2);
      if (failEarlyWrite) {
        channels.failAtWrite = channels.writes.get() + 1;
      }
      Future<?> d = pool.submit(() -> b.append(big(4)));
      if (failEarlyWrite) {
        assertThatThrownBy(() -> d.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(BufferException.class);
      } else {
        awaitCondition("B and C written early, D staged", () -> b.stagedRecords() == 1 && b.recordCount() == 4);
        channels.failAtWrite = channels.writes.get() + 1;
      }
      channels.forceBarrier = null;
      barrier.countDown();
      a.get(60, TimeUnit.SECONDS);
      for (Future<?> f : List.of(bb, c, d)) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(BufferException.class)
            .hasMessageContaining("injected");
      }
      assertThat(b.recordCount()).isEqualTo(2);
      b.append(big(5));
      assertThat(ids(drainNoAck(b))).containsExactly("big-0", "big-1", "big-5");
    } finally {
      pool.shutdownNow();
    }
    try (FileDiskBuffer b = open(opts)) {
      assertThat(ids(drain(b))).containsExactly("big-0", "big-1", "big-5");
    }
    assertThat(events.drops).isEmpty();
  }

  @Test
  void aFailedEarlyWriteFailsExactlyTheAppendsOfItsRound() throws Exception {
    aFailedWriteFailsExactlyTheAppendsOfItsRound(true);
  }

  @Test
  void aFailedWriteBeforeTheForceFailsTheWholeRoundIncludingFramesWrittenEarly() throws Exception {
    aFailedWriteFailsExactlyTheAppendsOfItsRound(false);
  }

  /** Reads every record without acknowledging (released again). */
  static List<String> drainNoAck(FileDiskBuffer buffer) {
    List<String> out = new ArrayList<>();
    List<Chunk> held = new ArrayList<>();
    Optional<Chunk> c;
    while ((c = buffer.read(Long.MAX_VALUE, 1000)).isPresent()) {
      c.get().records().forEach(r -> out.add(str(r)));
      held.add(c.get());
    }
    held.forEach(buffer::release);
    return out;
  }

  /**
   * SYNC, BLOCK: a batch writes its first records, then waits for space; meanwhile the force of the round holding
   * them fails. The batch must not then store its later records (a stored batch is a prefix of it, never records
   * after a gap): it fails, and none of its records is in the buffer.
   */
  @Test
  void aBatchWhoseFirstRecordsFailedWhileItWaitedForSpaceStoresNothingAfterTheGap() throws Exception {
    long cap = 65_536;
    BufferOptions.Builder opts = options().capacityBytes(cap).overflowPolicy(OverflowPolicy.BLOCK)
        .blockTimeout(Duration.ofDays(1));
    // Fill the buffer (frames laid out by hand) until a new segment would not fit and the active one has less than
    // 600 bytes left: a batch then writes a few records and waits for space.
    int inFirst = -1;
    int n = 0;
    long pos = 32;
    long sealed = 0;
    while (true) {
      int frame = 24 + rec(n).length;
      if (pos + frame > 4096) {
        sealed += pos;
        pos = 32;
        inFirst = inFirst < 0 ? n : inFirst;
        assertThat(sealed + 4096).as("filling never waits").isLessThanOrEqualTo(cap);
      }
      if (4096 - pos < 600 && sealed + pos + 4096 > cap) {
        break;
      }
      pos += frame;
      n++;
    }
    List<byte[]> batch = IntStream.range(0, 40).mapToObj(j -> ("batch-" + j + "-" + "y".repeat(40)).getBytes(UTF_8))
        .collect(Collectors.toList());
    int filled = n;
    FileDiskBuffer b = open(opts);
    try {
      appendRange(b, 0, filled);
      Chunk first = b.read(Long.MAX_VALUE, inFirst).orElseThrow();
      java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread appender = new Thread(() -> {
        try {
          b.appendAll(batch);
        } catch (Throwable t) {
          thrown.set(t);
        }
      });
      appender.start();
      awaitCondition("the batch's first records written and the batch waiting for space", () -> b.recordCount() > filled
          && appender.getState() == Thread.State.TIMED_WAITING);
      channels.failAtForce = channels.forces.get() + 1;
      assertThatThrownBy(b::sync).isInstanceOf(BufferException.class);
      b.acknowledge(first);
      appender.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(appender.isAlive()).isFalse();
      assertThat(thrown.get()).isInstanceOf(BufferException.class);
    } finally {
      b.close();
    }
    try (FileDiskBuffer again = open(opts)) {
      assertThat(drain(again)).isEqualTo(names(inFirst, n));
    }
  }

  @Test
  void closeWritesAndForcesTheFramesStagedForTheNextForce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      FileDiskBuffer b = open(options().capacityBytes(1_000_000).segmentBytes(256 * 1024));
      CountDownLatch barrier = new CountDownLatch(1);
      channels.forceBarrier = barrier;
      Future<?> a = pool.submit(() -> b.append(rec(1)));
      awaitCondition("A's force", () -> channels.forcesWaiting.get() == 1);
      Future<?> bb = pool.submit(() -> b.append(rec(2)));
      awaitCondition("B staged", () -> b.stagedRecords() == 1);
      Future<?> c = pool.submit(() -> b.append(rec(3)));
      awaitCondition("C staged", () -> b.stagedRecords() == 2);
      Future<?> closing = pool.submit(b::close);
      channels.forceBarrier = null;
      barrier.countDown();
      closing.get(60, TimeUnit.SECONDS);
      for (Future<?> f : List.of(a, bb, c)) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(channels.unforced).as("files with writes no force covered").isEmpty();
    } finally {
      pool.shutdownNow();
    }
    try (FileDiskBuffer b = open(options().capacityBytes(1_000_000).segmentBytes(256 * 1024))) {
      assertThat(drain(b)).containsExactly(str(rec(1)), str(rec(2)), str(rec(3)));
    }
  }

  @Test
  void asynchronousAppendsCompleteOnlyOnceForcedAndAFailedForceFailsThemAndLeavesThemOut() throws Exception {
    try (FileDiskBuffer b = open(options().capacityBytes(1_000_000).segmentBytes(256 * 1024))) {
      CountDownLatch barrier = new CountDownLatch(1);
      channels.forceBarrier = barrier;
      List<java.util.concurrent.CompletableFuture<Void>> first = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        first.add(b.appendAsync(rec(i)));
      }
      awaitCondition("the committer's force", () -> channels.forcesWaiting.get() == 1);
      assertThat(first).noneMatch(java.util.concurrent.CompletableFuture::isDone);
      channels.forceBarrier = null;
      barrier.countDown();
      for (java.util.concurrent.CompletableFuture<Void> f : first) {
        f.get(60, TimeUnit.SECONDS);
      }
      channels.failAtForce = channels.forces.get() + 1;
      java.util.concurrent.CompletableFuture<Void> failed = b.appendAsync(rec(100));
      assertThatThrownBy(() -> failed.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(BufferException.class);
      b.appendAsync(rec(10)).get(60, TimeUnit.SECONDS);
      assertThat(drain(b)).isEqualTo(names(0, 11));
    }
  }

  @Test
  void appendAllStoresTheBatchInOrderWithOneForce() {
    try (FileDiskBuffer b = open(options().capacityBytes(1_000_000).segmentBytes(256 * 1024))) {
      int before = channels.forces.get();
      b.appendAll(IntStream.range(0, 100).mapToObj(FileDiskBufferTest::rec).collect(Collectors.toList()));
      assertThat(channels.forces.get() - before).isEqualTo(1);
      assertThat(drain(b)).isEqualTo(names(0, 100));
    }
  }

  @Test
  void intervalModeForcesOnANamedDaemonThread() {
    try (FileDiskBuffer b = open(options().durability(Durability.INTERVAL).syncInterval(Duration.ofHours(1)))) {
      assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(t -> {
        assertThat(t.getName()).startsWith("loganalytics-buffer-sync-");
        assertThat(t.isDaemon()).isTrue();
      });
      int before = channels.forces.get();
      b.append(rec(1));
      assertThat(channels.forces.get()).isEqualTo(before);
      b.sync();
      assertThat(channels.forces.get()).isEqualTo(before + 1);
      assertThat(drain(b)).containsExactly(str(rec(1)));
    }
  }

  @Test
  void periodicForceFailuresAreReportedEachTimeAndWarnedAtMostOnceAMinute() {
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    java.io.PrintStream originalErr = System.err;
    System.setErr(new java.io.PrintStream(log, true, UTF_8));
    FileDiskBuffer b = open(options().durability(Durability.INTERVAL).syncInterval(Duration.ofHours(1)));
    try {
      for (int i = 0; i < 3; i++) {
        b.append(rec(i));
        channels.failAtForce = channels.forces.get() + 1;
        assertThat(b.periodicSync()).isTrue();
        clock.advance(Duration.ofSeconds(20));
      }
      clock.advance(Duration.ofSeconds(10));
      b.append(rec(3));
      channels.failAtForce = channels.forces.get() + 1;
      assertThat(b.periodicSync()).isTrue();
      b.append(rec(4));
      assertThat(b.periodicSync()).isTrue();
      b.close();
      assertThat(b.periodicSync()).isFalse();
    } finally {
      System.setErr(originalErr);
      b.close();
    }
    String text = log.toString(UTF_8);
    assertThat(events.errors).hasSize(4);
    assertThat(text.lines().filter(l -> l.contains("WARN") && l.contains("periodic force failed")))
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).contains("1 failures since the last warning"))
        .anySatisfy(l -> assertThat(l).contains("3 failures since the last warning"));
  }

  @Test
  void anInterruptedAppenderFailsButDoesNotBreakTheBuffer() {
    try (FileDiskBuffer b = open(options())) {
      b.append(rec(0));
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> b.append(rec(1))).isInstanceOf(BufferException.class);
      } finally {
        Thread.interrupted();
      }
      b.append(rec(2));
      assertThat(drain(b)).containsExactly(str(rec(0)), str(rec(2)));
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isZero();
    }
  }

  @Test
  void openingABacklogReadsSegmentHeadersAndTheActiveSegmentOnly() {
    BufferOptions.Builder big = options().capacityBytes(2_000_000).durability(Durability.INTERVAL);
    try (FileDiskBuffer b = open(big)) {
      appendRange(b, 0, 20_000);
      assertThat(b.sizeBytes()).isGreaterThan(1_000_000);
    }
    channels.bytesRead.set(0);
    try (FileDiskBuffer b = open(big)) {
      assertThat(b.recordCount()).isEqualTo(20_000);
      long segments = b.sizeBytes() / 4096;
      // Segment headers, the active segment, and ack.state (read whole: its header block and two slots).
      assertThat(channels.bytesRead.get()).as("bytes read to open %d bytes", b.sizeBytes())
          .isLessThan(segments * 32 + 2 * 4096 + fileSize(dir.resolve(AckState.FILE)));
    }
  }

  @Test
  void readingABacklogKeepsABoundedNumberOfFilesOpen() {
    try (FileDiskBuffer b = open(options().capacityBytes(1_000_000))) {
      appendRange(b, 0, 3000);
      int openBefore = channels.openChannels.get();
      int mostOpen = openBefore;
      List<Chunk> held = new ArrayList<>();
      Optional<Chunk> c;
      // One record per chunk, all held: every segment is read up to its very end and then left.
      while ((c = b.read(Long.MAX_VALUE, 1)).isPresent()) {
        held.add(c.get());
        assertThat(b.oldestAppendTime()).isPresent();
        mostOpen = Math.max(mostOpen, channels.openChannels.get());
      }
      assertThat(held).hasSize(3000);
      assertThat(mostOpen - openBefore).as("read channels open at once")
          .isLessThanOrEqualTo(FileDiskBuffer.MAX_READ_CHANNELS);
      for (int i = held.size() - 1; i >= 0; i--) {
        b.release(held.get(i));
      }
      assertThat(drain(b)).isEqualTo(names(0, 3000));
      assertThat(channels.openChannels.get() - openBefore).isLessThanOrEqualTo(FileDiskBuffer.MAX_READ_CHANNELS);
    }
    assertThat(channels.openChannels.get()).as("channels left open after close").isZero();
  }

  private static String perms(Path p) throws IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void bufferFilesAreCreatedReadableByTheOwnerOnly() throws IOException {
    Path d = dir.resolve("parent").resolve("buffer");
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(d).segmentBytes(4096).capacityBytes(65_536)
        .build(), events, clock, channels)) {
      appendRange(b, 0, 200);
      b.acknowledge(b.read(Long.MAX_VALUE, 10).orElseThrow());
    }
    assertThat(perms(d)).isEqualTo("rwx------");
    List<Path> files;
    try (Stream<Path> s = Files.list(d)) {
      files = s.collect(Collectors.toList());
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .contains(DirectoryLock.FILE, AckState.FILE, "00000000000000000000.seg");
    for (Path f : files) {
      assertThat(perms(f)).as(f.getFileName().toString()).isEqualTo("rw-------");
    }
    // A corrupt segment goes to quarantine/, which is created for the owner only too.
    Path last;
    try (Stream<Path> s = Files.list(d)) {
      last = s.filter(p -> p.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
    }
    flipByte(last, 3);
    FileDiskBuffer.open(BufferOptions.builder(d).segmentBytes(4096).capacityBytes(65_536).build(), events, clock,
        channels).close();
    Path q = d.resolve(FileDiskBuffer.QUARANTINE_DIR);
    assertThat(perms(q)).isEqualTo("rwx------");
    try (Stream<Path> s = Files.list(q)) {
      assertThat(s.collect(Collectors.toList())).isNotEmpty().allSatisfy(f -> assertThat(perms(f))
          .isEqualTo("rw-------"));
    }
  }

  @Test
  void openingTakesGroupAndOtherPermissionsAwayFromAnExistingBuffer() throws IOException {
    try (FileDiskBuffer b = open(options())) {
      b.append(rec(1));
    }
    java.util.Set<java.nio.file.attribute.PosixFilePermission> open =
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
    Path q = Files.createDirectories(dir.resolve(FileDiskBuffer.QUARANTINE_DIR));
    Path old = Files.writeString(q.resolve("00000000000000000000.seg.1.2"), "x");
    Files.setPosixFilePermissions(old, open);
    Files.setPosixFilePermissions(q, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
        Files.setPosixFilePermissions(f, open);
      }
    }
    try (FileDiskBuffer b = open(options())) {
      assertThat(b.recordCount()).isEqualTo(1);
    }
    assertThat(perms(dir)).isEqualTo("rwx------");
    assertThat(perms(q)).isEqualTo("rwx------");
    assertThat(perms(old)).isEqualTo("rw-------");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.filter(Files::isRegularFile).collect(Collectors.toList())).isNotEmpty()
          .allSatisfy(f -> assertThat(perms(f)).isEqualTo("rw-------"));
    }
  }

  @Test
  void aThrowingListenerDoesNotBreakTheBuffer() {
    LogAnalyticsListener bad = new LogAnalyticsListener() {
      @Override
      public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (FileDiskBuffer b = FileDiskBuffer.open(options().build(), bad, clock, channels)) {
      appendRange(b, 0, 2000);
      assertThat(b.recordCount()).isPositive();
    }
  }

  private List<Path> segments() throws IOException {
    return segmentsOf(dir);
  }

  private static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<Path> segmentsOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().collect(Collectors.toList());
    }
  }

  private Path onlySegment() throws IOException {
    List<Path> s = segments();
    assertThat(s).hasSize(1);
    return s.get(0);
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int v = f.read();
      f.seek(offset);
      f.write(v ^ 0x10);
    }
  }
}
