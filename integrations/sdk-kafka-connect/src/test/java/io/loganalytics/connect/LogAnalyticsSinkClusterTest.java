package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector in a real Connect cluster: an in-JVM KRaft broker and three distributed workers
 * ({@link EmbeddedConnectCluster}), delivering to the {@link WorkspaceEmulator} over TLS on loopback (Data Collector
 * transport). One cluster for the class (start-up dominates the time). Checks, while records flow, that the
 * committed offsets (KIP-875 offsets REST API) never pass a record the emulator has not received; that every record
 * arrives; that poison records land in the DLQ topic with the reason; that faults (503, 429 with Retry-After,
 * connection resets) cost no record; and that a worker stopped mid-stream loses nothing (duplicates are counted and
 * reported).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogAnalyticsSinkClusterTest {
  private static final String TOPIC = "kc.logs";
  private static final String DLQ = "kc.logs.dlq";
  private static final String CONNECTOR = "la-sink";
  private static final String TABLE = "KcLogs";
  private static final int PARTITIONS = 6;
  /** Records per partition and phase; the {@code soak} profile raises it. */
  private static final int PER_PARTITION = Integer.getInteger("kc.cluster.perPartition", 100);
  private static final Duration AWAIT = Duration.ofSeconds(120);

  @TempDir static Path tmp;
  private static EmbeddedConnectCluster connect;
  private static WorkspaceEmulator emulator;
  /** Offsets (per partition) that hold poison records. */
  private static final Map<Integer, Set<Integer>> POISON = new HashMap<>();
  private static final List<String> VIOLATIONS = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void startCluster() {
    // A request over 8000 bytes gets 413: a record bigger than that is refused by the service alone (TOO_LARGE).
    emulator = WorkspaceEmulator.builder().maxRequestBytes(8000).start();
    Map<String, String> workerProps = new HashMap<>();
    workerProps.put("offset.flush.interval.ms", "1000");
    // Production default: 300000 (5 min) before the tasks of a departed worker are reassigned.
    workerProps.put("scheduled.rebalance.max.delay.ms", "3000");
    connect = new EmbeddedConnectCluster.Builder().name("la-connect").numWorkers(3).numBrokers(1)
        .workerProps(workerProps).build();
    connect.start();
    connect.kafka().createTopic(TOPIC, PARTITIONS);
  }

  @AfterAll
  static void stopCluster() {
    if (connect != null) {
      connect.stop();
    }
    if (emulator != null) {
      emulator.close();
    }
  }

  static Map<String, String> connectorConfig() {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", LogAnalyticsSinkConnector.class.getName());
    c.put("tasks.max", "3");
    c.put("topics", TOPIC);
    c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("loganalytics.transport", "DATA_COLLECTOR");
    c.put("loganalytics.workspace.id", emulator.workspaceId());
    c.put("loganalytics.shared.key", emulator.sharedKey());
    c.put("loganalytics.cloud", emulator.cloud().domain());
    c.put("loganalytics.cloud.port", String.valueOf(emulator.port()));
    c.put("loganalytics.host.address", "127.0.0.1");
    c.put("loganalytics.ssl.truststore.pem", emulator.writeCaCertificate(tmp.resolve("ca.pem")).toString());
    c.put("loganalytics.table.mapping", TOPIC + ":" + TABLE);
    c.put("batch.max.records", "25");
    c.put("batch.linger.ms", "200");
    c.put("upload.threads", "2");
    c.put("retry.max.retries", "50");
    c.put("retry.initial.backoff.ms", "50");
    c.put("retry.max.backoff.ms", "500");
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", DLQ);
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    return c;
  }

  @Test
  @Order(1)
  void validationThroughRestNamesTheBadKey() {
    Map<String, String> bad = connectorConfig();
    bad.put("loganalytics.workspace.id", "not-a-guid");
    bad.put("name", CONNECTOR);
    ConfigInfos infos = connect.validateConnectorConfig(LogAnalyticsSinkConnector.class.getSimpleName(), bad);
    Map<String, List<String>> errors = new HashMap<>();
    for (ConfigInfo i : infos.configs()) {
      if (!i.configValue().errors().isEmpty()) {
        errors.put(i.configValue().name(), i.configValue().errors());
      }
    }
    assertThat(errors).containsKey("loganalytics.workspace.id");
    assertThat(errors.get("loganalytics.workspace.id").get(0)).contains("not-a-guid").contains("GUID");
    assertThat(String.join(" ", errors.values().stream().flatMap(List::stream).toList()))
        .doesNotContain(emulator.sharedKey());
  }

  @Test
  @Order(2)
  void deliversEveryRecordUnderFaultsPoisonToTheDlqAndNeverCommitsAheadOfTheService() throws Exception {
    emulator.faults().failNext(2, 503, null, false).failNext(1, 429, Duration.ofSeconds(1), false)
        .failNextWithReset(2);
    connect.configureConnector(CONNECTOR, connectorConfig());
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 3, "the connector did not start");

    produce(0, PER_PARTITION, 17);
    int expected = PARTITIONS * PER_PARTITION - poisonCount();
    awaitChecking(() -> distinctDelivered().size() >= expected && allCommitted(PER_PARTITION));

    assertThat(distinctDelivered()).hasSize(expected);
    assertThat(emulator.faults().pending()).isZero();
    assertThat(emulator.requests()).extracting(r -> r.status()).contains(503, 429);
    ConsumerRecords<byte[], byte[]> dlq = connect.kafka().consume(poisonCount(), AWAIT.toMillis(), DLQ);
    Set<String> dlqValues = new HashSet<>();
    int tooLarge = 0;
    for (ConsumerRecord<byte[], byte[]> r : dlq) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      dlqValues.add(value);
      Header header = r.headers().lastHeader("__connect.errors.exception.message");
      assertThat(header).isNotNull();
      String reason = new String(header.value(), StandardCharsets.UTF_8);
      if (value.startsWith("poison")) {
        assertThat(reason).contains(TABLE).contains("JSON");
      } else {
        assertThat(value).contains("\"k\":50,");
        assertThat(reason).contains("TOO_LARGE").contains("413");
        tooLarge++;
      }
    }
    assertThat(dlqValues).hasSize(poisonCount());
    assertThat(tooLarge).isEqualTo(2);
    System.out.printf("CLUSTER phase1 delivered=%d received=%d duplicates=%d dlq=%d requests=%d%n",
        distinctDelivered().size(), received().size(), received().size() - distinctDelivered().size(),
        dlqValues.size(), emulator.requests().size());
  }

  @Test
  @Order(3)
  void aWorkerStoppedMidStreamLosesNothing() throws Exception {
    int before = received().size();
    emulator.faults().slowResponses(Duration.ofMillis(100));
    produce(PER_PARTITION, 2 * PER_PARTITION, 0);
    int expected = PARTITIONS * 2 * PER_PARTITION - poisonCount();
    awaitChecking(() -> received().size() >= before + PER_PARTITION);

    connect.removeWorker();
    emulator.faults().slowResponses(Duration.ZERO);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 3,
        "the tasks did not move to the remaining two workers");
    awaitChecking(() -> distinctDelivered().size() >= expected && allCommitted(2 * PER_PARTITION));

    assertThat(distinctDelivered()).hasSize(expected);
    int duplicates = received().size() - distinctDelivered().size();
    System.out.printf("CLUSTER phase2 worker_loss=1 delivered=%d received=%d duplicates=%d%n",
        distinctDelivered().size(), received().size(), duplicates);
    // At least once: duplicates are allowed, bounded by what was in flight (2 uploads x 25 records x 3 tasks, plus
    // the open batches of the revoked partitions); far fewer than the records sent.
    assertThat(duplicates).isLessThan(PARTITIONS * PER_PARTITION);
  }

  // --- helpers ---

  private static int poisonCount() {
    return POISON.values().stream().mapToInt(Set::size).sum();
  }

  /** Produces records k in [from, to) to every partition; every {@code poisonEvery}-th one is not JSON. */
  private static void produce(int from, int to, int poisonEvery) {
    for (int k = from; k < to; k++) {
      for (int p = 0; p < PARTITIONS; p++) {
        if (poisonEvery > 0 && (k + p) % poisonEvery == 0 && k > 0) {
          POISON.computeIfAbsent(p, x -> new HashSet<>()).add(k);
          connect.kafka().produce(TOPIC, p, null, "poison " + p + "/" + k);
        } else if (poisonEvery > 0 && k == 50 && p % 3 == 0) {
          // Valid JSON the service refuses for its size, even alone: it goes to the DLQ by its index in the chunk.
          POISON.computeIfAbsent(p, x -> new HashSet<>()).add(k);
          connect.kafka().produce(TOPIC, p, null, "{\"p\":" + p + ",\"k\":" + k + ",\"pad\":\"" + "x".repeat(9000)
              + "\"}");
        } else {
          connect.kafka().produce(TOPIC, p, null, "{\"p\":" + p + ",\"k\":" + k + ",\"msg\":\"record " + p + "/"
              + k + "\"}");
        }
      }
    }
  }

  private static List<ReceivedRecord> received() {
    return emulator.records(TABLE);
  }

  private static Set<String> distinctDelivered() {
    Set<String> out = new HashSet<>();
    for (ReceivedRecord r : received()) {
      out.add(((Number) r.field("p")).intValue() + "/" + ((Number) r.field("k")).intValue());
    }
    return out;
  }

  private static Map<Integer, Long> committedOffsets() {
    Map<Integer, Long> out = new HashMap<>();
    ConnectorOffsets offsets = connect.connectorOffsets(CONNECTOR);
    for (ConnectorOffset o : offsets.offsets()) {
      if (TOPIC.equals(o.partition().get("kafka_topic"))) {
        out.put(((Number) o.partition().get("kafka_partition")).intValue(),
            ((Number) o.offset().get("kafka_offset")).longValue());
      }
    }
    return out;
  }

  private static boolean allCommitted(int perPartition) {
    Map<Integer, Long> c = committedOffsets();
    for (int p = 0; p < PARTITIONS; p++) {
      if (c.getOrDefault(p, -1L) < perPartition) {
        return false;
      }
    }
    return true;
  }

  /**
   * The core invariant, checked at every poll: every record below a committed offset was received by the emulator
   * (or is poison, which goes to the DLQ). Offsets are read first; the emulator only gains records afterwards, so a
   * record missing now was missing when its offset was committed. Violations are collected (a later delivery must
   * not hide one) and asserted empty.
   */
  private static void checkCommittedNeverAheadOfTheService() {
    Map<Integer, Long> committed = committedOffsets();
    Set<String> delivered = distinctDelivered();
    for (Map.Entry<Integer, Long> e : committed.entrySet()) {
      int p = e.getKey();
      for (int k = 0; k < e.getValue(); k++) {
        if (!POISON.getOrDefault(p, Set.of()).contains(k) && !delivered.contains(p + "/" + k)) {
          VIOLATIONS.add("partition " + p + " committed at " + e.getValue() + " but record " + k
              + " was not received");
        }
      }
    }
  }

  private static void awaitChecking(BooleanSupplier condition) throws InterruptedException {
    TestUtils.waitForCondition(() -> {
      checkCommittedNeverAheadOfTheService();
      return condition.getAsBoolean();
    }, AWAIT.toMillis(), 250, () -> "not done within " + AWAIT + ": delivered " + distinctDelivered().size()
        + ", committed " + committedOffsets());
    assertThat(VIOLATIONS).isEmpty();
  }

}
