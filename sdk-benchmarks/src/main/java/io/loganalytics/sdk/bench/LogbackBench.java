package io.loganalytics.sdk.bench;

import ch.qos.logback.classic.LoggerContext;
import io.loganalytics.logback.LogAnalyticsAppender;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;

/** Configures a {@link LogAnalyticsAppender} for the benchmarks as logback.xml would. */
final class LogbackBench {
  private LogbackBench() {}

  static LogAnalyticsAppender appender(LoggerContext context, WorkspaceEmulator emulator, Path directory,
      String capacity, String overflowPolicy, String batchSize) {
    System.setProperty("BENCH_LA_SHARED_KEY", emulator.sharedKey());
    LogAnalyticsAppender a = new LogAnalyticsAppender();
    a.setContext(context);
    a.setName("LOGANALYTICS");
    a.setTransport("DATA_COLLECTOR");
    a.setWorkspaceId(emulator.workspaceId());
    a.setSharedKeyVariable("BENCH_LA_SHARED_KEY");
    a.setStream("BenchLogs");
    a.setBufferDirectory(directory.resolve("buffer").toString());
    a.setCapacity(capacity);
    a.setOverflowPolicy(overflowPolicy);
    a.setTrustCertificates(emulator.writeCaCertificate(directory.resolve("ca.pem")).toString());
    a.setFlushTimeout("2s");
    a.setBatchSize(batchSize);
    a.setCustomizer(BenchEmulator.class.getName());
    a.start();
    if (!a.isStarted()) {
      throw new IllegalStateException("the appender did not start: "
          + context.getStatusManager().getCopyOfStatusList());
    }
    return a;
  }
}
