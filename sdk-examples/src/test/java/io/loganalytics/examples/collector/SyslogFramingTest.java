package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyslogFramingTest {
  @Test
  void splitsNewlineFramedMessages() throws IOException {
    assertThat(frames("<13>one\n<13>two\r\n\n<13>three", 1000)).containsExactly("<13>one", "<13>two\r", "<13>three");
  }

  @Test
  void splitsOctetCountedMessagesEvenWithNewlinesInside() throws IOException {
    assertThat(frames("9 <13>a\nb c11 <13>hello!!", 1000)).containsExactly("<13>a\nb c", "<13>hello!!");
  }

  @Test
  void acceptsBothFramingsOnOneConnection() throws IOException {
    assertThat(frames("7 <13>abc<13>line\n5 <13>x", 1000)).containsExactly("<13>abc", "<13>line", "<13>x");
  }

  @Test
  void nulEndsAMessageAsSomeSendersUseIt() throws IOException {
    assertThat(frames("<13>a\0<13>b\0", 1000)).containsExactly("<13>a", "<13>b");
  }

  @Test
  void digitsNotFollowedByASpaceAreAMessageNotACount() throws IOException {
    assertThat(frames("12\n2026-11-25 text\n", 1000)).containsExactly("12", "2026-11-25 text");
  }

  @Test
  void overlongFramesAreCutAndTheRestSkipped() throws IOException {
    String longLine = "x".repeat(50);
    assertThat(frames(longLine + "\n<13>next\n", 10)).containsExactly("x".repeat(10), "<13>next");
    assertThat(frames("20 " + "y".repeat(20) + "<13>after\n", 10)).containsExactly("y".repeat(10), "<13>after");
  }

  @Test
  void hugeCountsDoNotAllocateOrLoop() throws IOException {
    assertThat(frames("99999999999999999999 short", 1000)).containsExactly("short");
  }

  @Test
  void streamEndingInsideACountedFrameReturnsWhatArrived() throws IOException {
    assertThat(frames("50 <13>truncated", 1000)).containsExactly("<13>truncated");
  }

  private static List<String> frames(String stream, int max) throws IOException {
    SyslogFraming f = new SyslogFraming(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), max);
    List<String> out = new ArrayList<>();
    byte[] frame;
    while ((frame = f.next()) != null) {
      out.add(new String(frame, StandardCharsets.UTF_8));
    }
    return out;
  }
}
