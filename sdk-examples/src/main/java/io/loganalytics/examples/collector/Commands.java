package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ProxyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The collector's subcommands and their options, as picocli models built in code (so that the commands stay plain
 * classes taking {@link ParsedArgs}). Flags keep the legacy agent's spelling where the agent had them ({@code -w}
 * workspace, {@code -s} shared key, {@code -d} domain, {@code -p} proxy, port 25224 for syslog). Every command takes
 * {@code --state-dir}, {@code --buffer-dir}, {@code --ca-file}, {@code --help} and {@code --version}.
 *
 * <p>Values are kept as strings here; {@link ParsedArgs} checks them so that every error names the option as typed.
 * Picocli's model objects belong to one command line, so {@link #commandLine(String)} builds a fresh one per call.
 * Stateless; thread-safe.
 */
final class Commands {
  /** The environment variable that may hold the shared key instead of {@code -s}. */
  static final String SHARED_KEY_ENV = "LOGANALYTICS_SHARED_KEY";
  /** The environment variable that may hold the proxy password. */
  static final String PROXY_PASSWORD_ENV = ProxyConfig.PASSWORD_VARIABLE;

  /** Exit statuses, documented in every help text. */
  static final Map<String, String> EXIT_CODES = exitCodes();

  /** One option: names, value placeholder (null for a flag) and one line of help. */
  record Opt(String longName, String shortName, String label, String help) {
    OptionSpec toSpec() {
      List<String> names = new ArrayList<>();
      if (shortName != null) {
        names.add("-" + shortName);
      }
      names.add("--" + longName);
      OptionSpec.Builder b = OptionSpec.builder(names.toArray(String[]::new)).description(help);
      if (label == null) {
        b.type(boolean.class).arity("0");
      } else {
        b.type(String.class).arity("1").paramLabel(label);
      }
      return b.build();
    }
  }

  /** One subcommand: its name, summary, further help lines, positional arguments and specific options. */
  record Cmd(String name, String summary, List<String> details, List<String> positionals, List<Opt> options) {}

  static final Opt STATE_DIR = new Opt("state-dir", null, "DIR",
      "agent state: certs/oms.crt, certs/oms.key, omsadmin.conf, proxy.conf, collector-status.properties "
          + "(default ~/.loganalytics/state)");
  static final Opt BUFFER_DIR = new Opt("buffer-dir", null, "DIR",
      "disk buffer directory (default ~/.loganalytics/buffer)");
  static final Opt CA_FILE = new Opt("ca-file", null, "PEM",
      "extra trusted CA certificates (TLS-inspecting proxy, private CA, emulator); the JVM trust store stays in "
          + "force");

  static final Opt WORKSPACE = new Opt("workspace-id", "w", "ID",
      "workspace ID (a GUID; default: WORKSPACE_ID of --state-dir's omsadmin.conf)");
  static final Opt SHARED_KEY = new Opt("shared-key", "s", "@FILE",
      "workspace shared key, read from FILE. Default: $" + SHARED_KEY_ENV + ". A key itself is refused here: the "
          + "process list would show it");
  static final Opt DOMAIN = new Opt("domain", "d", "DOMAIN",
      "opinsights.azure.com, opinsights.azure.us (Government), opinsights.azure.cn (China). Default: URL_TLD of "
          + "--state-dir's omsadmin.conf (saved by onboard), else opinsights.azure.com");
  static final Opt PROXY = new Opt("proxy", "p", "PROXY",
      "[http://|https://][user@]host[:port]. Default: --state-dir's proxy.conf, the agent's "
          + "/etc/opt/microsoft/omsagent/proxy.conf, else $https_proxy (with $no_proxy)");
  static final Opt PROXY_PASSWORD_FILE = new Opt("proxy-password-file", null, "FILE",
      "read the proxy password from the first line of FILE (or set $" + PROXY_PASSWORD_ENV + ")");

  static final Opt DATA_TYPE = new Opt("data-type", null, "TYPE",
      "agent path: the DataType, such as LINUX_SYSLOGS_BLOB (identity from --state-dir)");
  static final Opt IP_NAME = new Opt("ip-name", null, "NAME", "agent path: the IPName (default LogManagement)");
  static final Opt LOG_TYPE = new Opt("log-type", null, "NAME",
      "Data Collector path (retired 2026-09-14): the Log-Type (table NAME_CL); needs -w and the key");

  static final Opt FILE = new Opt("file", null, "FILE", "read JSON lines from FILE (default stdin)");
  static final Opt TIMEOUT = new Opt("timeout", null, "SECONDS",
      "give up waiting for delivery after this long (default 3600); undelivered records stay buffered");
  static final Opt FORMAT = new Opt("format", null, "text|json",
      "text: each line becomes {\"Message\": line}; json: each line is a JSON object (default text)");
  static final Opt FROM_START = new Opt("from-start", null, null,
      "read the file from its beginning when there is no saved position for it (default: from its end, like "
          + "tail -f)");
  static final Opt POLL_MS = new Opt("poll-ms", null, "MS", "how often to look for new lines (default 1000)");
  static final Opt PORT = new Opt("port", null, "PORT", "port to listen on (default 25224)");
  static final Opt BIND = new Opt("bind", null, "ADDRESS", "address to listen on (default 127.0.0.1, as the agent)");
  static final Opt TCP = new Opt("tcp", null, null, "listen on TCP (octet counting or newline framing) instead of "
      + "UDP");
  static final Opt IDLE_TIMEOUT = new Opt("idle-timeout", null, "SECONDS",
      "TCP: close a connection that sends no complete message for this long (default 60)");
  static final Opt MAX_CONNECTIONS = new Opt("max-connections", null, "N",
      "TCP: the most connections open at once (default 64); idle ones are closed first to make room");
  static final Opt RECORDS = new Opt("records", null, "N", "records to send (default 5000)");
  static final Opt STALLED_AFTER = new Opt("stalled-after", null, "MINUTES",
      "call the collector stalled (exit 1) when the oldest unsent record is older than this (default 30)");

  static final Opt ENDPOINT = new Opt("endpoint", null, "URL",
      "Logs Ingestion path: the data collection endpoint or the DCR's logs ingestion URL, "
          + "https://NAME.REGION-1.ingest.monitor.azure.com; authentication from AZURE_* variables");
  static final Opt DCR = new Opt("dcr", null, "ID", "Logs Ingestion path: the DCR's immutableId (dcr- and 32 hex "
      + "digits)");
  static final Opt STREAM = new Opt("stream", null, "NAME", "Logs Ingestion path: the stream, such as "
      + "Custom-MyTable_CL");
  static final Opt CLOUD = new Opt("cloud", null, "NAME", "Logs Ingestion path: AzureCloud (default), "
      + "AzureUSGovernment or AzureChinaCloud (Entra authority and ingestion scope)");
  static final Opt TENANT = new Opt("tenant", null, "ID", "Logs Ingestion path: the Entra tenant (instead of "
      + "$AZURE_TENANT_ID)");
  static final Opt CLIENT_ID = new Opt("client-id", null, "ID", "Logs Ingestion path: the application or "
      + "user-assigned identity's client id (instead of $AZURE_CLIENT_ID); the secret only from $AZURE_CLIENT_SECRET");
  static final List<Opt> INGESTION = List.of(ENDPOINT, DCR, STREAM, CLOUD, TENANT, CLIENT_ID);

  static final Opt SAMPLE_FILE = new Opt("file", null, "FILE", "sample records, one JSON object per line");
  static final Opt LOCATION = new Opt("location", null, "REGION", "the DCR's Azure region (default: a placeholder)");
  static final Opt WORKSPACE_RESOURCE_ID = new Opt("workspace-resource-id", null, "ID",
      "the destination workspace's resource id (default: a placeholder)");

  static final List<Opt> AGENT_DESTINATION = List.of(WORKSPACE, SHARED_KEY, DOMAIN, PROXY, PROXY_PASSWORD_FILE);

  static final List<Cmd> ALL = List.of(
      new Cmd("onboard", "Creates the agent certificate, onboards to the workspace and saves the state.",
          List.of("Prints the agent GUID and the certificate's expiry; on failure, the cause (TLS, DNS, proxy, key)."),
          List.of(), AGENT_DESTINATION),
      new Cmd("send", "Sends JSON lines from standard input or --file; exits once every record is delivered or "
          + "given up.",
          List.of("Logs Ingestion path: send --endpoint URL --dcr ID --stream NAME (Entra ID from AZURE_* variables).",
              "Agent path (retired August 2024): send --data-type TYPE [--ip-name NAME] (identity from --state-dir).",
              "Data Collector path: send -w ID --log-type NAME (key from $" + SHARED_KEY_ENV + ")."),
          List.of(), with(INGESTION, List.of(DATA_TYPE, IP_NAME, LOG_TYPE), AGENT_DESTINATION,
              List.of(FILE, TIMEOUT))),
      new Cmd("tail", "Follows FILE across rotation and truncation and sends each new line.",
          List.of("Stops on Ctrl-C (SIGINT/SIGTERM), pushing what is buffered.",
              "Saves how far it got in --state-dir (tail-*.position) and resumes there when FILE is the same file;",
              "a full buffer is waited for (retried with backoff), so no line is lost."),
          List.of("FILE"), with(INGESTION, List.of(DATA_TYPE, IP_NAME, LOG_TYPE), AGENT_DESTINATION,
              List.of(FORMAT, FROM_START, POLL_MS))),
      new Cmd("syslog", "Receives RFC 3164 and RFC 5424 syslog messages and sends them as syslog records (DataType "
          + "LINUX_SYSLOGS_BLOB).",
          List.of("Point rsyslog at it as the agent's configuration did: *.* @127.0.0.1:25224",
              "While the buffer is full, TCP senders are held back (nothing lost); UDP messages are dropped, counted",
              "in the summary and in status."),
          List.of(), with(List.of(PORT, BIND, TCP, IDLE_TIMEOUT, MAX_CONNECTIONS), INGESTION, List.of(IP_NAME),
              AGENT_DESTINATION)),
      new Cmd("status", "Shows the target, certificate expiry, buffer fill and oldest record, last upload, last "
          + "error and cumulative counters.",
          List.of("Exit status 1 when the agent is not onboarded or delivery is stalled (see --stalled-after)."),
          List.of(), List.of(STALLED_AFTER)),
      new Cmd("renew-cert", "Renews the agent certificate now.", List.of(), List.of(), AGENT_DESTINATION),
      new Cmd("verify-buffer", "Reads the disk buffer without changing it and reports what it holds.", List.of(),
          List.of(), List.of()),
      new Cmd("run", "Runs several inputs (tail, syslog) to one or several destinations (workspaces, transports), "
          + "each with its own buffer directory, in one process.",
          List.of("The JSON configuration is described in the README (section 'Several inputs and destinations').",
              "Stops on SIGINT/SIGTERM, printing one summary line per destination."),
          List.of(), List.of(new Opt("config", null, "FILE", "the JSON configuration"))),
      new Cmd("dcr-template", "Prints a custom table and a data collection rule (JSON to deploy) inferred from "
          + "sample records, as the portal's 'create from sample'.",
          List.of("Column types: string, int, long, real, boolean, datetime, dynamic; TimeGenerated from the samples,",
              "else from their first datetime field or the ingestion time (transformKql). Offline."),
          List.of(), List.of(new Opt("stream", null, "NAME", "the stream, Custom-<table>_CL"), SAMPLE_FILE, LOCATION,
              WORKSPACE_RESOURCE_ID)),
      new Cmd("migrate-hint", "Tells a Data Collector API user the table and stream to use with the Logs Ingestion "
          + "API, and the steps.", List.of("Offline."), List.of(),
          List.of(new Opt("log-type", null, "NAME", "the Log-Type sent to the Data Collector API"))),
      new Cmd("demo", "Starts a workspace emulator in-process (a DCR, an Entra app), sends a realistic stream "
          + "with faults over the Logs Ingestion API, and proves every record arrived.", List.of(), List.of(), List.of(RECORDS)));

  private Commands() {}

  @SafeVarargs
  private static List<Opt> with(List<Opt>... parts) {
    List<Opt> all = new ArrayList<>();
    for (List<Opt> p : parts) {
      all.addAll(p);
    }
    return List.copyOf(all);
  }

  private static Map<String, String> exitCodes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("0", "done: every record delivered (status: healthy)");
    m.put("1", "failed: records given up or still buffered, service unreachable, I/O error; status: not "
        + "onboarded or stalled");
    m.put("2", "bad input: one line 'error: <option>: <problem>' on standard error");
    m.put("130", "stopped by SIGINT (Ctrl-C) after pushing what was buffered and printing the summary");
    m.put("143", "stopped by SIGTERM (systemctl stop, docker stop), likewise");
    return m;
  }

  /** The environment variables every command reads, for the help footers. */
  static final List<String> ENVIRONMENT = List.of(
      "Environment:",
      "  " + SHARED_KEY_ENV + "       the shared key (or -s @FILE)",
      "  " + PROXY_PASSWORD_ENV + "   the proxy password (or --proxy-password-file)",
      "  https_proxy, no_proxy         the proxy when no -p and no proxy.conf (curl's rules)",
      "  AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,",
      "  AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST, IDENTITY_ENDPOINT, IDENTITY_HEADER",
      "                                Entra ID credential of the Logs Ingestion path (as DefaultAzureCredential);",
      "                                no secret is ever taken from the command line");

  /**
   * @param name a subcommand name
   * @return the command, if there is one of that name
   */
  static Optional<Cmd> find(String name) {
    return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** @return the command names, comma separated */
  static String names() {
    return String.join(", ", ALL.stream().map(Cmd::name).toList());
  }

  /** @return {@code loganalytics-collector <version>}, the version being that of the SDK it was built with */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Commands.class.getResourceAsStream("collector-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "loganalytics-collector " + p.getProperty("version", "unknown") + " (Log Analytics SDK for Java "
        + p.getProperty("version", "unknown") + ", Java " + Runtime.version() + ")";
  }

  /**
   * A picocli command line for one subcommand, or for the whole program when {@code name} is null.
   *
   * @param name the subcommand, or {@code null} for the top level (global help and version)
   * @return a new command line
   * @throws IllegalArgumentException when there is no such subcommand
   */
  static CommandLine commandLine(String name) {
    if (name == null) {
      CommandSpec top = base(CliContext.PROGRAM, "Delivers logs to Azure Log Analytics, as the legacy Log Analytics "
          + "agent did.");
      top.usageMessage().customSynopsis(CliContext.PROGRAM + " COMMAND [options]");
      CommandLine cl = new CommandLine(top);
      for (Cmd c : ALL) {
        cl.addSubcommand(c.name(), commandLine(c.name()));
      }
      top.usageMessage().footer(footer(List.of("Every command takes --state-dir DIR, --buffer-dir DIR, --ca-file PEM,"
          + " --help and --version.", "Run '" + CliContext.PROGRAM + " COMMAND --help' for a command's options.")));
      return cl;
    }
    Cmd c = find(name).orElseThrow(() -> new IllegalArgumentException("no command " + name));
    CommandSpec spec = base(c.name(), c.summary());
    List<String> description = new ArrayList<>();
    description.add(c.summary());
    description.addAll(c.details());
    spec.usageMessage().description(description.toArray(String[]::new)).customSynopsis(CliContext.PROGRAM + " "
        + c.name() + (c.positionals().isEmpty() ? "" : " " + String.join(" ", c.positionals())) + " [OPTIONS]");
    for (String p : c.positionals()) {
      spec.addPositional(PositionalParamSpec.builder().paramLabel(p).type(String.class).arity("1").required(true)
          .description(p).build());
    }
    for (Opt o : c.options()) {
      spec.addOption(o.toSpec());
    }
    for (Opt o : List.of(STATE_DIR, BUFFER_DIR, CA_FILE)) {
      spec.addOption(o.toSpec());
    }
    spec.usageMessage().footer(footer(List.of()));
    return new CommandLine(spec);
  }

  private static CommandSpec base(String name, String summary) {
    CommandSpec spec = CommandSpec.create().name(name).version(version()).mixinStandardHelpOptions(true);
    spec.usageMessage().description(summary).sortOptions(false).exitCodeListHeading("%nExit status:%n")
        .exitCodeList(EXIT_CODES).width(118).abbreviateSynopsis(true);
    spec.parser().overwrittenOptionsAllowed(false).expandAtFiles(false).posixClusteredShortOptionsAllowed(false)
        .unmatchedOptionsArePositionalParams(false);
    return spec;
  }

  private static String[] footer(List<String> before) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.addAll(before);
    if (!before.isEmpty()) {
      lines.add("");
    }
    lines.addAll(ENVIRONMENT);
    return lines.toArray(String[]::new);
  }

  /** @return the names in {@link #ALL}, for tests */
  static List<String> commandNames() {
    return ALL.stream().map(Cmd::name).toList();
  }
}
