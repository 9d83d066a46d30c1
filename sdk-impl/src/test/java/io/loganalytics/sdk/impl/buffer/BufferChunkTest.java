package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.DropReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferChunkTest {
  private static BufferChunk chunk(long first, int records) {
    List<byte[]> rs = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      rs.add(("r" + i).getBytes(UTF_8));
    }
    ReadCursor.Position start = new ReadCursor.Position(null, 32, first);
    return new BufferChunk(null, start, rs, Instant.EPOCH, 2L * records, null);
  }

  @Test
  void aRecordDroppedTwiceIsCountedOnceUnderItsFirstReason() {
    BufferChunk c = chunk(100, 10);
    assertThat(c.markEvicted(90, 104, DropReason.CORRUPTED)).isEqualTo(4);
    assertThat(c.markEvicted(102, 200, DropReason.BUFFER_OVERFLOW)).isEqualTo(6);
    assertThat(c.markEvicted(100, 110, DropReason.BUFFER_OVERFLOW)).isZero();
    assertThat(c.lostRecords(DropReason.CORRUPTED)).isEqualTo(4);
    assertThat(c.lostBytes(DropReason.CORRUPTED)).isEqualTo(8);
    assertThat(c.lostRecords(DropReason.BUFFER_OVERFLOW)).isEqualTo(6);
    assertThat(c.lostBytes(DropReason.BUFFER_OVERFLOW)).isEqualTo(12);
  }

  @Test
  void aDropOutsideTheChunkMarksNothing() {
    BufferChunk c = chunk(100, 10);
    assertThat(c.markEvicted(0, 100, DropReason.BUFFER_OVERFLOW)).isZero();
    assertThat(c.markEvicted(110, 120, DropReason.BUFFER_OVERFLOW)).isZero();
    assertThat(c.lostRecords(DropReason.BUFFER_OVERFLOW)).isZero();
  }
}
