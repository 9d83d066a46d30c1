package io.loganalytics.examples.collector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The collector's subcommands and their options. Flags keep the legacy agent's spelling where the agent had them
 * ({@code -w} workspace, {@code -s} shared key, {@code -d} domain, {@code -p} proxy, port 25224 for syslog). Every
 * command takes {@code --state-dir}, {@code --buffer-dir}, {@code --ca-file} and {@code --help}.
 *
 * <p>Immutable; thread-safe.
 */
final class Commands {
  static final OptionSpec STATE_DIR = OptionSpec.value("state-dir", null, "DIR",
      "agent state: certs/oms.crt, certs/oms.key, omsadmin.conf (default ~/.loganalytics/state)");
  static final OptionSpec BUFFER_DIR = OptionSpec.value("buffer-dir", null, "DIR",
      "disk buffer directory (default ~/.loganalytics/buffer)");
  static final OptionSpec CA_FILE = OptionSpec.value("ca-file", null, "PEM",
      "extra trusted CA certificates (TLS-inspecting proxy, emulator); the JVM trust store stays in force");
  static final OptionSpec HELP = OptionSpec.flag(ArgParser.HELP, "show this help");

  static final OptionSpec WORKSPACE = OptionSpec.value("workspace-id", "w", "ID", "workspace ID (a GUID)");
  static final OptionSpec SHARED_KEY = OptionSpec.value("shared-key", "s", "KEY",
      "workspace shared key (or set LOGANALYTICS_SHARED_KEY, which keeps it out of the process list)");
  static final OptionSpec DOMAIN = OptionSpec.value("domain", "d", "DOMAIN",
      "opinsights.azure.com (default), opinsights.azure.us (Government), opinsights.azure.cn (China)");
  static final OptionSpec PROXY = OptionSpec.value("proxy", "p", "PROXY",
      "[http://|https://][user:password@]host[:port]");

  static final OptionSpec DATA_TYPE = OptionSpec.value("data-type", null, "TYPE",
      "agent path: the DataType, such as LINUX_SYSLOGS_BLOB (identity from --state-dir)");
  static final OptionSpec IP_NAME = OptionSpec.value("ip-name", null, "NAME",
      "agent path: the IPName (default LogManagement)");
  static final OptionSpec LOG_TYPE = OptionSpec.value("log-type", null, "NAME",
      "Data Collector path: the Log-Type (table NAME_CL); needs -w and -s");

  static final OptionSpec FILE = OptionSpec.value("file", null, "FILE", "read JSON lines from FILE (default stdin)");
  static final OptionSpec TIMEOUT = OptionSpec.value("timeout", null, "SECONDS",
      "give up waiting for delivery after this long (default 3600); undelivered records stay buffered");
  static final OptionSpec FORMAT = OptionSpec.value("format", null, "text|json",
      "text: each line becomes {\"Message\": line}; json: each line is a JSON object (default text)");
  static final OptionSpec FROM_START = OptionSpec.flag("from-start",
      "read the file from its beginning when there is no saved position for it (default: from its end, like tail "
          + "-f)");
  static final OptionSpec POLL_MS = OptionSpec.value("poll-ms", null, "MS", "how often to look for new lines "
      + "(default 1000)");
  static final OptionSpec PORT = OptionSpec.value("port", null, "PORT", "port to listen on (default 25224)");
  static final OptionSpec BIND = OptionSpec.value("bind", null, "ADDRESS",
      "address to listen on (default 127.0.0.1, as the agent)");
  static final OptionSpec TCP = OptionSpec.flag("tcp", "listen on TCP (octet counting or newline framing) "
      + "instead of UDP");
  static final OptionSpec RECORDS = OptionSpec.value("records", null, "N", "records to send (default 5000)");

  static final List<CommandSpec> ALL = List.of(
      command("onboard", "Creates the agent certificate, onboards to the workspace and saves the state.",
          List.of("Prints the agent GUID and the certificate's expiry."),
          List.of(), WORKSPACE, SHARED_KEY, DOMAIN, PROXY),
      command("send", "Sends JSON lines from standard input or --file; exits once every record is delivered "
              + "or given up.",
          List.of("Agent path: send --data-type TYPE [--ip-name NAME] (identity from --state-dir).",
              "Data Collector path: send -w ID -s KEY --log-type NAME."),
          List.of(), DATA_TYPE, IP_NAME, LOG_TYPE, WORKSPACE, SHARED_KEY, DOMAIN, PROXY, FILE, TIMEOUT),
      command("tail", "Follows FILE across rotation and truncation and sends each new line.",
          List.of("Stops on Ctrl-C (SIGINT/SIGTERM), pushing what is buffered.",
              "Saves how far it got in --state-dir (tail-*.position) and resumes there when FILE is the same file;",
              "a full buffer is waited for (retried with backoff), so no line is lost."),
          List.of("FILE"), DATA_TYPE, IP_NAME, LOG_TYPE, WORKSPACE, SHARED_KEY, DOMAIN, PROXY, FORMAT, FROM_START,
          POLL_MS),
      command("syslog", "Receives RFC 3164 and RFC 5424 syslog messages and sends them as syslog records "
              + "(DataType LINUX_SYSLOGS_BLOB).",
          List.of("Point rsyslog at it as the agent's configuration did: *.* @127.0.0.1:25224",
              "While the buffer is full, TCP senders are held back (nothing lost); UDP messages are dropped, counted",
              "in the summary and in status."),
          List.of(), PORT, BIND, TCP, IP_NAME, WORKSPACE, SHARED_KEY, DOMAIN, PROXY),
      command("status", "Shows the certificate subject and expiry, buffer fill and oldest record, last upload and "
              + "counters.", List.of(), List.of()),
      command("renew-cert", "Renews the agent certificate now.", List.of(), List.of(), WORKSPACE, SHARED_KEY,
          DOMAIN, PROXY),
      command("verify-buffer", "Reads the disk buffer without changing it and reports what it holds.", List.of(),
          List.of()),
      command("demo", "Starts a workspace emulator in-process, onboards, sends a realistic stream with faults, "
          + "and proves every record arrived.", List.of(), List.of(), RECORDS));

  private Commands() {}

  private static CommandSpec command(String name, String summary, List<String> details, List<String> positionals,
      OptionSpec... specific) {
    List<OptionSpec> options = new ArrayList<>(Arrays.asList(specific));
    options.add(STATE_DIR);
    options.add(BUFFER_DIR);
    options.add(CA_FILE);
    options.add(HELP);
    return new CommandSpec(name, summary, details, options, positionals);
  }

  /**
   * @param name a subcommand name
   * @return the command, if there is one of that name
   */
  static Optional<CommandSpec> find(String name) {
    return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The global help.
   *
   * @param program how the program is invoked
   * @return the help text, ending with a newline
   */
  static String globalHelp(String program) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(program).append(" COMMAND [options]\n\n")
        .append("Delivers logs to an Azure Log Analytics workspace, as the legacy Log Analytics agent did.\n\n")
        .append("Commands:\n");
    for (CommandSpec c : ALL) {
      sb.append("  ").append(c.name()).append(" ".repeat(15 - c.name().length())).append(c.summary()).append('\n');
    }
    sb.append("\nEvery command takes --state-dir DIR, --buffer-dir DIR, --ca-file PEM and --help.\n")
        .append("Run '").append(program).append(" COMMAND --help' for a command's options.\n")
        .append("Exit status: 0 done, 1 failed (records given up, service unreachable), 2 bad input.\n");
    return sb.toString();
  }

  /** @return the command names, comma separated */
  static String names() {
    return String.join(", ", ALL.stream().map(CommandSpec::name).toList());
  }
}
