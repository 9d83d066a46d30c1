package io.loganalytics.sdk.impl.client;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.UploadResult;
import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.http.HttpCancellation;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.transport.OdsTransport;
import io.loganalytics.sdk.impl.transport.UploadTransport;
import io.loganalytics.sdk.impl.upload.DefaultChunkUploader;
import io.loganalytics.sdk.impl.upload.SafeListener;
import io.loganalytics.sdk.impl.upload.Sleeper;
import io.loganalytics.sdk.impl.upload.UploadCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LogAnalyticsClient}: validates and buffers records, and runs the one background thread that uploads
 * them. Internal, not API: applications get it through {@link LogAnalyticsClient#builder()}; the provider builds it
 * with {@link #create}.
 *
 * <p><b>Sending.</b> {@link #send}/{@link #sendJson} check the type and the record against the transport's
 * limits (a record that can never be sent is refused there, with the field and the sizes), encode it
 * ({@link RecordEncoder}) and append it to the {@link DiskBuffer}; they return once the buffer holds it under its
 * durability. {@link #sendAll} does the same for a batch with one append, so the batch shares one force. What the
 * buffer does when full (drop the oldest, refuse, block) is what the caller sees.
 *
 * <p><b>Uploading.</b> The thread {@code loganalytics-uploader} (daemon) wakes every
 * {@link io.loganalytics.sdk.RetryPolicy#uploadInterval()}, or as soon as a request's worth of bytes
 * ({@code maxRequestBytes}) was appended since its last pass, or on {@link #flush}/{@link #close}. Each pass reads
 * chunks of up to {@value #REQUESTS_PER_CHUNK} times {@code maxRequestBytes} until the buffer is empty and hands
 * each to the {@link DefaultChunkUploader}, which cuts it into requests of at most {@code maxRequestBytes}: one
 * acknowledgement (a durable write of the buffer's ack state) then covers several requests. Acknowledgements run
 * on a second daemon thread, {@code loganalytics-acknowledger}, one at a time and in order, while the uploader
 * uploads the next chunk; the last chunk of a pass (no next chunk to upload beside it) is acknowledged by the
 * uploader itself, which spares a {@link #flush} waiting for it two thread hand-offs. A pass ends only after its
 * last acknowledgement did.
 * A chunk is {@linkplain DiskBuffer#acknowledge acknowledged} only after it was delivered or given up (given-up
 * records were reported, and dead-lettered when the policy says so) and {@linkplain DiskBuffer#release released}
 * when the upload was deferred; a crash anywhere loses nothing, at worst a chunk is sent again.
 *
 * <p><b>Identity.</b> On the agent path the session may not be onboarded yet (the first attempt, made while the
 * client was built, failed for a reason that may pass). Then each pass starts with
 * {@link AgentSession#ensureIdentity()}, which onboards; while it fails no chunk is read, records accumulate in the
 * buffer, and the next attempt comes after the retry policy's backoff for the number of failed attempts so far
 * ({@link RetryPolicy#backoff}, never given up; {@link #flush} does not cut that wait short, {@link #close} does and
 * leaves the records on disk).
 *
 * <p><b>Flush and close.</b> {@link #flush} wakes the uploader and waits until everything buffered before the call
 * was delivered or given up, or until its timeout; it does not cut a retry wait short. {@link #close} stops
 * {@code send}, lets the uploader push what it can until the deadline (a retry wait that would end after the deadline
 * ends at once), then stops it and closes the buffer; what was not delivered stays on disk for the next client on
 * the same buffer. A request still in flight at the deadline is cancelled (see {@link #close(Duration)}), so the
 * uploader stops and close closes the buffer itself; the buffer is {@linkplain DiskBuffer#sync() forced to disk}
 * before close returns in every case.
 *
 * <p><b>Failures of the uploader.</b> Anything a pass throws (a bug, an {@link Error}, a buffer failing in an
 * unexpected way) is logged at ERROR and the pass is tried again after the retry policy's backoff for that many
 * failures in a row (on the injected sleeper); the thread never dies of it while the client is open. If the buffer
 * was closed under it, the uploader stops. An upload that throws counts as a failed try of its chunk: the chunk is
 * released, and once it has failed so more often than the policy's retries it is given up as
 * {@link DropReason#REJECTED} (reported, dead-lettered when the policy says so) and acknowledged, so one bad chunk
 * cannot stall the pipeline.
 *
 * <p><b>Called from a listener.</b> Listener events mostly come from the uploader thread, which cannot wait for
 * itself: {@link #flush} called there only asks for a pass and returns {@code false} at once, and {@link #close}
 * called there stops {@code send}, forces the buffer, and returns {@code false} at once; the upload in progress ends
 * when the listener returns and the uploader thread then closes the buffer.
 *
 * <p><b>Threading.</b> Thread-safe; {@code send} may be called from any number of threads. Listener events come from
 * the uploader and acknowledger threads and from sending threads; a listener that throws is logged and ignored.
 */
public final class DefaultLogAnalyticsClient implements LogAnalyticsClient {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultLogAnalyticsClient.class);
  /** The uploading thread's name. */
  public static final String THREAD_NAME = "loganalytics-uploader";
  /** The thread that acknowledges uploaded chunks in the buffer. */
  public static final String ACK_THREAD_NAME = "loganalytics-acknowledger";
  private static final int MAX_RECORDS_PER_CHUNK = 100_000;
  /**
   * Requests' worth of bytes read per chunk. Acknowledging a chunk costs a durable write (fsyncs, a rename, segment
   * deletes) about as long as deflating a 1 MB request; it runs beside the next upload, and two requests per chunk
   * halve how many there are while at most two chunks (the one uploading, the one acknowledging) are in memory.
   */
  static final int REQUESTS_PER_CHUNK = 2;
  /** Waits after failed passes grow as the retry policy's do, up to this step (then stay at its maximum). */
  private static final int MAX_FAILURE_STEP = 64;
  /**
   * How long {@link #close} waits, after its deadline, for the uploader to stop once the request in flight was
   * cancelled: enough for the cancelled call to fail, the chunk to be released and an acknowledgement in progress to
   * end.
   */
  static final Duration CANCEL_GRACE = Duration.ofSeconds(2);

  private final LogAnalyticsClientBuilder config;
  private final DiskBuffer buffer;
  private final UploadTransport transport;
  private final RecordEncoder encoder;
  private final DefaultChunkUploader uploader;
  private final UploadCounters counters = new UploadCounters();
  private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  private final LongAdder accepted = new LongAdder();
  private final AtomicLong bytesSinceWake = new AtomicLong();
  /** The last record type that passed {@link UploadTransport#validateType}: a logger sends one type throughout. */
  private volatile String lastValidType;
  private final Clock clock;
  private final int maxRequestBytes;
  private final List<AutoCloseable> ownedResources;
  private final BooleanSupplier identity;
  /** Why {@link #identity} last answered {@code false}, if the session says. */
  private final Supplier<Optional<String>> identityFailure;
  private final DoubleSupplier random;
  private final Thread worker;
  /**
   * Runs the buffer's acknowledgements (a durable write each) while the uploader thread uploads the next chunk;
   * one at a time, in order.
   */
  private final ExecutorService acknowledger = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, ACK_THREAD_NAME);
    t.setDaemon(true);
    return t;
  });
  /** The acknowledgement in flight; uploader thread only. */
  private Future<Boolean> pendingAck;
  private final Sleeper sleeper;
  /** The uploader thread's HTTP requests, cancelled when {@link #close}'s deadline passes. */
  private final HttpCancellation requests = new HttpCancellation();
  // Uploader thread only: the chunk whose upload threw, and how many times in a row.
  private long failingChunk = -1;
  private int failingChunkUploads;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Condition progress = lock.newCondition();
  // Guarded by lock.
  private boolean wakeRequested;
  private boolean closing;
  private volatile boolean workerOwnsBufferClose; // written under lock, read by stats() without it
  private boolean workerDone;
  private long passesStarted;
  private long lastEmptyPass;
  private long recordsFinished;
  /**
   * Acknowledgements between their start and their count in {@link #recordsFinished}: their records may already be
   * gone from the buffer's count, and {@link #flush} must not read that count then.
   */
  private int acknowledging;

  private volatile boolean closed;
  private volatile Boolean closeResult;
  /** What the buffer held when {@link #close} closed it, for {@link #stats()} afterwards. */
  private volatile long[] finalBuffered = {0, 0};

  private DefaultLogAnalyticsClient(LogAnalyticsClientBuilder config, Function<LogAnalyticsListener, DiskBuffer>
      bufferOpener, UploadTransport transport, BooleanSupplier identity, Supplier<Optional<String>> identityFailure,
      Sleeper sleeper, DoubleSupplier random,
      List<AutoCloseable> ownedResources) {
    this.config = config;
    this.transport = transport;
    this.identity = identity;
    this.identityFailure = identityFailure;
    this.clock = config.clock();
    this.maxRequestBytes = config.maxRequestBytes();
    this.ownedResources = ownedResources;
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
    for (DropReason r : DropReason.values()) {
      dropped.put(r, new LongAdder());
    }
    LogAnalyticsListener listener = new SafeListener(config.listener(), (reason, n) -> dropped.get(reason).add(n));
    this.encoder = new RecordEncoder(transport.limits(maxRequestBytes));
    this.uploader = new DefaultChunkUploader(transport, config.retryPolicy(), listener, maxRequestBytes, clock,
        sleeper, random, counters, config.bufferOptions().directory().toAbsolutePath().normalize().toString());
    // Opened last, so that nothing can fail after it is open.
    this.buffer = Objects.requireNonNull(bufferOpener.apply(listener), "the buffer opener returned null");
    this.worker = new Thread(this::runWorker, THREAD_NAME);
    this.worker.setDaemon(true);
    // What an earlier run left in the buffer goes at once, not after the first interval.
    this.wakeRequested = bufferedRecords() > 0;
  }

  /**
   * Builds and starts a client. This is the provider's entry point.
   *
   * <pre>{@code
   * Function<LogAnalyticsListener, DiskBuffer> opener = listener -> openFileBuffer(config.bufferOptions(), listener);
   * return config.transport() == Transport.DATA_COLLECTOR
   *     ? DefaultLogAnalyticsClient.create(config, opener, DataCollectorTransport.create(config, httpsExecutor),
   *         httpsExecutor)
   *     : DefaultLogAnalyticsClient.createAgent(config, opener, agentSession);
   * }</pre>
   *
   * <p>{@link #createAgent} is this method with the transport built for the agent path.
   *
   * @param config the validated builder: listener, retry policy, maxRequestBytes, clock are taken from it
   * @param bufferOpener opens the buffer with the listener the client gives it (which counts evictions for
   *     {@link #stats()} and forwards them to the user's listener); the client closes the buffer
   * @param transport the transport, built for this configuration
   * @param closeWithClient resources closed after the buffer when the client closes (the agent session)
   * @return the running client
   */
  public static DefaultLogAnalyticsClient create(LogAnalyticsClientBuilder config,
      Function<LogAnalyticsListener, DiskBuffer> bufferOpener, UploadTransport transport,
      AutoCloseable... closeWithClient) {
    return create(config, bufferOpener, transport, Sleeper.system(), () -> ThreadLocalRandom.current().nextDouble(),
        closeWithClient);
  }

  /**
   * Builds and starts a client on the agent path: {@link OdsTransport#create} over the session's certificate and
   * upload URL. The session is closed with the client.
   *
   * @param config the validated builder
   * @param bufferOpener opens the buffer with the client's listener
   * @param session the running agent session, onboarded or not yet (see {@link AgentSession#ensureIdentity()})
   * @return the running client
   */
  public static DefaultLogAnalyticsClient createAgent(LogAnalyticsClientBuilder config,
      Function<LogAnalyticsListener, DiskBuffer> bufferOpener, AgentSession session) {
    return createAgent(config, bufferOpener, session, Sleeper.system(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * {@link #createAgent(LogAnalyticsClientBuilder, Function, AgentSession)} with an injected sleeper and jitter
   * source (tests).
   *
   * @param config the validated builder
   * @param bufferOpener opens the buffer with the client's listener
   * @param session the agent session, onboarded or not yet
   * @param sleeper waits between retries
   * @param random jitter values in [0, 1)
   * @return the running client
   */
  static DefaultLogAnalyticsClient createAgent(LogAnalyticsClientBuilder config,
      Function<LogAnalyticsListener, DiskBuffer> bufferOpener, AgentSession session, Sleeper sleeper,
      DoubleSupplier random) {
    Objects.requireNonNull(session, "session");
    return start(config, bufferOpener, OdsTransport.create(config, session), session::ensureIdentity,
        session::identityFailure, sleeper, random, session);
  }

  /**
   * Builds and starts a client with an injected sleeper and jitter source (tests).
   *
   * @param config the validated builder
   * @param bufferOpener opens the buffer with the client's listener
   * @param transport the transport
   * @param sleeper waits between retries
   * @param random jitter values in [0, 1)
   * @param closeWithClient resources closed with the client
   * @return the running client
   */
  static DefaultLogAnalyticsClient create(LogAnalyticsClientBuilder config,
      Function<LogAnalyticsListener, DiskBuffer> bufferOpener, UploadTransport transport, Sleeper sleeper,
      DoubleSupplier random, AutoCloseable... closeWithClient) {
    return start(config, bufferOpener, transport, () -> true, Optional::empty, sleeper, random, closeWithClient);
  }

  private static DefaultLogAnalyticsClient start(LogAnalyticsClientBuilder config,
      Function<LogAnalyticsListener, DiskBuffer> bufferOpener, UploadTransport transport, BooleanSupplier identity,
      Supplier<Optional<String>> identityFailure, Sleeper sleeper, DoubleSupplier random,
      AutoCloseable... closeWithClient) {
    DefaultLogAnalyticsClient client = new DefaultLogAnalyticsClient(Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(bufferOpener, "bufferOpener"), Objects.requireNonNull(transport, "transport"),
        identity, identityFailure, sleeper, random, List.of(closeWithClient));
    client.worker.start();
    return client;
  }

  @Override
  public void send(String type, Map<String, ?> record) {
    ensureOpen();
    validateType(type);
    append(encoder.encode(type, transport.ipName(), record));
  }

  /**
   * Validates and encodes every record first, so a record that can never be sent refuses the whole batch before
   * any of it is buffered; then appends them with one {@link DiskBuffer#appendAll} (one force under
   * {@link io.loganalytics.sdk.Durability#SYNC}).
   */
  @Override
  public void sendAll(String type, List<? extends Map<String, ?>> records) {
    ensureOpen();
    validateType(type);
    String ipName = transport.ipName();
    List<byte[]> encoded = new ArrayList<>(records.size());
    long bytes = 0;
    for (Map<String, ?> r : records) {
      byte[] e = encoder.encode(type, ipName, r);
      encoded.add(e);
      bytes += e.length;
    }
    if (encoded.isEmpty()) {
      return;
    }
    buffer.appendAll(encoded);
    accepted.add(encoded.size());
    appended(bytes);
  }

  @Override
  public void sendJson(String type, String jsonObject) {
    ensureOpen();
    validateType(type);
    append(encoder.encodeJson(type, transport.ipName(), jsonObject));
  }

  private void validateType(String type) {
    if (type == null || !type.equals(lastValidType)) {
      transport.validateType(type);
      lastValidType = type;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new ClientClosedException("send was called on a closed Log Analytics client");
    }
  }

  private void append(byte[] record) {
    buffer.append(record);
    accepted.increment();
    appended(record.length);
  }

  /** Wakes the uploader when a request's worth of bytes was appended since its last pass. */
  private void appended(long bytes) {
    long pending = bytesSinceWake.addAndGet(bytes);
    if (pending >= maxRequestBytes && pending - bytes < maxRequestBytes) {
      requestPass();
    }
  }

  private void requestPass() {
    lock.lock();
    try {
      wakeRequested = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean flush(Duration timeout) {
    if (Thread.currentThread() == worker) {
      // Called from a listener on the uploader thread: waiting for the uploader would wait for ourselves.
      LOG.debug("flush() called on the uploader thread (from a listener); returning at once");
      requestPass();
      return false;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    long acceptedBefore = accepted.sum();
    long target;
    long startedBefore;
    lock.lock();
    try {
      // The buffer's count and recordsFinished must agree: an acknowledgement takes its records out of the buffer
      // before it counts them, and a count read in between would set the target too low by that chunk (a later
      // count of it would then end this flush before the records it must wait for were delivered). So the count is
      // read under the lock, with no acknowledgement in between (each is short: one durable write).
      while (acknowledging > 0 && !workerDone) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        progress.awaitNanos(left);
      }
      target = recordsFinished + bufferedRecords();
      startedBefore = passesStarted;
      wakeRequested = true;
      wake.signalAll();
      while (lastEmptyPass <= startedBefore) {
        if (recordsFinished >= target) {
          // Finished records may include some that the count above did not: records of a chunk in flight that
          // DROP_OLDEST evicted from the buffer, then delivered. The buffer is first in, first out: what was in it
          // when flush was called is gone once it holds no more than what was accepted since.
          lock.unlock();
          boolean drained;
          try {
            drained = bufferedRecords() <= accepted.sum() - acceptedBefore;
          } finally {
            lock.lock();
          }
          if (drained) {
            return true;
          }
          target = recordsFinished + 1;
          continue;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || workerDone) {
          return false;
        }
        progress.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops {@code send}, lets the uploader push what it can until {@code timeout} has passed (a retry wait that would
   * end after that ends at once), then stops the uploader and closes the buffer, the transport and the resources
   * given to {@link #create}.
   *
   * <p><b>A request in flight at the deadline</b> (which could otherwise run until the HTTP call timeout, minutes)
   * is cancelled: it fails at once, the upload of its chunk ends as {@link UploadResult.Outcome#DEFERRED} without
   * counting a retry or giving anything up, and the chunk is {@linkplain DiskBuffer#release released}, not
   * acknowledged. Its records stay in the buffer and the next client on the same buffer directory sends them; the
   * service may have received the cancelled request, so some may arrive twice (at least once, never lost). The
   * uploader thread then ends and the buffer is closed before this method returns, at most {@link #CANCEL_GRACE}
   * after the timeout; a new client on the same directory can be opened right away in this JVM.
   *
   * <p>If the uploader still has not stopped after that grace (a listener that does not return, a buffer write that
   * hangs), close returns anyway: the buffer is forced to disk before it returns, and the uploader thread closes it
   * when it stops. Called from a listener on the uploader thread, close cannot wait for itself: it stops
   * {@code send}, forces the buffer and returns {@code false} at once.
   *
   * @param timeout how long to push at most
   * @return {@code true} when the buffer was empty at the end; {@code false} when records stay in it (for the next
   *     client on the same buffer), also when close was called from a listener on the uploader thread
   */
  @Override
  public boolean close(Duration timeout) {
    Boolean done = closeResult;
    if (done != null) {
      return done;
    }
    synchronized (this) {
      if (closeResult != null) {
        return closeResult;
      }
      closed = true;
      boolean onWorker = Thread.currentThread() == worker;
      long deadline = System.nanoTime() + timeout.toNanos();
      uploader.deadline(clock.instant().plus(timeout));
      lock.lock();
      try {
        closing = true;
        wakeRequested = true;
        wake.signalAll();
      } finally {
        lock.unlock();
      }
      if (onWorker) {
        // Called from a listener on the uploader thread: it cannot wait for itself. The upload in progress ends as
        // soon as the listener returns, and the uploader closes the buffer when it stops.
        uploader.close();
      } else {
        awaitWorker(deadline);
        uploader.close();
        if (worker.isAlive()) {
          // The deadline passed with the uploader busy, usually in a request that may run until the call timeout.
          // Cancelled, it fails at once; the upload is deferred (the chunk released, not acknowledged) and the
          // uploader stops, so the buffer can be closed here.
          int cancelled = requests.cancel();
          LOG.debug("close: deadline reached; cancelled {} request(s) in flight", cancelled);
          awaitWorker(System.nanoTime() + CANCEL_GRACE.toNanos());
        }
      }
      boolean empty;
      lock.lock();
      try {
        if (!workerDone) {
          workerOwnsBufferClose = true;
          if (onWorker) {
            LOG.debug("close() called on the uploader thread (from a listener); the uploader closes the buffer "
                + "when it stops");
          } else {
            LOG.warn("The uploader did not stop within {} after close's deadline, although its request was "
                + "cancelled (a listener or the buffer still busy?); the buffer is closed when it stops",
                CANCEL_GRACE);
          }
          empty = false;
        } else {
          empty = bufferedRecords() == 0;
        }
      } finally {
        lock.unlock();
      }
      // Forced in every case, also when a request is still in flight and the uploader closes the buffer later: what
      // send() accepted is on disk when close returns.
      try {
        buffer.sync();
      } catch (RuntimeException e) {
        LOG.warn("Forcing the buffer to disk while closing failed: {}", e.getMessage(), e);
      }
      if (!workerOwnsBufferClose) {
        try {
          finalBuffered = new long[] {buffer.recordCount(), buffer.recordBytes()};
        } catch (LogAnalyticsException e) {
          LOG.debug("The buffer could not be measured before closing", e);
        }
        closeResources();
      }
      closeResult = empty;
      return empty;
    }
  }

  /** Waits for the uploader thread until the deadline (System.nanoTime()); keeps an interrupt. */
  private void awaitWorker(long deadline) {
    try {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeResources() {
    try {
      buffer.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the buffer failed", e);
    }
    try {
      transport.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the transport failed", e);
    }
    for (AutoCloseable c : ownedResources) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed", c, e);
      }
    }
  }

  private long bufferedRecords() {
    try {
      return buffer.recordCount();
    } catch (LogAnalyticsException e) {
      return 0;
    }
  }

  @Override
  public ClientStats stats() {
    Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    dropped.forEach((r, n) -> drops.put(r, n.sum()));
    long records = finalBuffered[0];
    long bytes = finalBuffered[1];
    Duration oldestAge = null;
    if (closeResult == null || workerOwnsBufferClose) {
      try {
        records = buffer.recordCount();
        bytes = buffer.recordBytes();
        Optional<Instant> oldest = buffer.oldestAppendTime();
        if (oldest.isPresent()) {
          Duration age = Duration.between(oldest.get(), clock.instant());
          oldestAge = age.isNegative() ? Duration.ZERO : age;
        }
      } catch (LogAnalyticsException e) {
        LOG.debug("The buffer could not be read for stats", e);
      }
    }
    return new ClientStats(accepted.sum(), counters.recordsDelivered(), drops, counters.bytesDelivered(),
        counters.requests(), counters.retries(), counters.lastSuccess(), oldestAge, records, bytes,
        transport.certificateExpiry().orElse(null), counters.lastError(), counters.lastErrorTime())
        .withCredentialExpiry(transport.credentialExpiry().orElse(null));
  }

  private void runWorker() {
    RetryPolicy policy = config.retryPolicy();
    long interval = policy.uploadInterval().toNanos();
    int identityFailures = 0;
    int failuresInARow = 0;
    HttpCancellation.Binding binding = requests.bindCurrentThread();
    try {
      while (true) {
        boolean stopping;
        lock.lock();
        try {
          long left = identityFailures == 0 ? interval
              : policy.backoff(Math.min(identityFailures, 64), random.getAsDouble()).toNanos();
          // While there is no identity, a flush does not cut the backoff short; close does.
          while ((!wakeRequested || identityFailures > 0) && !closing && left > 0) {
            left = wake.awaitNanos(left);
          }
          stopping = closing;
        } finally {
          lock.unlock();
        }
        if (stopping && identityFailures > 0) {
          return; // nothing can be sent without an identity; the records stay on disk
        }
        if (!hasIdentity()) {
          identityFailures++;
          if (stopping) {
            return;
          }
          continue;
        }
        identityFailures = 0;
        long pass;
        lock.lock();
        try {
          wakeRequested = false;
          pass = ++passesStarted;
        } finally {
          lock.unlock();
        }
        bytesSinceWake.set(0);
        boolean emptied = false;
        Throwable failure = null;
        try {
          emptied = pass();
          failuresInARow = 0;
        } catch (ClientClosedException e) {
          LOG.warn("The buffer was closed while the client is open; the uploader stops");
          return;
        } catch (Throwable t) { // the thread must survive anything a pass throws, or sending silently stalls
          failure = t;
          failuresInARow++;
        }
        lock.lock();
        try {
          if (emptied) {
            lastEmptyPass = pass;
          }
          progress.signalAll();
          if (closing) {
            return;
          }
        } finally {
          lock.unlock();
        }
        if (failure != null) {
          backOff(failuresInARow, failure);
        }
      }
    } catch (InterruptedException e) {
      LOG.debug("Uploader thread interrupted; stopping");
    } finally {
      binding.close();
      awaitAcknowledgement();
      acknowledger.shutdown();
      boolean closeBuffer;
      lock.lock();
      try {
        workerDone = true;
        progress.signalAll();
        closeBuffer = workerOwnsBufferClose;
      } finally {
        lock.unlock();
      }
      if (closeBuffer) {
        closeResources();
      }
    }
  }

  /** Asks the agent session for its identity; an unexpected failure counts as "not yet", not as the thread's end. */
  private boolean hasIdentity() {
    try {
      if (identity.getAsBoolean()) {
        return true;
      }
      identityFailure.get().ifPresent(f -> counters.failed("onboarding failed: " + f, clock.instant()));
      return false;
    } catch (RuntimeException e) {
      LOG.error("Obtaining the agent identity failed unexpectedly; trying again after the backoff", e);
      return false;
    }
  }

  /**
   * After a pass failed unexpectedly: logs it, waits (on the injected sleeper, which closing wakes) as the retry
   * policy's backoff for that many failures in a row, then asks for a new pass.
   */
  private void backOff(int failuresInARow, Throwable failure) throws InterruptedException {
    double r = random.getAsDouble();
    Duration wait = config.retryPolicy().backoff(Math.min(failuresInARow, MAX_FAILURE_STEP),
        r < 0 ? 0 : Math.min(r, 1.0));
    LOG.error("An upload pass failed unexpectedly ({} in a row); the uploader tries again in {}", failuresInARow,
        wait, failure);
    boolean ignored = sleeper.sleep(wait); // woken early only by close(), which the next pass sees
    requestPass();
  }

  /** One pass: upload chunks until the buffer is empty (true) or an upload is deferred or fails (false). */
  private boolean pass() {
    boolean emptied = false;
    try {
      emptied = uploadUntilEmpty();
    } finally {
      boolean acknowledged = awaitAcknowledgement();
      emptied = emptied && acknowledged;
    }
    return emptied;
  }

  private boolean uploadUntilEmpty() {
    Optional<Chunk> next;
    try {
      next = readChunk();
    } catch (LogAnalyticsException e) {
      reportBufferProblem("reading", e);
      return false;
    }
    while (true) {
      if (next.isEmpty()) {
        return true;
      }
      Chunk chunk = next.get();
      UploadResult result;
      try {
        result = uploader.upload(chunk);
      } catch (RuntimeException e) {
        int failures = chunk.firstSequence() == failingChunk ? failingChunkUploads + 1 : 1;
        failingChunk = chunk.firstSequence();
        failingChunkUploads = failures;
        int maxRetries = config.retryPolicy().maxRetries();
        if (failures <= maxRetries) {
          // A failed try: released, and the worker backs off (policy backoff) before the next pass.
          release(chunk);
          throw e;
        }
        LOG.error("Uploading a chunk failed unexpectedly {} times; giving it up", failures, e);
        result = uploader.giveUp(chunk, DropReason.REJECTED, "uploading failed unexpectedly " + failures
            + " times (the retry policy allows " + maxRetries + " retries); last: " + e);
      }
      if (result.outcome() == UploadResult.Outcome.DEFERRED) {
        release(chunk);
        return false;
      }
      // The previous chunk's acknowledgement ran while this one was uploaded; at most one is in flight.
      boolean previousAcknowledged = awaitAcknowledgement();
      if (!previousAcknowledged) {
        pendingAck = acknowledger.submit(() -> acknowledge(chunk));
        return false;
      }
      // The next chunk is read before this one is acknowledged: when there is none, nothing would run beside the
      // acknowledgement, so the uploader makes it itself (a flush waiting for it is spared a hand-off to the
      // acknowledger thread and back); otherwise it goes to the acknowledger and runs beside the next upload.
      try {
        next = readChunk();
      } catch (LogAnalyticsException e) {
        pendingAck = acknowledger.submit(() -> acknowledge(chunk));
        reportBufferProblem("reading", e);
        return false;
      }
      if (next.isEmpty()) {
        return acknowledge(chunk);
      }
      pendingAck = acknowledger.submit(() -> acknowledge(chunk));
    }
  }

  private Optional<Chunk> readChunk() {
    return buffer.read((long) maxRequestBytes * REQUESTS_PER_CHUNK, MAX_RECORDS_PER_CHUNK);
  }

  /** On the acknowledger thread: removes a finished chunk from the buffer and counts it for {@link #flush}. */
  private boolean acknowledge(Chunk chunk) {
    lock.lock();
    try {
      acknowledging++;
    } finally {
      lock.unlock();
    }
    boolean acknowledged = false;
    try {
      buffer.acknowledge(chunk);
      acknowledged = true;
    } catch (LogAnalyticsException e) {
      reportBufferProblem("acknowledging", e);
      release(chunk);
    } catch (RuntimeException e) {
      LOG.error("Acknowledging a chunk failed unexpectedly; it stays in the buffer", e);
      release(chunk);
    } finally {
      lock.lock();
      try {
        acknowledging--;
        if (acknowledged) {
          recordsFinished += chunk.recordCount();
        }
        progress.signalAll();
      } finally {
        lock.unlock();
      }
    }
    return acknowledged;
  }

  /** On the uploader thread: waits for the acknowledgement in flight, if any; false when it failed. */
  private boolean awaitAcknowledgement() {
    Future<Boolean> ack = pendingAck;
    if (ack == null) {
      return true;
    }
    pendingAck = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return ack.get();
        } catch (InterruptedException e) {
          interrupted = true; // the acknowledgement is short and must end before the buffer may close
        } catch (ExecutionException e) {
          LOG.error("Acknowledging a chunk failed unexpectedly", e.getCause());
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void release(Chunk chunk) {
    try {
      buffer.release(chunk);
    } catch (RuntimeException e) {
      LOG.warn("Releasing a chunk failed; it is read again at the next start", e);
    }
  }

  private void reportBufferProblem(String what, LogAnalyticsException e) {
    if (e instanceof ClientClosedException) {
      throw (ClientClosedException) e; // the worker stops
    }
    // The buffer reports its own failures to the listener (onBufferError); the uploader only logs and tries again
    // at the next pass.
    LOG.warn("The buffer failed while {}: {}", what, e.getMessage());
  }

  @Override
  public String toString() {
    return "DefaultLogAnalyticsClient{" + transport + ", buffer=" + config.bufferOptions() + "}";
  }
}
