package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files of format version 1 in {@code src/test/resources/buffer-golden/v1}: valid ones the current code must
 * read, damaged ones (truncated, bit-flipped) it must recover from, and a check that the writer still produces the
 * golden bytes, so that a change of the format cannot go unnoticed. Regenerate (only for a deliberate format change,
 * with a new version number) with {@code -Dbuffer.golden.regenerate=sdk-impl/src/test/resources/buffer-golden/v1}.
 */
class GoldenFilesTest {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
  private static final String SEG0 = "00000000000000000000.seg";
  private static final String SEG2 = "00000000000000000002.seg";

  @TempDir
  Path tmp;

  private final RecordingListener events = new RecordingListener();

  // ---------------------------------------------------------------- writing the golden files

  /** alpha, beta, gamma appended one second apart into one segment. */
  static void writeValid(Path dir) {
    MutableClock clock = new MutableClock(T0);
    try (FileDiskBuffer b = open(dir, clock, new RecordingListener())) {
      for (String s : List.of("alpha", "beta", "gamma")) {
        clock.advance(Duration.ofSeconds(1));
        b.append(s.getBytes(UTF_8));
      }
    }
  }

  /** As {@link #writeValid}, then the first record read and acknowledged. */
  static void writeAcked(Path dir) {
    writeValid(dir);
    MutableClock clock = new MutableClock(T0);
    try (FileDiskBuffer b = open(dir, clock, new RecordingListener())) {
      b.acknowledge(b.read(Long.MAX_VALUE, 1).orElseThrow());
    }
  }

  /** Three records of 2,000 bytes: two fill segment 0, the third starts segment 2. */
  static void writeTwoSegments(Path dir) {
    MutableClock clock = new MutableClock(T0);
    try (FileDiskBuffer b = open(dir, clock, new RecordingListener())) {
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofSeconds(1));
        b.append(big(i));
      }
    }
  }

  static byte[] big(int i) {
    byte[] r = new byte[2000];
    Arrays.fill(r, (byte) ('a' + i));
    return r;
  }

  private static FileDiskBuffer open(Path dir, MutableClock clock, RecordingListener l) {
    return FileDiskBuffer.open(BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(65_536).build(), l,
        clock, ChannelFactory.DEFAULT);
  }

  @Test
  void regenerateWhenAsked() throws IOException {
    String target = System.getProperty("buffer.golden.regenerate");
    if (target == null) {
      return;
    }
    Path root = Path.of(target);
    Path valid = Files.createDirectories(root.resolve("valid"));
    writeValid(valid);
    writeAcked(Files.createDirectories(root.resolve("acked")));
    Path two = Files.createDirectories(root.resolve("two-segments"));
    writeTwoSegments(two);
    byte[] seg = Files.readAllBytes(valid.resolve(SEG0));
    Files.write(Files.createDirectories(root.resolve("truncated")).resolve(SEG0),
        Arrays.copyOf(seg, seg.length - 5));
    byte[] flipped = seg.clone();
    flipped[32 + 24 + 5 + 24 + 1] ^= 0x04; // in "beta"
    Files.write(Files.createDirectories(root.resolve("bitflip-active")).resolve(SEG0), flipped);
    Path sealed = Files.createDirectories(root.resolve("bitflip-sealed"));
    byte[] s0 = Files.readAllBytes(two.resolve(SEG0));
    s0[32 + 2024 + 24 + 100] ^= 0x01; // in the second record
    Files.write(sealed.resolve(SEG0), s0);
    Files.copy(two.resolve(SEG2), sealed.resolve(SEG2));
    for (String d : List.of("valid", "acked", "two-segments")) {
      Files.deleteIfExists(root.resolve(d).resolve(FileDiskBuffer.LOCK_FILE));
    }
  }

  // ---------------------------------------------------------------- the writer still writes them

  @Test
  void theWriterStillProducesTheGoldenBytes() throws IOException {
    writeValid(Files.createDirectory(tmp.resolve("valid")));
    writeAcked(Files.createDirectory(tmp.resolve("acked")));
    writeTwoSegments(Files.createDirectory(tmp.resolve("two")));
    assertThat(Files.readAllBytes(tmp.resolve("valid").resolve(SEG0))).isEqualTo(golden("valid/" + SEG0));
    assertThat(Files.readAllBytes(tmp.resolve("acked").resolve(SEG0))).isEqualTo(golden("acked/" + SEG0));
    assertThat(Files.readAllBytes(tmp.resolve("acked").resolve(AckState.FILE)))
        .isEqualTo(golden("acked/" + AckState.FILE));
    assertThat(Files.readAllBytes(tmp.resolve("two").resolve(SEG0))).isEqualTo(golden("two-segments/" + SEG0));
    assertThat(Files.readAllBytes(tmp.resolve("two").resolve(SEG2))).isEqualTo(golden("two-segments/" + SEG2));
  }

  @Test
  void theGoldenSegmentHasTheDocumentedLayout() throws IOException {
    byte[] seg = golden("valid/" + SEG0);
    assertThat(Arrays.copyOf(seg, 4)).isEqualTo("LABS".getBytes(UTF_8));
    assertThat(seg[5]).as("version").isEqualTo((byte) 1);
    assertThat(seg).hasSize(32 + 3 * 24 + "alphabetagamma".length());
    assertThat(new String(seg, 32 + 24, 5, UTF_8)).isEqualTo("alpha");
    assertThat(seg[32 + 3]).as("length of alpha").isEqualTo((byte) 5);
  }

  // ---------------------------------------------------------------- reading them

  @Test
  void aValidGoldenBufferIsReadBack() throws IOException {
    Path dir = copy("valid", SEG0);
    assertThat(FileDiskBuffer.verify(dir).records()).isEqualTo(3);
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      Chunk c = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(strings(c)).containsExactly("alpha", "beta", "gamma");
      assertThat(c.firstSequence()).isZero();
      assertThat(c.oldestAppendTime()).isEqualTo(T0.plusSeconds(1));
    }
    assertThat(events.drops).isEmpty();
  }

  @Test
  void anAcknowledgedGoldenRecordStaysGone() throws IOException {
    Path dir = copy("acked", SEG0, AckState.FILE);
    assertThat(FileDiskBuffer.verify(dir).records()).isEqualTo(2);
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      assertThat(b.oldestAppendTime()).contains(T0.plusSeconds(2));
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("beta", "gamma");
    }
  }

  @Test
  void aTruncatedGoldenSegmentLosesOnlyItsTornRecord() throws IOException {
    Path dir = copy("truncated", SEG0);
    assertThat(FileDiskBuffer.verify(dir).healthy()).as("a torn tail is what a crash leaves").isTrue();
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("alpha", "beta");
    }
    assertThat(events.quarantined).isEmpty();
    assertThat(Files.size(dir.resolve(SEG0))).isEqualTo(32 + 2 * 24 + 9);
  }

  @Test
  void aBitFlipInASealedGoldenSegmentIsQuarantinedAndTheRestIsRead() throws IOException {
    Path dir = copy("bitflip-sealed", SEG0, SEG2);
    BufferReport report = FileDiskBuffer.verify(dir);
    assertThat(report.corruptSegments()).singleElement().asString().startsWith(SEG0 + ": offset 2056")
        .contains("CRC32C mismatch");
    List<String> read = new ArrayList<>();
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      Optional<Chunk> c;
      while ((c = b.read(Long.MAX_VALUE, 10)).isPresent()) {
        c.get().records().forEach(r -> read.add(new String(r, 0, 1, UTF_8)));
        b.acknowledge(c.get());
      }
    }
    assertThat(read).containsExactly("a", "c");
    assertThat(events.dropped(DropReason.CORRUPTED)).isEqualTo(1);
    assertThat(events.quarantined).singleElement().satisfies(p -> assertThat(p).exists());
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
  }

  @Test
  void aBitFlipInTheActiveGoldenSegmentIsCutOffKeepingACopy() throws IOException {
    Path dir = copy("bitflip-active", SEG0);
    assertThat(FileDiskBuffer.verify(dir).corruptSegments()).singleElement().asString().contains("CRC32C");
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("alpha");
    }
    assertThat(events.quarantined).singleElement().satisfies(p -> assertThat(p).exists());
    assertThat(events.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.CORRUPTED);
      assertThat(d.records()).isEqualTo(2);
    });
  }

  private static List<String> strings(Chunk c) {
    List<String> out = new ArrayList<>();
    c.records().forEach(r -> out.add(new String(r, UTF_8)));
    return out;
  }

  private Path copy(String set, String... files) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve(set));
    for (String f : files) {
      Files.write(dir.resolve(f), golden(set + "/" + f));
    }
    return dir;
  }

  private static byte[] golden(String name) throws IOException {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/buffer-golden/v1/" + name)) {
      assertThat(in).as("golden file %s", name).isNotNull();
      return in.readAllBytes();
    }
  }
}
