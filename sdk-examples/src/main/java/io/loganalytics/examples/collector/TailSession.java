package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's handing of a followed file's lines to one or several destinations (the agent's multi-homing), and its
 * saved position. A line refused by a destination with a retryable error (a full buffer or disk) is tried again for
 * that destination only, after a {@link Backoff} wait, until every destination took it, so lines are never lost or
 * reordered; only a stop request ends the retrying, leaving that line and the rest to the next run (the saved
 * position is after the last line every destination took). A line refused for good (not a JSON object, too large) is
 * skipped for that destination and counted. Both kinds of warning are printed on standard error at most once a minute
 * (by the context's clock) each, with the count since the previous one ({@link ThrottledLogger}). Not thread-safe.
 */
final class TailSession {
  /** The least time between two warnings of one kind. */
  static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

  /** A destination: its name (for messages; empty for a single one), client and record type. */
  record Target(String name, LogAnalyticsClient client, String type) {}

  private final List<Target> targets;
  private final CliContext ctx;
  private final boolean json;
  private final Path file;
  private final Path stateDir;
  private final Backoff backoff = new Backoff();
  private final ThrottledLogger skippedWarning;
  private final ThrottledLogger refusedWarning;
  /** The position saved by an earlier run, or null. */
  final FileFollower.Position saved;
  private FileFollower.Position accepted;
  private FileFollower.Position written;
  private boolean saveWarned;
  private long refusals;
  /** Lines taken (per line, not per destination). */
  long read;
  /** Lines that at least one destination refused for good. */
  long invalid;

  TailSession(List<Target> targets, CliContext ctx, boolean json, Path file, Path stateDir) {
    this.targets = List.copyOf(targets);
    this.ctx = ctx;
    this.json = json;
    this.file = file;
    this.stateDir = stateDir;
    this.skippedWarning = ThrottledLogger.printing(ctx.err::println, ctx.clock, WARN_INTERVAL);
    this.refusedWarning = ThrottledLogger.printing(ctx.err::println, ctx.clock, WARN_INTERVAL);
    FileFollower.Position p = null;
    try {
      p = TailState.read(stateDir, file).orElse(null);
    } catch (IOException e) {
      ctx.err.println("warning: cannot read the saved position " + TailState.file(stateDir, file) + ": "
          + e.getMessage());
    }
    this.saved = p;
    this.accepted = p;
    this.written = p;
  }

  /**
   * Hands lines to every destination, in order.
   *
   * @param lines the lines
   * @return true when every line was taken or skipped; false when a stop came while a buffer refused one
   */
  boolean hand(List<FileFollower.Line> lines) throws InterruptedException {
    for (FileFollower.Line line : lines) {
      if (!line.text().isBlank() && !handOne(line.text())) {
        return false;
      }
      accepted = line.position();
    }
    return true;
  }

  private boolean handOne(String line) throws InterruptedException {
    backoff.reset();
    List<Target> pending = new ArrayList<>(targets);
    boolean skipped = false;
    while (true) {
      LogAnalyticsException refused = null;
      for (var it = pending.iterator(); it.hasNext(); ) {
        Target t = it.next();
        try {
          if (json) {
            t.client().sendJson(t.type(), line.strip());
          } else {
            t.client().send(t.type(), textRecord(line, file));
          }
          it.remove();
        } catch (ClientClosedException e) {
          throw e;
        } catch (LogAnalyticsException e) {
          if (!e.isRetryable()) {
            it.remove();
            if (!skipped) {
              skipped = true;
              invalid++;
              skippedWarning.warn(1, "skipped a line{}: {} ({} skipped so far, {} since the last warning)",
                  t.name().isEmpty() ? "" : " for " + t.name(), Failures.oneLine(e), invalid, ThrottledLogger.AMOUNT);
            }
          } else {
            refused = e;
          }
        }
      }
      if (pending.isEmpty()) {
        read++;
        return true;
      }
      refusals++;
      if (ctx.stopRequested.getCount() == 0) {
        return false;
      }
      Duration wait = backoff.next();
      String of = pending.get(0).name().isEmpty() ? "" : " of " + pending.get(0).name();
      refusedWarning.warn(1, "warning: the buffer{} refused a line, retrying in {} ms ({} refusals so far, {} since the"
          + " last warning): {}", of, wait.toMillis(), refusals, ThrottledLogger.AMOUNT, Failures.oneLine(refused));
      ctx.sleeper.sleep(wait);
    }
  }

  /** Saves the position after the last line taken, when it moved. A failure is reported once. */
  void savePosition() {
    if (accepted == null || accepted.equals(written)) {
      return;
    }
    try {
      TailState.write(stateDir, file, accepted);
      written = accepted;
    } catch (IOException e) {
      if (!saveWarned) {
        saveWarned = true;
        ctx.err.println("warning: cannot save the position in " + TailState.file(stateDir, file) + ": "
            + e.getMessage());
      }
    }
  }

  /**
   * The record of one text line.
   *
   * @param line the line
   * @param file the file it came from
   * @return {@code {"Message": line, "FilePath": file}}
   */
  static Map<String, Object> textRecord(String line, Path file) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("Message", line);
    r.put("FilePath", file.toString());
    return r;
  }
}
