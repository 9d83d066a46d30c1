package io.loganalytics.sdk.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.loganalytics.logback.LogAnalyticsAppender;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The caller's latency of a Logback {@code info()} through {@link LogAnalyticsAppender} while the workspace fails
 * every request (503): nothing drains, the 1 MB buffer is full within the first iteration, and every further event
 * meets the overflow policy. Four application threads log at once. Sample-time mode reports the distribution:
 * read its p99, p99.99 and maximum. Under {@code DROP_OLDEST} the caller pays for evicting the oldest segment;
 * under {@code BLOCK} it waits at most the appender's {@code blockTimeout} (100 ms by default) and the event is then
 * refused, so no call should take much longer than that.
 *
 * <p>Run: {@code java -jar sdk-benchmarks/target/benchmarks.jar LogbackFailingSinkBenchmark}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(4)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dslf4j.provider=org.slf4j.nop.NOPServiceProvider"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class LogbackFailingSinkBenchmark {
  /** The appender's overflow policy. */
  @Param({"DROP_OLDEST", "BLOCK"})
  public String overflowPolicy;

  private Path directory;
  private WorkspaceEmulator emulator;
  private LoggerContext context;
  private LogAnalyticsAppender appender;
  private Logger logger;

  /** Starts a failing emulator and the appender. */
  @Setup(Level.Trial)
  public void setUp() {
    directory = BenchFiles.tempDir("bench-logback-failing");
    emulator = WorkspaceEmulator.builder().start();
    emulator.faults().failNext(10_000, 503, null, false);
    BenchEmulator.emulator = emulator;
    context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    appender = LogbackBench.appender(context, emulator, directory, "1MB", overflowPolicy, "1");
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(ch.qos.logback.classic.Level.INFO);
    root.addAppender(appender);
    logger = context.getLogger("com.example.orders.Checkout");
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.println("\n" + overflowPolicy + ": refused by the appender " + appender.getRefusedCount()
        + ", client " + appender.getClient().stats());
    context.stop();
    emulator.close();
    BenchFiles.deleteRecursively(directory);
  }

  /** One {@code info()} while the workspace fails. */
  @Benchmark
  public void infoWhileTheWorkspaceFails() {
    logger.info("order {} placed by {}", 42, "user-17");
  }
}
