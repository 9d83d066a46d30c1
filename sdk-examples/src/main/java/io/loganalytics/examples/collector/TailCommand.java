package io.loganalytics.examples.collector;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.RecordTooLargeException;
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
      throw new UsageException(args.name("format"), "'" + ArgParser.printable(format) + "' is not text or json");
    }
    int pollMs = args.intValue("poll-ms", 1000, 10, 3_600_000);
    if (Files.isDirectory(file)) {
      throw new UsageException("FILE", "'" + file + "' is a directory");
    }
    LogAnalyticsClient client = ctx.clientFactory.apply(builder);
    Delivery delivery = new Delivery(client, ctx, setup.stateDirectory());
    long read = 0;
    long invalid = 0;
    try (FileFollower follower = new FileFollower(file, args.has("from-start"))) {
      ctx.err.println("following " + file + " (Ctrl-C to stop)");
      boolean stop = false;
      while (true) {
        List<String> lines = follower.poll();
        for (String line : lines) {
          if (line.isBlank()) {
            continue;
          }
          read++;
          try {
            if (format.equals("json")) {
              client.sendJson(type, line.strip());
            } else {
              client.send(type, textRecord(line, file));
            }
          } catch (InvalidRecordException | RecordTooLargeException e) {
            invalid++;
            ctx.err.println("skipped a line: " + CollectorMain.oneLine(e));
          }
        }
        delivery.progress(read);
        delivery.checkpoint();
        if (stop) {
          break;
        }
        // Wake up every poll interval, or at once when asked to stop (then read once more).
        stop = ctx.stopRequested.await(pollMs, TimeUnit.MILLISECONDS);
      }
    } catch (IOException | RuntimeException e) {
      client.close(Duration.ofSeconds(10));
      throw e;
    }
    return delivery.finish(read, invalid, FINAL_PUSH);
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
