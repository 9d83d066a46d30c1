package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    TailSession session = new TailSession(List.of(new TailSession.Target("", client, type)), ctx,
        format.equals("json"), file, stateDir);
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
   * The record of one text line.
   *
   * @param line the line
   * @param file the file it came from
   * @return {@code {"Message": line, "FilePath": file}}
   */
  static Map<String, Object> textRecord(String line, Path file) {
    return TailSession.textRecord(line, file);
  }
}
