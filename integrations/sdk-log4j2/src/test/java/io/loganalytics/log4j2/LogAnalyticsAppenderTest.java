package io.loganalytics.log4j2;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.MarkerManager;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.message.StringMapMessage;
import org.apache.logging.log4j.status.StatusData;
import org.apache.logging.log4j.status.StatusListener;
import org.apache.logging.log4j.status.StatusLogger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The plugin as a user meets it: log4j2.xml from the test resources, logging through {@link LogManager}, rows
 * checked at the workspace emulator (Logs Ingestion with an app registration's secret, TLS on loopback; one test
 * of the retired Data Collector transport). The SDK's own SLF4J lines reach
 * Log4j2 through log4j-slf4j2-impl, as in an application.
 */
class LogAnalyticsAppenderTest {
  private static final Duration AWAIT = Duration.ofSeconds(15);
  private static final String[] PROPERTIES = {"LA_WORKSPACE_ID", "LA_SHARED_KEY", "LA_BUFFER_DIR", "LA_CA_FILE",
      "LA_CAPACITY", "LA_OVERFLOW", "LA_ENDPOINT", "LA_DCR", "LA_TENANT_ID", "LA_CLIENT_ID", "LA_CLIENT_SECRET"};
  static final String STREAM = "Custom-AppLogs_CL";
  private static final String DCR = "dcr-fedcba9876543210fedcba9876543210";
  private static final String CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  private static final String CLIENT_SECRET = "Sec~log4j2-test-8e2c71";

  @TempDir Path tmp;
  private WorkspaceEmulator emulator;
  private LoggerContext context;
  private final Statuses statuses = new Statuses();

  /** Records what Log4j2's status logger hears. */
  static final class Statuses implements StatusListener {
    final List<StatusData> data = new CopyOnWriteArrayList<>();

    @Override
    public void log(StatusData d) {
      data.add(d);
    }

    @Override
    public Level getStatusLevel() {
      return Level.DEBUG;
    }

    @Override
    public void close() {}

    List<String> atLeast(Level level) {
      return data.stream().filter(d -> d.getLevel().isMoreSpecificThan(level))
          .map(d -> d.getMessage().getFormattedMessage() + (d.getThrowable() == null ? "" : " / " + d.getThrowable()))
          .collect(Collectors.toList());
    }
  }

  @BeforeEach
  void startEmulator() {
    emulator = WorkspaceEmulator.builder().start();
    EmulatorCustomizer.emulator = emulator;
    System.setProperty("LA_WORKSPACE_ID", emulator.workspaceId());
    System.setProperty("LA_SHARED_KEY", emulator.sharedKey());
    System.setProperty("LA_BUFFER_DIR", tmp.resolve("buffer").toString());
    System.setProperty("LA_CA_FILE", emulator.writeCaCertificate(tmp.resolve("ca.pem")).toString());
    emulator.registerClientSecret(CLIENT_ID, CLIENT_SECRET);
    emulator.createDataCollectionRule(DCR, STREAM);
    emulator.grantPublisher(DCR, CLIENT_ID);
    System.setProperty("LA_ENDPOINT", emulator.logsIngestionEndpoint().toString());
    System.setProperty("LA_DCR", DCR);
    System.setProperty("LA_TENANT_ID", emulator.tenantId());
    System.setProperty("LA_CLIENT_ID", CLIENT_ID);
    System.setProperty("LA_CLIENT_SECRET", CLIENT_SECRET);
    StatusLogger.getLogger().registerListener(statuses);
    context = (LoggerContext) LogManager.getContext(false);
  }

  @AfterEach
  void stopAll() {
    context.setConfiguration(new DefaultConfiguration());
    StatusLogger.getLogger().removeListener(statuses);
    ThreadContext.clearAll();
    EmulatorCustomizer.listener = null;
    EmulatorCustomizer.dataCollector = false;
    for (String p : PROPERTIES) {
      System.clearProperty(p);
    }
    emulator.close();
  }

  private LogAnalyticsAppender configure(String resource) throws Exception {
    context.setConfigLocation(getClass().getResource("/" + resource).toURI());
    return context.getConfiguration().getAppender("LOGANALYTICS");
  }

  @Test
  void deliversOneRowPerEventWithEveryColumn() throws Exception {
    LogAnalyticsAppender appender = configure("log4j2-emulator.xml");
    assertThat(appender).as("statuses: %s", statuses.atLeast(Level.WARN)).isNotNull();
    assertThat(appender.isStarted()).isTrue();
    Logger log = LogManager.getLogger("com.example.orders.Checkout");

    Instant before = Instant.now();
    ThreadContext.put("orderId", "A-42");
    ThreadContext.put("tenant.name", "contoso");
    Marker audit = MarkerManager.getMarker("AUDIT").setParents(MarkerManager.getMarker("SECURITY"));
    log.info(audit, "order {} placed for {}", "A-42", 99.5);
    ThreadContext.clearMap();
    log.warn(new StringMapMessage().with("userId", "7").with("region", "eu-west"));
    IllegalStateException failure = new IllegalStateException("payment declined",
        new java.io.IOException("gateway timeout"));
    Thread worker = new Thread(() -> log.error("checkout failed", failure), "checkout-worker-1");
    worker.start();
    worker.join();
    LoggerFactory.getLogger("io.loganalytics.sdk.Fake").warn("the SDK's own line, through SLF4J");

    assertThat(appender.getClient().flush(AWAIT)).isTrue();
    List<ReceivedRecord> rows = emulator.records(STREAM);
    assertThat(rows).extracting(r -> r.field("Logger")).as("the SDK's own lines never come back")
        .containsOnly("com.example.orders.Checkout");
    assertThat(rows).hasSize(3);

    ReceivedRecord info = rows.get(0);
    assertThat(info.field("Message")).isEqualTo("order A-42 placed for 99.5");
    assertThat(info.field("Level")).isEqualTo("INFO");
    assertThat(info.field("Thread")).isEqualTo(Thread.currentThread().getName());
    assertThat(info.field("Mdc")).isEqualTo(Map.of("orderId", "A-42", "tenant.name", "contoso"));
    assertThat(info.field("Markers")).isEqualTo(List.of("AUDIT", "SECURITY"));
    assertThat(info.transport()).isEqualTo(ReceivedRecord.LOGS_INGESTION);
    assertThat(Instant.parse((String) info.field("TimeGenerated"))).isBetween(before.minusSeconds(1),
        Instant.now());

    ReceivedRecord warn = rows.get(1);
    assertThat(warn.field("Level")).isEqualTo("WARN");
    assertThat(warn.field("KeyValues")).isEqualTo(Map.of("userId", "7", "region", "eu-west"));
    assertThat(warn.fields()).doesNotContainKeys("Mdc", "Markers", "Exception");

    ReceivedRecord error = rows.get(2);
    assertThat(error.field("Thread")).isEqualTo("checkout-worker-1");
    assertThat(error.field("ExceptionClass")).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.field("ExceptionMessage")).isEqualTo("payment declined");
    assertThat((String) error.field("Exception"))
        .startsWith("java.lang.IllegalStateException: payment declined")
        .contains("at io.loganalytics.log4j2.LogAnalyticsAppenderTest")
        .contains("Caused by: java.io.IOException: gateway timeout");
  }

  @Test
  void burstBeyondASmallBufferDropsTheOldestCountsAndReportsThemAndNeverThrows() throws Exception {
    System.setProperty("LA_CAPACITY", "64KB");
    Logger listenerLog = LogManager.getLogger("com.example.listener");
    EmulatorCustomizer.listener = new LogAnalyticsListener() {
      @Override
      public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
        listenerLog.warn("dropped {} records", records); // inside the client's send: must not come back
      }
    };
    LogAnalyticsAppender appender = configure("log4j2-emulator.xml");
    assertThat(appender).isNotNull();
    emulator.faults().failNext(100_000, 503, null, false);

    Logger log = LogManager.getLogger("com.example.burst");
    String padding = "x".repeat(200);
    int events = 2_000;
    List<Throwable> thrown = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      try {
        log.info("event {} {}", i, padding);
      } catch (Throwable t) {
        thrown.add(t);
      }
    }
    assertThat(thrown).isEmpty();
    LogAnalyticsClient client = appender.getClient();
    long dropped = client.stats().recordsDropped().get(DropReason.BUFFER_OVERFLOW);
    assertThat(dropped).isGreaterThan(events / 2);
    assertThat(statuses.atLeast(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("dropped (BUFFER_OVERFLOW)"));
    assertThat(statuses.atLeast(Level.ERROR).stream().filter(m -> m.contains("BUFFER_OVERFLOW")))
        .as("reports are throttled").hasSizeLessThanOrEqualTo(2);

    emulator.faults().clear();
    assertThat(client.flush(AWAIT)).as("stats %s", client.stats()).isTrue();
    assertThat(client.stats().bufferedRecords()).as("flush() returned true: nothing may be left buffered")
        .isZero();
    long droppedAtEnd = client.stats().recordsDropped().get(DropReason.BUFFER_OVERFLOW);
    List<ReceivedRecord> rows = emulator.records(STREAM);
    assertThat(rows).extracting(r -> r.field("Logger")).containsOnly("com.example.burst");
    java.util.Set<String> got = rows.stream().map(r -> ((String) r.field("Message")).split(" ")[1])
        .collect(Collectors.toSet());
    assertThat(got).as("no duplicates").hasSize(rows.size());
    // Exact accounting: every event is either delivered or counted as dropped, never both, never neither.
    assertThat(rows.size() + droppedAtEnd).as("missing %s, rows %s, dropped %s, stats %s", IntStream.range(0, events)
        .filter(i -> !got.contains(String.valueOf(i))).boxed().collect(Collectors.toList()), rows.size(),
        droppedAtEnd, client.stats()).isEqualTo(events);
    assertThat(client.stats().recordsSent()).isEqualTo(rows.size());
    assertThat(rows.stream().map(r -> (String) r.field("Message")).collect(Collectors.toSet()))
        .as("the newest events are kept").containsAll(IntStream.range(events - 100, events)
            .mapToObj(i -> "event " + i + " " + padding).collect(Collectors.toList()));
    assertThat(rows.get(rows.size() - 1).field("Message")).isEqualTo("event " + (events - 1) + " " + padding);
  }

  @Test
  void theDataCollectorTransportStillDelivers() throws Exception {
    EmulatorCustomizer.dataCollector = true;
    LogAnalyticsAppender appender = configure("log4j2-data-collector.xml");
    assertThat(appender).as("statuses: %s", statuses.atLeast(Level.WARN)).isNotNull();
    ThreadContext.put("orderId", "A-7");
    LogManager.getLogger("com.example.legacy").error("legacy path", new IllegalArgumentException("bad"));
    ThreadContext.clearMap();

    assertThat(appender.getClient().flush(AWAIT)).isTrue();
    ReceivedRecord row = emulator.records("AppLogs").get(0);
    assertThat(row.transport()).isNotEqualTo(ReceivedRecord.LOGS_INGESTION);
    assertThat(row.field("Message")).isEqualTo("legacy path");
    assertThat(row.field("Mdc")).isEqualTo(Map.of("orderId", "A-7"));
    assertThat((String) row.field("Exception")).startsWith("java.lang.IllegalArgumentException: bad");
    assertThat(row.fields()).containsKey("EventTime");
    assertThat(String.join("\n", statuses.atLeast(Level.TRACE))).doesNotContain(emulator.sharedKey());
  }

  @Test
  void manyThreadsLoggingWhileTheWorkspaceFailsNeverSeeAnExceptionAndRefusalsAreCounted() throws Exception {
    System.setProperty("LA_CAPACITY", "64KB");
    System.setProperty("LA_OVERFLOW", "REJECT_NEW");
    LogAnalyticsAppender appender = configure("log4j2-emulator.xml");
    assertThat(appender).isNotNull();
    emulator.faults().failNext(100_000, 500, null, false);

    int threads = 8;
    int perThread = 400;
    ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int id = t;
      new Thread(() -> {
        Logger log = LogManager.getLogger("com.example.worker" + id);
        try {
          for (int i = 0; i < perThread; i++) {
            try {
              log.warn("worker {} event {} {}", id, i, "y".repeat(100));
            } catch (Throwable e) {
              thrown.add(e);
            }
          }
        } finally {
          done.countDown();
        }
      }, "worker-" + t).start();
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(thrown).isEmpty();

    LogAnalyticsClient client = appender.getClient();
    long accepted = client.stats().recordsAccepted();
    assertThat(appender.getRefusedCount()).isPositive();
    assertThat(accepted + appender.getRefusedCount()).isEqualTo((long) threads * perThread);
    assertThat(statuses.atLeast(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("buffer is full"));

    emulator.faults().clear();
    assertThat(client.flush(AWAIT)).isTrue();
    assertThat((long) emulator.records(STREAM).size()).isEqualTo(accepted);
  }

  @Test
  void stoppingTheConfigurationDeliversWhatIsBuffered() throws Exception {
    LogAnalyticsAppender appender = configure("log4j2-emulator.xml");
    assertThat(appender).isNotNull();
    emulator.faults().failNext(2, 503, null, false);
    Logger log = LogManager.getLogger("com.example.shutdown");
    for (int i = 0; i < 25; i++) {
      log.info("before stop {}", i);
    }
    context.setConfiguration(new DefaultConfiguration()); // stops the old configuration and its appenders

    assertThat(appender.isStopped()).isTrue();
    assertThat(appender.getClient()).isNull();
    assertThat(emulator.records(STREAM)).hasSize(25);
    appender.append(org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder().setLoggerName("late")
        .setLevel(Level.INFO).setMessage(new org.apache.logging.log4j.message.SimpleMessage("late")).build());
  }

  @Test
  void aMissingSettingCreatesNoAppenderAndTheErrorNamesItWithoutTheSecret() throws Exception {
    System.setProperty("LA_BUFFER_DIR", "");
    LogAnalyticsAppender appender = configure("log4j2-emulator.xml");

    assertThat(appender).isNull();
    assertThat(statuses.atLeast(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("bufferDirectory"));
    assertThat(String.join("\n", statuses.atLeast(Level.TRACE))).doesNotContain(CLIENT_SECRET);
    LogManager.getLogger("com.example.misconfigured").error("still fine");
  }

  @Test
  void theReadmeLogsIngestionConfigurationUsesOnlyRealSettings() throws Exception {
    String readme = java.nio.file.Files.readString(Path.of("../../README.md"));
    String file = new String(getClass().getResourceAsStream("/log4j2-logs-ingestion.xml").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(readme).as("README.md shows the file as it is").contains(file);

    System.setProperty("LA_BUFFER_DIR", tmp.resolve("li-buffer").toString());
    System.setProperty("AZURE_CLIENT_SECRET", "not-a-real-secret-7f3a");
    try {
      configure("log4j2-logs-ingestion.xml");
    } finally {
      System.clearProperty("AZURE_CLIENT_SECRET");
    }

    assertThat(statuses.atLeast(Level.WARN)).noneSatisfy(m -> assertThat(m)
        .containsAnyOf("invalid element or attribute", "ConfigurationException", "Unable to locate plugin",
            "not-a-real-secret-7f3a"));
  }
}
