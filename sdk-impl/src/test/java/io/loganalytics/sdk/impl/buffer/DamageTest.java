package io.loganalytics.sdk.impl.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.DropReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Damage} on its own: a segment file, the drop journal and the listener, without a buffer around them. */
class DamageTest {
  @TempDir
  Path dir;

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final RecordingListener listener = new RecordingListener();
  private final BufferEvents events = new BufferEvents(listener, Path.of("unused"));
  private SegmentLog log;
  private AckLog ackLog;
  private ReadCursor reader;
  private Damage damage;
  private Segment segment;

  @BeforeEach
  void setUp() throws Exception {
    log = new SegmentLog(dir, ChannelFactory.DEFAULT, clock, 4096, false);
    ackLog = new AckLog(dir, ChannelFactory.DEFAULT);
    reader = new ReadCursor(log, ackLog, 1024, (s, from, to, offset, span, problem) -> damage.damaged(s, from, to,
        offset, span, problem));
    Drops drops = new Drops(ackLog, reader, events);
    damage = new Damage(dir, log, ackLog, drops, new Quarantine(dir, ChannelFactory.DEFAULT, clock), events,
        () -> 10);
    segment = log.create(0);
    log.addActive(segment);
    log.nextSeq = 10;
    segment.livePayload = 1_000;
  }

  private long quarantined() throws Exception {
    Path q = dir.resolve(Quarantine.DIR);
    if (!Files.isDirectory(q)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(q)) {
      return files.count();
    }
  }

  @Test
  void damageIsReportedJournaledAndCopiedOnceAndDamageAmongGoneRecordsChangesNothing() throws Exception {
    long span = 4L * (Format.FRAME_HEADER_BYTES + 25);
    damage.damaged(segment, 2, 6, 100, span, "checksum mismatch");
    events.flush();

    assertThat(listener.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.CORRUPTED);
      assertThat(d.records()).isEqualTo(4);
      assertThat(d.bytes()).as("the span less the frame headers").isEqualTo(100);
      assertThat(d.detail()).contains("offset 100: checksum mismatch", "(sequences 2..5)");
    });
    assertThat(listener.quarantined).hasSize(1);
    assertThat(quarantined()).isEqualTo(1);
    assertThat(ackLog.acks.removedIn(0, 10)).as("marked gone").isEqualTo(4);
    assertThat(segment.livePayload).isEqualTo(900);
    Format.AckFile journal = ackLog.read().orElseThrow();
    assertThat(journal.drops()).singleElement().satisfies(d -> assertThat(d.records()).isEqualTo(4));
    assertThat(journal.durableEnd()).isEqualTo(10);

    // Wider damage over the same records and two more: only the two are new; no second copy of the file.
    damage.damaged(segment, 2, 8, 100, 0, "checksum mismatch");
    events.flush();
    assertThat(listener.drops).hasSize(2);
    assertThat(listener.drops.get(1).records()).isEqualTo(2);
    assertThat(quarantined()).isEqualTo(1);

    // Damage among records already gone: nothing.
    damage.damaged(segment, 3, 7, 120, 0, "bad length");
    events.flush();
    assertThat(listener.drops).hasSize(2);
  }

  @Test
  void recordsLostOutsideAnySegmentAreReportedUnlessAlreadyGone() throws Exception {
    ackLog.acks.remove(0, 3);
    damage.lost(0, 3, 0, "acknowledged range");
    events.flush();
    assertThat(listener.drops).as("already gone").isEmpty();

    damage.lost(0, 5, 40, "segment 00000000000000000000.seg is missing");
    events.flush();
    assertThat(listener.drops).singleElement().satisfies(d -> {
      assertThat(d.records()).as("the three acknowledged are not lost").isEqualTo(2);
      assertThat(d.detail()).endsWith("; 2 records lost");
    });
    assertThat(ackLog.acks.removedIn(0, 5)).isEqualTo(5);
    assertThat(quarantined()).as("no segment to copy").isZero();
  }
}
