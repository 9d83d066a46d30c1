package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.PayloadWriter;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end upload throughput in records per second, against its ceiling measured in the same run.
 *
 * <ul>
 *   <li>{@link #endToEnd}: {@value #BATCH} syslog-like records of about 300 bytes of JSON each are given to
 *       the client by {@link #senders} application threads (round-robin slices), {@link #batch} records per
 *       {@code sendAll} call ({@code send} per record when it is 1), then {@code flush()} waits
 *       until the last one got its 2xx. On the way: validation, encoding, the real file buffer
 *       ({@link DiskBuffer#open}, {@link Durability#SYNC}, the default: every call returns after an fsync
 *       that covers its records, shared by the threads appending at the same moment), the uploader thread, the
 *       agent path's deflated envelopes ({@code OdsTransport}; onboarding is skipped, see {@link BenchClients}), the
 *       production HTTPS executor (TLS, hostname verification on, the sink's certificate trusted through
 *       {@code trustCertificates}) to a {@link LoopbackTlsSink} that drains every body and answers 200, and
 *       acknowledgement in the buffer.
 *   <li>{@link #ceilingSerializeAndCompress}: the same records encoded and written into deflated agent envelopes of
 *       the same request size, on one thread, with nothing else: the most the pipeline could do per core.
 * </ul>
 *
 * <p>Read the result as {@code endToEnd / ceilingSerializeAndCompress}; the target is at least 0.6. The server shares
 * the machine's cores with the client; it does TLS and reads bytes, nothing more (the workspace emulator would also
 * verify and parse every body, charging server work to the SDK).
 *
 * <p>Run: {@code java -jar sdk-benchmarks/target/benchmarks.jar EndToEndUploadBenchmark}
 * (add {@code -p batch=1 -p senders=4,128} to see what one fsync per record costs, shared by group commit only).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
public class EndToEndUploadBenchmark {
  static final int BATCH = 20_000;
  private static final int MAX_REQUEST_BYTES = 1_000_000;

  /** Application threads sending at once. */
  @Param({"4"})
  public int senders;

  /** Records per call: 1 calls {@code send} for each record, more calls {@code sendAll} with batches this size. */
  @Param({"100"})
  public int batch;

  private List<List<Map<String, Object>>> slices;
  private List<Map<String, Object>> records;
  private Path directory;
  private LoopbackTlsSink sink;
  private LogAnalyticsClient client;
  private ExecutorService sendingThreads;
  private RecordEncoder encoder;
  private PayloadWriter writer;

  /**
   * Starts the sink and the client, and generates the records.
   *
   * @throws IOException when the sink cannot start
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (senders < 1 || batch < 1) {
      throw new IllegalArgumentException("senders and batch must be at least 1, were " + senders + " and " + batch);
    }
    records = BenchData.records(BATCH);
    slices = BenchClients.split(records, senders);
    directory = BenchFiles.tempDir("bench-e2e");
    sink = new LoopbackTlsSink(directory);
    BufferOptions options = BufferOptions.builder(directory.resolve("buffer")).capacityBytes(512L << 20)
        .durability(Durability.SYNC).build();
    client = BenchClients.agentClient(sink, MAX_REQUEST_BYTES, listener -> DiskBuffer.open(options, listener));
    sendingThreads = Executors.newFixedThreadPool(senders, r -> {
      Thread t = new Thread(r, "bench-sender");
      t.setDaemon(true);
      return t;
    });
    encoder = new RecordEncoder(JsonLimits.sizeOnly(MAX_REQUEST_BYTES));
    writer = new PayloadWriter();
  }

  /** Stops everything and deletes the temporary directory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    sendingThreads.shutdownNow();
    client.close(Duration.ofSeconds(10));
    writer.close();
    sink.close();
    BenchFiles.deleteRecursively(directory);
  }

  /**
   * Sends a batch from the sending threads and waits until every record got its 2xx.
   *
   * @throws Exception when a send fails
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void endToEnd() throws Exception {
    List<Future<?>> running = new ArrayList<>(senders);
    for (List<Map<String, Object>> slice : slices) {
      running.add(sendingThreads.submit(() -> send(slice)));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("a send failed", e.getCause());
      }
    }
    if (!client.flush(Duration.ofMinutes(2))) {
      throw new IllegalStateException("the batch was not delivered within 2 minutes: " + client.stats());
    }
  }

  private void send(List<Map<String, Object>> slice) {
    if (batch == 1) {
      for (Map<String, Object> r : slice) {
        client.send(BenchData.DATA_TYPE, r);
      }
      return;
    }
    for (int from = 0; from < slice.size(); from += batch) {
      client.sendAll(BenchData.DATA_TYPE, slice.subList(from, Math.min(slice.size(), from + batch)));
    }
  }

  /**
   * Encodes the same batch and writes it into deflated requests of the same size, on this thread only.
   *
   * @return the compressed bytes, so the work is not optimised away
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long ceilingSerializeAndCompress() {
    int envelope = PayloadWriter.odsEnvelopeBytes(BenchData.DATA_TYPE, BenchData.IP_NAME);
    int header = 3 + BenchData.DATA_TYPE.length() + BenchData.IP_NAME.length();
    List<byte[]> batch = new ArrayList<>();
    long json = envelope;
    long compressed = 0;
    for (Map<String, Object> r : records) {
      byte[] rec = encoder.encode(BenchData.DATA_TYPE, BenchData.IP_NAME, r);
      int add = rec.length - header + (batch.isEmpty() ? 0 : 1);
      if (!batch.isEmpty() && json + add > MAX_REQUEST_BYTES) {
        compressed += writer.writeOdsDeflated(BenchData.DATA_TYPE, BenchData.IP_NAME, batch).length;
        batch.clear();
        json = envelope;
        add = rec.length - header;
      }
      batch.add(rec);
      json += add;
    }
    compressed += writer.writeOdsDeflated(BenchData.DATA_TYPE, BenchData.IP_NAME, batch).length;
    return compressed;
  }
}
