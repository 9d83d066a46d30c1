package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.flipByte;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.rec;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.segmentsOf;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defects issue 10 lists, each rebuilt by hand (the random-damage test finds them only by chance): damage before
 * a range acknowledged out of order, a zeroed frame header, valid records of a chunk out when damage is found in
 * their segment, and a newest segment emptied or with a damaged header. Every test checks the rule: reading makes
 * progress (a watchdog), valid records are delivered, every other record is reported once as
 * {@link DropReason#CORRUPTED} with its exact count, and {@link FileDiskBuffer#verify} says the same beforehand.
 */
class DamageRegressionTest {
  private static final Duration WATCHDOG = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private final RecordingListener events = new RecordingListener();

  private BufferOptions options() {
    return BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(1_000_000).build();
  }

  private FileDiskBuffer open() {
    return FileDiskBuffer.open(options(), events);
  }

  /** Where the frame of record {@code i} starts in a segment whose first record is {@code first}. */
  private static long frameOffset(int first, int i) {
    long offset = Format.SEGMENT_HEADER_BYTES;
    for (int k = first; k < i; k++) {
      offset += Format.FRAME_HEADER_BYTES + rec(k).length;
    }
    return offset;
  }

  /** Appends records 0..n-1; acknowledges the chunk [ackFrom, ackTo) only, leaving the records before it out. */
  private void fillAndAcknowledgeOutOfOrder(int n, int ackFrom, int ackTo) {
    try (FileDiskBuffer b = open()) {
      FileDiskBufferTest.appendRange(b, 0, n);
      if (ackFrom == 0) {
        b.acknowledge(b.read(Long.MAX_VALUE, ackTo).orElseThrow());
        return;
      }
      Chunk before = b.read(Long.MAX_VALUE, ackFrom).orElseThrow();
      Chunk acked = b.read(Long.MAX_VALUE, ackTo - ackFrom).orElseThrow();
      assertThat(acked.firstSequence()).isEqualTo(ackFrom);
      b.acknowledge(acked);
      assertThat(before.records()).hasSize(ackFrom);
    }
  }

  private static List<String> names(IntStream ids) {
    return ids.mapToObj(i -> str(rec(i))).collect(Collectors.toList());
  }

  /** Opens, reads and acknowledges everything under the watchdog; checks verify agreed beforehand. */
  private List<String> drainChecked() {
    BufferReport report = FileDiskBuffer.verify(dir);
    long lostBefore = events.dropped(DropReason.CORRUPTED);
    List<String> out = new ArrayList<>();
    long[] atOpen = new long[1];
    assertTimeoutPreemptively(WATCHDOG, () -> {
      try (FileDiskBuffer b = open()) {
        atOpen[0] = b.recordCount();
        Optional<Chunk> c;
        while ((c = b.read(Long.MAX_VALUE, 7)).isPresent()) {
          c.get().records().forEach(r -> out.add(str(r)));
          b.acknowledge(c.get());
        }
        assertThat(b.recordCount()).isZero();
      }
    }, "read() spins");
    long lost = events.dropped(DropReason.CORRUPTED) - lostBefore;
    assertThat(report.records()).as("verify: records").isEqualTo(out.size());
    assertThat(report.lostRecords()).as("verify: lost records").isEqualTo(lost);
    assertThat(atOpen[0]).as("recordCount at open is what was delivered or reported").isBetween((long) out.size(),
        out.size() + lost);
    // A second session has nothing left to say.
    int reports = events.drops.size();
    try (FileDiskBuffer b = open()) {
      assertThat(b.recordCount()).isZero();
      assertThat(b.read(Long.MAX_VALUE, 10)).isEmpty();
    }
    assertThat(events.drops).hasSize(reports);
    return out;
  }

  @Test
  void damageBeforeTheEndOfARangeAcknowledgedOutOfOrderNeitherSpinsNorLosesValidRecords() throws IOException {
    fillAndAcknowledgeOutOfOrder(30, 5, 10);
    Path seg = segmentsOf(dir).get(0);
    flipByte(seg, frameOffset(0, 2) + Format.FRAME_HEADER_BYTES + 3);
    List<String> read = drainChecked();
    assertThat(read).isEqualTo(names(IntStream.concat(IntStream.of(0, 1, 3, 4), IntStream.range(10, 30))));
    assertThat(events.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.CORRUPTED);
      assertThat(d.records()).isEqualTo(1);
    });
    assertThat(events.quarantined).hasSize(1);
  }

  /**
   * A zeroed frame header reads like the end of the frames. Before the acknowledged point (records 0..9 are
   * acknowledged, the damage is at record 3) it used to make the rest of its segment vanish, silently; between
   * ranges acknowledged out of order likewise.
   */
  @Test
  void aZeroedFrameHeaderBeforeTheAcknowledgedPointIsReportedNotSilentlyCut() throws IOException {
    zeroedFrameHeader(0);
  }

  @Test
  void aZeroedFrameHeaderBeforeARangeAcknowledgedOutOfOrderIsReportedNotSilentlyCut() throws IOException {
    zeroedFrameHeader(5);
  }

  private void zeroedFrameHeader(int ackFrom) throws IOException {
    fillAndAcknowledgeOutOfOrder(150, ackFrom, 10);
    List<Path> segs = segmentsOf(dir);
    assertThat(segs).as("several segments").hasSizeGreaterThan(2);
    int inFirst = (int) (Long.parseLong(segs.get(1).getFileName().toString().replace(".seg", "")));
    try (RandomAccessFile f = new RandomAccessFile(segs.get(0).toFile(), "rw")) {
      f.seek(frameOffset(0, 3));
      f.write(new byte[Format.FRAME_HEADER_BYTES]);
    }
    List<String> read = drainChecked();
    long lost = events.dropped(DropReason.CORRUPTED);
    // Records of the later segments come after the damage; whatever of record 3 and the rest of its segment cannot
    // be read is reported, exactly.
    if (ackFrom > 0) {
      assertThat(read).startsWith(names(IntStream.range(0, 3)).toArray(new String[0]));
    }
    assertThat(read).endsWith(names(IntStream.range(inFirst, 150)).toArray(new String[0]));
    assertThat(read.size() + lost).as("every record not acknowledged: delivered or reported")
        .isEqualTo(150 - (10 - ackFrom));
    assertThat(read).doesNotHaveDuplicates().doesNotContainAnyElementsOf(names(IntStream.range(ackFrom, 10)));
    assertThat(read).as("valid records after the damage in its segment are kept")
        .contains(str(rec(inFirst - 1)), str(rec(12)));
  }

  @Test
  void validRecordsOfAChunkOutWhenDamageIsFoundInTheirSegmentAreDeliveredWhenItIsReleased() throws IOException {
    try (FileDiskBuffer b = open()) {
      FileDiskBufferTest.appendRange(b, 0, 150);
    }
    Path seg = segmentsOf(dir).get(0);
    flipByte(seg, frameOffset(0, 20) + Format.FRAME_HEADER_BYTES + 1);
    try (FileDiskBuffer b = open()) {
      Chunk out = b.read(Long.MAX_VALUE, 10).orElseThrow();
      List<String> after = new ArrayList<>();
      List<Chunk> chunks = new ArrayList<>();
      Optional<Chunk> c;
      while ((c = b.read(Long.MAX_VALUE, 10)).isPresent()) {
        c.get().records().forEach(r -> after.add(str(r)));
        chunks.add(c.get());
      }
      assertThat(events.dropped(DropReason.CORRUPTED)).isEqualTo(1);
      assertThat(events.quarantined).hasSize(1);
      b.release(out);
      assertThat(b.read(Long.MAX_VALUE, 10).orElseThrow().records().stream().map(FileDiskBufferTest::str))
          .as("the released chunk's valid records are read again").isEqualTo(names(IntStream.range(0, 10)));
      assertThat(after).startsWith(names(IntStream.range(10, 20)).toArray(new String[0]))
          .doesNotContain(str(rec(20))).contains(str(rec(21)), str(rec(149)));
      // The process "dies" with everything out (close without acknowledging): the valid records stay.
    }
    List<String> read = drainChecked();
    assertThat(read).isEqualTo(names(IntStream.range(0, 150).filter(i -> i != 20)));
    assertThat(events.dropped(DropReason.CORRUPTED)).as("reported once, in the first session").isEqualTo(1);
  }

  @Test
  void anEmptiedNewestSegmentReportsTheExactRecordsItHeld() throws IOException {
    fillAndAcknowledgeOutOfOrder(150, 5, 10);
    List<Path> segs = segmentsOf(dir);
    Path newest = segs.get(segs.size() - 1);
    int first = (int) Long.parseLong(newest.getFileName().toString().replace(".seg", ""));
    Files.write(newest, new byte[0]);
    List<String> read = drainChecked();
    assertThat(events.dropped(DropReason.CORRUPTED)).isEqualTo(150 - first);
    assertThat(read).isEqualTo(names(IntStream.range(0, first).filter(i -> i < 5 || i >= 10)));
    assertThat(events.quarantined).isNotEmpty();
  }

  @Test
  void aDamagedHeaderOfTheNewestSegmentLosesNoRecord() throws IOException {
    fillAndAcknowledgeOutOfOrder(150, 5, 10);
    List<Path> segs = segmentsOf(dir);
    flipByte(segs.get(segs.size() - 1), 10);
    List<String> read = drainChecked();
    assertThat(read).isEqualTo(names(IntStream.range(0, 150).filter(i -> i < 5 || i >= 10)));
    assertThat(events.drops).isEmpty();
    assertThat(events.quarantineDetails).singleElement().asString().contains("header");
  }
}
