package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Outstanding} on its own, without a buffer or files. */
class OutstandingTest {
  private static final Path DIR = Path.of("buffer-dir");

  /** A chunk of {@code records} records of {@code bytes} payload bytes each, from {@code first}. */
  private static BufferChunk chunk(long first, int records, int bytes) {
    List<byte[]> rs = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      rs.add("x".repeat(bytes).getBytes(UTF_8));
    }
    ReadCursor.Position start = new ReadCursor.Position(null, Format.SEGMENT_HEADER_BYTES, first);
    return new BufferChunk(null, start, rs, Instant.EPOCH, (long) records * bytes, null);
  }

  @Test
  void findsTheChunkHoldingASequenceAcrossGapsBetweenChunks() {
    Outstanding o = new Outstanding();
    assertThat(o.holding(0)).isNull();
    assertThat(o.holdsFrom(0)).isFalse();
    BufferChunk a = chunk(10, 5, 1); // 10..14
    BufferChunk b = chunk(20, 3, 1); // 20..22
    o.add(b);
    o.add(a);
    assertThat(o.holding(9)).isNull();
    assertThat(o.holding(10)).isSameAs(a);
    assertThat(o.holding(14)).isSameAs(a);
    assertThat(o.holding(15)).as("the gap between the chunks").isNull();
    assertThat(o.holding(22)).isSameAs(b);
    assertThat(o.holding(23)).isNull();
    assertThat(o.before(10)).isNull();
    assertThat(o.before(11)).isSameAs(a);
    assertThat(o.before(20)).isSameAs(a);
    assertThat(o.before(21)).isSameAs(b);
    assertThat(o.holdsFrom(22)).isTrue();
    assertThat(o.holdsFrom(23)).isFalse();
    assertThat(o.all()).containsExactly(a, b);
  }

  @Test
  void takingAllLeavesNothingOut() {
    Outstanding o = new Outstanding();
    BufferChunk a = chunk(0, 2, 1);
    BufferChunk b = chunk(2, 2, 1);
    o.add(a);
    o.add(b);
    assertThat(o.takeAll()).containsExactly(a, b);
    assertThat(o.isEmpty()).isTrue();
    assertThat(o.holding(1)).isNull();
  }

  @Test
  void acceptsOnlyItsOwnChunksWhileTheyAreOut() {
    Outstanding o = new Outstanding();
    BufferChunk c = chunk(0, 3, 1);
    o.add(c);
    assertThat(o.check(c, null, DIR)).isSameAs(c);

    Object otherBuffer = new Object();
    assertThatThrownBy(() -> o.check(c, otherBuffer, DIR)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was not read from buffer " + DIR);
    record Foreign(long firstSequence, List<byte[]> records, Instant oldestAppendTime) implements Chunk {}
    Chunk foreign = new Foreign(0, List.of(), Instant.EPOCH);
    assertThatThrownBy(() -> o.check(foreign, null, DIR)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was not read from buffer");
    assertThatThrownBy(() -> o.check(null, null, DIR)).isInstanceOf(IllegalArgumentException.class);

    c.acknowledging = true;
    assertThatThrownBy(() -> o.check(c, null, DIR)).hasMessageContaining("not outstanding");
    c.acknowledging = false;

    o.remove(c);
    assertThatThrownBy(() -> o.check(c, null, DIR)).as("acknowledged or released already")
        .hasMessageContaining("not outstanding");
    // Read again after a release: the same sequences in a new chunk; the old one stays refused.
    BufferChunk again = chunk(0, 3, 1);
    o.add(again);
    assertThatThrownBy(() -> o.check(c, null, DIR)).hasMessageContaining("not outstanding");
    o.remove(c); // a stale chunk removes nothing
    assertThat(o.check(again, null, DIR)).isSameAs(again);
  }

  @Test
  void anAcknowledgedChunkFreesThePayloadOfItsRecordsNotLostMeanwhile() {
    SegmentLog log = new SegmentLog(DIR, ChannelFactory.DEFAULT, Clock.systemUTC(), 1 << 20, false);
    Segment s0 = new Segment(100, DIR.resolve(Format.segmentName(100)), 0);
    Segment s1 = new Segment(110, DIR.resolve(Format.segmentName(110)), 0);
    s0.livePayload = 1_000;
    s1.livePayload = 1_000;
    log.segments.add(s0);
    log.segments.add(s1);
    log.nextSeq = 120;
    // Records 95..114 of 10 bytes each: 95..99 are in a segment deleted meanwhile, 100..109 in s0, 110..114 in s1.
    BufferChunk c = chunk(95, 20, 10);
    c.markEvicted(108, 112, DropReason.BUFFER_OVERFLOW); // lost while out: their payload was subtracted then
    Outstanding.subtractPayload(c, log);
    assertThat(s0.livePayload).isEqualTo(1_000 - 8 * 10);
    assertThat(s1.livePayload).isEqualTo(1_000 - 3 * 10);

    s1.livePayload = 5;
    Outstanding.subtractPayload(chunk(110, 1, 10), log);
    assertThat(s1.livePayload).as("never below zero (estimates of damaged segments)").isZero();
  }
}
