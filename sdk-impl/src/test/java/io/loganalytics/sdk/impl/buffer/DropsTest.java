package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.DropReason;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Drops} on its own, without files: which drops a chunk out when they happen holds, how they are reported if it
 * is released, and forgotten if it is acknowledged.
 */
class DropsTest {
  private static final Path DIR = Path.of("buffer-dir");

  private final AckLog ackLog = new AckLog(DIR, ChannelFactory.DEFAULT);
  private final SegmentLog log = new SegmentLog(DIR, ChannelFactory.DEFAULT, Clock.systemUTC(), 1 << 20, false);
  private final ReadCursor reader = new ReadCursor(log, ackLog, 1 << 16, (s, from, to, offset, span, problem) -> {
    throw new AssertionError("no damage here");
  });
  private final RecordingListener listener = new RecordingListener();
  private final BufferEvents events = new BufferEvents(listener, DIR);
  private final Drops drops = new Drops(ackLog, reader, events);

  /** Hands out a chunk of {@code records} records of 10 bytes from {@code first}. */
  private BufferChunk out(long first, int records) {
    List<byte[]> rs = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      rs.add("0123456789".getBytes(UTF_8));
    }
    BufferChunk c = new BufferChunk(null, new ReadCursor.Position(null, Format.SEGMENT_HEADER_BYTES, first), rs,
        Instant.EPOCH, 10L * records, null);
    reader.outstanding.add(c);
    return c;
  }

  @Test
  void recordsOutInAChunkAreHeldByItAndReportedOnlyWhenItIsReleased() {
    BufferChunk c = out(10, 10); // 10..19
    // Evict 0..15: 0..9 are reported now; 10..15 are out in c and held by it.
    long now = drops.apply(drops.drops(0, 16, DropReason.BUFFER_OVERFLOW, 100, "evicted"));
    assertThat(now).isEqualTo(10);
    events.flush();
    assertThat(listener.drops).singleElement().satisfies(d -> {
      assertThat(d.records()).isEqualTo(10);
      assertThat(d.bytes()).isEqualTo(100);
    });
    assertThat(c.lostRecords(DropReason.BUFFER_OVERFLOW)).isEqualTo(6);
    assertThat(ackLog.heldBy(c)).singleElement().satisfies(d -> assertThat(d.records).isEqualTo(6));

    drops.reportHeld(c, "released", id -> false);
    events.flush();
    assertThat(listener.drops).hasSize(2);
    assertThat(listener.drops.get(1).records()).isEqualTo(6);
    assertThat(listener.drops.get(1).bytes()).as("exact payload of the held records").isEqualTo(60);
    assertThat(listener.drops.get(1).detail()).endsWith("; the chunk was released");
    assertThat(ackLog.heldBy(c)).as("reported once: no longer held").isEmpty();
  }

  @Test
  void anAcknowledgedChunkForgetsWhatItHeldAndSaysWhenADropCameWhileItsAcknowledgementWasWritten() {
    BufferChunk c = out(0, 10);
    drops.apply(drops.drops(0, 3, DropReason.CORRUPTED, 0, "damaged"));
    AckLog.Change forget = drops.forgetting(c);
    assertThat(forget.forgotten).hasSize(1);
    assertThat(forget.gone).isEmpty();
    assertThat(forget.added).isEmpty();
    // Not late: everything it held was covered by the snapshot written with the acknowledgement.
    assertThat(drops.acknowledged(c, forget)).isFalse();
    assertThat(ackLog.drops()).isEmpty();

    BufferChunk d = out(10, 10);
    AckLog.Change before = drops.forgetting(d); // nothing held yet
    drops.apply(drops.drops(15, 20, DropReason.BUFFER_OVERFLOW, 0, "evicted meanwhile"));
    assertThat(drops.acknowledged(d, before)).as("a drop journaled while the acknowledgement was written").isTrue();
    assertThat(ackLog.drops()).as("forgotten all the same").isEmpty();
    events.flush();
    assertThat(listener.drops).as("records of an acknowledged chunk were delivered, not lost").isEmpty();
  }
}
