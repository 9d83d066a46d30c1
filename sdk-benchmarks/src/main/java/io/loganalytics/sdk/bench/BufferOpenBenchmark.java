package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.impl.buffer.FileDiskBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to open (and close) a buffer holding a large backlog of 300-byte records in 1 MiB segments (the default),
 * with a small heap to show that opening does not load records. The backlog is written once per trial.
 *
 * <pre>
 * java -Xmx64m -jar sdk-benchmarks/target/benchmarks.jar BufferOpenBenchmark -f 1 -wi 2 -i 10
 * java -jar sdk-benchmarks/target/benchmarks.jar BufferOpenBenchmark -f 1 -wi 1 -i 3 -p backlogMb=16   (smoke)
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xmx64m"})
@State(Scope.Benchmark)
public class BufferOpenBenchmark {
  /** Backlog size in MB. */
  @Param("1024")
  public int backlogMb;

  private Path dir;
  private BufferOptions options;

  @Setup(Level.Trial)
  public void writeBacklog() {
    dir = BenchFiles.tempDir("bench-open");
    long bytes = backlogMb * 1_000_000L;
    options = BufferOptions.builder(dir).capacityBytes(bytes + (64L << 20)).durability(Durability.INTERVAL)
        .syncInterval(java.time.Duration.ofSeconds(30)).build();
    byte[] record = BenchFiles.record300();
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      batch.add(record);
    }
    try (FileDiskBuffer b = FileDiskBuffer.open(options, LogAnalyticsListener.NONE)) {
      while (b.sizeBytes() < bytes) {
        b.appendAll(batch);
      }
    }
  }

  @TearDown(Level.Trial)
  public void delete() {
    BenchFiles.deleteRecursively(dir);
  }

  @Benchmark
  public long openAndClose() {
    try (FileDiskBuffer b = FileDiskBuffer.open(options, LogAnalyticsListener.NONE)) {
      return b.recordCount();
    }
  }
}
