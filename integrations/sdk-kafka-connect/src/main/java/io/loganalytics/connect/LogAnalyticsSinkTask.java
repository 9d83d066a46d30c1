package io.loganalytics.connect;

import io.loganalytics.connect.LogAnalyticsSinkConfig.Behavior;
import io.loganalytics.connect.OffsetTracker.Partition;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.UploadResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers records to Log Analytics at least once and commits offsets only behind the service's acknowledgements.
 *
 * <ul>
 *   <li>{@link #put} never waits on the network: it encodes each record (an invalid one goes to the dead-letter
 *       queue at once, or as {@code behavior.on.invalid.record} says), appends it to a batch per partition and table,
 *       and hands full or aged batches ({@code batch.max.records}, {@code batch.max.bytes}, {@code batch.linger.ms})
 *       to the task's {@code upload.threads} upload threads, each with its own
 *       {@link io.loganalytics.sdk.LogAnalyticsClientBuilder#buildUploader() SDK uploader} (which retries and
 *       honours {@code Retry-After}). Above {@code max.in.flight.bytes}/{@code max.in.flight.records} of
 *       unacknowledged data it pauses its partitions, and resumes them below half.
 *   <li>{@link #preCommit} returns, per partition, only the offset after the contiguous prefix of records the
 *       service acknowledged or that were handed to the dead-letter queue and whose report completed
 *       ({@link OffsetTracker}), never the framework's current offsets.
 *   <li>Every batch is uploaded under its own {@linkplain #requestId request id} ({@code x-ms-client-request-id} on
 *       the Logs Ingestion API, {@code X-Request-ID} on the Data Collector API), derived from the connector's name,
 *       the partition, the table, the batch's offsets and its content: different batches never share one (Kafka
 *       offsets repeat across partitions, tasks and connectors), and every retry or split of a batch keeps it. It is
 *       logged with the partition and offsets, so the service's {@code DCRLogErrors.ClientRequestId} can be traced
 *       back to records.
 *   <li>{@link #close(Collection)} (revocation) drops the partitions' batches, queued or in flight, without
 *       committing them: the next owner reads them again (duplicates at most, never loss).
 *   <li>Records the service refused for good (400, 413 for a lone record) go to the
 *       {@link ErrantRecordReporter} with the reason; records whose retries ran out fail the task
 *       ({@code behavior.on.give.up=fail}, nothing committed past them) or go to the dead-letter queue.
 * </ul>
 *
 * <p><b>Threading:</b> the framework calls the task's methods from one thread; upload threads only upload and
 * acknowledge through thread-safe structures, and never touch the task context.
 */
public class LogAnalyticsSinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsSinkTask.class);
  /** Poll timeout while something is pending, so that aged batches, resumes and DLQ reports are handled. */
  static final long BUSY_POLL_MS = 100;
  static final String THREAD_PREFIX = "loganalytics-connect-upload-";

  private final Function<LogAnalyticsSinkConfig, ChunkUploader> uploaderFactory;
  private final Clock clock;

  private LogAnalyticsSinkConfig config;
  private String connectorName = "";
  private final OffsetTracker tracker = new OffsetTracker();
  private ErrantRecordReporter reporter;
  private final List<ChunkUploader> uploaders = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final LinkedBlockingDeque<Batch> queue = new LinkedBlockingDeque<>();
  /** Open (not yet submitted) batches by partition and table; task thread only. */
  private final Map<BatchKey, Batch> open = new LinkedHashMap<>();
  /** Records to hand to the dead-letter queue, queued by upload threads for the task thread. */
  private final ConcurrentLinkedQueue<Rejected> toReport = new ConcurrentLinkedQueue<>();
  /** Reports made and not yet complete; task thread only. */
  private final List<Reported> reports = new ArrayList<>();
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final AtomicInteger inFlightRecords = new AtomicInteger();
  private final AtomicReference<ConnectException> failure = new AtomicReference<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private volatile boolean stopping;
  private boolean paused;

  /** For the Connect framework. */
  public LogAnalyticsSinkTask() {
    this(c -> c.clientBuilder().buildUploader(), Clock.systemUTC());
  }

  /**
   * With injected uploaders and clock (tests).
   *
   * @param uploaderFactory builds one uploader per upload thread
   * @param clock the clock for batch ages
   */
  LogAnalyticsSinkTask(Function<LogAnalyticsSinkConfig, ChunkUploader> uploaderFactory, Clock clock) {
    this.uploaderFactory = Objects.requireNonNull(uploaderFactory, "uploaderFactory");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String version() {
    return Version.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new LogAnalyticsSinkConfig(props);
    connectorName = props.getOrDefault("name", "");
    reporter = errantRecordReporter();
    if (reporter == null && (config.onInvalid() == Behavior.DLQ || config.onGiveUp() == Behavior.DLQ)) {
      LOG.warn("No dead-letter queue is available to this task (errors.tolerance=all and "
          + "errors.deadletterqueue.topic.name are not set, or the worker is older than Kafka 2.6): records that "
          + "would go there fail the task instead");
    }
    int n = config.getInt(LogAnalyticsSinkConfig.UPLOAD_THREADS);
    try {
      for (int i = 0; i < n; i++) {
        uploaders.add(uploaderFactory.apply(config));
      }
    } catch (RuntimeException e) {
      uploaders.forEach(ChunkUploader::close);
      uploaders.clear();
      throw new ConnectException("Cannot build the Log Analytics uploader: " + e.getMessage(), e);
    }
    for (int i = 0; i < n; i++) {
      ChunkUploader u = uploaders.get(i);
      Thread t = new Thread(() -> uploadLoop(u), THREAD_PREFIX + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    LOG.info("Log Analytics sink task started: {} upload threads, transport {}", n, config.transport());
  }

  private ErrantRecordReporter errantRecordReporter() {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // a worker older than Kafka 2.6
    }
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      // A partition still tracked keeps its state: replacing it would drop pending records from the commit rule.
      tracker.partition(tp);
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    throwIfFailed();
    handleReports();
    long maxRecords = config.getInt(LogAnalyticsSinkConfig.BATCH_MAX_RECORDS);
    long maxBytes = config.getInt(LogAnalyticsSinkConfig.BATCH_MAX_BYTES);
    ChunkUploader encoder = uploaders.get(0);
    for (SinkRecord r : records) {
      TopicPartition tp = originalPartition(r);
      long offset = originalOffset(r);
      Partition p = tracker.partition(tp);
      if (!tracker.add(p, offset)) {
        continue; // a redelivery of a record this task already holds or finished
      }
      String table = config.tableFor(tp.topic());
      byte[] bytes;
      try {
        bytes = RecordMapper.encode(encoder, table, r);
      } catch (InvalidRecordException | RecordTooLargeException e) {
        rejected(new Rejected(p, offset, r, "the record cannot be sent to " + table + ": " + e.getMessage(),
            config.onInvalid()));
        continue;
      }
      BatchKey key = new BatchKey(tp, table);
      Batch b = open.get(key);
      if (b != null && b.bytes + bytes.length > maxBytes) {
        submit(open.remove(key));
        b = null;
      }
      if (b == null) {
        b = new Batch(p, table, clock.instant());
        open.put(key, b);
      }
      b.add(r, offset, bytes);
      inFlightBytes.addAndGet(bytes.length);
      inFlightRecords.incrementAndGet();
      if (b.records.size() >= maxRecords) {
        submit(open.remove(key));
      }
    }
    submitAged();
    handleReports();
    backpressure();
    throwIfFailed();
    if (!open.isEmpty() || paused || !reports.isEmpty() || inFlightRecords.get() > 0) {
      context.timeout(Math.min(BUSY_POLL_MS, Math.max(1, config.getLong(LogAnalyticsSinkConfig.BATCH_LINGER_MS))));
    }
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    submitAged();
    handleReports();
    backpressure();
    Map<TopicPartition, OffsetAndMetadata> out = tracker.committable();
    out.keySet().retainAll(currentOffsets.keySet());
    LOG.debug("Committable offsets: {}", out);
    return out;
  }

  @Override
  public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    // Not used: preCommit returns acknowledged offsets only; flushing would not make more of them safe.
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    Set<TopicPartition> revoked = new HashSet<>(partitions);
    tracker.forget(revoked);
    for (Iterator<Map.Entry<BatchKey, Batch>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Batch b = it.next().getValue();
      if (revoked.contains(b.partition.tp)) {
        it.remove();
        release(b);
      }
    }
    List<Batch> dropped = new ArrayList<>();
    queue.removeIf(b -> {
      if (revoked.contains(b.partition.tp)) {
        dropped.add(b);
        return true;
      }
      return false;
    });
    dropped.forEach(this::release);
    reports.removeIf(rep -> revoked.contains(rep.rejected.partition.tp));
    toReport.removeIf(rej -> revoked.contains(rej.partition.tp));
    // Batches of these partitions in an upload right now finish, but their acknowledgements are ignored.
    LOG.info("Partitions {} closed; {} queued batches dropped without committing them", revoked,
        dropped.size());
  }

  @Override
  public void stop() {
    stopping = true;
    for (ChunkUploader u : uploaders) {
      try {
        u.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing an uploader failed", e);
      }
    }
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    LOG.info("Log Analytics sink task stopped: {} records delivered, {} sent to the dead-letter queue; "
        + "unacknowledged records stay uncommitted", delivered.get(), deadLettered.get());
  }

  /** @return records delivered by this task (tests, logs) */
  long deliveredRecords() {
    return delivered.get();
  }

  /** @return whether the task has paused its partitions (tests) */
  boolean isPaused() {
    return paused;
  }

  // --- task thread ---

  private void throwIfFailed() {
    ConnectException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  private void submit(Batch b) {
    queue.addLast(b);
  }

  private void submitAged() {
    long linger = config.getLong(LogAnalyticsSinkConfig.BATCH_LINGER_MS);
    Instant now = clock.instant();
    for (Iterator<Map.Entry<BatchKey, Batch>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Batch b = it.next().getValue();
      if (!b.created.plusMillis(linger).isAfter(now)) {
        it.remove();
        submit(b);
      }
    }
  }

  private void backpressure() {
    long maxBytes = config.getLong(LogAnalyticsSinkConfig.MAX_IN_FLIGHT_BYTES);
    long maxRecords = config.getInt(LogAnalyticsSinkConfig.MAX_IN_FLIGHT_RECORDS);
    long bytes = inFlightBytes.get();
    long recs = inFlightRecords.get();
    Set<TopicPartition> assigned = context.assignment();
    if (!paused && (bytes > maxBytes || recs > maxRecords)) {
      paused = true;
      context.pause(assigned.toArray(new TopicPartition[0]));
      LOG.info("Pausing {} partitions: {} records ({} bytes) not yet acknowledged", assigned.size(), recs, bytes);
    } else if (paused && bytes <= maxBytes / 2 && recs <= maxRecords / 2) {
      paused = false;
      context.resume(assigned.toArray(new TopicPartition[0]));
      LOG.info("Resuming {} partitions: {} records ({} bytes) not yet acknowledged", assigned.size(), recs, bytes);
    }
  }

  /** Reports queued rejections, and finishes those whose report completed. */
  private void handleReports() {
    Rejected r;
    while ((r = toReport.poll()) != null) {
      rejected(r);
    }
    for (Iterator<Reported> it = reports.iterator(); it.hasNext(); ) {
      Reported rep = it.next();
      if (!rep.future.isDone()) {
        continue;
      }
      it.remove();
      try {
        rep.future.get();
        deadLettered.incrementAndGet();
        tracker.done(rep.rejected.partition, rep.rejected.offset);
      } catch (ExecutionException e) {
        fail(new ConnectException("Writing a record to the dead-letter queue failed (" + where(rep.rejected)
            + "): " + e.getCause(), e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.CancellationException e) {
        // The framework cancels reports of revoked partitions: nothing to commit.
      }
    }
  }

  /** A record that cannot be delivered, on the task thread: to the DLQ, a task failure, or dropped. */
  private void rejected(Rejected r) {
    if (!tracker.isLive(r.partition)) {
      return;
    }
    Behavior behavior = r.behavior;
    if (behavior == Behavior.DLQ && reporter == null) {
      fail(new ConnectException(r.reason + " (" + where(r) + "); no dead-letter queue is configured "
          + "(set errors.tolerance=all and errors.deadletterqueue.topic.name, or "
          + LogAnalyticsSinkConfig.BEHAVIOR_ON_INVALID + "=drop)"));
      return;
    }
    switch (behavior) {
      case DLQ:
        LOG.warn("Sending a record to the dead-letter queue ({}): {}", where(r), r.reason);
        Future<Void> f = reporter.report(r.record, new DataException(r.reason));
        reports.add(new Reported(r, f));
        break;
      case DROP:
        LOG.warn("Dropping a record ({}): {}", where(r), r.reason);
        tracker.done(r.partition, r.offset);
        break;
      default:
        fail(new ConnectException(r.reason + " (" + where(r) + ")"));
    }
  }

  private static String where(Rejected r) {
    return r.partition.tp + " offset " + r.offset;
  }

  private void fail(ConnectException e) {
    if (failure.compareAndSet(null, e)) {
      LOG.error("The task fails: {}; offsets stay at the last acknowledged record", e.getMessage());
    }
  }

  // --- upload threads ---

  private void uploadLoop(ChunkUploader uploader) {
    while (!stopping) {
      Batch b;
      try {
        b = queue.pollFirst(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (b == null) {
        continue;
      }
      try {
        upload(uploader, b);
      } catch (RuntimeException e) {
        fail(new ConnectException("An upload failed unexpectedly: " + e, e));
        release(b);
      }
    }
  }

  private void upload(ChunkUploader uploader, Batch b) {
    if (!tracker.isLive(b.partition)) {
      release(b);
      return;
    }
    if (b.requestId == null) {
      b.requestId = requestId(connectorName, b.partition.tp, b.table, b.offsets, b.encoded);
    }
    LOG.debug("Uploading {} records of {} offsets {}..{} to {} as request {}", b.offsets.size(), b.partition.tp,
        b.offsets.get(0), b.offsets.get(b.offsets.size() - 1), b.table, b.requestId);
    UploadResult result = uploader.upload(Chunk.of(b.requestId, b.offsets.get(0), b.encoded, b.created));
    switch (result.outcome()) {
      case DELIVERED:
        for (long offset : b.offsets) {
          tracker.done(b.partition, offset);
        }
        delivered.addAndGet(b.offsets.size());
        release(b);
        return;
      case GIVEN_UP:
        List<Integer> given = result.givenUpIndexes();
        if (given.size() != result.recordsGivenUp()) {
          fail(new ConnectException("The uploader gave " + result.recordsGivenUp() + " records up without saying "
              + "which; nothing of " + b.partition.tp + " past offset " + b.offsets.get(0) + " is committed"));
          release(b);
          return;
        }
        Set<Integer> givenSet = new HashSet<>(given);
        for (int i = 0; i < b.offsets.size(); i++) {
          if (givenSet.contains(i)) {
            String reason = result.givenUpReason(i).orElse(String.valueOf(result.reason()));
            Behavior behavior = reason.startsWith("RETRIES_EXHAUSTED") ? config.onGiveUp() : config.onInvalid();
            toReport.add(new Rejected(b.partition, b.offsets.get(i), b.records.get(i),
                "Log Analytics did not accept the record: " + reason + " (request " + b.requestId + ")", behavior));
          } else {
            tracker.done(b.partition, b.offsets.get(i));
            delivered.incrementAndGet();
          }
        }
        release(b);
        return;
      default: // DEFERRED: the uploader is closing or was interrupted
        if (stopping || !tracker.isLive(b.partition)) {
          release(b);
        } else {
          queue.addFirst(b);
        }
    }
  }

  private void release(Batch b) {
    inFlightBytes.addAndGet(-b.bytes);
    inFlightRecords.addAndGet(-b.records.size());
  }

  /**
   * The request id of a batch: a name-based UUID of the connector's name, the partition, the table, the first and
   * last offsets, the record count and a CRC-32C of the encoded records. Two different batches (other partition,
   * other offsets, other content: a topic deleted and created again reuses offsets) get different ids; the same
   * batch gets the same id on every try, also when another task reads the same records and batches them alike.
   *
   * @param connector the connector's name
   * @param tp the partition
   * @param table the table or stream
   * @param offsets the batch's offsets, in order
   * @param encoded the encoded records
   * @return the id
   */
  static UUID requestId(String connector, TopicPartition tp, String table, List<Long> offsets, List<byte[]> encoded) {
    CRC32C crc = new CRC32C();
    for (byte[] e : encoded) {
      crc.update(e);
      crc.update(0);
    }
    String name = connector + '\n' + tp.topic() + '\n' + tp.partition() + '\n' + table + '\n' + offsets.get(0)
        + '\n' + offsets.get(offsets.size() - 1) + '\n' + offsets.size() + '\n' + Long.toHexString(crc.getValue());
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }

  private static TopicPartition originalPartition(SinkRecord r) {
    try {
      return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
    } catch (NoSuchMethodError e) {
      return new TopicPartition(r.topic(), r.kafkaPartition()); // a worker older than Kafka 3.6
    }
  }

  private static long originalOffset(SinkRecord r) {
    try {
      return r.originalKafkaOffset();
    } catch (NoSuchMethodError e) {
      return r.kafkaOffset();
    }
  }

  private record BatchKey(TopicPartition tp, String table) {}

  /** Records of one partition and table, uploaded as one chunk. */
  private static final class Batch {
    final Partition partition;
    final String table;
    final Instant created;
    final List<SinkRecord> records = new ArrayList<>();
    final List<Long> offsets = new ArrayList<>();
    final List<byte[]> encoded = new ArrayList<>();
    long bytes;
    /** Set at the first upload (the batch is complete then) and kept for every later try. */
    volatile UUID requestId;

    Batch(Partition partition, String table, Instant created) {
      this.partition = partition;
      this.table = table;
      this.created = created;
    }

    void add(SinkRecord r, long offset, byte[] e) {
      records.add(r);
      offsets.add(offset);
      encoded.add(e);
      bytes += e.length;
    }

    @Override
    public String toString() {
      return "Batch{" + partition.tp + " " + table + " " + offsets.size() + "}";
    }
  }

  /** A record to hand to the DLQ (or fail, or drop), with why. */
  private record Rejected(Partition partition, long offset, SinkRecord record, String reason, Behavior behavior) {}

  private record Reported(Rejected rejected, Future<Void> future) {}
}
