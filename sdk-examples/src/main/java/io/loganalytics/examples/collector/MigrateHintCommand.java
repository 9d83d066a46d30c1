package io.loganalytics.examples.collector;

import java.util.regex.Pattern;

/**
 * {@code migrate-hint --log-type X}: tells a Data Collector API user (retired 2026-09-14) the table ({@code X_CL}) and
 * the stream ({@code Custom-X_CL}) to use with the Logs Ingestion API, and the steps. Offline; stateless;
 * thread-safe.
 */
final class MigrateHintCommand implements Command {
  private static final Pattern LOG_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");

  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    String logType = args.required("log-type").strip();
    if (!LOG_TYPE.matcher(logType).matches()) {
      throw new UsageException(args.name("log-type"), "'" + ParsedArgs.printable(logType) + "' must be a letter "
          + "followed by up to 99 letters, digits or '_' (the Log-Type header of the Data Collector API)");
    }
    if (logType.endsWith("_CL")) {
      throw new UsageException(args.name("log-type"), "'" + logType + "' already ends with _CL: give the Log-Type "
          + "as sent (the service added _CL), such as " + logType.substring(0, logType.length() - 3));
    }
    for (String line : hint(logType)) {
      ctx.out.println(line);
    }
    return 0;
  }

  /**
   * @param logType the Data Collector Log-Type
   * @return the lines to print
   */
  static java.util.List<String> hint(String logType) {
    String table = DcrTemplate.tableOf(logType);
    String stream = "Custom-" + table;
    return java.util.List.of(
        "Data Collector API (retired 2026-09-14) -> Logs Ingestion API",
        "  Log-Type " + logType + " was stored in the table " + table + ".",
        "  table   " + table,
        "  stream  " + stream,
        "Steps:",
        "  1. Keep the table: migrate " + table + " to a DCR-based table (portal: Tables > " + table + " > Migrate to "
            + "manual schema management); its columns stay. Or create a new one from samples:",
        "       java -jar loganalytics-collector.jar dcr-template --stream " + stream + " --file sample.jsonl",
        "  2. Create a data collection endpoint (or use the DCR's own logs ingestion endpoint), and a DCR with the "
            + "stream " + stream + " whose dataFlow writes to " + stream + " in the workspace (dcr-template prints "
            + "one).",
        "  3. Give the identity that sends (an app registration, or a managed identity) the role 'Monitoring Metrics "
            + "Publisher' on the DCR; a new assignment takes up to 30 minutes.",
        "  4. Send: export AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or use a managed identity), then",
        "       java -jar loganalytics-collector.jar send --endpoint https://<dce>.<region>-1.ingest.monitor.azure.com "
            + "--dcr dcr-<immutableId> --stream " + stream,
        "Field names: the Data Collector API added type suffixes to the columns it created (_s string, _d number, "
            + "_b boolean, _t datetime, _g guid); a migrated table keeps them, so send fields with those names or "
            + "rename them in the DCR's transformKql (for example: source | project-rename level_s = level).",
        "TimeGenerated: the Data Collector API took it from the time-generated-field header; with a DCR, set it in "
            + "transformKql (source | extend TimeGenerated = todatetime(['time'])) or let it be the ingestion time.");
  }
}
