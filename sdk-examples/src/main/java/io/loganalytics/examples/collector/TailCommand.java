package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code tail FILE}: follows a file across rotation and truncation ({@link FileFollower}) and sends each new line,
 * as {@code {"Message": line, "FilePath": FILE}} ({@code --format text}) or as the JSON object the line holds
 * ({@code --format json}). Runs until SIGINT/SIGTERM, then pushes what is buffered (at most 30 s) and prints the
 * summary.
 *
 * <p>Nothing read is lost: a line the buffer refuses with a retryable error is retried with a growing wait
 * ({@link Backoff}), and after each poll the position just after the last line taken is saved in the state
 * directory ({@link TailState}); the next run resumes there when the path still names the same file (same identity,
 * not shorter), so lines written while the collector was down are sent too. Otherwise it starts at the end, or at
 * the beginning with {@code --from-start}.
 *
 * <p>Stateless; thread-safe.
 */
final class TailCommand implements Command {
  private static final Duration FINAL_PUSH = Duration.ofSeconds(30);

  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException, InterruptedException {
    ClientSetup setup = new ClientSetup(args, ctx);
    String type = setup.recordType(null);
    var builder = setup.builder(null);
    Path file = Path.of(args.positionals().get(0));
    String format = args.value("format").orElse("text");
    if (!format.equals("text") && !format.equals("json")) {
      throw new UsageException(args.name("format"), "'" + ParsedArgs.printable(format) + "' is not text or json");
    }
    int pollMs = args.intValue("poll-ms", 1000, 10, 3_600_000);
    if (Files.isDirectory(file)) {
      throw new UsageException("FILE", "'" + file + "' is a directory");
    }
    LogAnalyticsClient client = ctx.clientFactory.apply(builder);
    Path stateDir = setup.stateDirectory();
    Delivery delivery = new Delivery(client, ctx, stateDir).describe(setup.listener(), builder, type);
    Session session = new Session(client, ctx, type, format, file, stateDir);
    try (FileFollower follower = new FileFollower(file, args.has("from-start"), session.saved)) {
      ctx.err.println("following " + file + (session.saved != null ? " (resuming from the saved position if it "
          + "is the same file)" : "") + " (Ctrl-C to stop)");
      boolean stop = false;
      while (true) {
        boolean complete = session.hand(follower.pollLines());
        session.savePosition();
        delivery.progress(session.read);
        delivery.checkpoint();
        if (!complete) {
          ctx.err.println("stopped while the buffer refused lines; the next run resumes after the last line taken");
          break;
        }
        if (stop || delivery.fatal().isPresent()) {
          break;
        }
        // Wake up every poll interval, or at once when asked to stop (then read once more).
        stop = ctx.stopRequested.await(pollMs, TimeUnit.MILLISECONDS);
      }
    } catch (IOException | RuntimeException e) {
      client.close(Duration.ofSeconds(10));
      throw e;
    }
    return delivery.finish(session.read, session.invalid, FINAL_PUSH);
  }

  /**
   * One run's handing of lines to the client, and its saved position. A line refused with a retryable error (a full
   * buffer or disk) is tried again after a {@link Backoff} wait until it is taken, so lines are never lost or
   * reordered; only a stop request ends the retrying, leaving that line and the rest to the next run (the saved
   * position is after the last line taken). A line refused for good (not a JSON object, too large) is skipped and
   * counted, with a throttled warning. Not thread-safe.
   */
  private static final class Session {
    private final LogAnalyticsClient client;
    private final CliContext ctx;
    private final String type;
    private final boolean json;
    private final Path file;
    private final Path stateDir;
    private final Backoff backoff = new Backoff();
    /** The position saved by an earlier run, or null. */
    final FileFollower.Position saved;
    private FileFollower.Position accepted;
    private FileFollower.Position written;
    private boolean saveWarned;
    private long refusals;
    long read;
    long invalid;

    Session(LogAnalyticsClient client, CliContext ctx, String type, String format, Path file, Path stateDir) {
      this.client = client;
      this.ctx = ctx;
      this.type = type;
      this.json = format.equals("json");
      this.file = file;
      this.stateDir = stateDir;
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
     * Hands lines to the client, in order.
     *
     * @param lines the lines
     * @return true when every line was taken or skipped; false when a stop came while the buffer refused one
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
      while (true) {
        try {
          if (json) {
            client.sendJson(type, line.strip());
          } else {
            client.send(type, textRecord(line, file));
          }
          read++;
          return true;
        } catch (ClientClosedException e) {
          throw e;
        } catch (LogAnalyticsException e) {
          if (!e.isRetryable()) {
            read++;
            invalid++;
            if (Backoff.shouldWarn(invalid)) {
              ctx.err.println("skipped a line: " + CollectorMain.oneLine(e) + " (" + invalid + " skipped so far)");
            }
            return true;
          }
          refusals++;
          if (ctx.stopRequested.getCount() == 0) {
            return false;
          }
          Duration wait = backoff.next();
          if (Backoff.shouldWarn(refusals)) {
            ctx.err.println("warning: the buffer refused a line, retrying in " + wait.toMillis() + " ms (" + refusals
                + " refusals so far): " + CollectorMain.oneLine(e));
          }
          ctx.sleeper.sleep(wait);
        }
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
