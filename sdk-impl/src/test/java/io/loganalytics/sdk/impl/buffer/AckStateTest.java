package io.loganalytics.sdk.impl.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import io.loganalytics.sdk.DropReason;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class AckStateTest {
  @Test
  void outOfOrderIntervalsMergeAndAdvanceTheFrontier() {
    AckState s = new AckState();
    assertThat(s.remove(10, 20)).isEqualTo(10);
    assertThat(s.remove(30, 40)).isEqualTo(10);
    assertThat(s.frontier).isZero();
    assertThat(s.removed).containsExactly(Map.entry(10L, 20L), Map.entry(30L, 40L));
    assertThat(s.remove(15, 35)).as("only the new part counts").isEqualTo(10);
    assertThat(s.removed).containsExactly(Map.entry(10L, 40L));
    assertThat(s.remove(0, 10)).isEqualTo(10);
    assertThat(s.frontier).isEqualTo(40);
    assertThat(s.removed).isEmpty();
    assertThat(s.isRemoved(39)).isTrue();
    assertThat(s.isRemoved(40)).isFalse();
  }

  @Test
  void countsAndSkipsGoneSequences() {
    AckState s = new AckState();
    s.remove(5, 8);
    s.remove(12, 15);
    assertThat(s.removedIn(0, 20)).isEqualTo(6);
    assertThat(s.removedIn(6, 13)).isEqualTo(3);
    assertThat(s.skipRemoved(5)).isEqualTo(8);
    assertThat(s.skipRemoved(9)).isEqualTo(9);
    s.advanceTo(6);
    assertThat(s.frontier).isEqualTo(8);
  }

  @Test
  void version1EncodesAndDecodesAndRefusesDamage() throws IOException {
    AckState s = new AckState();
    s.remove(0, 3);
    s.remove(7, 9);
    byte[] bytes = bytes(Format.encodeAckV1(s));
    Format.AckFile back = Format.decodeAck(bytes);
    assertThat(back.version()).isEqualTo(1);
    assertThat(back.acks().frontier).isEqualTo(3);
    assertThat(back.acks().removed).containsExactly(Map.entry(7L, 9L));
    assertThat(back.durableEnd()).as("unknown in version 1").isEqualTo(-1);
    assertThat(back.drops()).isEmpty();
    bytes[10] ^= 1;
    assertThatThrownBy(() -> Format.decodeAck(bytes)).isInstanceOf(Format.CorruptStateException.class)
        .hasMessageStartingWith("File is corrupt; ack.state CRC32C");
    assertThatThrownBy(() -> Format.decodeAck(new byte[3])).isInstanceOf(Format.CorruptStateException.class)
        .hasMessageContaining("3 bytes");
  }

  @Test
  void version2CarriesTheDurableEndAndTheDropJournal() throws IOException {
    AckState s = new AckState();
    s.remove(0, 3);
    s.remove(7, 9);
    List<Format.DropRecord> drops = List.of(
        new Format.DropRecord(DropReason.BUFFER_OVERFLOW, false, 10, 20, 9, 900),
        new Format.DropRecord(DropReason.CORRUPTED, true, 20, 22, 2, 17));
    byte[] bytes = bytes(Format.encodeAckV2(s, 42, drops));
    assertThat(bytes).hasSize(36 + 16 + 2 * 40);
    Format.AckFile back = Format.decodeAck(bytes);
    assertThat(back.version()).isEqualTo(2);
    assertThat(back.acks().frontier).isEqualTo(3);
    assertThat(back.acks().removed).containsExactly(Map.entry(7L, 9L));
    assertThat(back.durableEnd()).isEqualTo(42);
    assertThat(back.drops()).isEqualTo(drops);
  }

  @Test
  void aDamagedCountOrReasonIsCorruptionAndAnUnknownVersionIsRefusedByNumber() throws IOException {
    AckState s = new AckState();
    byte[] ok = bytes(Format.encodeAckV2(s, 5, List.of(new Format.DropRecord(DropReason.CORRUPTED, false, 1, 2, 1,
        1))));
    byte[] badReason = ok.clone();
    badReason[32 + 1] = 9; // the reason of the first drop entry, after the 32-byte header
    fixCrc(badReason);
    assertThatThrownBy(() -> Format.decodeAck(badReason)).isInstanceOf(Format.CorruptStateException.class)
        .hasMessageContaining("reason 9");
    byte[] badCount = ok.clone();
    badCount[31] = 7;
    fixCrc(badCount);
    assertThatThrownBy(() -> Format.decodeAck(badCount)).isInstanceOf(Format.CorruptStateException.class)
        .hasMessageContaining("7 drop entries");
    byte[] future = ok.clone();
    future[5] = 3;
    fixCrc(future);
    assertThatThrownBy(() -> Format.decodeAck(future)).isNotInstanceOf(Format.CorruptStateException.class)
        .hasMessageContaining("format version 3");
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static void fixCrc(byte[] b) {
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length - 4);
    ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
  }
}
