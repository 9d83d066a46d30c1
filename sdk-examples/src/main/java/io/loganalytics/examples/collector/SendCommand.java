package io.loganalytics.examples.collector;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.RecordTooLargeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code send}: JSON lines from standard input or {@code --file}, one record per non-blank line, on the agent path
 * ({@code --data-type}) or the Data Collector path ({@code -w -s --log-type}). Exits once every record is delivered
 * or given up (or {@code --timeout} passed), printing a summary. A line that is not a JSON object, or too large, is
 * reported with its line number (the first {@value #SHOWN_INVALID}) and counted; the others still go.
 *
 * <p>Stateless; thread-safe.
 */
final class SendCommand implements Command {
  static final int SHOWN_INVALID = 5;

  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException {
    ClientSetup setup = new ClientSetup(args, ctx);
    String type = setup.recordType(null);
    var builder = setup.builder(null);
    Duration timeout = Duration.ofSeconds(args.intValue("timeout", 3600, 1, 7 * 24 * 3600));
    Optional<Path> file = args.path("file");
    if (file.isPresent() && (!Files.isRegularFile(file.get()) || !Files.isReadable(file.get()))) {
      throw new UsageException(args.name("file"), "'" + file.get() + "' is not a readable file");
    }
    LogAnalyticsClient client = ctx.clientFactory.apply(builder);
    Delivery delivery = new Delivery(client, ctx, setup.stateDirectory()).describe(setup.listener(), builder, type);
    long read = 0;
    long invalid = 0;
    try (InputStream in = file.isPresent() ? Files.newInputStream(file.get()) : ctx.in;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      long lineNo = 0;
      while (ctx.stopRequested.getCount() > 0 && delivery.fatal().isEmpty() && (line = reader.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        read++;
        try {
          client.sendJson(type, line.strip());
        } catch (InvalidRecordException | RecordTooLargeException e) {
          invalid++;
          if (invalid <= SHOWN_INVALID) {
            ctx.err.println("line " + lineNo + ": " + CollectorMain.oneLine(e));
          }
        }
        delivery.progress(read);
      }
    } catch (IOException | RuntimeException e) {
      client.close(Duration.ofSeconds(10));
      throw e;
    }
    if (invalid > SHOWN_INVALID) {
      ctx.err.println("... " + (invalid - SHOWN_INVALID) + " more invalid lines");
    }
    return delivery.finish(read, invalid, timeout);
  }
}
