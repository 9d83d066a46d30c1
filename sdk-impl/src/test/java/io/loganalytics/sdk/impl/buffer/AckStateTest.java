package io.loganalytics.sdk.impl.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
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
  void encodesAndDecodesAndRefusesDamage() throws IOException {
    AckState s = new AckState();
    s.remove(0, 3);
    s.remove(7, 9);
    ByteBuffer b = s.encode();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    AckState back = AckState.decode(bytes);
    assertThat(back.frontier).isEqualTo(3);
    assertThat(back.removed).containsExactly(Map.entry(7L, 9L));
    bytes[10] ^= 1;
    assertThatThrownBy(() -> AckState.decode(bytes)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("File is corrupt; ack.state CRC32C");
    assertThatThrownBy(() -> AckState.decode(new byte[3])).hasMessageContaining("3 bytes");
  }
}
