package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryTest {
  @TempDir Path dir;

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-11-25T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void longRunningCommandsRefreshTheStatusFileEveryThirtySeconds() throws Exception {
    ManualClock clock = new ManualClock();
    RecordingClient client = new RecordingClient();
    CliContext ctx = new CliContext(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new ByteArrayInputStream(
            new byte[0]), Map.of(), dir, clock, false, b -> client, new CountDownLatch(1));
    Delivery delivery = new Delivery(client, ctx, dir.resolve("state"));
    client.send("T", Map.of("a", 1));
    client.flush(Duration.ZERO);

    clock.advance(Duration.ofSeconds(29));
    delivery.checkpoint();
    assertThat(dir.resolve("state").resolve(StatusFile.NAME)).doesNotExist();

    clock.advance(Duration.ofSeconds(1));
    delivery.checkpoint();
    Properties p = StatusFile.read(dir.resolve("state"));
    assertThat(p.getProperty(StatusFile.SENT)).isEqualTo("1");
    assertThat(p.getProperty(StatusFile.UPDATED)).isEqualTo("2026-11-25T10:00:30Z");
    try (var files = Files.list(dir.resolve("state"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly(StatusFile.NAME); // no temp file left
    }
  }

  @Test
  void inputDropsAreInTheSummaryTheStatusFileAndTheExitStatus() throws Exception {
    RecordingClient client = new RecordingClient();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new ByteArrayInputStream(
            new byte[0]), Map.of(), dir, new ManualClock(), false, b -> client, new CountDownLatch(1));
    Delivery delivery = new Delivery(client, ctx, dir.resolve("state"));
    delivery.inputDrops(() -> 3);
    client.send("T", Map.of("a", 1));

    int exit = delivery.finish(4, 0, Duration.ofSeconds(1));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("dropped at input 3 (buffer full)");
    assertThat(StatusFile.read(dir.resolve("state")).getProperty(StatusFile.INPUT_DROPPED)).isEqualTo("3");
  }

  @Test
  void summaryNamesTheReasonsOfGivenUpRecords() {
    RecordingClient client = new RecordingClient(1);
    client.send("T", Map.of("a", 1));
    client.send("T", Map.of("a", 2));
    client.flush(Duration.ZERO);

    assertThat(Delivery.summary(2, 0, client.stats(), 3)).isEqualTo("read 2, sent 1, given up 1 "
        + "(retries_exhausted 1), invalid 0, still buffered 3 (sent by the next run on this buffer), requests 1, "
        + "retries 0");
  }
}
