package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Proves that memory stays bounded while a large backlog drains: fills a buffer directory with about
 * {@code --mb} megabytes of 300-byte records ({@code appendAll} batches of 1,000 under
 * {@link Durability#INTERVAL}), then opens a client on that directory and lets it upload everything to a
 * {@link LoopbackTlsSink} through the production TLS executor, and prints records per second and the peak heap of
 * the drain. Run it with a small heap; it exits with status 0 only when the whole backlog was delivered.
 *
 * <pre>
 * java -Xmx64m -cp sdk-benchmarks/target/benchmarks.jar io.loganalytics.sdk.bench.BacklogDrain --mb 1024
 * </pre>
 *
 * <p>Options: {@code --mb N} (backlog size, default 1024), {@code --dir PATH} (where to put the buffer, default a
 * temporary directory, deleted at the end). One line of results is printed, starting with {@code DRAINED} or
 * {@code NOT-DRAINED}. The peak heap is the largest heap in use seen by sampling every 5 ms during the drain, garbage
 * not yet collected included: a bound on what the drain needs, not its live set.
 */
public final class BacklogDrain {
  private static final int FILL_BATCH = 1_000;
  private static final int DISTINCT_RECORDS = 2_000;

  private BacklogDrain() {}

  /**
   * Runs the fill and the drain.
   *
   * @param args {@code --mb N}, {@code --dir PATH}
   * @throws IOException when the sink cannot start
   */
  public static void main(String[] args) throws IOException {
    long megabytes = 1024;
    Path base = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mb" -> megabytes = Long.parseLong(args[++i]);
        case "--dir" -> base = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --mb N and --dir PATH");
      }
    }
    Path directory = base == null ? BenchFiles.tempDir("backlog-drain") : base;
    int status;
    try {
      status = run(directory, megabytes << 20);
    } finally {
      if (base == null) {
        BenchFiles.deleteRecursively(directory);
      }
    }
    System.exit(status);
  }

  private static int run(Path directory, long backlogBytes) throws IOException {
    BufferOptions options = BufferOptions.builder(directory.resolve("buffer"))
        .capacityBytes(backlogBytes + (backlogBytes >> 2) + (64L << 20))
        .durability(Durability.INTERVAL)
        .build();
    long filled = fill(options, backlogBytes);

    System.gc();
    HeapSampler sampler = new HeapSampler();
    sampler.start();
    long gcCountBefore = gcCount();
    long gcMillisBefore = gcMillis();
    long start = System.nanoTime();
    boolean drained;
    ClientStats stats;
    try (LoopbackTlsSink sink = new LoopbackTlsSink(directory)) {
      LogAnalyticsClient client = BenchClients.agentClient(sink, 1_000_000,
          (LogAnalyticsListener listener) -> DiskBuffer.open(options, listener));
      drained = client.flush(Duration.ofHours(2));
      stats = client.stats();
      client.close(Duration.ofSeconds(10));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long peakHeap = sampler.stopAndGetPeak();
    long maxHeap = Runtime.getRuntime().maxMemory();
    boolean complete = drained && stats.recordsSent() == filled && stats.bufferedRecords() == 0;
    System.out.printf(Locale.ROOT, "%s records=%d sent=%d seconds=%.1f records/s=%.0f MB/s=%.1f peakHeapMB=%.1f "
            + "maxHeapMB=%.1f gcs=%d gcMillis=%d requests=%d%n",
        complete ? "DRAINED" : "NOT-DRAINED", filled, stats.recordsSent(), seconds, stats.recordsSent() / seconds,
        backlogBytes / seconds / (1 << 20), peakHeap / 1048576.0, maxHeap / 1048576.0, gcCount() - gcCountBefore,
        gcMillis() - gcMillisBefore, stats.requests());
    return complete ? 0 : 1;
  }

  /** Appends records until the buffer holds {@code bytes}; returns how many. */
  private static long fill(BufferOptions options, long bytes) {
    RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(1 << 20));
    List<byte[]> distinct = new ArrayList<>(DISTINCT_RECORDS);
    for (Map<String, Object> r : BenchData.records(DISTINCT_RECORDS)) {
      distinct.add(encoder.encode(BenchData.DATA_TYPE, BenchData.IP_NAME, r));
    }
    long records = 0;
    long written = 0;
    List<byte[]> batch = new ArrayList<>(FILL_BATCH);
    try (DiskBuffer buffer = DiskBuffer.open(options, new LogAnalyticsListener() { })) {
      while (written < bytes) {
        batch.clear();
        for (int i = 0; i < FILL_BATCH; i++) {
          byte[] r = distinct.get((int) ((records + i) % DISTINCT_RECORDS));
          batch.add(r);
          written += r.length;
        }
        buffer.appendAll(batch);
        records += FILL_BATCH;
      }
      buffer.sync();
    }
    return records;
  }

  /** Samples the heap in use (MemoryMXBean, all pools at one moment) every 5 ms and keeps the largest value. */
  private static final class HeapSampler extends Thread {
    private volatile boolean running = true;
    private long peak;

    HeapSampler() {
      super("heap-sampler");
      setDaemon(true);
    }

    @Override
    public void run() {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      while (running) {
        peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    long stopAndGetPeak() {
      running = false;
      try {
        join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return peak;
    }
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }

  private static long gcMillis() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionTime());
    }
    return n;
  }
}
