package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.appendRange;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.drain;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drop reports across crashes (the journal in {@code ack.state}), the migration of {@code ack.state} version 1,
 * links, asynchronous appends and the bytes of records held. A crash is simulated by copying the directory while the
 * buffer is open: a process killed at that moment leaves exactly those files (every write is in the page cache).
 */
class DropJournalTest {
  @TempDir
  Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
  private final FaultyChannels channels = new FaultyChannels();

  {
    channels.skipRealForce = true;
  }

  private BufferOptions.Builder options(Path dir) {
    return BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(65_536);
  }

  private FileDiskBuffer open(BufferOptions.Builder b, RecordingListener events) {
    return FileDiskBuffer.open(b.build(), events, clock, channels);
  }

  private void openAndClose(BufferOptions.Builder b, RecordingListener events) {
    open(b, events).close();
  }

  /** Copies the buffer's files as they are now: what a process killed at this moment leaves behind. */
  static Path crashCopy(Path dir, Path to) {
    try {
      Files.createDirectories(to);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return to;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void recordsEvictedOutOfAChunkStillOutWhenTheProcessDiesAreReportedOnceAfterTheRestart() {
    Path dir = tmp.resolve("live");
    RecordingListener events = new RecordingListener();
    Path crashed;
    long held;
    try (FileDiskBuffer b = open(options(dir).overflowPolicy(OverflowPolicy.DROP_OLDEST), events)) {
      appendRange(b, 0, 100);
      Chunk out = b.read(Long.MAX_VALUE, 30).orElseThrow();
      held = out.recordCount();
      appendRange(b, 100, 2000);
      assertThat(b.recordCount()).isLessThan(2000 - held);
      // The chunk's segment was evicted while it was out: reported only if it is released, never if acknowledged.
      long reportedSoFar = events.dropped(DropReason.BUFFER_OVERFLOW);
      crashed = crashCopy(dir, tmp.resolve("crashed"));
      assertThat(reportedSoFar + b.recordCount() + held).as("the held records are owed").isEqualTo(2000);
    }
    RecordingListener after = new RecordingListener();
    openAndClose(options(crashed).overflowPolicy(OverflowPolicy.DROP_OLDEST), after);
    assertThat(after.dropped(DropReason.BUFFER_OVERFLOW)).as("the chunk was never acknowledged").isEqualTo(held);
    assertThat(after.drops).singleElement().satisfies(d -> assertThat(d.detail()).contains("after a restart"));
    RecordingListener again = new RecordingListener();
    openAndClose(options(crashed), again);
    assertThat(again.drops).as("reported once").isEmpty();
  }

  @Test
  void aReportBeingDeliveredWhenTheProcessDiesIsDeliveredAfterTheRestartAndNotAgain() {
    Path dir = tmp.resolve("live");
    List<Path> crashes = new ArrayList<>();
    RecordingListener events = new RecordingListener();
    // The process dies while the listener runs: the journal still holds this report.
    events.onDrop = () -> crashes.add(crashCopy(dir, tmp.resolve("crash-" + crashes.size())));
    try (FileDiskBuffer b = open(options(dir).overflowPolicy(OverflowPolicy.DROP_OLDEST), events)) {
      appendRange(b, 0, 3000);
    }
    assertThat(events.drops).hasSizeGreaterThan(3);
    assertThat(crashes).hasSameSizeAs(events.drops);
    for (int i = 0; i < crashes.size(); i++) {
      assertThat(FileDiskBuffer.verify(crashes.get(i)).lostRecords()).as("owed").isPositive();
      RecordingListener restarted = new RecordingListener();
      openAndClose(options(crashes.get(i)), restarted);
      RecordingListener.Drop owed = events.drops.get(i);
      assertThat(restarted.drops).as("crash %d", i).isNotEmpty().last().satisfies(d -> {
        assertThat(d.reason()).isEqualTo(DropReason.BUFFER_OVERFLOW);
        assertThat(d.records()).isEqualTo(owed.records());
        assertThat(d.bytes()).isEqualTo(owed.bytes());
      });
      assertThat(FileDiskBuffer.verify(crashes.get(i)).lostRecords()).as("delivered, so no longer owed").isZero();
      RecordingListener third = new RecordingListener();
      openAndClose(options(crashes.get(i)), third);
      assertThat(third.drops).isEmpty();
    }
    // Delivered and journaled as such: a crash after the delivery owes nothing.
    RecordingListener clean = new RecordingListener();
    openAndClose(options(dir), clean);
    assertThat(clean.drops).isEmpty();
  }

  @Test
  void evictionReportsSumToTheRecordsLostAndVerifySeesAJournaledReportAsLost() {
    Path dir = tmp.resolve("live");
    RecordingListener events = new RecordingListener();
    Path crashed;
    try (FileDiskBuffer b = open(options(dir).overflowPolicy(OverflowPolicy.DROP_OLDEST), events)) {
      appendRange(b, 0, 100);
      Chunk out = b.read(Long.MAX_VALUE, 10).orElseThrow();
      appendRange(b, 100, 1500);
      crashed = crashCopy(dir, tmp.resolve("crashed"));
      BufferReport report = FileDiskBuffer.verify(crashed);
      assertThat(report.lostRecords()).as("the held records of the chunk").isEqualTo(out.recordCount());
      assertThat(report.healthy()).isFalse();
      b.acknowledge(out);
    }
    assertThat(events.dropped(DropReason.BUFFER_OVERFLOW) + FileDiskBuffer.verify(dir).records() + 10)
        .isEqualTo(1500);
    assertThat(FileDiskBuffer.verify(dir).lostRecords()).as("acknowledged: nothing owed").isZero();
  }

  @Test
  void aVersion1AckStateIsReadKeptAndRewrittenAsVersion3() throws IOException {
    Path dir = tmp.resolve("v1");
    RecordingListener events = new RecordingListener();
    try (FileDiskBuffer b = open(options(dir).durability(Durability.INTERVAL), events)) {
      appendRange(b, 0, 200);
    }
    // What version 1 code left: records 0..49 and 60..69 acknowledged, the head segments deleted without a journal.
    AckState v1 = new AckState();
    v1.remove(0, 50);
    v1.remove(60, 70);
    ByteBuffer bytes = Format.encodeAckV1(v1);
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    Files.write(dir.resolve(AckState.FILE), raw);
    Path first = FileDiskBufferTest.segmentsOf(dir).get(0);
    Files.delete(first); // version 1 deleted evicted segments without recording the drop
    long firstKept = Format.parseSegmentName(FileDiskBufferTest.segmentsOf(dir).get(0).getFileName().toString());

    BufferReport before = FileDiskBuffer.verify(dir);
    assertThat(before.healthy()).as("a missing head is what version 1 eviction left").isTrue();
    List<String> read;
    try (FileDiskBuffer b = open(options(dir).durability(Durability.INTERVAL), events)) {
      assertThat(Format.decodeAck(Files.readAllBytes(dir.resolve(AckState.FILE))).version()).isEqualTo(3);
      read = drain(b);
    }
    long expected = 200 - Math.max(50, firstKept) - (firstKept < 70 ? 70 - Math.max(60, firstKept) : 0);
    assertThat(read).hasSize((int) expected).doesNotContain(FileDiskBufferTest.str(rec(65)));
    assertThat(events.drops).isEmpty();
  }

  @Test
  void aDamagedAckStateIsReportedCopiedAndRewrittenOnce() throws IOException {
    Path dir = tmp.resolve("b");
    RecordingListener events = new RecordingListener();
    try (FileDiskBuffer b = open(options(dir), events)) {
      appendRange(b, 0, 20);
      b.acknowledge(b.read(Long.MAX_VALUE, 5).orElseThrow());
    }
    FileDiskBufferTest.flipByte(dir.resolve(AckState.FILE), 9);
    assertThat(FileDiskBuffer.verify(dir).corruptSegments()).singleElement().asString()
        .startsWith(AckState.FILE + ": File is corrupt");
    RecordingListener first = new RecordingListener();
    try (FileDiskBuffer b = open(options(dir), first)) {
      assertThat(b.recordCount()).as("at least once: acknowledged records come back").isEqualTo(20);
    }
    assertThat(first.errors).singleElement().satisfies(e -> assertThat(e.getMessage())
        .contains(AckState.FILE).contains("a copy is in").contains("rewritten"));
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
    RecordingListener second = new RecordingListener();
    openAndClose(options(dir), second);
    assertThat(second.errors).isEmpty();
  }

  @Test
  void filesOfTheBufferAreNeverOpenedThroughALink() throws IOException {
    Path dir = tmp.resolve("b");
    Path victim = Files.writeString(tmp.resolve("victim"), "precious");
    RecordingListener events = new RecordingListener();
    try (FileDiskBuffer b = open(options(dir), events)) {
      appendRange(b, 0, 5);
    }
    // A link named like the newest segment: moved out of the way, never followed.
    Path link = dir.resolve(Format.segmentName(1_000));
    Files.createSymbolicLink(link, victim);
    try (FileDiskBuffer b = open(options(dir), events)) {
      assertThat(drain(b)).hasSize(5);
      b.append(rec(9));
    }
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(link).doesNotExist();
    assertThat(events.quarantined).singleElement().satisfies(p -> assertThat(Files.isSymbolicLink(p)).isTrue());
    // A link at ack.state: opening refuses, naming it, and the victim is untouched.
    Files.delete(dir.resolve(AckState.FILE));
    Files.createSymbolicLink(dir.resolve(AckState.FILE), victim);
    assertThatThrownBy(() -> open(options(dir), events)).isInstanceOf(BufferException.class)
        .hasMessageContaining(AckState.FILE);
    assertThat(Files.readString(victim)).isEqualTo("precious");
  }

  @Test
  void asyncAppendsCompleteWhenDurableInOrderAndFailWithTheirForce() throws Exception {
    for (Durability durability : Durability.values()) {
      Path dir = tmp.resolve("async-" + durability);
      RecordingListener events = new RecordingListener();
      // No periodic force (INTERVAL): the force made to fail below must be the one for the asynchronous append.
      try (FileDiskBuffer b = open(options(dir).durability(durability).capacityBytes(1_000_000)
          .syncInterval(Duration.ofHours(1)), events)) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          futures.add(b.appendAsync(rec(i)));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        assertThat(channels.unforced).as("%s: durable when complete", durability).doesNotContain(
            FileDiskBufferTest.segmentsOf(dir).get(FileDiskBufferTest.segmentsOf(dir).size() - 1));
        assertThat(drain(b)).isEqualTo(FileDiskBufferTest.names(0, 500));

        // Forces of the segment fail (not those of ack.state, which the sync thread forces after the acknowledgements).
        channels.failForcesOf = p -> p.getFileName().toString().endsWith(Format.SEGMENT_SUFFIX)
            || p.getFileName().toString().startsWith("spare-");
        CompletableFuture<Void> failed = b.appendAsync(rec(1000));
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(BufferException.class);
        channels.failForcesOf = null;
        if (durability == Durability.SYNC) {
          assertThat(b.recordCount()).as("a failed force cuts the record off").isZero();
        }
        assertThat(b.appendAsync(new byte[0])).isCompletedExceptionally();
      }
      FileDiskBuffer closed = open(options(dir).durability(durability), events);
      closed.close();
      CompletableFuture<Void> late = closed.appendAsync(rec(1));
      assertThatThrownBy(late::join).hasCauseInstanceOf(ClientClosedException.class);
    }
  }

  @Test
  void asyncAppendsRefusedByAFullBufferFailTheirFutureAtOnce() {
    Path dir = tmp.resolve("full");
    try (FileDiskBuffer b = open(options(dir).overflowPolicy(OverflowPolicy.REJECT_NEW), new RecordingListener())) {
      CompletableFuture<Void> f;
      int i = 0;
      do {
        f = b.appendAsync(rec(i++));
      } while (!f.isCompletedExceptionally() && i < 100_000);
      assertThatThrownBy(f::join).hasCauseInstanceOf(BufferFullException.class);
    }
  }

  @Test
  void recordBytesCountThePayloadHeldNotTheFileSizes() {
    Path dir = tmp.resolve("bytes");
    RecordingListener events = new RecordingListener();
    long total = 0;
    try (FileDiskBuffer b = open(options(dir), events)) {
      assertThat(b.sizeBytes()).as("a preallocated segment").isEqualTo(4096);
      assertThat(b.recordBytes()).isZero();
      for (int i = 0; i < 300; i++) {
        b.append(rec(i));
        total += rec(i).length;
      }
      assertThat(b.recordBytes()).isEqualTo(total);
      Chunk c = b.read(Long.MAX_VALUE, 120).orElseThrow();
      b.acknowledge(c);
      total -= c.payloadBytes();
      assertThat(b.recordBytes()).isEqualTo(total);
    }
    try (FileDiskBuffer b = open(options(dir), events)) {
      assertThat(b.recordBytes()).as("after a restart").isEqualTo(total);
      assertThat(FileDiskBuffer.verify(dir).bytes()).isEqualTo(total);
    }
  }
}
