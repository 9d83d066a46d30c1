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
import java.util.Map;
import java.util.Objects;
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
 * thread is inside {@link #offer}, so that anything logged from within the client call is dropped too.
 *
 * <p>Thread-safe: {@link #offer} may be called from any number of threads at once.
 */
public final class RecordSink {
  private static final ThreadLocal<boolean[]> SENDING = ThreadLocal.withInitial(() -> new boolean[1]);
  private static final Duration REPORT_INTERVAL = Duration.ofMinutes(1);

  private final String stream;
  private final BiConsumer<String, Throwable> errors;
  private final ErrorThrottle refusedThrottle;
  private final ErrorThrottle invalidThrottle;
  private final ErrorThrottle droppedThrottle;
  private final ErrorThrottle deliveryThrottle;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong offered = new AtomicLong();
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
   * Whether the current thread is inside {@link #offer} (of any sink): an event logged now comes from the SDK.
   *
   * @return whether to drop the event
   */
  public static boolean isSending() {
    return SENDING.get()[0];
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
    this.client = Objects.requireNonNull(client, "client");
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
    sending[0] = true;
    offered.incrementAndGet();
    try {
      c.send(stream, record);
      return true;
    } catch (BufferFullException e) {
      refused.incrementAndGet();
      refusedThrottle.report("Log Analytics: event refused, the buffer is full: " + e.getMessage(),
          m -> errors.accept(m, null));
    } catch (InvalidRecordException | RecordTooLargeException e) {
      refused.incrementAndGet();
      invalidThrottle.report("Log Analytics: event refused: " + e.getMessage(), m -> errors.accept(m, e));
    } catch (ClientClosedException e) {
      refused.incrementAndGet();
    } catch (RuntimeException e) {
      refused.incrementAndGet();
      refusedThrottle.report("Log Analytics: event not buffered: " + e, m -> errors.accept(m, e));
    } finally {
      sending[0] = false;
    }
    return false;
  }

  /**
   * Flushes for at most {@code timeout} and closes the client; what is not delivered stays on disk for the next
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
    client = null;
    boolean[] sending = SENDING.get();
    sending[0] = true;
    try {
      c.flush(timeout);
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
