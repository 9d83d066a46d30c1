package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.function.LongSupplier;

/**
 * The end of every sending command: wait until every accepted record is delivered or given up (or a deadline
 * passes), close the client, print one summary line, and choose the exit status. Also prints progress on a
 * terminal. Uses only the public API ({@link LogAnalyticsClient#flush}, {@link LogAnalyticsClient#stats},
 * {@link LogAnalyticsClient#close(Duration)}).
 *
 * <p>Not thread-safe: one instance per command run.
 */
final class Delivery {
  private static final Duration FLUSH_STEP = Duration.ofSeconds(5);
  /** How often a wait for delivery looks for a stop request or a refused credential. */
  private static final Duration STOP_STEP = Duration.ofMillis(500);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
  /** How often the long-running commands refresh {@link StatusFile}. */
  static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(30);

  private final LogAnalyticsClient client;
  private final CliContext ctx;
  private final Path statusDir;
  private Instant lastProgress;
  private Instant lastCheckpoint;
  private boolean progressShown;
  private boolean checkpointWarned;
  private LongSupplier inputDropped = () -> 0;
  private final Properties base;
  private CollectorListener listener;
  private String transport;
  private String target;
  private String dcr;
  private String stream;
  private String label = "";
  /** How long the final push may take once a stop (SIGINT/SIGTERM) was requested. */
  static final Duration STOP_PUSH = Duration.ofSeconds(5);

  /**
   * @param client the client records go to
   * @param ctx the command's context
   * @param statusDir where to write {@link StatusFile} at the end
   */
  Delivery(LogAnalyticsClient client, CliContext ctx, Path statusDir) {
    this.client = client;
    this.ctx = ctx;
    this.statusDir = statusDir;
    this.lastProgress = ctx.clock.instant();
    this.lastCheckpoint = lastProgress;
    Properties p;
    try {
      p = StatusFile.read(statusDir);
    } catch (IOException e) {
      ctx.err.println("warning: cannot read " + statusDir.resolve(StatusFile.NAME) + " (counters start at 0): "
          + e.getMessage());
      p = new Properties();
    }
    this.base = p;
  }

  /**
   * Makes the summary, {@link StatusFile} and the end of the run use what the client's listener heard, and name the
   * target.
   *
   * @param listener the listener installed on the client's builder
   * @param builder the builder, for the target (no secret is read)
   * @param recordType the record type (the stream on the Logs Ingestion path)
   * @return this
   */
  Delivery describe(CollectorListener listener, LogAnalyticsClientBuilder builder, String recordType) {
    this.listener = listener;
    this.transport = builder.transport().name();
    this.target = ClientSetup.target(builder);
    this.dcr = builder.dataCollectionRuleId().orElse(null);
    this.stream = builder.transport() == Transport.LOGS_INGESTION ? recordType : null;
    return this;
  }

  /**
   * Prefixes the summary line, for the run mode's several destinations.
   *
   * @param name the destination's name
   * @return this
   */
  Delivery label(String name) {
    this.label = name + ": ";
    return this;
  }

  /**
   * A failure that no retry cures (a refused credential), as the one line to print, or empty.
   *
   * @return {@code error: ...} naming what to fix
   */
  Optional<String> fatal() {
    if (listener == null) {
      return Optional.empty();
    }
    return listener.authFailure().map(e -> "error: " + IngestionHints.hint(e.status(), e.getMessage(), dcr, stream)
        .orElse(Failures.describe(e)));
  }

  private StatusFile.Run run(ClientStats s) {
    return new StatusFile.Run(s, inputDropped.getAsLong(), transport, target, lastError(s));
  }

  /** The last error the listener heard, else the one the client's counters carry. */
  private Optional<CollectorListener.LastError> lastError(ClientStats s) {
    Optional<CollectorListener.LastError> heard = listener == null ? Optional.empty() : listener.lastError();
    return heard.or(() -> s.lastError().map(m -> new CollectorListener.LastError(m.replace('\n', ' '),
        s.lastErrorTime().orElse(ctx.clock.instant()))));
  }

  /**
   * Makes the summary and {@link StatusFile} show the records an input dropped before they reached the client (the
   * UDP syslog receiver when the buffer refuses). Nonzero makes the exit status 1.
   *
   * @param dropped the current count
   */
  void inputDrops(LongSupplier dropped) {
    this.inputDropped = dropped;
  }

  /**
   * For the long-running commands: refreshes {@link StatusFile} when {@link #CHECKPOINT_EVERY} has passed, so that
   * {@code status} shows the last upload while they run. A failure to write is reported once and otherwise ignored.
   */
  void checkpoint() {
    Instant now = ctx.clock.instant();
    if (Duration.between(lastCheckpoint, now).compareTo(CHECKPOINT_EVERY) < 0) {
      return;
    }
    lastCheckpoint = now;
    try {
      StatusFile.write(statusDir, StatusFile.cumulative(base, run(client.stats()), now));
    } catch (IOException e) {
      if (!checkpointWarned) {
        checkpointWarned = true;
        ctx.err.println("warning: cannot write " + statusDir.resolve(StatusFile.NAME) + ": " + e.getMessage());
      }
    }
  }

  /**
   * Shows progress on a terminal, at most once a second. Does nothing when the output is not a terminal.
   *
   * @param read records read so far
   */
  void progress(long read) {
    if (!ctx.interactive) {
      return;
    }
    Instant now = ctx.clock.instant();
    if (Duration.between(lastProgress, now).compareTo(PROGRESS_EVERY) < 0) {
      return;
    }
    lastProgress = now;
    ClientStats s = client.stats();
    ctx.err.print("\rread " + read + ", sent " + s.recordsSent() + ", buffered " + s.bufferedRecords()
        + ", given up " + s.recordsDroppedTotal() + "   ");
    ctx.err.flush();
    progressShown = true;
  }

  /**
   * Waits for delivery, closes the client and prints the summary on standard output.
   *
   * @param read records read from the input
   * @param invalid input lines that were not valid records (already reported)
   * @param timeout how long to wait for delivery at most
   * @return the exit status: 0 when every record was delivered, 1 otherwise
   */
  int finish(long read, long invalid, Duration timeout) {
    Instant deadline = ctx.clock.instant().plus(timeout);
    boolean done = false;
    boolean stopSeen = false;
    while (!done && fatal().isEmpty()) {
      if (!stopSeen && ctx.stopRequested.getCount() == 0) {
        // SIGINT/SIGTERM: push briefly, then leave the rest on disk for the next run.
        stopSeen = true;
        Instant stopDeadline = ctx.clock.instant().plus(STOP_PUSH);
        deadline = stopDeadline.isBefore(deadline) ? stopDeadline : deadline;
      }
      Duration left = Duration.between(ctx.clock.instant(), deadline);
      if (left.isNegative() || left.isZero()) {
        break;
      }
      Duration step = left.compareTo(FLUSH_STEP) < 0 ? left : FLUSH_STEP;
      done = client.flush(stopSeen || step.compareTo(STOP_STEP) < 0 ? step : STOP_STEP);
      progress(read);
    }
    ClientStats s = client.stats();
    boolean empty = client.close(Duration.ofSeconds(10));
    if (progressShown) {
      ctx.err.println();
    }
    long dropped = inputDropped.getAsLong();
    try {
      StatusFile.write(statusDir, StatusFile.cumulative(base, run(s), ctx.clock.instant()));
    } catch (IOException e) {
      ctx.err.println("warning: cannot write " + statusDir.resolve(StatusFile.NAME) + ": " + e.getMessage());
    }
    // close() says whether the buffer ended empty; the count is the last one seen before closing.
    long buffered = empty ? 0 : Math.max(1, s.bufferedRecords());
    String reason = "";
    Optional<CollectorListener.LastError> last = lastError(s);
    if ((buffered > 0 || s.recordsDroppedTotal() > 0) && last.isPresent()) {
      reason = "; last error " + last.get().at() + ": " + last.get().message();
    }
    ctx.out.println(label + summary(read, invalid, s, buffered) + (dropped > 0 ? ", dropped at input " + dropped
        + " (buffer full)" : "") + reason);
    Optional<String> fatal = fatal();
    if (fatal.isEmpty() && stream != null && (buffered > 0 || s.recordsDroppedTotal() > 0) && last.isPresent()) {
      // Logs Ingestion: a failure the operator fixes (an unknown DCR or stream, a missing role) gets its one line.
      fatal = IngestionHints.hint(0, last.get().message(), dcr, stream).map(h -> "error: " + h);
    }
    if (fatal.isEmpty() && (buffered > 0 || s.recordsDroppedTotal() > 0) && last.isPresent()) {
      // What waiting does not cure (an untrusted certificate, a name that does not resolve) gets its fix too.
      fatal = Failures.hintFromText(last.get().message()).map(h -> "error: " + h);
    }
    fatal.ifPresent(f -> ctx.err.println(label.isEmpty() ? f : f.replaceFirst("^error: ", "error: " + label)));
    return fatal.isEmpty() && s.recordsDroppedTotal() == 0 && invalid == 0 && buffered == 0 && dropped == 0 ? 0 : 1;
  }

  /**
   * The summary line, such as {@code read 1000, sent 1000, given up 0, invalid 0, still buffered 0}.
   *
   * @param read records read
   * @param invalid input lines refused
   * @param s the counters
   * @param buffered records still in the buffer after closing
   * @return the line
   */
  static String summary(long read, long invalid, ClientStats s, long buffered) {
    StringBuilder sb = new StringBuilder();
    sb.append("read ").append(read).append(", sent ").append(s.recordsSent()).append(", given up ")
        .append(s.recordsDroppedTotal());
    if (s.recordsDroppedTotal() > 0) {
      StringJoiner reasons = new StringJoiner(", ", " (", ")");
      for (Map.Entry<DropReason, Long> e : s.recordsDropped().entrySet()) {
        if (e.getValue() > 0) {
          reasons.add(e.getKey().name().toLowerCase(java.util.Locale.ROOT) + " " + e.getValue());
        }
      }
      sb.append(reasons);
    }
    sb.append(", invalid ").append(invalid).append(", still buffered ").append(buffered);
    if (buffered > 0) {
      sb.append(" (sent by the next run on this buffer)");
    }
    sb.append(", requests ").append(s.requests()).append(", retries ").append(s.retries());
    return sb.toString();
  }
}
