package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.testkit.MutableClock;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden files of the segment format in {@code src/test/resources/buffer-golden/vN}: valid ones the current code
 * must read, damaged ones (truncated, bit-flipped) it must recover from, and a check that the writer still produces
 * the golden bytes of the current version, so that a change of the format cannot go unnoticed. Version 1 (segments
 * end at the end of the file) and version 2 (SYNC segments preallocated with zeros up to the segment size) are both
 * read. Regenerate the current version (only for a deliberate format change, with a new version number) with
 * {@code -Dbuffer.golden.regenerate=sdk-impl/src/test/resources/buffer-golden/v2}.
 */
class GoldenFilesTest {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");
  private static final String SEG0 = "00000000000000000000.seg";
  private static final String SEG2 = "00000000000000000002.seg";
  /** The directory of the golden files the current writer produces. */
  private static final String CURRENT = "v" + Format.SEGMENT_VERSION;
  /**
   * The directory of the golden ack.state the current writer produces (the one under {@link #CURRENT} is of ack.state
   * version 1, still read).
   */
  private static final String CURRENT_ACK = "ack-v" + Format.ACK_VERSION;
  /** The end of the frames of the "valid" set: header and alpha, beta, gamma. */
  private static final int VALID_END = 32 + 3 * 24 + "alphabetagamma".length();

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
    // A torn write: the last 5 bytes of gamma never reached the disk; the preallocated zeros are still there.
    byte[] torn = seg.clone();
    Arrays.fill(torn, VALID_END - 5, VALID_END, (byte) 0);
    Files.write(Files.createDirectories(root.resolve("truncated")).resolve(SEG0), torn);
    byte[] flipped = seg.clone();
    flipped[32 + 24 + 5 + 24 + 1] ^= 0x04; // in "beta"
    Files.write(Files.createDirectories(root.resolve("bitflip-active")).resolve(SEG0), flipped);
    Path sealed = Files.createDirectories(root.resolve("bitflip-sealed"));
    byte[] s0 = Files.readAllBytes(two.resolve(SEG0));
    s0[32 + 2024 + 24 + 100] ^= 0x01; // in the second record
    Files.write(sealed.resolve(SEG0), s0);
    Files.copy(two.resolve(SEG2), sealed.resolve(SEG2));
    // A sealed segment whose zeros were not cut off before a crash: they read as its end.
    Path zeros = Files.createDirectories(root.resolve("sealed-zero-tail"));
    Files.write(zeros.resolve(SEG0), Arrays.copyOf(Files.readAllBytes(two.resolve(SEG0)), 4096));
    Files.copy(two.resolve(SEG2), zeros.resolve(SEG2));
    for (String d : List.of("valid", "acked", "two-segments")) {
      Files.deleteIfExists(root.resolve(d).resolve(DirectoryLock.FILE));
    }
    Path ack = Files.createDirectories(root.resolveSibling(CURRENT_ACK).resolve("acked"));
    Files.copy(root.resolve("acked").resolve(AckState.FILE), ack.resolve(AckState.FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  // ---------------------------------------------------------------- the writer still writes them

  @Test
  void theWriterStillProducesTheGoldenBytes() throws IOException {
    writeValid(Files.createDirectory(tmp.resolve("valid")));
    writeAcked(Files.createDirectory(tmp.resolve("acked")));
    writeTwoSegments(Files.createDirectory(tmp.resolve("two")));
    assertThat(Files.readAllBytes(tmp.resolve("valid").resolve(SEG0))).isEqualTo(golden(CURRENT, "valid/" + SEG0));
    assertThat(Files.readAllBytes(tmp.resolve("acked").resolve(SEG0))).isEqualTo(golden(CURRENT, "acked/" + SEG0));
    assertThat(Files.readAllBytes(tmp.resolve("acked").resolve(AckState.FILE)))
        .isEqualTo(golden(CURRENT_ACK, "acked/" + AckState.FILE));
    assertThat(Files.readAllBytes(tmp.resolve("two").resolve(SEG0))).isEqualTo(golden(CURRENT, "two-segments/" + SEG0));
    assertThat(Files.readAllBytes(tmp.resolve("two").resolve(SEG2))).isEqualTo(golden(CURRENT, "two-segments/" + SEG2));
  }

  @Test
  void theGoldenSegmentHasTheDocumentedLayout() throws IOException {
    byte[] v1 = golden("v1", "valid/" + SEG0);
    assertThat(Arrays.copyOf(v1, 4)).isEqualTo("LABS".getBytes(UTF_8));
    assertThat(v1[5]).as("version").isEqualTo((byte) 1);
    assertThat(v1).hasSize(VALID_END);
    assertThat(new String(v1, 32 + 24, 5, UTF_8)).isEqualTo("alpha");
    assertThat(v1[32 + 3]).as("length of alpha").isEqualTo((byte) 5);

    byte[] v2 = golden("v2", "valid/" + SEG0);
    assertThat(v2[5]).as("version").isEqualTo((byte) 2);
    assertThat(v2).as("preallocated to the segment size").hasSize(4096);
    assertThat(Arrays.copyOfRange(v2, 32, VALID_END)).as("frames as in version 1")
        .isEqualTo(Arrays.copyOfRange(v1, 32, VALID_END));
    assertThat(Arrays.copyOfRange(v2, VALID_END, 4096)).as("zeros after the frames").containsOnly((byte) 0);
  }

  @Test
  void aSealedGoldenSegmentWithZerosAfterItsFramesIsReadWhole() throws IOException {
    Path dir = copy("v2", "sealed-zero-tail", SEG0, SEG2);
    assertThat(FileDiskBuffer.verify(dir).healthy()).isTrue();
    List<String> read = new ArrayList<>();
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      Optional<Chunk> c;
      while ((c = b.read(Long.MAX_VALUE, 10)).isPresent()) {
        c.get().records().forEach(r -> read.add(new String(r, 0, 1, UTF_8)));
        b.acknowledge(c.get());
      }
    }
    assertThat(read).containsExactly("a", "b", "c");
    assertThat(events.quarantined).isEmpty();
    assertThat(events.drops).isEmpty();
  }

  // ---------------------------------------------------------------- reading them

  @ParameterizedTest(name = "format {0}")
  @ValueSource(strings = {"v1", "v2"})
  void aValidGoldenBufferIsReadBack(String version) throws IOException {
    Path dir = copy(version, "valid", SEG0);
    assertThat(FileDiskBuffer.verify(dir).records()).isEqualTo(3);
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      Chunk c = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(strings(c)).containsExactly("alpha", "beta", "gamma");
      assertThat(c.firstSequence()).isZero();
      assertThat(c.oldestAppendTime()).isEqualTo(T0.plusSeconds(1));
    }
    assertThat(events.drops).isEmpty();
  }

  @ParameterizedTest(name = "format {0}")
  @ValueSource(strings = {"v1", "v2"})
  void anAcknowledgedGoldenRecordStaysGone(String version) throws IOException {
    Path dir = copy(version, "acked", SEG0, AckState.FILE);
    assertThat(FileDiskBuffer.verify(dir).records()).isEqualTo(2);
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      assertThat(b.oldestAppendTime()).contains(T0.plusSeconds(2));
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("beta", "gamma");
    }
  }

  /** The golden ack.state of versions 2 and 3 beside the version 2 segment; version 2 is migrated to 3 on open. */
  @ParameterizedTest(name = "ack.state {0}")
  @ValueSource(strings = {"ack-v2", "ack-v3"})
  void aGoldenAckStateIsReadAndAnOlderOneMigrated(String ackVersion) throws IOException {
    Path dir = copy("v2", "acked", SEG0);
    Files.write(dir.resolve(AckState.FILE), golden(ackVersion, "acked/" + AckState.FILE));
    assertThat(FileDiskBuffer.verify(dir).records()).isEqualTo(2);
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      Format.AckFile f = Format.decodeAck(Files.readAllBytes(dir.resolve(AckState.FILE)));
      assertThat(f.version()).as("written as the current version on open").isEqualTo(Format.ACK_VERSION);
      assertThat(f.acks().frontier).isEqualTo(1);
      assertThat(f.durableEnd()).isEqualTo(3);
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("beta", "gamma");
    }
    assertThat(events.drops).isEmpty();
    assertThat(events.errors).isEmpty();
  }

  @Test
  void theGoldenAckStateVersion3HasTheDocumentedLayout() throws IOException {
    byte[] f = golden("ack-v3", "acked/" + AckState.FILE);
    assertThat(Arrays.copyOf(f, 6)).isEqualTo(new byte[] {'L', 'A', 'A', 'K', 0, 3});
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
    int slot = b.getInt(8);
    assertThat(slot).isEqualTo(4096);
    assertThat(f).hasSize(4096 + 2 * slot);
    assertThat(Arrays.copyOfRange(f, 32, 4096)).containsOnly((byte) 0);
    // Written four times: created with both slots (2 in A, 1 in B), the acknowledgement into B (3), close into A (4).
    assertThat(b.getLong(4096)).isEqualTo(4);
    assertThat(b.getLong(4096 + slot)).isEqualTo(3);
    assertThat(b.getInt(4096 + 8)).as("state length: frontier, durable end, two counts").isEqualTo(24);
    assertThat(b.getLong(4096 + 16)).as("frontier").isEqualTo(1);
    assertThat(b.getLong(4096 + 24)).as("durable end").isEqualTo(3);
  }

  @ParameterizedTest(name = "format {0}")
  @ValueSource(strings = {"v1", "v2"})
  void aTruncatedGoldenSegmentLosesOnlyItsTornRecord(String version) throws IOException {
    Path dir = copy(version, "truncated", SEG0);
    assertThat(FileDiskBuffer.verify(dir).healthy()).as("a torn tail is what a crash leaves").isTrue();
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("alpha", "beta");
    }
    assertThat(events.quarantined).isEmpty();
    assertThat(Files.size(dir.resolve(SEG0))).isEqualTo(32 + 2 * 24 + 9);
  }

  @ParameterizedTest(name = "format {0}")
  @ValueSource(strings = {"v1", "v2"})
  void aBitFlipInASealedGoldenSegmentIsQuarantinedAndTheRestIsRead(String version) throws IOException {
    Path dir = copy(version, "bitflip-sealed", SEG0, SEG2);
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

  @ParameterizedTest(name = "format {0}")
  @ValueSource(strings = {"v1", "v2"})
  void aBitFlipInTheActiveGoldenSegmentLosesOnlyThatRecordKeepingACopy(String version) throws IOException {
    Path dir = copy(version, "bitflip-active", SEG0);
    BufferReport report = FileDiskBuffer.verify(dir);
    assertThat(report.corruptSegments()).singleElement().asString().contains("CRC32C");
    assertThat(report.records()).isEqualTo(2);
    assertThat(report.lostRecords()).isEqualTo(1);
    try (FileDiskBuffer b = FileDiskBuffer.open(BufferOptions.builder(dir).build(), events)) {
      assertThat(b.recordCount()).isEqualTo(2);
      Chunk first = b.read(Long.MAX_VALUE, 10).orElseThrow();
      assertThat(strings(first)).as("a chunk ends at the gap").containsExactly("alpha");
      assertThat(strings(b.read(Long.MAX_VALUE, 10).orElseThrow())).containsExactly("gamma");
    }
    assertThat(events.quarantined).singleElement().satisfies(p -> assertThat(p).exists());
    assertThat(events.drops).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo(DropReason.CORRUPTED);
      assertThat(d.records()).isEqualTo(1);
    });
  }

  private static List<String> strings(Chunk c) {
    List<String> out = new ArrayList<>();
    c.records().forEach(r -> out.add(new String(r, UTF_8)));
    return out;
  }

  private Path copy(String version, String set, String... files) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve(version + "-" + set));
    for (String f : files) {
      Files.write(dir.resolve(f), golden(version, set + "/" + f));
    }
    return dir;
  }

  private static byte[] golden(String version, String name) throws IOException {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/buffer-golden/" + version + "/" + name)) {
      assertThat(in).as("golden file %s", name).isNotNull();
      return in.readAllBytes();
    }
  }
}
