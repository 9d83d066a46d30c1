package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.appendRange;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ack.state} version 3: two slots written in place. The codec (the newest valid slot wins; a torn or damaged
 * slot falls back to the other; both damaged is corruption), and the buffer writing it: in place (no new file), growing
 * the slot size when the state outgrows it, and opening after a write cut short at any byte.
 */
class AckLogTest {
  private static final int A = Format.ACK_HEADER_BLOCK;

  @TempDir
  Path tmp;

  private static AckState acks(long frontier, long... pairs) {
    AckState s = new AckState();
    s.remove(0, frontier);
    for (int i = 0; i < pairs.length; i += 2) {
      s.remove(pairs[i], pairs[i + 1]);
    }
    return s;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /** A file whose slot A holds {@code older} (sequence 7) and slot B {@code newer} (sequence 8). */
  private static byte[] twoStates(ByteBuffer older, ByteBuffer newer) {
    byte[] f = bytes(Format.ackFileV3(4096, older, 7));
    ByteBuffer b = newer.duplicate();
    Format.sealAckSlot(b, 8);
    System.arraycopy(bytes(b), 0, f, A + 4096, b.remaining());
    return f;
  }

  private static final List<Format.DropRecord> DROPS = List.of(
      new Format.DropRecord(DropReason.BUFFER_OVERFLOW, false, 10, 20, 9, 900),
      new Format.DropRecord(DropReason.CORRUPTED, true, 20, 22, 2, 17));

  @Test
  void version3HoldsTheStateInTwoSlotsAndTheNewestValidOneWins() throws IOException {
    ByteBuffer older = Format.encodeAck(acks(3), 40, List.of());
    ByteBuffer newer = Format.encodeAck(acks(3, 7, 9), 42, DROPS);
    byte[] f = twoStates(older, newer);
    assertThat(f).hasSize(A + 2 * 4096);
    assertThat(Arrays.copyOf(f, 6)).isEqualTo(new byte[] {'L', 'A', 'A', 'K', 0, 3});
    Format.AckFile back = Format.decodeAck(f);
    assertThat(back.version()).isEqualTo(3);
    assertThat(back.slots().current()).as("slot B has the larger sequence").isEqualTo(1);
    assertThat(back.slots().sequence()).isEqualTo(8);
    assertThat(back.slots().skipped()).isNull();
    assertThat(back.complete()).isTrue();
    assertThat(back.acks().frontier).isEqualTo(3);
    assertThat(back.acks().removed).containsExactly(Map.entry(7L, 9L));
    assertThat(back.durableEnd()).isEqualTo(42);
    assertThat(back.drops()).isEqualTo(DROPS);
  }

  /** What damage to the newest slot does: the older state is read, and flagged as possibly older than the disk. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"flip-sequence", "flip-length", "flip-crc", "flip-state", "zero", "truncate-in-slot",
      "truncate-before-slot", "torn"})
  void aDamagedOrTornNewestSlotFallsBackToTheOtherOne(String damage) throws IOException {
    ByteBuffer older = Format.encodeAck(acks(3), 40, List.of());
    ByteBuffer newer = Format.encodeAck(acks(5, 7, 9), 42, DROPS);
    byte[] f = twoStates(older, newer);
    int b = A + 4096;
    byte[] d = switch (damage) {
      case "flip-sequence" -> flip(f, b + 7);
      case "flip-length" -> flip(f, b + 11);
      case "flip-crc" -> flip(f, b + 13);
      case "flip-state" -> flip(f, b + 16 + 30);
      case "zero" -> zero(f, b, b + 4096);
      case "truncate-in-slot" -> Arrays.copyOf(f, b + 20);
      case "truncate-before-slot" -> Arrays.copyOf(f, b + 3);
      default -> {
        // A torn write: the new state's first 40 bytes reached the disk, the rest of the slot is what was there
        // before (here: the same older state, as after the write that made the file).
        byte[] t = bytes(Format.ackFileV3(4096, older, 7));
        ByteBuffer n = newer.duplicate();
        Format.sealAckSlot(n, 8);
        System.arraycopy(bytes(n), 0, t, b, 40);
        yield t;
      }
    };
    Format.AckFile back = Format.decodeAck(d);
    assertThat(back.slots().current()).isZero();
    assertThat(back.acks().frontier).as("the older state: only duplicates, never loss").isEqualTo(3);
    assertThat(back.durableEnd()).isEqualTo(40);
    assertThat(back.slots().skipped()).startsWith("slot B");
    assertThat(back.complete()).as("the state may be older than the segments").isFalse();
  }

  @Test
  void aDamagedOlderSlotLosesNothingAndBothDamagedOrAHeaderDamagedIsCorruption() throws IOException {
    byte[] f = twoStates(Format.encodeAck(acks(3), 40, List.of()), Format.encodeAck(acks(5), 42, DROPS));
    Format.AckFile back = Format.decodeAck(flip(f, A + 16 + 3));
    assertThat(back.acks().frontier).as("the newest state, intact").isEqualTo(5);
    assertThat(back.drops()).isEqualTo(DROPS);
    assertThat(back.slots().skipped()).startsWith("slot A");

    byte[] both = flip(flip(f, A + 20), A + 4096 + 20);
    assertThatThrownBy(() -> Format.decodeAck(both)).isInstanceOf(Format.CorruptStateException.class)
        .hasMessageContaining("no valid slot").hasMessageContaining("slot A").hasMessageContaining("slot B");
    for (int at : new int[] {0, 5, 9, 29}) {
      assertThatThrownBy(() -> Format.decodeAck(flip(f, at))).as("header byte %d", at)
          .isInstanceOf(Format.CorruptStateException.class);
    }
    assertThatThrownBy(() -> Format.decodeAck(Arrays.copyOf(f, 31)))
        .isInstanceOf(Format.CorruptStateException.class);
    assertThatThrownBy(() -> Format.decodeAck(new byte[0])).isInstanceOf(Format.CorruptStateException.class);
    // Bytes after the second slot, and in the unused part of the header block, change nothing.
    byte[] longer = Arrays.copyOf(f, f.length + 100);
    Arrays.fill(longer, f.length, longer.length, (byte) 0x5A);
    assertThat(Format.decodeAck(flip(longer, 100)).acks().frontier).isEqualTo(5);
  }

  @Test
  void aLaterVersionWithAnIntactHeaderIsRefusedByNumberNotTakenForDamage() {
    byte[] f = bytes(Format.ackFileV3(4096, Format.encodeAck(acks(3), 3, List.of()), 1));
    f[5] = 4;
    CRC32C crc = new CRC32C();
    crc.update(f, 0, 28);
    ByteBuffer.wrap(f).putInt(28, (int) crc.getValue());
    assertThatThrownBy(() -> Format.decodeAck(f)).isNotInstanceOf(Format.CorruptStateException.class)
        .hasMessageContaining("format version 4");
  }

  @Test
  void aSlotSizeIsWholeUnitsWithRoomForTwiceTheStateAndBounded() throws IOException {
    assertThat(Format.ackSlotBytesFor(100)).isEqualTo(4096);
    assertThat(Format.ackSlotBytesFor(4000)).isEqualTo(8192);
    assertThat(Format.ackSlotBytesFor(10_000)).isEqualTo(20_480);
    assertThatThrownBy(() -> Format.ackSlotBytesFor(Format.MAX_ACK_BYTES / 2))
        .hasMessageContaining("more than the");
  }

  // ---------------------------------------------------------------- the buffer writing it

  private static BufferOptions.Builder options(Path dir) {
    return BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(1 << 20).durability(Durability.SYNC);
  }

  private static FileDiskBuffer open(Path dir, RecordingListener events) {
    return FileDiskBuffer.open(options(dir).build(), events);
  }

  @Test
  void acknowledgementsAreWrittenInPlace() throws IOException {
    Path dir = tmp.resolve("b");
    try (FileDiskBuffer b = open(dir, new RecordingListener())) {
      appendRange(b, 0, 50);
      b.acknowledge(b.read(Long.MAX_VALUE, 5).orElseThrow());
      Path ack = dir.resolve(AckState.FILE);
      Object file = Files.readAttributes(ack, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      long seq = Format.decodeAck(Files.readAllBytes(ack)).slots().sequence();
      for (int i = 1; i <= 4; i++) {
        b.acknowledge(b.read(Long.MAX_VALUE, 5).orElseThrow());
        Format.AckFile f = Format.decodeAck(Files.readAllBytes(ack));
        assertThat(f.acks().frontier).isEqualTo(5 + 5L * i);
        assertThat(f.slots().sequence()).isEqualTo(seq + i);
        assertThat(f.slots().skipped()).isNull();
        assertThat(Files.readAttributes(ack, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
            .as("the same file: no temporary file, no rename").isEqualTo(file);
        assertThat(Files.size(ack)).isEqualTo(A + 2 * 4096);
      }
    }
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  /**
   * An acknowledgement returns after its write, without a force; the sync thread forces it soon after, and only then
   * deletes the segments it freed (while the force fails, nothing is deleted).
   */
  @Test
  void anAcknowledgementIsForcedByTheSyncThreadWhichThenDeletesTheSegmentsItFreed() throws IOException {
    FaultyChannels channels = new FaultyChannels();
    channels.skipRealForce = true;
    java.util.concurrent.ConcurrentLinkedQueue<String> journal = new java.util.concurrent.ConcurrentLinkedQueue<>();
    channels.journal = journal;
    Path dir = tmp.resolve("b");
    String me = Thread.currentThread().getName() + " ";
    try (FileDiskBuffer b = FileDiskBuffer.open(options(dir).build(), new RecordingListener(),
        java.time.Clock.systemUTC(), channels)) {
      appendRange(b, 0, 150);
      int segments = FileDiskBufferTest.segmentsOf(dir).size();
      assertThat(segments).isGreaterThanOrEqualTo(3);
      b.acknowledge(b.read(Long.MAX_VALUE, 1).orElseThrow()); // creates the file: always forced
      journal.clear();
      b.acknowledge(b.read(Long.MAX_VALUE, 1).orElseThrow());
      assertThat(journal).as("written in place, not forced by the acknowledging thread")
          .noneMatch(e -> e.startsWith(me) && e.endsWith("force " + AckState.FILE));
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (journal.stream().noneMatch(e -> e.startsWith("loganalytics-buffer-sync-")
          && e.endsWith("force " + AckState.FILE))) {
        assertThat(System.nanoTime()).as("the sync thread forces it").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(FileDiskBufferTest.segmentsOf(dir)).hasSize(segments);

      journal.clear();
      Chunk rest = b.read(Long.MAX_VALUE, 100).orElseThrow();
      long end = Format.parseSegmentName(FileDiskBufferTest.segmentsOf(dir).get(1).getFileName().toString());
      assertThat(rest.firstSequence() + rest.records().size()).as("the chunk completes the first segment")
          .isGreaterThanOrEqualTo(end);
      channels.failForcesOf = p -> p.getFileName().toString().equals(AckState.FILE);
      b.acknowledge(rest);
      assertThat(journal).as("not forced by the acknowledging thread").noneMatch(e -> e.startsWith(me)
          && e.endsWith("force " + AckState.FILE));
      while (journal.stream().noneMatch(e -> e.startsWith("loganalytics-buffer-sync-")
          && e.endsWith("force-failed " + AckState.FILE))) {
        assertThat(System.nanoTime()).as("the sync thread tries to force it").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(FileDiskBufferTest.segmentsOf(dir)).as("nothing deleted before the acknowledgement is forced")
          .hasSize(segments);
      assertThat(b.recordCount()).isEqualTo(150 - 2 - rest.records().size());
      channels.failForcesOf = null;
      b.acknowledge(b.read(Long.MAX_VALUE, 1).orElseThrow()); // the sync thread forces again, then deletes
      while (FileDiskBufferTest.segmentsOf(dir).size() != segments - 1) {
        assertThat(System.nanoTime()).as("the sync thread deletes the first segment").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(journal).anyMatch(e -> e.startsWith("loganalytics-buffer-sync-")
          && e.endsWith("force " + AckState.FILE));
    }
  }

  /**
   * A forced state whose write was overtaken by a later one written without a force: persisting it forces that later
   * write; if the later write's force failed, it fails instead of returning as if it were durable.
   */
  @Test
  void aForcedStateOvertakenByAnUnforcedOneIsForcedOrFails() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("b"));
    FaultyChannels channels = new FaultyChannels();
    channels.skipRealForce = true;
    java.util.concurrent.ConcurrentLinkedQueue<String> journal = new java.util.concurrent.ConcurrentLinkedQueue<>();
    channels.journal = journal;
    AckLog log = new AckLog(dir, channels);
    log.persist(log.snapshot(0, null)); // creates the file
    log.acks.remove(0, 5);
    AckLog.Snapshot forced = log.snapshot(5, null);
    log.acks.remove(5, 7);
    log.persist(log.snapshot(7, null).lazy());
    assertThat(log.unforced()).isTrue();
    journal.clear();
    log.persist(forced);
    assertThat(journal).as("the later write forced for it").anyMatch(e -> e.endsWith("force " + AckState.FILE));
    assertThat(log.unforced()).isFalse();
    assertThat(log.forcedFrontier()).isEqualTo(7);

    log.acks.remove(7, 9);
    AckLog.Snapshot forced2 = log.snapshot(9, null);
    log.acks.remove(9, 12);
    log.persist(log.snapshot(12, null).lazy());
    channels.failForcesOf = p -> p.getFileName().toString().equals(AckState.FILE);
    assertThatThrownBy(log::forceWritten).isInstanceOf(IOException.class);
    channels.failForcesOf = null;
    assertThatThrownBy(() -> log.persist(forced2)).as("nothing forced holds it").isInstanceOf(IOException.class)
        .hasMessageContaining("force");
    assertThat(log.forcedFrontier()).isEqualTo(7);
    log.persist(log.snapshot(12, null));
    assertThat(log.forcedFrontier()).isEqualTo(12);
    log.close();
    assertThat(Format.decodeAck(Files.readAllBytes(dir.resolve(AckState.FILE))).acks().frontier).isEqualTo(12);
    assertThat(channels.openChannels.get()).as("no channel left open after close").isZero();
  }

  @Test
  void aStateThatOutgrowsItsSlotReplacesTheFileWithLargerSlotsAndReadsBack() throws IOException {
    Path dir = tmp.resolve("b");
    List<Long> kept = new ArrayList<>();
    try (FileDiskBuffer b = open(dir, new RecordingListener())) {
      List<byte[]> records = new ArrayList<>();
      for (int i = 0; i < 1200; i++) {
        records.add(FileDiskBufferTest.rec(i));
      }
      b.appendAll(records);
      List<Chunk> chunks = new ArrayList<>();
      Chunk c;
      while ((c = b.read(Long.MAX_VALUE, 1).orElse(null)) != null) {
        chunks.add(c);
      }
      // Every other record acknowledged: 600 intervals of 16 bytes, more than a 4 KiB slot holds.
      for (int i = 1; i < chunks.size(); i += 2) {
        b.acknowledge(chunks.get(i));
      }
      for (int i = 0; i < chunks.size(); i += 2) {
        kept.add(chunks.get(i).firstSequence());
      }
    }
    Format.AckFile f = Format.decodeAck(Files.readAllBytes(dir.resolve(AckState.FILE)));
    assertThat(f.slots().slotBytes()).as("grown to fit the state").isGreaterThanOrEqualTo(16 + 24 + 600 * 16);
    assertThat(Files.size(dir.resolve(AckState.FILE))).isEqualTo(A + 2L * f.slots().slotBytes());
    assertThat(f.acks().removed).hasSize(600);
    try (FileDiskBuffer b = open(dir, new RecordingListener())) {
      assertThat(b.recordCount()).isEqualTo(600);
      assertThat(drain(b)).hasSize(600);
    }
    Format.AckFile after = Format.decodeAck(Files.readAllBytes(dir.resolve(AckState.FILE)));
    assertThat(after.acks().frontier).isEqualTo(1200);
    assertThat(after.slots().skipped()).isNull();
  }

  /**
   * A write of ack.state cut short at every byte (the rest of the slot keeps the bytes of two writes before): opening
   * reads the state before that write, so records acknowledged by it come back (at least once), none is lost, and the
   * buffer goes on writing in place.
   */
  @Test
  void aWriteCutShortAtAnyByteLeavesTheStateBeforeIt() throws IOException {
    Path dir = tmp.resolve("b");
    try (FileDiskBuffer b = open(dir, new RecordingListener())) {
      appendRange(b, 0, 30);
      b.acknowledge(b.read(Long.MAX_VALUE, 10).orElseThrow());
    }
    Path ack = dir.resolve(AckState.FILE);
    byte[] before = Files.readAllBytes(ack);
    Format.AckFile was = Format.decodeAck(before);
    try (FileDiskBuffer b = open(dir, new RecordingListener())) {
      b.acknowledge(b.read(Long.MAX_VALUE, 10).orElseThrow());
    }
    byte[] after = Files.readAllBytes(ack);
    Format.AckFile now = Format.decodeAck(after);
    assertThat(now.acks().frontier).isEqualTo(20);
    // The write of the acknowledgement went to the slot the first session did not hold its state in; the close
    // wrote the other one again. Rebuild the file as if the acknowledgement's write stopped after n bytes.
    int target = A + was.slots().next() * was.slots().slotBytes();
    int written = 16 + 24;
    int tornCases = 0;
    for (int n = 0; n < written; n++) {
      byte[] torn = before.clone();
      System.arraycopy(after, target, torn, target, n);
      Path d = tmp.resolve("torn" + n);
      Files.createDirectories(d);
      for (Path p : FileDiskBufferTest.segmentsOf(dir)) {
        Files.copy(p, d.resolve(p.getFileName()));
      }
      Files.write(d.resolve(AckState.FILE), torn);
      assertThat(FileDiskBuffer.verify(d).healthy()).as("a torn write is what a crash leaves, at %d", n).isTrue();
      // Where the bytes not yet written equal the old ones, the write is in fact complete.
      boolean complete = Arrays.equals(torn, target, target + written, after, target, target + written);
      tornCases += complete ? 0 : 1;
      RecordingListener events = new RecordingListener();
      try (FileDiskBuffer b = open(d, events)) {
        assertThat(b.recordCount()).as("cut at %d", n).isEqualTo(complete ? 10 : 20);
        b.acknowledge(b.read(Long.MAX_VALUE, 20).orElseThrow());
      }
      assertThat(events.drops).isEmpty();
      assertThat(events.errors).isEmpty();
      Format.AckFile f = Format.decodeAck(Files.readAllBytes(d.resolve(AckState.FILE)));
      assertThat(f.acks().frontier).isEqualTo(30);
      assertThat(f.slots().skipped()).as("the torn slot was written again").isNull();
    }
    assertThat(tornCases).as("cuts that left a torn slot").isGreaterThan(20);
  }

  @Test
  void aGoldenVersion2FileIsMigratedOnOpenKeepingItsStateAndJournal() throws IOException {
    Path dir = tmp.resolve("b");
    try (FileDiskBuffer b = open(dir, new RecordingListener())) {
      appendRange(b, 0, 200);
    }
    // What version 2 code left: 0..49 and 60..69 gone, one undelivered eviction report, durable end 200.
    List<Format.DropRecord> journal = List.of(new Format.DropRecord(DropReason.BUFFER_OVERFLOW, false, 0, 10, 4,
        44));
    Files.write(dir.resolve(AckState.FILE), bytes(Format.encodeAckV2(acks(50, 60, 70), 200, journal)));
    RecordingListener events = new RecordingListener();
    try (FileDiskBuffer b = open(dir, events)) {
      assertThat(b.recordCount()).isEqualTo(140);
      Format.AckFile f = Format.decodeAck(Files.readAllBytes(dir.resolve(AckState.FILE)));
      assertThat(f.version()).isEqualTo(3);
      assertThat(f.acks().frontier).isEqualTo(50);
      assertThat(f.acks().removed).containsExactly(Map.entry(60L, 70L));
      assertThat(f.durableEnd()).isEqualTo(200);
    }
    assertThat(events.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.BUFFER_OVERFLOW);
      assertThat(d.records()).isEqualTo(4);
    });
    RecordingListener again = new RecordingListener();
    try (FileDiskBuffer b = open(dir, again)) {
      assertThat(b.recordCount()).isEqualTo(140);
    }
    assertThat(again.drops).as("reported once").isEmpty();
  }

  private static byte[] flip(byte[] f, int at) {
    byte[] d = f.clone();
    d[at] ^= 0x10;
    return d;
  }

  private static byte[] zero(byte[] f, int from, int to) {
    byte[] d = f.clone();
    Arrays.fill(d, from, to, (byte) 0);
    return d;
  }
}
