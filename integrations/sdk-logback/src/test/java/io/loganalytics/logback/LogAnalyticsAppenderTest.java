package io.loganalytics.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.MarkerFactory;

/**
 * The appender as a user meets it: logback.xml from the test resources, logging through SLF4J, rows checked at the
 * workspace emulator (Logs Ingestion with an app registration's secret, over TLS on loopback; one test of the
 * retired Data Collector transport). Every wait is a bounded wait for an outcome.
 */
class LogAnalyticsAppenderTest {
  private static final Duration AWAIT = Duration.ofSeconds(15);
  private static final String[] PROPERTIES = {"LA_WORKSPACE_ID", "LA_SHARED_KEY", "LA_BUFFER_DIR", "LA_CA_FILE",
      "LA_CAPACITY", "LA_OVERFLOW", "LA_BATCH", "LA_BATCH_DELAY", "LA_ENDPOINT", "LA_DCR", "LA_TENANT_ID",
      "LA_CLIENT_ID", "LA_CLIENT_SECRET"};
  static final String STREAM = "Custom-AppLogs_CL";
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
  private static final String CLIENT_ID = "5c7a3f2e-1b2d-4e5f-8a9b-0c1d2e3f4a5b";
  private static final String CLIENT_SECRET = "Sec~logback-test-4b1d9e";

  @TempDir Path tmp;
  private WorkspaceEmulator emulator;
  private LoggerContext context;

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
    context = (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  @AfterEach
  void stopAll() {
    context.reset();
    context.getStatusManager().clear();
    MDC.clear();
    EmulatorCustomizer.listener = null;
    EmulatorCustomizer.dataCollector = false;
    for (String p : PROPERTIES) {
      System.clearProperty(p);
    }
    emulator.close();
  }

  private LogAnalyticsAppender configure(String resource) throws JoranException {
    context.reset();
    context.getStatusManager().clear();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/" + resource));
    context.start(); // as Logback's own initialisation does; a stopped context ignores a second stop()
    return (LogAnalyticsAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("LOGANALYTICS");
  }

  private List<String> statuses(int level) {
    return context.getStatusManager().getCopyOfStatusList().stream().filter(s -> s.getLevel() >= level)
        .map(s -> s.getMessage() + (s.getThrowable() == null ? "" : " / " + s.getThrowable()))
        .collect(Collectors.toList());
  }

  @Test
  void deliversOneRowPerEventWithEveryColumn() throws Exception {
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).as("statuses: %s", statuses(Status.WARN)).isTrue();
    Logger log = LoggerFactory.getLogger("com.example.orders.Checkout");

    Instant before = Instant.now();
    MDC.put("orderId", "A-42");
    MDC.put("tenant.name", "contoso");
    log.info(MarkerFactory.getMarker("AUDIT"), "order {} placed for {}", "A-42", 99.5);
    MDC.clear();
    log.atWarn().addKeyValue("userId", 7).addKeyValue("region", "eu-west").addKeyValue("vip", true)
        .setMessage("slow checkout: {} ms").addArgument(1234).log();
    IllegalStateException failure = new IllegalStateException("payment declined",
        new java.io.IOException("gateway timeout"));
    Thread worker = new Thread(() -> log.error("checkout failed", failure), "checkout-worker-1");
    worker.start();
    worker.join();

    assertThat(appender.getClient().flush(AWAIT)).isTrue();
    List<ReceivedRecord> rows = emulator.records(STREAM);
    assertThat(rows).extracting(r -> r.field("Logger")).as("the SDK's own DEBUG lines never come back")
        .allSatisfy(l -> assertThat((String) l).doesNotStartWith("io.loganalytics"))
        .containsOnly("com.example.orders.Checkout");
    assertThat(rows).hasSize(3);

    ReceivedRecord info = rows.get(0);
    assertThat(info.field("Message")).isEqualTo("order A-42 placed for 99.5");
    assertThat(info.field("Level")).isEqualTo("INFO");
    assertThat(info.field("Thread")).isEqualTo(Thread.currentThread().getName());
    assertThat(info.field("Mdc")).isEqualTo(Map.of("orderId", "A-42", "tenant.name", "contoso"));
    assertThat(info.field("Markers")).isEqualTo(List.of("AUDIT"));
    assertThat(info.transport()).isEqualTo(ReceivedRecord.LOGS_INGESTION);
    Instant time = Instant.parse((String) info.field("TimeGenerated"));
    assertThat(time).isBetween(before.minusSeconds(1), Instant.now());
    assertThat(info.fields()).doesNotContainKeys("Exception", "KeyValues", "EventTime");

    ReceivedRecord warn = rows.get(1);
    assertThat(warn.field("Level")).isEqualTo("WARN");
    assertThat(warn.field("Message")).isEqualTo("slow checkout: 1234 ms");
    assertThat(warn.field("KeyValues")).isEqualTo(Map.of("userId", 7L, "region", "eu-west", "vip", true));
    assertThat(warn.fields()).doesNotContainKey("Mdc");

    ReceivedRecord error = rows.get(2);
    assertThat(error.field("Thread")).isEqualTo("checkout-worker-1");
    assertThat(error.field("ExceptionClass")).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.field("ExceptionMessage")).isEqualTo("payment declined");
    assertThat((String) error.field("Exception"))
        .startsWith("java.lang.IllegalStateException: payment declined")
        .contains("at io.loganalytics.logback.LogAnalyticsAppenderTest")
        .contains("Caused by: java.io.IOException: gateway timeout");
  }

  @Test
  void burstBeyondASmallBufferDropsTheOldestCountsAndReportsThemAndNeverThrows() throws Exception {
    System.setProperty("LA_CAPACITY", "64KB");
    System.setProperty("LA_OVERFLOW", "DROP_OLDEST");
    // Listener calls for evictions happen on the logging thread, inside the client's send: what the listener logs
    // must not come back as a row (nor recurse).
    Logger listenerLog = LoggerFactory.getLogger("com.example.listener");
    EmulatorCustomizer.listener = new LogAnalyticsListener() {
      @Override
      public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
        listenerLog.warn("dropped {} records", records);
      }
    };
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).as("statuses: %s", statuses(Status.WARN)).isTrue();
    emulator.faults().failNext(100_000, 503, null, false); // nothing drains while the burst runs

    Logger log = LoggerFactory.getLogger("com.example.burst");
    String padding = "x".repeat(200);
    int events = 2_000; // about 500 KB of rows into a 64 KB buffer
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
    assertThat(appender.getRefusedCount()).isZero();
    assertThat(statuses(Status.ERROR)).anySatisfy(m -> assertThat(m).contains("dropped (BUFFER_OVERFLOW)"))
        .noneSatisfy(m -> assertThat(m).contains("failed to append"));
    assertThat(statuses(Status.ERROR).stream().filter(m -> m.contains("BUFFER_OVERFLOW")))
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
  void aBatchedBurstFarLargerThanTheInMemoryQueueLosesNothingWhileTheBufferHasRoom() throws Exception {
    System.setProperty("LA_BATCH", "64");
    System.setProperty("LA_BATCH_DELAY", "1m");
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).as("statuses: %s", statuses(Status.WARN)).isTrue();
    emulator.faults().failNext(100_000, 503, null, false); // nothing is delivered while the burst runs
    Logger log = LoggerFactory.getLogger("com.example.burst");
    int events = 20_000; // 5 times the 4,096 rows the appender's queue holds; about 4 MB of a 10 MB buffer
    for (int i = 0; i < events; i++) {
      log.info("event {}", i);
    }
    LogAnalyticsClient client = appender.getClient();
    assertThat(appender.getRefusedCount()).isZero();
    emulator.faults().clear();
    assertThat(appender.flush(AWAIT)).as("stats %s", client.stats()).isTrue();
    assertThat(client.stats().recordsDroppedTotal()).isZero();
    List<ReceivedRecord> rows = emulator.records(STREAM);
    assertThat(rows.stream().map(r -> (String) r.field("Message")).collect(Collectors.toSet()))
        .as("every event, once").hasSize(events).containsAll(IntStream.range(0, events)
            .mapToObj(i -> "event " + i).collect(Collectors.toList()));
    assertThat(rows).hasSize(events);
    assertThat(statuses(Status.ERROR)).isEmpty();
  }

  @Test
  void theDataCollectorTransportStillDelivers() throws Exception {
    EmulatorCustomizer.dataCollector = true;
    LogAnalyticsAppender appender = configure("logback-data-collector.xml");
    assertThat(appender.isStarted()).as("statuses: %s", statuses(Status.WARN)).isTrue();
    MDC.put("orderId", "A-7");
    LoggerFactory.getLogger("com.example.legacy").error("legacy path", new IllegalArgumentException("bad"));
    MDC.clear();

    assertThat(appender.flush(AWAIT)).as("the default batch of 64 waits in memory until flush()").isTrue();
    ReceivedRecord row = emulator.records("AppLogs").get(0);
    assertThat(row.transport()).isNotEqualTo(ReceivedRecord.LOGS_INGESTION);
    assertThat(row.field("Message")).isEqualTo("legacy path");
    assertThat(row.field("Mdc")).isEqualTo(Map.of("orderId", "A-7"));
    assertThat((String) row.field("Exception")).startsWith("java.lang.IllegalArgumentException: bad");
    assertThat(row.fields()).containsKey("EventTime");
  }

  @Test
  void manyThreadsLoggingWhileTheWorkspaceFailsNeverSeeAnExceptionAndRefusalsAreCounted() throws Exception {
    System.setProperty("LA_CAPACITY", "64KB");
    System.setProperty("LA_OVERFLOW", "REJECT_NEW");
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).isTrue();
    emulator.faults().failNext(100_000, 500, null, false);

    int threads = 8;
    int perThread = 400;
    ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        Logger log = LoggerFactory.getLogger("com.example.worker" + id);
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
      }, "worker-" + t);
      th.start();
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(thrown).isEmpty();

    LogAnalyticsClient client = appender.getClient();
    long accepted = client.stats().recordsAccepted();
    assertThat(appender.getRefusedCount()).as("the full buffer refused events").isPositive();
    assertThat(accepted + appender.getRefusedCount()).isEqualTo((long) threads * perThread);
    assertThat(statuses(Status.ERROR)).anySatisfy(m -> assertThat(m).contains("buffer is full"))
        .noneSatisfy(m -> assertThat(m).contains("failed to append"));

    emulator.faults().clear();
    assertThat(client.flush(AWAIT)).isTrue();
    assertThat((long) emulator.records(STREAM).size()).isEqualTo(accepted);
  }

  @Test
  void stoppingTheContextDeliversWhatIsBuffered() throws Exception {
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).isTrue();
    emulator.faults().failNext(2, 503, null, false);
    Logger log = LoggerFactory.getLogger("com.example.shutdown");
    for (int i = 0; i < 25; i++) {
      log.info("before stop {}", i);
    }
    context.stop();

    assertThat(appender.isStarted()).isFalse();
    assertThat(appender.getClient()).isNull();
    assertThat(emulator.records(STREAM)).hasSize(25);
    log.info("after stop"); // a stopped appender ignores events without failing
  }

  @Test
  void hugeAndHostileValuesArriveCutOrStringifiedInsteadOfBeingRefused() throws Exception {
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    Logger log = LoggerFactory.getLogger("com.example.hostile");
    String huge = "\u00e9".repeat(60_000); // 120,000 UTF-8 bytes, far over the 32 KB column limit
    Object hostile = new Object() {
      @Override
      public String toString() {
        throw new IllegalStateException("toString is broken");
      }
    };
    log.atError().setMessage(huge).addKeyValue("nothing", (Object) null).addKeyValue("broken", hostile)
        .setCause(new RuntimeException(huge)).log();

    assertThat(appender.getClient().flush(AWAIT)).isTrue();
    assertThat(appender.getRefusedCount()).isZero();
    ReceivedRecord row = emulator.records(STREAM).get(0);
    for (String column : List.of("Message", "ExceptionMessage", "Exception")) {
      String v = (String) row.field(column);
      assertThat(v).endsWith("...[truncated]");
      assertThat(v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(32_000);
    }
    Map<?, ?> kv = (Map<?, ?>) row.field("KeyValues");
    assertThat(kv.containsKey("nothing")).isTrue();
    assertThat(kv.get("nothing")).isNull();
    assertThat((String) kv.get("broken")).contains("toString() failed");
  }

  @Test
  void batchedEventsAllArriveWhenTheContextStops() throws Exception {
    System.setProperty("LA_BATCH", "50");
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).isTrue();
    Logger log = LoggerFactory.getLogger("com.example.batched");
    for (int i = 0; i < 120; i++) {
      log.info("batched {}", i);
    }
    context.stop();

    List<ReceivedRecord> rows = emulator.records(STREAM);
    assertThat(rows).as("statuses %s", statuses(Status.WARN)).hasSize(120);
    assertThat(rows).extracting(r -> r.field("Message"))
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 120).mapToObj(i -> "batched " + i)
            .collect(Collectors.toList()));
  }

  @Test
  void batchesOf64AreTheDefaultAndBatchSizeOneStaysAvailable() {
    LogAnalyticsAppender appender = new LogAnalyticsAppender();
    assertThat(appender.batchSize()).isEqualTo(LogAnalyticsAppender.DEFAULT_BATCH_SIZE).isEqualTo(64);
    appender.setBatchSize("1");
    assertThat(appender.batchSize()).isEqualTo(1);
  }

  @Test
  void aBatchedEventKeepsTheMdcMessageAndThreadOfItsCallAndFlushDeliversWhatWaitsInMemory() throws Exception {
    System.setProperty("LA_BATCH", "64");
    System.setProperty("LA_BATCH_DELAY", "1m"); // nothing leaves memory by the timer: only flush() sends it
    LogAnalyticsAppender appender = configure("logback-emulator.xml");
    assertThat(appender.isStarted()).as("statuses: %s", statuses(Status.WARN)).isTrue();
    Logger log = LoggerFactory.getLogger("com.example.batched");
    StringBuilder mutable = new StringBuilder("first");

    MDC.put("step", "1");
    log.info("step {}", mutable);
    MDC.put("step", "2"); // changed after the call, before the batch is encoded
    mutable.setLength(0);
    mutable.append("changed");
    log.info("step two");
    MDC.clear();
    Thread other = new Thread(() -> {
      MDC.put("step", "other");
      log.info("from another thread");
      MDC.clear();
    }, "batch-worker-7");
    other.start();
    other.join();
    log.info("no mdc");
    assertThat(emulator.records(STREAM)).as("still in memory").isEmpty();

    assertThat(appender.flush(AWAIT)).isTrue();
    List<ReceivedRecord> rows = emulator.records(STREAM);
    assertThat(rows).hasSize(4);
    Map<Object, ReceivedRecord> byMessage = rows.stream().collect(Collectors.toMap(r -> r.field("Message"),
        r -> r));
    assertThat(byMessage.get("step first").field("Mdc")).isEqualTo(Map.of("step", "1"));
    assertThat(byMessage.get("step two").field("Mdc")).isEqualTo(Map.of("step", "2"));
    assertThat(byMessage.get("from another thread").field("Mdc")).isEqualTo(Map.of("step", "other"));
    assertThat(byMessage.get("from another thread").field("Thread")).isEqualTo("batch-worker-7");
    assertThat(byMessage.get("no mdc").fields()).doesNotContainKey("Mdc");
    assertThat(appender.getRefusedCount()).isZero();
    assertThat(appender.getClient().stats().recordsDroppedTotal()).isZero();

    context.stop();
    assertThat(appender.flush(Duration.ofSeconds(1))).as("stopped").isFalse();
    log.info("after stop"); // an event of a stopped context: ignored, never thrown
    assertThat(emulator.records(STREAM)).hasSize(4);
    assertThat(statuses(Status.ERROR)).isEmpty();
  }

  @Test
  void aMissingSettingLeavesTheAppenderStoppedWithAnErrorNamingItAndNoSecret() throws Exception {
    System.setProperty("LA_BUFFER_DIR", "");
    LogAnalyticsAppender appender = configure("logback-emulator.xml");

    assertThat(appender.isStarted()).isFalse();
    assertThat(statuses(Status.ERROR)).anySatisfy(m -> assertThat(m).contains("bufferDirectory"));
    assertThat(String.join("\n", statuses(Status.INFO))).doesNotContain(emulator.sharedKey());
    LoggerFactory.getLogger("com.example.misconfigured").error("still fine"); // no exception
  }

  @Test
  void theReadmeLogsIngestionConfigurationUsesOnlyRealSettings() throws Exception {
    String readme = java.nio.file.Files.readString(Path.of("../../README.md"));
    String file = new String(getClass().getResourceAsStream("/logback-logs-ingestion.xml").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(readme).as("README.md shows the file as it is").contains(file);

    System.setProperty("LA_BUFFER_DIR", tmp.resolve("li-buffer").toString());
    System.setProperty("AZURE_CLIENT_SECRET", "not-a-real-secret-7f3a");
    LogAnalyticsAppender appender;
    try {
      appender = configure("logback-logs-ingestion.xml");
    } finally {
      System.clearProperty("AZURE_CLIENT_SECRET");
    }

    assertThat(appender).isNotNull();
    // Joran warns about any element the appender has no setter for; none may be there, and every setting is valid.
    assertThat(statuses(Status.WARN)).noneSatisfy(m -> assertThat(m)
        .containsAnyOf("No applicable action", "Could not find", "Ignoring unknown property",
            "no applicable", "Failed to set", "ConfigurationException"));
    assertThat(String.join("\n", statuses(Status.INFO))).doesNotContain("not-a-real-secret-7f3a");
  }
}
