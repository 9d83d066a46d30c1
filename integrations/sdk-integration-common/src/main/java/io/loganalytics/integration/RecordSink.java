package io.loganalytics.integration;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.RecordTooLargeException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The part of an appender or exporter that hands records to the client without ever throwing into the caller: a
 * refused record (buffer full under {@code REJECT_NEW} or after {@code BLOCK}'s bounded wait, a malformed record,
 * a disk failure, a closed client) is counted in {@link #refused()} and reported through the error channel, at most
 * once a minute per kind of failure with the number held back. Records the client drops later (evicted under
 * {@code DROP_OLDEST}, given up after retries, refused by the service) are reported the same way through the
 * listener {@link #listener()} returns, which the client must be built with.
 *
 * <p><b>Loops.</b> The SDK logs through SLF4J; when the application's logging framework is also the one this sink
 * feeds, the SDK's own lines would come back as records. {@link #isOwnLogger(String)} names the loggers to drop
 * (the SDK's {@code io.loganalytics} and OkHttp's {@code okhttp3}), and {@link #isSending()} tells whether the current
 * thread is inside {@link #offer} or is one of the SDK's threads (where listener callbacks run), so that anything
 * logged from within the client call or from a listener is dropped too.
 *
 * <p>Thread-safe: {@link #offer} may be called from any number of threads at once.
 */
public final class RecordSink {
  private static final ThreadLocal<boolean[]> SENDING = ThreadLocal.withInitial(() -> new boolean[1]);
  private static final Duration REPORT_INTERVAL = Duration.ofMinutes(1);
  /** The name prefix of every thread the SDK and this sink start. */
  static final String SDK_THREAD_PREFIX = "loganalytics-";
  /**
   * Records that full batches waiting for the batch thread may hold (at least {@value #MIN_QUEUED_BATCHES} batches):
   * enough to ride out a force of a few tens of milliseconds at a high logging rate; beyond, the overflow policy
   * decides (the logging thread never writes to the buffer itself).
   */
  static final int MAX_QUEUED_RECORDS = 4096;
  /** The fewest full batches that may wait for the batch thread, whatever their size. */
  static final int MIN_QUEUED_BATCHES = 4;
  /**
   * How long a logging thread that finds the queue full waits for the batch thread to take a batch before
   * {@code DROP_OLDEST} or {@code REJECT_NEW} decides, once per stall: when the batch thread is merely slower than
   * the logging (it encodes), the logging slows down to its pace instead of losing events; when the batch thread is
   * held up by the disk, one log call waits this long and the next ones do not wait until the batch thread moves.
   */
  static final long QUEUE_WAIT_MILLIS = 10;

  private final String stream;
  private final BiConsumer<String, Throwable> errors;
  private final ErrorThrottle refusedThrottle;
  private final ErrorThrottle invalidThrottle;
  private final ErrorThrottle droppedThrottle;
  private final ErrorThrottle deliveryThrottle;
  private final ErrorThrottle queueThrottle;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong offered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final int batchSize;
  private final OverflowPolicy overflowPolicy;
  private final long blockTimeoutNanos;
  private final int maxQueuedBatches;
  private final Duration batchDelay;
  private final Object batchLock = new Object();
  private List<Map<String, ?>> batch;
  /** Full batches waiting for the batch thread. Guarded by batchLock. */
  private final ArrayDeque<List<Map<String, ?>>> queued = new ArrayDeque<>();
  /** Whether a drain is submitted to the batch thread and has not yet found the queue empty. Guarded by batchLock. */
  private boolean drainPending;
  /** Threads waiting for the batch thread: logging threads for room, {@link #flush}. Guarded by batchLock. */
  private int blockedOffers;
  /** Batches queued so far. Guarded by batchLock. */
  private long queuedBatches;
  /** Batches the batch thread handed to the client, or dropped, so far. Guarded by batchLock. */
  private long finishedBatches;
  /**
   * Whether a logging thread waited {@link #QUEUE_WAIT_MILLIS} in vain since the batch thread last took a batch:
   * the next ones do not wait. Guarded by batchLock.
   */
  private boolean stalled;
  private volatile long queueWaitNanos = TimeUnit.MILLISECONDS.toNanos(QUEUE_WAIT_MILLIS);
  private ScheduledExecutorService batchTimer;
  private volatile LogAnalyticsClient client;

  /**
   * A sink; {@link #start} gives it its client.
   *
   * @param stream the record type of every record
   * @param errors the framework's error channel ({@code addError}, the status logger); called on the logging
   *     thread or the SDK's uploader thread, with a message that holds no secret and the cause or {@code null}
   * @param clock the time source for throttling
   */
  public RecordSink(String stream, BiConsumer<String, Throwable> errors, Clock clock) {
    this(stream, errors, clock, 1, Duration.ofMillis(200));
  }

  /**
   * A batching sink whose full queue drops its oldest batch ({@code DROP_OLDEST}), as
   * {@link #RecordSink(String, BiConsumer, Clock, int, Duration, OverflowPolicy, Duration)}.
   *
   * @param stream the record type of every record
   * @param errors the framework's error channel, as for {@link #RecordSink(String, BiConsumer, Clock)}
   * @param clock the time source for throttling
   * @param batchSize records per batch; 1 hands each record to the buffer before {@link #offer} returns
   * @param batchDelay the longest a record waits in memory for its batch to fill
   */
  public RecordSink(String stream, BiConsumer<String, Throwable> errors, Clock clock, int batchSize,
      Duration batchDelay) {
    this(stream, errors, clock, batchSize, batchDelay, OverflowPolicy.DROP_OLDEST, Duration.ofMillis(100));
  }

  /**
   * A sink that hands records to the client in batches: {@link #offer} adds the record to an in-memory batch; a
   * full batch goes to the sink's batch thread ({@code loganalytics-appender-batch}, daemon), which encodes it and
   * appends it to the disk buffer with one {@code sendAll} (one write instead of one per record), so that the
   * logging thread pays neither the encoding nor the file system (writes, the forces of a segment roll, evictions).
   * The batch thread also sends a partial batch every {@code batchDelay}.
   *
   * <p>The logging thread never encodes nor touches the buffer (whose lock a force, an eviction or an
   * acknowledgement may hold for milliseconds on a busy disk). When full batches of {@value #MAX_QUEUED_RECORDS}
   * records (at least {@value #MIN_QUEUED_BATCHES} batches) already wait for the batch thread, memory stays bounded
   * and {@code overflowPolicy} decides, as the buffer's own policy does when it is full: {@code DROP_OLDEST} drops the
   * oldest waiting batch (counted in {@link #dropped()} and reported through the error channel, throttled);
   * {@code REJECT_NEW} refuses the new record ({@link #refused()}); {@code BLOCK} waits at most
   * {@code blockTimeout} for the batch thread to take a batch, then refuses the record.
   *
   * <p>Up to {@value #MAX_QUEUED_RECORDS} records plus one batch, or {@code batchDelay} of them, live in memory only
   * and are lost if the process crashes (as the unflushed buffer of a file appender with
   * {@code immediateFlush=false}); {@link #stop} sends them. Batches may reach the buffer in another order than they
   * were filled. When the buffer refuses a batch, every record of it is counted as refused (a prefix may in fact have
   * been buffered).
   *
   * @param stream the record type of every record
   * @param errors the framework's error channel, as for {@link #RecordSink(String, BiConsumer, Clock)}
   * @param clock the time source for throttling
   * @param batchSize records per batch; 1 hands each record to the buffer before {@link #offer} returns
   * @param batchDelay the longest a record waits in memory for its batch to fill
   * @param overflowPolicy what a full queue does with a new record (with {@code batchSize} above 1)
   * @param blockTimeout the longest {@code BLOCK} waits for room in the queue
   */
  public RecordSink(String stream, BiConsumer<String, Throwable> errors, Clock clock, int batchSize,
      Duration batchDelay, OverflowPolicy overflowPolicy, Duration blockTimeout) {
    if (batchSize < 1 || batchSize > 10_000) {
      throw new io.loganalytics.sdk.ConfigurationException("batchSize", batchSize + " is outside 1..10000");
    }
    if (batchDelay == null || batchDelay.isZero() || batchDelay.isNegative()) {
      throw new io.loganalytics.sdk.ConfigurationException("batchDelay", "must be positive, was " + batchDelay);
    }
    if (blockTimeout == null || blockTimeout.isNegative()) {
      throw new io.loganalytics.sdk.ConfigurationException("blockTimeout", "must be zero or more, was "
          + blockTimeout);
    }
    this.overflowPolicy = Objects.requireNonNull(overflowPolicy, "overflowPolicy");
    this.blockTimeoutNanos = blockTimeout.toNanos();
    this.batchSize = batchSize;
    this.maxQueuedBatches = Math.max(MIN_QUEUED_BATCHES, MAX_QUEUED_RECORDS / batchSize);
    this.batchDelay = batchDelay;
    this.stream = Objects.requireNonNull(stream, "stream");
    this.errors = Objects.requireNonNull(errors, "errors");
    this.refusedThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.invalidThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.droppedThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.deliveryThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.queueThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
  }

  /**
   * Whether events of a logger must be dropped because they come from the SDK or its HTTP client.
   *
   * @param loggerName the logger's name, or {@code null}
   * @return {@code true} for {@code io.loganalytics} and {@code okhttp3} and their children
   */
  public static boolean isOwnLogger(String loggerName) {
    return loggerName != null && (loggerName.startsWith("io.loganalytics.") || loggerName.equals("io.loganalytics")
        || loggerName.startsWith("okhttp3."));
  }

  /**
   * Whether an event logged now comes from the SDK: the current thread is inside {@link #offer} (of any sink), or it
   * is one of the SDK's own threads (named {@value #SDK_THREAD_PREFIX}..., such as the uploader, the acknowledger and
   * the buffer's committer), where listener callbacks run: a listener that logs a drop report there would otherwise
   * feed the report back as a record, which could be dropped and reported again.
   *
   * @return whether to drop the event
   */
  public static boolean isSending() {
    return SENDING.get()[0] || Thread.currentThread().getName().startsWith(SDK_THREAD_PREFIX);
  }

  /**
   * The listener to build the client with: it reports drops, give-ups and authentication failures, throttled.
   *
   * @return the listener
   */
  public LogAnalyticsListener listener() {
    return new LogAnalyticsListener() {
      @Override
      public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
        droppedThrottle.report("Log Analytics: " + records + " record(s) dropped (" + reason + "): " + detail,
            m -> errors.accept(m, null));
      }

      @Override
      public void onAuthenticationFailure(AuthenticationException error) {
        deliveryThrottle.report("Log Analytics: the service refused the credentials: " + error.getMessage(),
            m -> errors.accept(m, null));
      }

      @Override
      public void onBufferError(BufferException error) {
        deliveryThrottle.report("Log Analytics: buffer failure: " + error.getMessage(),
            m -> errors.accept(m, null));
      }

      @Override
      public void onSegmentQuarantined(Path quarantinedFile, String detail) {
        errors.accept("Log Analytics: a corrupt buffer segment was moved to " + quarantinedFile + ": " + detail,
            null);
      }
    };
  }

  /**
   * Gives the sink its client.
   *
   * @param client the client, built with {@link #listener()}
   */
  public void start(LogAnalyticsClient client) {
    Objects.requireNonNull(client, "client");
    if (batchSize > 1) {
      synchronized (batchLock) {
        batch = new ArrayList<>(batchSize);
        batchTimer = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "loganalytics-appender-batch");
          t.setDaemon(true);
          return t;
        });
        long ms = Math.max(1, batchDelay.toMillis());
        batchTimer.scheduleWithFixedDelay(this::sendPartialBatch, ms, ms, TimeUnit.MILLISECONDS);
      }
    }
    this.client = client; // last: an offer that sees the client also sees the batch
  }

  private void sendPartialBatch() {
    synchronized (batchLock) {
      if (batch != null && !batch.isEmpty()) {
        queued.addLast(batch);
        queuedBatches++;
        batch = new ArrayList<>(batchSize);
      }
    }
    drainQueued();
  }

  /** On the batch thread: sends the queued full batches, oldest first. */
  private void drainQueued() {
    boolean sent = false;
    while (true) {
      List<Map<String, ?>> next;
      synchronized (batchLock) {
        if (sent) {
          finishedBatches++;
        }
        next = queued.pollFirst();
        if (blockedOffers > 0) {
          batchLock.notifyAll();
        }
        if (next == null) {
          drainPending = false;
          return;
        }
        stalled = false;
      }
      sendBatch(next);
      sent = true;
    }
  }

  /** Queues a full batch and wakes the batch thread unless a drain is already on its way. Lock held. */
  private void enqueue(List<Map<String, ?>> full) {
    queued.addLast(full);
    queuedBatches++;
    if (!drainPending) {
      drainPending = true;
      batchTimer.execute(this::drainQueued);
    }
  }

  /** Hands a batch to the client; never throws. */
  private void sendBatch(List<Map<String, ?>> records) {
    LogAnalyticsClient c = client;
    boolean[] sending = SENDING.get();
    if (records.isEmpty()) {
      return;
    }
    if (c == null) { // stopped while this batch was being handed over: counted, never lost silently
      refused.addAndGet(records.size());
      return;
    }
    boolean outer = sending[0];
    sending[0] = true;
    try {
      c.sendAll(stream, records);
    } catch (InvalidRecordException | RecordTooLargeException e) {
      // sendAll encodes the whole batch before appending: nothing of it was buffered. Find the culprit one by one.
      for (Map<String, ?> r : records) {
        sendOne(c, r);
      }
    } catch (RuntimeException e) {
      refused.addAndGet(records.size());
      report(e);
    } finally {
      sending[0] = outer;
    }
  }

  private boolean sendOne(LogAnalyticsClient c, Map<String, ?> record) {
    try {
      c.send(stream, record);
      return true;
    } catch (RuntimeException e) {
      refused.incrementAndGet();
      report(e);
      return false;
    }
  }

  private void report(RuntimeException e) {
    if (e instanceof BufferFullException) {
      refusedThrottle.report("Log Analytics: event refused, the buffer is full: " + e.getMessage(),
          m -> errors.accept(m, null));
    } else if (e instanceof InvalidRecordException || e instanceof RecordTooLargeException) {
      invalidThrottle.report("Log Analytics: event refused: " + e.getMessage(), m -> errors.accept(m, e));
    } else if (!(e instanceof ClientClosedException)) {
      refusedThrottle.report("Log Analytics: event not buffered: " + e, m -> errors.accept(m, e));
    }
  }

  /**
   * Buffers one record; never throws and never waits longer than the buffer's bounded {@code BLOCK} wait.
   *
   * @param record the record's columns
   * @return whether the record was buffered
   */
  public boolean offer(Map<String, ?> record) {
    LogAnalyticsClient c = client;
    boolean[] sending = SENDING.get();
    if (c == null || sending[0]) {
      return false;
    }
    offered.incrementAndGet();
    if (batchSize > 1) {
      return offerToBatch(record);
    }
    sending[0] = true;
    try {
      return sendOne(c, record);
    } finally {
      sending[0] = false;
    }
  }

  /**
   * Adds a record to the current batch; a full batch goes to the queue, or stays until the overflow policy makes
   * room. Never touches the client.
   */
  private boolean offerToBatch(Map<String, ?> record) {
    int droppedNow = 0;
    boolean accepted;
    synchronized (batchLock) {
      accepted = batch != null;
      if (accepted && batch.size() >= batchSize) { // full, and the queue had no room for it
        if (queued.size() >= maxQueuedBatches) {
          if (overflowPolicy != OverflowPolicy.BLOCK && !stalled) {
            awaitRoom(queueWaitNanos);
            stalled = batch != null && queued.size() >= maxQueuedBatches;
          }
        }
        if (batch != null && queued.size() >= maxQueuedBatches) {
          if (overflowPolicy == OverflowPolicy.DROP_OLDEST) {
            while (queued.size() >= maxQueuedBatches) { // more than the bound after a timer's partial batch
              droppedNow += queued.pollFirst().size();
              finishedBatches++;
            }
          } else if (overflowPolicy == OverflowPolicy.BLOCK) {
            awaitRoom(blockTimeoutNanos);
          }
        }
        // While this thread waited, another may have queued the full batch and started a new one.
        accepted = batch != null && (batch.size() < batchSize || queued.size() < maxQueuedBatches);
        if (accepted && batch.size() >= batchSize) {
          enqueue(batch);
          batch = new ArrayList<>(batchSize);
        }
      }
      if (accepted) {
        batch.add(record);
        if (batch.size() >= batchSize && queued.size() < maxQueuedBatches) {
          enqueue(batch);
          batch = new ArrayList<>(batchSize);
        }
      }
    }
    if (droppedNow > 0) {
      dropped.addAndGet(droppedNow);
      queueThrottle.report("Log Analytics: " + droppedNow + " record(s) dropped in memory (the appender's queue "
          + "was full: its batch thread, which encodes and writes to the buffer, was slower than the logging; "
          + "overflowPolicy DROP_OLDEST)", m -> errors.accept(m, null));
    }
    if (!accepted) {
      refused.incrementAndGet();
      queueThrottle.report("Log Analytics: event refused, the appender's queue is full (its batch thread, which "
          + "encodes and writes to the buffer, is slower than the logging; overflowPolicy " + overflowPolicy + ")",
          m -> errors.accept(m, null));
    }
    return accepted;
  }

  /** Waits at most {@code nanos} for the batch thread to take a batch (or the sink to stop). Lock held. */
  private void awaitRoom(long nanos) {
    long deadline = System.nanoTime() + nanos;
    blockedOffers++;
    try {
      while (batch != null && queued.size() >= maxQueuedBatches) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(batchLock, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the application's interrupt: give up waiting, keep the flag
    } finally {
      blockedOffers--;
    }
  }

  /**
   * Hands the records waiting in memory to the client (through the batch thread, which writes them in order with
   * the batches before them) and then flushes the client: what was offered before this call is delivered when it
   * returns {@code true}. Never throws.
   *
   * @param timeout how long to wait at most, in all
   * @return whether everything offered before was delivered (or given up by the client) in time; {@code false} when
   *     stopped
   */
  public boolean flush(Duration timeout) {
    LogAnalyticsClient c = client;
    if (c == null) {
      return false;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    if (batchSize > 1) {
      synchronized (batchLock) {
        if (batch == null) {
          return false;
        }
        if (!batch.isEmpty()) {
          enqueue(batch);
          batch = new ArrayList<>(batchSize);
        }
        long target = queuedBatches;
        blockedOffers++;
        try {
          while (finishedBatches < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || batch == null) {
              return false;
            }
            TimeUnit.NANOSECONDS.timedWait(batchLock, left);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        } finally {
          blockedOffers--;
        }
      }
    }
    boolean[] sending = SENDING.get();
    boolean outer = sending[0];
    sending[0] = true;
    try {
      return c.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    } catch (RuntimeException e) {
      errors.accept("Log Analytics: flushing the client failed: " + e, e);
      return false;
    } finally {
      sending[0] = outer;
    }
  }

  /**
   * Buffers several records with one {@code sendAll} (one write to the disk buffer), now, on this thread; never
   * throws. For callers that already hold a batch, such as an OpenTelemetry exporter.
   *
   * @param records the records
   * @return how many were refused (all of them when the buffer refused the batch)
   */
  public long offerAll(List<? extends Map<String, ?>> records) {
    if (client == null || SENDING.get()[0]) {
      return records.size();
    }
    offered.addAndGet(records.size());
    long before = refused.get();
    sendBatch(new ArrayList<>(records));
    return refused.get() - before;
  }

  /**
   * Hands the batches still in memory to the client (after the batch thread's current one), flushes until
   * {@code timeout} has passed in all, and closes the client; what is not delivered stays on disk for the next
   * start. Never throws.
   *
   * @param timeout how long to push at most
   * @return whether the buffer was empty at the end
   */
  public boolean stop(Duration timeout) {
    LogAnalyticsClient c = client;
    if (c == null) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<List<Map<String, ?>>> rest = new ArrayList<>();
    ScheduledExecutorService timer;
    synchronized (batchLock) {
      timer = batchTimer;
      batchTimer = null;
      rest.addAll(queued);
      queued.clear();
      if (batch != null) {
        rest.add(batch);
        batch = null;
      }
      batchLock.notifyAll(); // a logging thread waiting under BLOCK gives up: the sink is stopping
    }
    if (timer != null) {
      timer.shutdown(); // not shutdownNow: an interrupt would close the buffer file under the batch thread's write
      try { // a batch the thread took before the shutdown reaches the client before it is flushed and closed
        timer.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (List<Map<String, ?>> b : rest) {
      sendBatch(b);
    }
    client = null;
    boolean[] sending = SENDING.get();
    sending[0] = true;
    try {
      c.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      return c.close(Duration.ofMillis(Math.max(100, timeout.toMillis() / 5)));
    } catch (RuntimeException e) {
      errors.accept("Log Analytics: closing the client failed: " + e, e);
      return false;
    } finally {
      sending[0] = false;
    }
  }

  /** @return the client, or {@code null} before {@link #start} and after {@link #stop} */
  public LogAnalyticsClient client() {
    return client;
  }

  /** @return records this sink could not buffer (the client's own drops are in its stats) */
  public long refused() {
    return refused.get();
  }

  /** For tests: replaces {@link #QUEUE_WAIT_MILLIS}. */
  void queueWait(Duration wait) {
    queueWaitNanos = wait.toNanos();
  }

  /**
   * @return records dropped in memory because the queue was full under {@code DROP_OLDEST} (the client's own drops
   *     are in its stats)
   */
  public long dropped() {
    return dropped.get();
  }

  /** @return records offered while the sink was started */
  public long offered() {
    return offered.get();
  }
}
