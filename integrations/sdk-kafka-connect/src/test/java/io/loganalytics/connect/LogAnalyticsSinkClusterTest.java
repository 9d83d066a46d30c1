package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.ReceivedRecord;
import io.loganalytics.testkit.ReceivedRequest;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
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
 * ({@link EmbeddedConnectCluster}), delivering to the {@link WorkspaceEmulator}'s Logs Ingestion endpoint over TLS on
 * loopback, with an Entra client secret that the connector config names only through the workers'
 * {@code FileConfigProvider} ({@code ${file:...}}), as the deployment guide says. One cluster for the class (start-up
 * dominates the time). Checks, while records flow, that the committed offsets (KIP-875 offsets REST API) never pass
 * a record the emulator has not received (or the DLQ holds); that every record arrives; that poison records (not
 * JSON, too large for the service even alone, refused with 400) land in the DLQ topic with the reason in headers;
 * that faults (503, 429 with Retry-After, connection resets) cost no record; that no two chunks share an
 * {@code x-ms-client-request-id} while retries keep theirs; and that a worker stopped mid-stream loses nothing
 * (duplicates are counted and reported). The Data Collector transport is covered by {@code PluginZipInstallTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogAnalyticsSinkClusterTest {
  private static final String TOPIC = "kc.logs";
  private static final String DLQ = "kc.logs.dlq";
  private static final String CONNECTOR = "la-sink";
  private static final String TABLE = "Custom-KcLogs_CL";
  private static final int PARTITIONS = 6;
  /** Records per partition and phase; the {@code soak} profile raises it. */
  private static final int PER_PARTITION = Integer.getInteger("kc.cluster.perPartition", 100);
  private static final Duration AWAIT = Duration.ofSeconds(120);

  @TempDir static Path tmp;
  private static EmbeddedConnectCluster connect;
  private static WorkspaceEmulator emulator;
  /** Offsets (per partition) that hold poison records. */
  private static final Map<Integer, Set<Integer>> POISON = new HashMap<>();
  /** Records missing at the emulator while their offset was committed: each must be in the DLQ (400). */
  private static final Set<String> COMMITTED_NOT_RECEIVED = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final String SECRET = "Sec~" + UUID.randomUUID();
  private static String secretReference;

  @BeforeAll
  static void startCluster() throws Exception {
    // A request over 8000 bytes gets 413: a record bigger than that is refused by the service alone (TOO_LARGE).
    emulator = WorkspaceEmulator.builder().maxRequestBytes(8000).start();
    LogsIngestionSetup.register(emulator, SECRET, TABLE);
    // The secret lives in a file only the worker's user reads; the connector config holds a reference to it.
    Path secrets = tmp.resolve("loganalytics.properties");
    Files.writeString(secrets, "client.secret=" + SECRET + "\n");
    Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
    secretReference = "${file:" + secrets + ":client.secret}";
    Map<String, String> workerProps = new HashMap<>();
    workerProps.put("config.providers", "file");
    workerProps.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
    // KIP-993: the provider reads nothing outside this directory (the hardening the deployment guide recommends).
    workerProps.put("config.providers.file.param.allowed.paths", tmp.toString());
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
    c.putAll(LogsIngestionSetup.props(emulator, emulator.writeCaCertificate(tmp.resolve("ca.pem")),
        secretReference));
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
    bad.put("loganalytics.dcr.immutable.id", "dcr-not-hex");
    bad.put("name", CONNECTOR);
    ConfigInfos infos = connect.validateConnectorConfig(LogAnalyticsSinkConnector.class.getSimpleName(), bad);
    Map<String, List<String>> errors = new HashMap<>();
    for (ConfigInfo i : infos.configs()) {
      if (!i.configValue().errors().isEmpty()) {
        errors.put(i.configValue().name(), i.configValue().errors());
      }
    }
    assertThat(errors).containsOnlyKeys("loganalytics.dcr.immutable.id");
    assertThat(errors.get("loganalytics.dcr.immutable.id").get(0)).contains("dcr-not-hex");
    Map<String, String> badClient = connectorConfig();
    badClient.put("loganalytics.client.id", "my-app");
    badClient.put("name", CONNECTOR);
    ConfigInfos clientInfos = connect.validateConnectorConfig(LogAnalyticsSinkConnector.class.getSimpleName(),
        badClient);
    assertThat(clientInfos.configs()).filteredOn(i -> !i.configValue().errors().isEmpty())
        .extracting(i -> i.configValue().name()).containsExactly("loganalytics.client.id");
    assertThat(infos.toString() + clientInfos).doesNotContain(SECRET);
  }

  @Test
  @Order(2)
  void deliversEveryRecordUnderFaultsPoisonToTheDlqAndNeverCommitsAheadOfTheService() throws Exception {
    // The sixth upload request is refused with 400: its records (one chunk) go to the DLQ as REJECTED.
    emulator.faults().failNext(2, 503, null, false).failNext(1, 429, Duration.ofSeconds(1), false)
        .failNextWithReset(2).failNext(1, 400, null, false);
    connect.configureConnector(CONNECTOR, connectorConfig());
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 3, "the connector did not start");
    // The secret never enters the config topic or the REST API: only the reference does.
    assertThat(connect.connectorInfo(CONNECTOR).config()).containsEntry("loganalytics.client.secret",
        secretReference);
    assertThat(connect.connectorInfo(CONNECTOR).toString() + connect.taskConfigs(CONNECTOR)).doesNotContain(SECRET);

    produce(0, PER_PARTITION, 17);
    awaitChecking(() -> allCommitted(PER_PARTITION));
    assertThat(emulator.faults().pending()).isZero();
    assertThat(uploads()).extracting(ReceivedRequest::status).contains(503, 429, 0, 400, 413);

    // Every offset is committed, so every DLQ write completed: read the DLQ topic to its end.
    ConsumerRecords<byte[], byte[]> dlq = connect.kafka().consumeAll(AWAIT.toMillis(), DLQ);
    int dlqDuplicates = 0;
    Set<String> rejected = new HashSet<>();
    Set<String> dlqKeys = new HashSet<>();
    int tooLarge = 0;
    for (ConsumerRecord<byte[], byte[]> r : dlq) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      String reason = header(r, "__connect.errors.exception.message");
      assertThat(header(r, "__connect.errors.topic")).isEqualTo(TOPIC);
      int p = Integer.parseInt(header(r, "__connect.errors.partition"));
      int k = Integer.parseInt(header(r, "__connect.errors.offset")); // offset == k: one producer, in order
      if (!dlqKeys.add(p + "/" + k)) {
        // At least once into the DLQ too: a rebalance between a report and the commit past it reports it again.
        dlqDuplicates++;
      }
      if (value.startsWith("poison")) {
        assertThat(value).isEqualTo("poison " + p + "/" + k);
        assertThat(reason).contains(TABLE).contains("JSON");
      } else if (value.contains("\"pad\"")) {
        assertThat(value).contains("\"k\":50,");
        assertThat(reason).contains("TOO_LARGE").contains("413");
        tooLarge++;
      } else {
        assertThat(value).contains("\"p\":" + p + ",\"k\":" + k + ",");
        assertThat(reason).contains("REJECTED").contains("400");
        rejected.add(p + "/" + k);
      }
    }
    assertThat(tooLarge).isEqualTo(2);
    assertThat(dlqKeys).hasSize(poisonCount() + rejected.size());
    // One chunk was refused: 1 to 25 records of one partition, none of them delivered.
    assertThat(rejected).hasSizeBetween(1, 25);
    assertThat(rejected.stream().map(k -> k.split("/")[0]).collect(Collectors.toSet())).hasSize(1);
    assertThat(distinctDelivered()).doesNotContainAnyElementsOf(rejected);
    REJECTED.addAll(rejected);
    assertThat(distinctDelivered()).hasSize(PARTITIONS * PER_PARTITION - poisonCount() - rejected.size());
    assertCommittedWereReceivedOrDeadLettered();
    assertRequestIdsNameOneChunkAndRetriesKeepThem();
    System.out.printf("CLUSTER phase1 delivered=%d received=%d duplicates=%d dlq=%d (rejected_400=%d, "
        + "dlq_duplicates=%d) requests=%d%n", distinctDelivered().size(), received().size(),
        received().size() - distinctDelivered().size(), dlqKeys.size(), rejected.size(), dlqDuplicates,
        uploads().size());
  }

  @Test
  @Order(3)
  void aWorkerStoppedMidStreamLosesNothing() throws Exception {
    loseAWorkerMidStream(2, "the tasks did not move to the remaining two workers");
  }

  @Test
  @Order(4)
  void aSecondWorkerStoppedMidStreamLeavesOneWorkerThatFinishes() throws Exception {
    loseAWorkerMidStream(3, "the tasks did not move to the last worker");
  }

  /**
   * Produces the first half of wave {@code wave} (records k in [(wave - 1) * PER_PARTITION, wave * PER_PARTITION)),
   * stops a worker once part of it arrived (slow answers keep uploads in flight), produces the second half, waits
   * until the stopped worker's tasks run on the others (after {@code scheduled.rebalance.max.delay.ms}; until then
   * the surviving tasks read its partitions) and every record is delivered and committed. Duplicates are allowed (at
   * least once) but only past the offsets committed when the worker was stopped: the next owners start there.
   */
  private static void loseAWorkerMidStream(int wave, String tasksMoved) throws Exception {
    int from = (wave - 1) * PER_PARTITION;
    int to = wave * PER_PARTITION;
    int before = received().size();
    Map<String, Long> countsBefore = counts();
    emulator.faults().slowResponses(Duration.ofMillis(100));
    produce(from, from + PER_PARTITION / 2, 0);
    awaitChecking(() -> received().size() >= before + PER_PARTITION);

    Map<WorkerHandle, Integer> ports = new HashMap<>();
    connect.workers().forEach(w -> ports.put(w, w.url().getPort())); // url() is null once a worker stopped
    Map<Integer, Long> committedAtLoss = committedOffsets();
    Map<String, Long> countsAtLoss = counts();
    long lossAt = System.nanoTime();
    connect.removeWorker();
    ports.keySet().removeAll(connect.workers());
    assertThat(ports).hasSize(1);
    int removedPort = ports.values().iterator().next();
    produce(from + PER_PARTITION / 2, to, 0);
    emulator.faults().slowResponses(Duration.ZERO);
    TestUtils.waitForCondition(() -> {
      ConnectorStateInfo st = connect.connectorStatus(CONNECTOR);
      return st.tasks().size() == 3 && st.tasks().stream().allMatch(t -> "RUNNING".equals(t.state())
          && !t.workerId().endsWith(":" + removedPort));
    }, AWAIT.toMillis(), 250, () -> tasksMoved + ": " + connect.connectorStatus(CONNECTOR).tasks());
    long movedMs = (System.nanoTime() - lossAt) / 1_000_000;
    int expected = PARTITIONS * to - poisonCount() - REJECTED.size();
    awaitChecking(() -> distinctDelivered().size() >= expected && allCommitted(to));

    assertThat(distinctDelivered()).hasSize(expected);
    assertCommittedWereReceivedOrDeadLettered();
    assertRequestIdsNameOneChunkAndRetriesKeepThem();
    int duplicatesBeforeLoss = 0;
    int duplicates = 0;
    for (Map.Entry<String, Long> e : counts().entrySet()) {
      long atLoss = countsAtLoss.getOrDefault(e.getKey(), 0L);
      duplicatesBeforeLoss += (int) Math.max(0, atLoss - Math.max(1, countsBefore.getOrDefault(e.getKey(), 0L)));
      long added = e.getValue() - atLoss;
      if (e.getValue() > 1 && added > 0) {
        duplicates += (int) Math.min(added, e.getValue() - 1);
        String[] pk = e.getKey().split("/");
        assertThat(Long.parseLong(pk[1])).as("%s sent again although committed at %s", e.getKey(),
            committedAtLoss).isGreaterThanOrEqualTo(committedAtLoss.getOrDefault(Integer.parseInt(pk[0]), 0L));
      }
    }
    assertThat(duplicatesBeforeLoss).as("duplicates before the worker was stopped").isZero();
    // An upper bound: the second half of the wave is produced before the status is polled.
    System.out.printf("CLUSTER phase%d worker_loss=%d workers_left=%d tasks_moved_within_ms=%d delivered=%d "
        + "received=%d duplicates_from_this_worker_loss=%d%n", wave, wave - 1, connect.workers().size(), movedMs,
        distinctDelivered().size(), received().size(), duplicates);
  }

  /** How often the emulator received each record, by "p/k". */
  private static Map<String, Long> counts() {
    return received().stream().collect(Collectors.groupingBy(
        r -> ((Number) r.field("p")).intValue() + "/" + ((Number) r.field("k")).intValue(), Collectors.counting()));
  }

  // --- helpers ---

  /** Records refused with 400 (phase 1), read from the DLQ. */
  private static final Set<String> REJECTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    assertThat(h).as("DLQ header %s", name).isNotNull();
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  private static List<ReceivedRequest> uploads() {
    return emulator.requests().stream().filter(r -> r.host().contains(".ingest.")).collect(Collectors.toList());
  }

  /** Every record committed but never received is one the DLQ holds (refused with 400): nothing else. */
  private static void assertCommittedWereReceivedOrDeadLettered() {
    assertThat(REJECTED).as("the 400-refused records were read from the DLQ").isNotEmpty();
    assertThat(COMMITTED_NOT_RECEIVED).as("committed, never received and not in the DLQ")
        .isSubsetOf(REJECTED);
  }

  /**
   * Each accepted {@code x-ms-client-request-id} carries records of one partition and at most one batch
   * ({@code batch.max.records}; a resend by the next owner after a rebalance may carry the same batch again, with
   * the same id, which is fine); each failed try's id is accepted later, or refused for good (400, 413 of a lone
   * record).
   */
  private static void assertRequestIdsNameOneChunkAndRetriesKeepThem() {
    Map<String, List<ReceivedRecord>> byId = received().stream()
        .collect(Collectors.groupingBy(ReceivedRecord::requestId));
    byId.forEach((id, rows) -> {
      Set<Object> partitions = rows.stream().map(r -> r.field("p")).collect(Collectors.toSet());
      assertThat(partitions).as("partitions under request id %s", id).hasSize(1);
      Set<Object> ks = rows.stream().map(r -> r.field("k")).collect(Collectors.toSet());
      assertThat(ks).as("records under request id %s", id).hasSizeLessThanOrEqualTo(25);
    });
    Set<String> settled = uploads().stream().filter(r -> r.status() == 204 || r.status() == 400
        || r.status() == 413).map(r -> r.header("x-ms-client-request-id")).collect(Collectors.toSet());
    for (ReceivedRequest r : uploads()) {
      if (r.status() != 204 && r.status() != 400 && r.status() != 413) {
        assertThat(settled).as("the retry of %s", r).contains(r.header("x-ms-client-request-id"));
      }
    }
  }

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
   * record missing now was missing when its offset was committed. Such records are collected (a later delivery must
   * not hide one) and must all be records the service refused with 400, found in the DLQ.
   */
  private static void checkCommittedNeverAheadOfTheService() {
    Map<Integer, Long> committed = committedOffsets();
    Set<String> delivered = distinctDelivered();
    for (Map.Entry<Integer, Long> e : committed.entrySet()) {
      int p = e.getKey();
      for (int k = 0; k < e.getValue(); k++) {
        if (!POISON.getOrDefault(p, Set.of()).contains(k) && !delivered.contains(p + "/" + k)) {
          COMMITTED_NOT_RECEIVED.add(p + "/" + k);
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
  }

}
