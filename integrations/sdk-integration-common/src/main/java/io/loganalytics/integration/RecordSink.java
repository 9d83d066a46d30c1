package io.loganalytics.integration;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsListener;
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
   * enough to ride out a force of a few tens of milliseconds at a high logging rate; beyond, the logging thread that
   * fills a batch hands it to the client itself.
   */
  static final int MAX_QUEUED_RECORDS = 4096;
  /** The fewest full batches that may wait for the batch thread, whatever their size. */
  static final int MIN_QUEUED_BATCHES = 4;

  private final String stream;
  private final BiConsumer<String, Throwable> errors;
  private final ErrorThrottle refusedThrottle;
  private final ErrorThrottle invalidThrottle;
  private final ErrorThrottle droppedThrottle;
  private final ErrorThrottle deliveryThrottle;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong offered = new AtomicLong();
  private final int batchSize;
  private final int maxQueuedBatches;
  private final Duration batchDelay;
  private final Object batchLock = new Object();
  private List<Map<String, ?>> batch;
  /** Full batches waiting for the batch thread. Guarded by batchLock. */
  private final ArrayDeque<List<Map<String, ?>>> queued = new ArrayDeque<>();
  /** Whether a drain is submitted to the batch thread and has not yet found the queue empty. Guarded by batchLock. */
  private boolean drainPending;
  /** Threads waiting for batches to reach the client: {@link #flush}, {@link #stop}. Guarded by batchLock. */
  private int blockedOffers;
  /** Batches queued so far. Guarded by batchLock. */
  private long queuedBatches;
  /** Batches the batch thread handed to the client so far. Guarded by batchLock. */
  private long finishedBatches;
  /** Batches logging threads took to hand to the client themselves, so far. Guarded by batchLock. */
  private long callerBatches;
  /**
   * The numbers (in {@link #callerBatches}) of the batches logging threads are handing to the client now. Guarded by
   * batchLock.
   */
  private final List<Long> callerBatchesInFlight = new ArrayList<>();
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
   * A sink that hands records to the client in batches: {@link #offer} adds the record to an in-memory batch; a
   * full batch goes to the sink's batch thread ({@code loganalytics-appender-batch}, daemon), which encodes it and
   * appends it to the disk buffer with one {@code sendAll} (one write instead of one per record), so that the
   * logging thread pays neither the encoding nor the file system. The batch thread also sends a partial batch every
   * {@code batchDelay}.
   *
   * <p><b>Back-pressure, no loss in memory.</b> When full batches of {@value #MAX_QUEUED_RECORDS} records (at least
   * {@value #MIN_QUEUED_BATCHES} batches) already wait for the batch thread, the logging thread that fills the next
   * batch hands it to the client itself, at once (no wait): it pays for the encoding and the write of the records it
   * logs while the batch thread is behind, so a burst slows the logging down to what the buffer takes and loses
   * nothing while the buffer has room. The memory stays bounded. Only the client's buffer decides what is dropped:
   * when it is full, its overflow policy evicts old records ({@code DROP_OLDEST}), refuses the batch
   * ({@code REJECT_NEW}; counted in {@link #refused()}) or waits its bounded {@code blockTimeout} ({@code BLOCK}).
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
   */
  public RecordSink(String stream, BiConsumer<String, Throwable> errors, Clock clock, int batchSize,
      Duration batchDelay) {
    if (batchSize < 1 || batchSize > 10_000) {
      throw new io.loganalytics.sdk.ConfigurationException("batchSize", batchSize + " is outside 1..10000");
    }
    if (batchDelay == null || batchDelay.isZero() || batchDelay.isNegative()) {
      throw new io.loganalytics.sdk.ConfigurationException("batchDelay", "must be positive, was " + batchDelay);
    }
    this.batchSize = batchSize;
    this.maxQueuedBatches = Math.max(MIN_QUEUED_BATCHES, MAX_QUEUED_RECORDS / batchSize);
    this.batchDelay = batchDelay;
    this.stream = Objects.requireNonNull(stream, "stream");
    this.errors = Objects.requireNonNull(errors, "errors");
    this.refusedThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.invalidThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.droppedThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
    this.deliveryThrottle = new ErrorThrottle(clock, REPORT_INTERVAL);
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

  /**
   * Hands a batch to the client; never throws.
   *
   * @return how many of its records were refused
   */
  private int sendBatch(List<Map<String, ?>> records) {
    LogAnalyticsClient c = client;
    boolean[] sending = SENDING.get();
    if (records.isEmpty()) {
      return 0;
    }
    if (c == null) { // stopped while this batch was being handed over: counted, never lost silently
      refused.addAndGet(records.size());
      return records.size();
    }
    boolean outer = sending[0];
    sending[0] = true;
    try {
      c.sendAll(stream, records);
      return 0;
    } catch (InvalidRecordException | RecordTooLargeException e) {
      // sendAll encodes the whole batch before appending: nothing of it was buffered. Find the culprit one by one.
      int n = 0;
      for (Map<String, ?> r : records) {
        n += sendOne(c, r) ? 0 : 1;
      }
      return n;
    } catch (RuntimeException e) {
      refused.addAndGet(records.size());
      report(e);
      return records.size();
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
   * Buffers one record (with batching: adds it to the batch, and hands the batch to the client on this thread when
   * the batch thread is {@value #MAX_QUEUED_RECORDS} records behind); never throws and never waits longer than the
   * buffer's bounded {@code BLOCK} wait.
   *
   * @param record the record's columns
   * @return whether the record was buffered or taken into a batch (with batching, {@code false} also when the batch
   *     this thread handed to the client was refused in part)
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
   * Adds a record to the current batch; a full batch goes to the queue, or, when the queue is full, to the client on
   * this thread.
   */
  private boolean offerToBatch(Map<String, ?> record) {
    List<Map<String, ?>> own;
    long number;
    synchronized (batchLock) {
      if (batch == null) { // stopping
        refused.incrementAndGet();
        return false;
      }
      batch.add(record);
      if (batch.size() < batchSize) {
        return true;
      }
      if (queued.size() < maxQueuedBatches) {
        enqueue(batch);
        batch = new ArrayList<>(batchSize);
        return true;
      }
      own = batch;
      batch = new ArrayList<>(batchSize);
      number = ++callerBatches;
      callerBatchesInFlight.add(number);
    }
    int refusedNow;
    try {
      refusedNow = sendBatch(own);
    } finally {
      synchronized (batchLock) {
        callerBatchesInFlight.remove(Long.valueOf(number));
        if (blockedOffers > 0) {
          batchLock.notifyAll();
        }
      }
    }
    return refusedNow == 0;
  }

  /**
   * Whether every batch queued up to {@code queuedTarget} reached the client and no logging thread is still handing
   * over a batch it took up to {@code callerTarget}. Lock held.
   */
  private boolean handedOver(long queuedTarget, long callerTarget) {
    if (finishedBatches < queuedTarget) {
      return false;
    }
    for (long n : callerBatchesInFlight) {
      if (n <= callerTarget) {
        return false;
      }
    }
    return true;
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
        long callerTarget = callerBatches;
        blockedOffers++;
        try {
          while (!handedOver(target, callerTarget)) {
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
      batchLock.notifyAll(); // a flush waiting for the batch thread gives up: the sink is stopping
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
    synchronized (batchLock) { // a logging thread handing its batch to the client finishes before the client closes
      blockedOffers++;
      try {
        while (!callerBatchesInFlight.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(batchLock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        blockedOffers--;
      }
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

  /** @return records offered while the sink was started */
  public long offered() {
    return offered.get();
  }
}
