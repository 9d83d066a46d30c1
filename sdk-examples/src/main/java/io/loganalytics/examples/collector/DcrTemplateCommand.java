package io.loganalytics.examples.collector;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code dcr-template --stream Custom-MyTable_CL --file sample.jsonl [--location REGION]
 * [--workspace-resource-id ID]}: prints a custom table and a data collection rule inferred from sample records
 * ({@link DcrTemplate}), JSON an operator deploys as it is. Reads at most {@value #MAX_LINES} lines. Offline;
 * stateless; thread-safe.
 */
final class DcrTemplateCommand implements Command {
  static final int MAX_LINES = 100_000;
  /** The largest sample file read, so that one huge line cannot exhaust the heap. */
  static final long MAX_BYTES = 64_000_000;

  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException {
    String stream = args.required("stream").strip();
    if (!DcrTemplate.TABLE_STREAM.matcher(stream).matches()) {
      throw new UsageException(args.name("stream"), "'" + ParsedArgs.printable(stream) + "' must be Custom-<table>_CL,"
          + " the table a letter followed by up to 44 letters, digits or '_' (such as Custom-MyTable_CL)");
    }
    Path file = args.path("file").orElseThrow(() -> new UsageException("--file", "is required: JSON lines with "
        + "sample records"));
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new UsageException(args.name("file"), "'" + file + "' is not a readable file");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new UsageException(args.name("file"), "'" + file + "' is larger than " + MAX_BYTES / 1_000_000 + " MB; a "
          + "few thousand sample records are enough");
    }
    DcrTemplate t = new DcrTemplate();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = r.readLine()) != null && n < MAX_LINES) {
        t.add(++n, line);
      }
    } catch (DcrTemplate.SampleException e) {
      throw new UsageException(args.name("file"), e.getMessage());
    } catch (java.nio.charset.MalformedInputException e) {
      throw new UsageException(args.name("file"), "is not UTF-8 text");
    }
    if (t.records() == 0) {
      throw new UsageException(args.name("file"), "holds no sample record (one JSON object per line)");
    }
    ctx.out.print(t.render(stream, args.value("location").orElse("<region, such as eastus>"),
        args.value("workspace-resource-id").orElse("/subscriptions/<subscription>/resourceGroups/<group>/providers/"
            + "Microsoft.OperationalInsights/workspaces/<workspace>")));
    ctx.err.println("inferred " + t.columns().size() + " columns from " + t.records() + " records; transformKql: "
        + t.transformKql());
    return 0;
  }
}
