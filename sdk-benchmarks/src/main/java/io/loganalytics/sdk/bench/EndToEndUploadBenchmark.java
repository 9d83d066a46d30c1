package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.client.DefaultLogAnalyticsClient;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.json.PayloadWriter;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.transport.OdsTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
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
 *   <li>{@link #endToEnd}: {@code send()} of {@value #BATCH} syslog-like records of about 300 bytes of JSON each,
 *       then {@code flush()} until the last one got its 2xx: validation, encoding, the buffer, the uploader thread,
 *       request building, deflate, HTTP to a loopback server that reads every body, and acknowledgement.
 *   <li>{@link #ceilingSerializeAndCompress}: the same records encoded and written into deflated agent envelopes of
 *       the same request size, on one thread, with nothing else: the most the pipeline could do per core.
 * </ul>
 *
 * <p>Read the result as {@code endToEnd / ceilingSerializeAndCompress}; the target is at least 0.6. The server is
 * plain HTTP on loopback with a plain OkHttp executor, standing in for the TLS executor of {@code impl.http}. The
 * buffer is chosen with {@code -p buffer=}: {@code memory} (the default, {@link MemoryBuffer}, no disk) or
 * {@code file}, the provider's {@link DiskBuffer#open} in a temporary directory with its default durability
 * ({@link io.loganalytics.sdk.Durability#SYNC}); {@code file} needs the file buffer and the provider merged.
 *
 * <p>Run: {@code java -jar sdk-benchmarks/target/benchmarks.jar EndToEndUploadBenchmark -p buffer=memory,file}.
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

  /** {@code memory} or {@code file}; see the class comment. */
  @Param({"memory"})
  public String buffer;

  private List<Map<String, Object>> records;
  private Path bufferDirectory;
  private LoopbackIngestionServer server;
  private PlainHttpExecutor executor;
  private LogAnalyticsClient client;
  private RecordEncoder encoder;
  private PayloadWriter writer;

  /**
   * Starts the server and the client, and generates the records.
   *
   * @throws IOException when the server cannot start
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (!buffer.equals("memory") && !buffer.equals("file")) {
      throw new IllegalArgumentException("buffer must be memory or file, was " + buffer);
    }
    records = BenchData.records(BATCH);
    server = new LoopbackIngestionServer();
    executor = new PlainHttpExecutor();
    LogAnalyticsClientBuilder config = LogAnalyticsClient.builder()
        .transport(Transport.AGENT_CERTIFICATE)
        .stateDirectory(Path.of("unused-bench-state"))
        .bufferDirectory(Path.of("unused-bench-buffer"))
        .maxRequestBytes(MAX_REQUEST_BYTES)
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofSeconds(1)).build());
    AgentSession session = new LoopbackSession(executor,
        server.uri("/OperationalData.svc/PostJsonDataItems"));
    OdsTransport transport = OdsTransport.create(config, session);
    Function<LogAnalyticsListener, DiskBuffer> opener;
    if (buffer.equals("file")) {
      bufferDirectory = Files.createTempDirectory("bench-buffer");
      BufferOptions options = BufferOptions.builder(bufferDirectory).capacityBytes(512L << 20).build();
      opener = listener -> DiskBuffer.open(options, listener);
    } else {
      opener = listener -> new MemoryBuffer();
    }
    client = DefaultLogAnalyticsClient.create(config, opener, transport);
    encoder = new RecordEncoder(transport.limits(MAX_REQUEST_BYTES));
    writer = new PayloadWriter();
  }

  /** Stops everything and deletes the temporary buffer directory. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close(Duration.ofSeconds(10));
    writer.close();
    executor.shutdown();
    server.close();
    if (bufferDirectory != null) {
      try (Stream<Path> files = Files.walk(bufferDirectory)) {
        for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Sends a batch and waits until every record got its 2xx. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void endToEnd() {
    for (Map<String, Object> r : records) {
      client.send(BenchData.DATA_TYPE, r);
    }
    if (!client.flush(Duration.ofMinutes(2))) {
      throw new IllegalStateException("the batch was not delivered within 2 minutes: " + client.stats());
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

  /** An agent session over the plain executor and the loopback URL. */
  private static final class LoopbackSession implements AgentSession {
    private final HttpExecutor executor;
    private final URI uri;

    LoopbackSession(HttpExecutor executor, URI uri) {
      this.executor = executor;
      this.uri = uri;
    }

    @Override
    public HttpExecutor executor() {
      return executor;
    }

    @Override
    public URI uploadUri() {
      return uri;
    }

    @Override
    public String agentGuid() {
      return "00000000-0000-4000-8000-000000000000";
    }

    @Override
    public Instant certificateExpiry() {
      return Instant.now().plus(Duration.ofDays(90));
    }

    @Override
    public void onAuthenticationFailure(int status) {}

    @Override
    public void close() {}
  }
}
