package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appenders, a reader that acknowledges (and sometimes releases) and evictions all at once: every record is
 * delivered once or reported dropped, each appender's records are delivered in its order, and nothing deadlocks.
 */
class ConcurrencyTest {
  @TempDir
  Path dir;

  @RepeatedTest(3)
  void appendersReaderAndEvictionsAccountForEveryRecord() throws Exception {
    int appenders = 4;
    int each = 3000;
    RecordingListener events = new RecordingListener();
    FaultyChannels channels = new FaultyChannels();
    channels.skipRealForce = true;
    BufferOptions options = BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(65_536).build();
    ExecutorService pool = Executors.newFixedThreadPool(appenders + 1);
    List<String> acked = new ArrayList<>();
    try (FileDiskBuffer b = FileDiskBuffer.open(options, events, Clock.systemUTC(), channels)) {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < appenders; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            b.append((thread + ":" + i + ":" + "z".repeat(i % 40)).getBytes(UTF_8));
          }
          return null;
        }));
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      Future<?> reader = pool.submit(() -> {
        int n = 0;
        while (true) {
          boolean more = writing.get();
          Optional<Chunk> c = b.read(2000, 1 + n % 50);
          if (c.isEmpty()) {
            if (!more) {
              return null;
            }
            Thread.onSpinWait();
            continue;
          }
          if (++n % 10 == 0) {
            b.release(c.get());
            continue;
          }
          for (byte[] r : c.get().records()) {
            acked.add(new String(r, UTF_8));
          }
          b.acknowledge(c.get());
        }
      });
      for (Future<?> w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
      writing.set(false);
      reader.get(120, TimeUnit.SECONDS);
      assertThat(b.recordCount()).isZero();
    } finally {
      pool.shutdownNow();
    }
    Set<String> unique = new HashSet<>(acked);
    assertThat(unique).as("delivered once").hasSameSizeAs(acked);
    int[] last = new int[appenders];
    java.util.Arrays.fill(last, -1);
    for (String r : acked) {
      String[] parts = r.split(":");
      int t = Integer.parseInt(parts[0]);
      int i = Integer.parseInt(parts[1]);
      assertThat(i).as("appender %d in order", t).isGreaterThan(last[t]);
      last[t] = i;
    }
    long dropped = events.dropped(DropReason.BUFFER_OVERFLOW);
    System.out.println("delivered " + acked.size() + ", dropped " + dropped);
    assertThat(acked.size() + dropped).as("delivered + dropped").isEqualTo((long) appenders * each);
  }
}
