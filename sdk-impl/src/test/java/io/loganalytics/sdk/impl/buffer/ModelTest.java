package io.loganalytics.sdk.impl.buffer;

import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.rec;
import static io.loganalytics.sdk.impl.buffer.FileDiskBufferTest.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of append, appendAll, read, acknowledge, release and close/reopen, compared step by step with a
 * list in memory. Each run prints its seed; rerun one with {@code -Dbuffer.model.seed=N}; try more random seeds with
 * {@code -Dbuffer.model.randomRuns=N}.
 */
class ModelTest {
  private static final int STEPS = 1500;

  @TempDir
  Path tmp;

  static List<Long> seeds() {
    String fixed = System.getProperty("buffer.model.seed");
    if (fixed != null) {
      return List.of(Long.parseLong(fixed));
    }
    List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L, 42L));
    int random = Integer.getInteger("buffer.model.randomRuns", 1);
    for (int i = 0; i < random; i++) {
      seeds.add(System.nanoTime() + i);
    }
    return seeds;
  }

  /** A record the model holds, and the chunk it is out in, if any. */
  private static final class Entry {
    final String value;
    Chunk out;
    boolean acknowledged;

    Entry(String value) {
      this.value = value;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void bufferBehavesLikeAListInMemory(long seed) throws Exception {
    System.out.println("ModelTest seed " + seed);
    Random random = new Random(seed);
    Path dir = Files.createDirectory(tmp.resolve("b" + seed));
    FaultyChannels channels = new FaultyChannels();
    channels.skipRealForce = true;
    BufferOptions options = BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(10_000_000)
        .durability(seed % 2 == 0 ? Durability.INTERVAL : Durability.SYNC).build();
    FileDiskBuffer buffer = FileDiskBuffer.open(options, LogAnalyticsListener.NONE, Clock.systemUTC(), channels);
    List<Entry> model = new ArrayList<>();
    Map<Chunk, List<Entry>> out = new IdentityHashMap<>();
    int nextId = 0;
    try {
      for (int step = 0; step < STEPS; step++) {
        String where = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        if (op < 35) {
          byte[] r = rec(nextId++);
          buffer.append(r);
          model.add(new Entry(str(r)));
        } else if (op < 45) {
          List<byte[]> batch = new ArrayList<>();
          for (int i = random.nextInt(6); i >= 0; i--) {
            batch.add(rec(nextId++));
          }
          buffer.appendAll(batch);
          batch.forEach(r -> model.add(new Entry(str(r))));
        } else if (op < 70) {
          int maxRecords = 1 + random.nextInt(20);
          long maxBytes = new long[] {1, 100, 500, 5000, Long.MAX_VALUE}[random.nextInt(5)];
          List<Entry> expected = expectedRead(model, maxBytes, maxRecords);
          Optional<Chunk> c = buffer.read(maxBytes, maxRecords);
          if (expected.isEmpty()) {
            assertThat(c).as(where).isEmpty();
          } else {
            assertThat(c).as(where).isPresent();
            assertThat(c.get().records().stream().map(FileDiskBufferTest::str).collect(Collectors.toList()))
                .as(where).isEqualTo(expected.stream().map(e -> e.value).collect(Collectors.toList()));
            expected.forEach(e -> e.out = c.get());
            out.put(c.get(), expected);
          }
        } else if (op < 82) {
          Chunk c = pick(out, random);
          if (c != null) {
            buffer.acknowledge(c);
            out.remove(c).forEach(e -> e.acknowledged = true);
          }
        } else if (op < 94) {
          Chunk c = pick(out, random);
          if (c != null) {
            buffer.release(c);
            out.remove(c).forEach(e -> e.out = null);
          }
        } else {
          buffer.close();
          buffer = FileDiskBuffer.open(options, LogAnalyticsListener.NONE, Clock.systemUTC(), channels);
          out.clear();
          model.forEach(e -> e.out = null);
        }
        assertThat(buffer.recordCount()).as(where).isEqualTo(model.stream().filter(e -> !e.acknowledged).count());
      }
      for (Chunk c : new ArrayList<>(out.keySet())) {
        buffer.release(c);
        out.remove(c).forEach(e -> e.out = null);
      }
      assertThat(FileDiskBufferTest.drain(buffer)).as("seed %d at the end", seed)
          .isEqualTo(model.stream().filter(e -> !e.acknowledged).map(e -> e.value).collect(Collectors.toList()));
    } finally {
      buffer.close();
    }
  }

  /**
   * The oldest records not out in a chunk, within the limits (a first record always fits). A chunk holds consecutive
   * records: it ends before one acknowledged out of order or out in another chunk.
   */
  private static List<Entry> expectedRead(List<Entry> model, long maxBytes, int maxRecords) {
    List<Entry> result = new ArrayList<>();
    long bytes = 0;
    for (Entry e : model) {
      if (e.out != null || e.acknowledged) {
        if (result.isEmpty()) {
          continue;
        }
        break;
      }
      int len = e.value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (result.size() == maxRecords || (!result.isEmpty() && bytes + len > maxBytes)) {
        break;
      }
      result.add(e);
      bytes += len;
    }
    return result;
  }

  private static Chunk pick(Map<Chunk, List<Entry>> out, Random random) {
    if (out.isEmpty()) {
      return null;
    }
    List<Chunk> chunks = new ArrayList<>(out.keySet());
    chunks.sort((a, b) -> Long.compare(a.firstSequence(), b.firstSequence()));
    return chunks.get(random.nextInt(chunks.size()));
  }
}
