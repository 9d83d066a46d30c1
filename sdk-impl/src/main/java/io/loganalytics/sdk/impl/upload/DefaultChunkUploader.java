package io.loganalytics.sdk.impl.upload;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.GiveUpAction;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.UploadResult;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
import io.loganalytics.sdk.impl.json.DeadLetterWriter;
import io.loganalytics.sdk.impl.json.RecordFormat;
import io.loganalytics.sdk.impl.transport.CredentialUnavailableException;
import io.loganalytics.sdk.impl.transport.PreparedBody;
import io.loganalytics.sdk.impl.transport.UploadTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChunkUploader}: turns a chunk into requests, sends them through an {@link UploadTransport}, and applies
 * the status handling of PROTOCOL A2 under a {@link RetryPolicy}.
 *
 * <p><b>Requests.</b> A chunk's records are grouped by type (their {@linkplain RecordFormat record header}), one
 * type per request, groups in the order they first appear; a group is cut into requests of at most
 * {@code maxRequestBytes} of JSON (before compression; a record larger than that still goes alone). Every request
 * of the chunk carries the chunk's id as {@code X-Request-ID}, across retries, splits, and later uploads of the same
 * chunk, also after a restart: the id is the chunk's own {@link Chunk#requestId()} when it has one, else derived
 * from the buffer's identity and the chunk's first sequence number ({@link #chunkId}).
 *
 * <p><b>Statuses.</b>
 *
 * <ul>
 *   <li>2xx: delivered.
 *   <li>408, 429, every 5xx, other unexpected statuses (1xx, 3xx), and I/O errors: retried after the policy's wait
 *       for that retry with jitter from the injected random source, or after {@code Retry-After} (seconds or HTTP
 *       date) when the answer has one; either way at most {@link RetryPolicy#maxBackoff()}.
 *   <li>413, and a 404 whose body says the request is too large: the request is split in half and both halves are
 *       sent at once (recursively); a lone record that is still too large is given up as
 *       {@link DropReason#TOO_LARGE}.
 *   <li>401 and 403, and on the agent path an I/O error while the session's certificate has expired or a TLS
 *       handshake refused with an alert about our certificate: an {@link AuthenticationException} event every time
 *       (with the clock skew measured from {@code Date}), the transport switches keys (Data Collector) or tells the
 *       agent session (agent path), then a retry. These retries use <em>no</em> retry budget (PROTOCOL B8: data
 *       stays buffered while not authenticated; a regenerated key must not delete data): the waits grow as the
 *       policy's do up to {@link RetryPolicy#maxBackoff()} and stay there, and the request is retried until it
 *       succeeds or the uploader closes ({@link UploadResult.Outcome#DEFERRED}, the records stay in the buffer).
 *   <li>A 404 whose body does not say the request is too large: a wrong URL (PROTOCOL B8: do not retry blindly), so
 *       the records are given up at once as {@link DropReason#REJECTED}, with the status and the URL in the detail.
 *   <li>Any other 4xx: the request's records are given up at once as {@link DropReason#REJECTED} with the service's
 *       reason.
 *   <li>An unchecked exception while building or sending a request (a bug, or a value the HTTP client refuses): a
 *       failed try like an I/O error (backoff, counted as a retry); after the last retry the records are given up
 *       as {@link DropReason#REJECTED} with the exception in the detail.
 * </ul>
 *
 * <p><b>Retry schedule.</b> Each request has its own retry count; halves of a split inherit it. With the default
 * policy and a service that always fails, the tries are at t0, +30 s, +90 s, +210 s, +450 s, +930 s and +1890 s
 * (nominal, each wait spread by the jitter), and right after the seventh failure (the sixth retry) that request's
 * records are given up as {@link DropReason#RETRIES_EXHAUSTED}; the chunk's other requests (other types) are then
 * tried with their own retry counts, so only records that were actually tried and failed are given up. Requests
 * already delivered are never sent again within the upload (failure isolation between types).
 *
 * <p><b>Give-up.</b> Records are reported the moment they are given up (per request, not at the end of the upload,
 * so a later failure cannot lose the report) with {@link LogAnalyticsListener#onChunkGivenUp} and
 * {@link LogAnalyticsListener#onRecordsDropped}, and logged once at WARN (authentication failures are logged at
 * WARN at most every 5 minutes, DEBUG in between). With {@link GiveUpAction#DEAD_LETTER} the
 * records are first written to the dead-letter directory, one file per give-up (see {@link DeadLetterStore}); if
 * that write fails, nothing is given up: the upload ends at once as {@link UploadResult.Outcome#DEFERRED} (the caller
 * releases the chunk, which is tried again at a later pass), with a WARN and an
 * {@link LogAnalyticsListener#onBufferError} event naming the directory.
 *
 * <p><b>Stopping.</b> {@link #close()} wakes a wait at once and the upload returns
 * {@link UploadResult.Outcome#DEFERRED}; so does a wait that would end after the
 * {@linkplain #deadline(Instant) deadline}; so does a request that fails with an I/O error after {@link #close()} (the
 * client cancels the request in flight when its close deadline passes): that failure is not a try, it counts no
 * retry and gives nothing up. The uploader keeps no memory between uploads: requests already
 * delivered in one upload call are not sent again within it, but an upload of the released chunk (by the next client
 * on the buffer after a close, or at a later pass after a failed dead-letter write) sends the whole chunk again under
 * the same id: delivery is at least once.
 *
 * <p>Internal, not API. <b>Threading:</b> {@link #upload} is called by one thread at a time; {@link #close()} and
 * {@link #deadline(Instant)} from any thread.
 */
public final class DefaultChunkUploader implements ChunkUploader {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultChunkUploader.class);
  private static final Duration WARN_INTERVAL = Duration.ofMinutes(5);
  /** While uploads keep failing, at most one WARN this often (by the injected clock); the rest at DEBUG. */
  static final Duration FAILURE_WARN_INTERVAL = Duration.ofMinutes(1);
  /** Waits after authentication failures grow as the policy's do, up to this step (then stay at the maximum). */
  private static final int MAX_AUTH_BACKOFF_STEP = 64;

  private final UploadTransport transport;
  private final RetryPolicy policy;
  private final LogAnalyticsListener listener;
  private final int maxRequestBytes;
  private final Clock clock;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final UploadCounters counters;
  private final DeadLetterStore deadLetters;
  private final String bufferIdentity;

  private volatile boolean closed;
  private volatile Instant deadline;
  /** Authentication failures: WARN at most every {@link #WARN_INTERVAL} (by the clock), DEBUG in between. */
  private final ThrottledLogger authWarning;
  /** Failed tries: WARN at the first of a streak, then at most every {@link #FAILURE_WARN_INTERVAL}, DEBUG between. */
  private final ThrottledLogger failureWarning;
  // The current streak of failed tries (upload() runs on one thread at a time): when it began and how many.
  private Instant streakStart;
  private int streakFailures;

  /**
   * Creates an uploader with the system sleeper and random jitter.
   *
   * @param transport how requests are built and sent
   * @param policy waits, retries and give-up action
   * @param listener where events go (wrap a user's listener in {@link SafeListener})
   * @param maxRequestBytes the most JSON bytes per request, before compression
   * @param clock the clock for waits and deadlines
   * @param counters counters to update
   */
  public DefaultChunkUploader(UploadTransport transport, RetryPolicy policy, LogAnalyticsListener listener,
      int maxRequestBytes, Clock clock, UploadCounters counters) {
    this(transport, policy, listener, maxRequestBytes, clock, Sleeper.system(),
        () -> ThreadLocalRandom.current().nextDouble(), counters);
  }

  /**
   * Creates an uploader with an injected sleeper and jitter source (tests fix both).
   *
   * @param transport how requests are built and sent
   * @param policy waits, retries and give-up action
   * @param listener where events go
   * @param maxRequestBytes the most JSON bytes per request, before compression
   * @param clock the clock for waits and deadlines
   * @param sleeper waits between tries
   * @param random values in [0, 1) spreading each wait by the policy's jitter
   * @param counters counters to update
   */
  public DefaultChunkUploader(UploadTransport transport, RetryPolicy policy, LogAnalyticsListener listener,
      int maxRequestBytes, Clock clock, Sleeper sleeper, DoubleSupplier random, UploadCounters counters) {
    this(transport, policy, listener, maxRequestBytes, clock, sleeper, random, counters, "");
  }

  /**
   * Creates an uploader whose chunk ids are derived from a buffer's identity (see {@link #chunkId}).
   *
   * @param transport how requests are built and sent
   * @param policy waits, retries and give-up action
   * @param listener where events go
   * @param maxRequestBytes the most JSON bytes per request, before compression
   * @param clock the clock for waits and deadlines
   * @param sleeper waits between tries
   * @param random values in [0, 1) spreading each wait by the policy's jitter
   * @param counters counters to update
   * @param bufferIdentity what identifies the buffer the chunks come from (its directory's absolute path), so that
   *     the same chunk gets the same id after a restart
   */
  public DefaultChunkUploader(UploadTransport transport, RetryPolicy policy, LogAnalyticsListener listener,
      int maxRequestBytes, Clock clock, Sleeper sleeper, DoubleSupplier random, UploadCounters counters,
      String bufferIdentity) {
    this.bufferIdentity = Objects.requireNonNull(bufferIdentity, "bufferIdentity");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.maxRequestBytes = maxRequestBytes;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.authWarning = new ThrottledLogger(LOG, this.clock, WARN_INTERVAL);
    this.failureWarning = new ThrottledLogger(LOG, this.clock, FAILURE_WARN_INTERVAL);
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.deadLetters = policy.giveUpAction() == GiveUpAction.DEAD_LETTER
        ? new DeadLetterStore(policy.deadLetterDirectory().orElseThrow()) : null;
  }

  /**
   * Sets (or clears) a deadline: a wait that would end after it is not started (or is ended) and the upload returns
   * {@link UploadResult.Outcome#DEFERRED}. Used by {@code close(Duration)}.
   *
   * @param deadline the deadline, or {@code null} for none
   */
  public void deadline(Instant deadline) {
    this.deadline = deadline;
    sleeper.wakeUp();
  }

  @Override
  public void close() {
    closed = true;
    sleeper.wakeUp();
  }

  /**
   * The id of a chunk: a name-based (version 3) UUID of the buffer's identity and the chunk's first sequence number.
   * It is the same for every upload of the chunk, in this process or after a restart, so a resend after a crash
   * carries the id of the first send.
   *
   * @param bufferIdentity the buffer's identity ({@code ""} when unknown)
   * @param firstSequence the chunk's first sequence number
   * @return the id
   */
  static String chunkId(String bufferIdentity, long firstSequence) {
    return UUID.nameUUIDFromBytes((bufferIdentity + "#" + firstSequence).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The chunk's own {@link Chunk#requestId()}, else the id derived from the buffer and first sequence. */
  private String idOf(Chunk chunk) {
    return chunk.requestId().map(UUID::toString).orElseGet(() -> chunkId(bufferIdentity, chunk.firstSequence()));
  }

  @Override
  public UploadResult upload(Chunk chunk) {
    return new Run(chunk, idOf(chunk)).execute();
  }

  /**
   * Gives a whole chunk up without sending it, reported like any give-up (events, one WARN, the dead-letter file
   * when the policy says so). The client uses it for a chunk whose uploads keep failing in an unexpected way.
   *
   * @param chunk the chunk
   * @param reason why
   * @param detail what happened, for the events and the log
   * @return {@link UploadResult.Outcome#GIVEN_UP}, or {@link UploadResult.Outcome#DEFERRED} when the dead-letter
   *     file could not be written (nothing was given up then)
   */
  public UploadResult giveUp(Chunk chunk, DropReason reason, String detail) {
    Run run = new Run(chunk, idOf(chunk));
    List<Integer> all = new ArrayList<>(chunk.recordCount());
    for (int i = 0; i < chunk.recordCount(); i++) {
      all.add(i);
    }
    run.giveUp(all, chunk.records(), reason, detail);
    return run.result();
  }

  /** Records of one type, sent in one request. */
  private static final class Batch {
    final String type;
    final String ipName;
    final List<Integer> indices;
    final List<byte[]> records;
    /** Failed tries counted against {@link RetryPolicy#maxRetries()}. */
    int retries;
    /** Authentication failures: retried without end, not counted against the policy's retries. */
    int authFailures;
    /** Whether a 401 already made the transport drop its token for this request (done once, then the usual path). */
    boolean tokenRefreshed;

    Batch(String type, String ipName, List<Integer> indices, List<byte[]> records, int retries) {
      this.type = type;
      this.ipName = ipName;
      this.indices = indices;
      this.records = records;
      this.retries = retries;
    }
  }

  /** One call of {@link #upload}. */
  private final class Run {
    private final Chunk chunk;
    private final String chunkId;
    private int attempts;
    private int delivered;
    private int givenUp;
    /** The reason and detail of the first give-up, for the result. */
    private String giveUpReason;
    private String deferReason;
    /** The body being sent, for advice naming its stream. */
    private PreparedBody currentBody;
    /** Index in the chunk of each record given up, and why. */
    private final Map<Integer, String> givenUpIndices = new HashMap<>();

    Run(Chunk chunk, String chunkId) {
      this.chunk = chunk;
      this.chunkId = chunkId;
    }

    UploadResult execute() {
      Deque<Batch> queue = plan();
      while (!queue.isEmpty() && deferReason == null) {
        Batch b = queue.pollFirst();
        sendBatch(b, queue);
      }
      return result();
    }

    UploadResult result() {
      if (deferReason != null) {
        LOG.debug("Chunk {} deferred: {}", chunkId, deferReason);
        return new UploadResult(chunkId, UploadResult.Outcome.DEFERRED, attempts, delivered, givenUp,
            deferReason, givenUpIndices);
      }
      if (givenUp == 0) {
        return new UploadResult(chunkId, UploadResult.Outcome.DELIVERED, attempts, delivered, 0, null);
      }
      return new UploadResult(chunkId, UploadResult.Outcome.GIVEN_UP, attempts, delivered, givenUp, giveUpReason,
          givenUpIndices);
    }

    /** Groups the records by header, then cuts each group to the request size; unreadable records are given up. */
    private Deque<Batch> plan() {
      Map<String, List<Integer>> groups = new LinkedHashMap<>();
      List<byte[]> records = chunk.records();
      byte[] previous = null;
      int previousHeader = -1;
      List<Integer> current = null;
      List<byte[]> unreadable = new ArrayList<>();
      List<Integer> unreadableIndices = new ArrayList<>();
      String unreadableDetail = null;
      for (int i = 0; i < records.size(); i++) {
        byte[] r = records.get(i);
        int header;
        try {
          header = RecordFormat.headerLength(r);
        } catch (IllegalArgumentException e) {
          unreadable.add(r);
          unreadableIndices.add(i);
          if (unreadableDetail == null) {
            unreadableDetail = "the buffered record cannot be read: " + e.getMessage();
          }
          continue;
        }
        // Records of a chunk nearly always share one header: reuse the previous group without building a key.
        if (previous == null || previousHeader != header || !Arrays.equals(r, 0, header, previous, 0, header)) {
          String key = new String(r, 0, header, StandardCharsets.ISO_8859_1);
          int expected = groups.isEmpty() ? records.size() - i : 16; // the first group usually holds them all
          current = groups.computeIfAbsent(key, k -> new ArrayList<>(expected));
          previous = r;
          previousHeader = header;
        }
        current.add(i);
      }
      if (!unreadable.isEmpty()) {
        giveUp(unreadableIndices, unreadable, DropReason.REJECTED, unreadableDetail);
      }
      Deque<Batch> batches = new ArrayDeque<>();
      for (List<Integer> group : groups.values()) {
        byte[] first = records.get(group.get(0));
        String type = RecordFormat.type(first);
        String ipName = RecordFormat.ipName(first);
        long envelope = transport.envelopeBytes(type, ipName);
        List<Integer> idx = new ArrayList<>();
        List<byte[]> recs = new ArrayList<>();
        long size = envelope;
        for (int i : group) {
          byte[] r = records.get(i);
          long add = r.length - RecordFormat.headerLength(r) + (recs.isEmpty() ? 0 : 1);
          if (!recs.isEmpty() && size + add > maxRequestBytes) {
            batches.add(new Batch(type, ipName, idx, recs, 0));
            idx = new ArrayList<>();
            recs = new ArrayList<>();
            size = envelope;
            add -= 1;
          }
          idx.add(i);
          recs.add(r);
          size += add;
        }
        batches.add(new Batch(type, ipName, idx, recs, 0));
      }
      return batches;
    }

    private void sendBatch(Batch b, Deque<Batch> queue) {
      PreparedBody body = null;
      while (true) {
        if (closed || Thread.currentThread().isInterrupted()) {
          queue.addFirst(b);
          deferReason = closed ? "the uploader is closing" : "the upload thread was interrupted";
          return;
        }
        attempts++;
        counters.request();
        HttpResponse response = null;
        String cause;
        boolean unexpected = false;
        boolean auth = false;
        try {
          if (body == null) {
            body = transport.prepare(b.type, b.ipName, b.records);
          }
          currentBody = body;
          response = transport.send(body, chunkId, b.retries + b.authFailures);
          cause = describe(response);
        } catch (IOException e) {
          if (closed) {
            // Most likely close(Duration) cancelled this request at its deadline: not a failed try (no retry is
            // counted, nothing is given up); the records stay in the buffer for the next client.
            queue.addFirst(b);
            deferReason = "the uploader is closing (the request in flight ended: " + e.getMessage() + ")";
            return;
          }
          if (e instanceof CredentialUnavailableException) {
            // No token could be had: nothing was sent. Like a refusal: no retry budget, the records stay buffered.
            LogAnalyticsException failure = ((CredentialUnavailableException) e).failure();
            cause = "no access token: " + failure.getMessage();
            tokenFailure(failure, body);
            failure(cause, true);
            b.authFailures++;
            int step = Math.min(b.authFailures, MAX_AUTH_BACKOFF_STEP);
            Duration wait = policy.backoff(step, jitter());
            counters.retry();
            LOG.debug("Chunk {}: {}; retry in {}", chunkId, cause, wait);
            listener.onRetryScheduled(chunkId, b.retries + b.authFailures, wait, cause);
            String stop = waitFor(wait);
            if (stop != null) {
              queue.addFirst(b);
              deferReason = stop;
              return;
            }
            continue;
          }
          cause = "I/O error: " + e;
          if (refusesOurCertificate(e)) {
            authenticationFailure(0, null, cause, e);
            auth = true;
          }
        } catch (RuntimeException e) {
          // A bug, or a setting the HTTP client refuses (such as a header value it does not allow): a failed try
          // like any other, so the chunk backs off and is given up in the end instead of stalling the pipeline.
          unexpected = true;
          cause = "unexpected error: " + e;
          if (b.retries == 0) {
            LOG.warn("Chunk {}: building or sending a request failed unexpectedly; retried under the policy",
                chunkId, e);
          }
        }
        if (response == null) {
          failure(cause, auth || unexpected && b.retries == 0);
        }
        if (response != null && response.isSuccessful()) {
          b.tokenRefreshed = false;
        }
        Optional<Duration> retryAfter = Optional.empty();
        if (response != null) {
          observeClock(response);
          int status = response.status();
          if (response.isSuccessful()) {
            delivered(b, body);
            return;
          }
          if (status != 413 && !Responses.isTooLarge404(response)) {
            // Refusals and give-ups log their own WARN; a status that is retried is announced here.
            failure(cause, status == 401 || status == 403 || (status >= 400 && status < 500 && status != 408
                && status != 429));
          }
          if (status == 413 || Responses.isTooLarge404(response)) {
            if (b.records.size() > 1) {
              LOG.debug("Chunk {}: {} for {} records; splitting in half", chunkId, status, b.records.size());
              int half = b.records.size() / 2;
              queue.addFirst(new Batch(b.type, b.ipName, b.indices.subList(half, b.indices.size()),
                  b.records.subList(half, b.records.size()), b.retries));
              queue.addFirst(new Batch(b.type, b.ipName, b.indices.subList(0, half), b.records.subList(0, half),
                  b.retries));
            } else {
              giveUp(b, DropReason.TOO_LARGE, "a single record of " + b.records.get(0).length + " bytes is too "
                  + "large for the service (" + cause + ")");
            }
            return;
          }
          if (status == 404) {
            // PROTOCOL B8: a 404 that is not about size is a wrong URL; retrying it blindly only delays the report.
            String advice = transport.notFoundAdvice(body);
            giveUp(b, DropReason.REJECTED, "the service answered " + cause + " from " + transport + ": "
                + (advice != null ? advice : "the URL is wrong (check the workspace ID and the cloud)"));
            return;
          }
          if (status == 401 && !b.tokenRefreshed && transport.credentialExpiry().isPresent()) {
            // A bearer token may have been revoked or expired early: drop it and try once more at once, without
            // using the retry budget (LOGS-INGESTION §2d); a second 401 takes the usual refusal path.
            b.tokenRefreshed = true;
            String action = transport.onAuthenticationFailure(401);
            LOG.debug("Chunk {}: {}; {}", chunkId, cause, action);
            continue;
          }
          if (status == 401 || status == 403) {
            authenticationFailure(status, response, cause, null);
            auth = true;
          } else if (status >= 400 && status < 500 && status != 404 && status != 408 && status != 429) {
            giveUp(b, DropReason.REJECTED, "the service refused the records for good: " + cause);
            return;
          }
          retryAfter = Responses.retryAfter(response, transport.clockSkew().correctedClock().instant());
        }
        Duration wait;
        if (auth) {
          // PROTOCOL B8: data stays buffered while we are not authenticated (a regenerated key must not delete
          // data): no retry budget is used; the waits follow the policy up to its maximum and stay there.
          b.authFailures++;
          int step = Math.min(b.authFailures, MAX_AUTH_BACKOFF_STEP);
          wait = retryAfter.map(this::capped).orElseGet(() -> policy.backoff(step, jitter()));
        } else {
          if (b.retries >= policy.maxRetries()) {
            String detail = "no success after " + (b.retries + 1) + " tries; last: " + cause;
            // Only this request's records: the other requests of the chunk were not tried yet and get their own
            // tries.
            giveUp(b, unexpected ? DropReason.REJECTED : DropReason.RETRIES_EXHAUSTED, detail);
            return;
          }
          b.retries++;
          wait = retryAfter.map(this::capped).orElseGet(() -> policy.backoff(b.retries, jitter()));
        }
        counters.retry();
        int retry = b.retries + b.authFailures;
        LOG.debug("Chunk {}: {}; retry {} ({} of {} counted, {} after authentication failures) in {}", chunkId,
            cause, retry, b.retries, policy.maxRetries(), b.authFailures, wait);
        listener.onRetryScheduled(chunkId, retry, wait, cause);
        String stop = waitFor(wait);
        if (stop != null) {
          queue.addFirst(b);
          deferReason = stop;
          return;
        }
      }
    }

    private Duration capped(Duration d) {
      return d.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : d;
    }

    private double jitter() {
      double r = random.getAsDouble();
      return r < 0 ? 0 : Math.min(r, 1.0);
    }

    /** @return {@code null} when the whole wait passed, else why it was cut short */
    private String waitFor(Duration wait) {
      Instant end = clock.instant().plus(wait);
      while (true) {
        if (closed) {
          return "the uploader is closing";
        }
        Duration remaining = Duration.between(clock.instant(), end);
        if (remaining.isZero() || remaining.isNegative()) {
          return null;
        }
        Instant dl = deadline;
        if (dl != null && end.isAfter(dl)) {
          return "the next try (at " + end + ") would come after the deadline " + dl;
        }
        try {
          if (sleeper.sleep(remaining)) {
            return null;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "the upload thread was interrupted";
        }
      }
    }

    private void observeClock(HttpResponse response) {
      ClockSkew skew = transport.clockSkew();
      skew.observe(response.header("Date").orElse(null)).ifPresent(offset -> {
        LOG.warn("The service's clock differs from ours by {}; signing with corrected time", offset);
        listener.onClockSkewDetected(offset);
      });
    }

    /**
     * On the agent path, whether an I/O error means the service does not accept our certificate: it has expired
     * (by the session's expiry), or the TLS handshake failed with an alert about it.
     */
    private boolean refusesOurCertificate(IOException e) {
      Optional<Instant> expiry = transport.certificateExpiry();
      return expiry.isPresent() && (!expiry.get().isAfter(clock.instant()) || Responses.isCertificateRefusal(e));
    }

    /**
     * Reports a refusal of our credentials: a 401/403 answer, or (status 0, no answer) a TLS refusal of the agent
     * certificate. Logged at WARN at most every {@link #WARN_INTERVAL}, DEBUG in between; the event every time.
     */
    private void authenticationFailure(int status, HttpResponse response, String cause, Throwable error) {
      String action = transport.onAuthenticationFailure(status);
      Duration skew = response != null && response.header("Date").isPresent()
          ? transport.clockSkew().offset() : null;
      String reason = response != null ? Responses.reason(response) : null;
      String advice = response != null ? transport.authenticationAdvice(status, reason, currentBody) : null;
      StringBuilder msg = new StringBuilder(response != null ? "The workspace refused the credentials ("
          : "The service refused the agent certificate (").append(cause)
          .append(", request ").append(chunkId).append("). ");
      if (advice != null) {
        msg.append(advice);
      } else if (response != null) {
        msg.append("Check the workspace ID and key (regenerated keys are a common cause; a new permission can take "
            + "30 minutes to apply)");
      } else {
        msg.append("Check the certificate's expiry and the agent's registration");
      }
      if (skew != null && skew.abs().compareTo(ClockSkew.THRESHOLD) >= 0) {
        msg.append(". This looks like clock skew: the service's clock is ").append(skew)
            .append(" off ours; signatures now use the corrected time");
      } else if (advice == null) {
        // Completes "Check the workspace ID and key ..." / "Check the certificate's expiry ..."; a transport's
        // advice is a sentence of its own.
        msg.append(" and the system clock");
      }
      msg.append(". ").append(capitalized(action))
          .append(". The records stay buffered and are retried until it is fixed.");
      AuthenticationException e = new AuthenticationException(msg.toString(), status,
          reason, chunkId, skew, true, error);
      authWarning.warn(1, "{}", e.getMessage());
      listener.onAuthenticationFailure(e);
    }

    /**
     * Reports that no access token could be had (Logs Ingestion): logged like a refusal (WARN at most every
     * {@link #WARN_INTERVAL}) and sent as an {@link AuthenticationException} event whose cause is the token failure.
     */
    private void tokenFailure(LogAnalyticsException failure, PreparedBody body) {
      String advice = transport.authenticationAdvice(0, null, body);
      String msg = (advice != null ? advice + ". " : "") + failure.getMessage() + " (request " + chunkId + "). "
          + "The records stay buffered and are retried until it is fixed.";
      int status = failure instanceof ServiceException ? ((ServiceException) failure).status() : 0;
      String reason = failure instanceof ServiceException ? ((ServiceException) failure).reason() : null;
      AuthenticationException e = new AuthenticationException(msg, status, reason, chunkId, null,
          failure.isRetryable(), failure);
      authWarning.warn(1, "{}", msg);
      listener.onAuthenticationFailure(e);
    }

    private void delivered(Batch b, PreparedBody body) {
      recovered();
      delivered += b.records.size();
      counters.delivered(b.records.size(), body.bytes().length, clock.instant());
      int attempt = b.retries + b.authFailures + 1;
      LOG.debug("Chunk {}: {} records of {} delivered ({} bytes, try {})", chunkId, b.records.size(), b.type,
          body.bytes().length, attempt);
      listener.onChunkDelivered(chunkId, b.records.size(), body.bytes().length, attempt);
    }

    private void giveUp(Batch b, DropReason reason, String detail) {
      giveUp(b.indices, b.records, reason, detail);
    }

    /**
     * Gives records up and reports them at once (not at the end of the upload, so that nothing given up can go
     * unreported when a later request of the chunk fails in an unexpected way): writes the dead-letter file when the
     * policy says so, then logs once at WARN and sends the events. When that write fails nothing is given up: the
     * upload stops and is deferred.
     */
    private void giveUp(List<Integer> indices, List<byte[]> records, DropReason reason, String detail) {
      Path file = null;
      if (deadLetters != null) {
        List<DeadLetterWriter.Entry> entries = new ArrayList<>(records.size());
        for (byte[] r : records) {
          entries.add(new DeadLetterWriter.Entry(r, reason.name(), detail));
        }
        try {
          file = deadLetters.write(chunkId, chunk.firstSequence(), clock.instant(), entries);
        } catch (IOException | RuntimeException e) {
          // The policy says keep them: they must not be discarded. The chunk goes back to the buffer and is tried
          // again at a later pass (what was delivered meanwhile is sent again: at least once).
          Path dir = policy.deadLetterDirectory().orElseThrow();
          deferReason = "writing the dead-letter file in " + dir + " failed (" + e + "); " + records.size()
              + " records to give up (" + reason + ") stay in the buffer and are tried again later";
          LOG.warn("Chunk {}: {}", chunkId, deferReason);
          listener.onBufferError(new BufferException(dir, "Chunk " + chunkId + ": " + deferReason, true, e));
          return;
        }
      }
      long bytes = 0;
      for (byte[] r : records) {
        bytes += r.length;
      }
      givenUp += records.size();
      String why = reason + ": " + detail;
      for (int i : indices) {
        givenUpIndices.put(i, why);
      }
      if (giveUpReason == null) {
        giveUpReason = reason + ": " + detail;
      }
      String fullDetail = "chunk " + chunkId + ": " + detail
          + (file != null ? "; written to " + file : "; discarded");
      LOG.warn("Gave up {} records ({}): {}", records.size(), reason, fullDetail);
      listener.onChunkGivenUp(chunkId, records.size(), reason, file);
      listener.onRecordsDropped(reason, records.size(), bytes, fullDetail);
    }
  }

  /**
   * A failed try: noted in the counters as the last error; the first of a streak is logged at WARN with its cause,
   * later ones at most once per {@link #FAILURE_WARN_INTERVAL} with the count (DEBUG in between).
   *
   * @param cause what failed, without secrets
   * @param loggedElsewhere whether the failure already has its own WARN (a refusal, a give-up), so none is added
   */
  private void failure(String cause, boolean loggedElsewhere) {
    Instant now = clock.instant();
    counters.failed(cause, now);
    streakFailures++;
    if (streakStart == null) {
      streakStart = now;
      failureWarning.restart(loggedElsewhere);
      if (!loggedElsewhere) {
        failureWarning.warn(0, "Uploads to {} are failing: {}; the records stay buffered and are retried", transport,
            cause);
      }
      return;
    }
    if (loggedElsewhere) {
      failureWarning.count(1);
      LOG.debug("Uploads to {} failed again ({} failed tries since {}): {}", transport, streakFailures, streakStart,
          cause);
      return;
    }
    failureWarning.warn(1, "Uploads to {} are still failing: {} failed tries since {} ({} since the last warning);"
        + " last: {}", transport, streakFailures, streakStart, ThrottledLogger.AMOUNT, cause);
  }

  /** A delivery: ends a streak of failures with one INFO line. */
  private void recovered() {
    if (streakStart != null) {
      LOG.info("Uploads to {} recovered after {} failed tries since {}", transport, streakFailures, streakStart);
      streakStart = null;
      streakFailures = 0;
    }
  }

  private static String capitalized(String s) {
    return s == null || s.isEmpty() ? String.valueOf(s) : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static String describe(HttpResponse response) {
    String reason = Responses.reason(response);
    return "HTTP " + response.status() + (reason == null ? "" : " " + reason);
  }
}
