package io.loganalytics.examples.collector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses one subcommand's arguments against its {@link CommandSpec}. Accepted forms: {@code --name value},
 * {@code --name=value}, {@code -w value} (one-letter names, as the legacy agent's {@code omsadmin.sh}), flags
 * {@code --tcp}, positional arguments anywhere, and {@code --} to end options. An option given twice, an unknown
 * option, a missing value, a missing or extra positional argument is a {@link UsageException} naming it.
 *
 * <p>Stateless and thread-safe.
 */
final class ArgParser {
  /** The long name of the help flag every command has. */
  static final String HELP = "help";

  private ArgParser() {}

  /**
   * Parses.
   *
   * @param command the command's specification
   * @param args the arguments after the subcommand name
   * @return the parsed arguments; when {@code --help} or {@code -h} is among them, the other arguments are not
   *     checked and {@code has("help")} is true
   * @throws UsageException naming the first bad argument
   */
  static ParsedArgs parse(CommandSpec command, List<String> args) {
    if (args.contains("--help") || args.contains("-h")) {
      return new ParsedArgs(command, Map.of(), Map.of(), Set.of(HELP), List.of());
    }
    Map<String, String> values = new HashMap<>();
    Map<String, String> spelledAs = new HashMap<>();
    Set<String> flags = new HashSet<>();
    List<String> positionals = new ArrayList<>();
    boolean optionsEnded = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        positionals.add(arg);
        continue;
      }
      if (arg.equals("--")) {
        optionsEnded = true;
        continue;
      }
      String spelled;
      String inlineValue = null;
      Optional<OptionSpec> found;
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        spelled = eq >= 0 ? arg.substring(0, eq) : arg;
        inlineValue = eq >= 0 ? arg.substring(eq + 1) : null;
        found = command.option(spelled.substring(2));
      } else {
        spelled = arg;
        found = arg.length() == 2 ? command.shortOption(arg.substring(1)) : Optional.empty();
      }
      OptionSpec option = found.orElseThrow(() -> new UsageException(printable(spelled),
          "unknown option for '" + command.name() + "' (see " + command.name() + " --help)"));
      String key = option.longName();
      if (values.containsKey(key) || flags.contains(key)) {
        throw new UsageException(spelled, "given more than once");
      }
      spelledAs.put(key, spelled);
      if (!option.takesValue()) {
        if (inlineValue != null) {
          throw new UsageException(spelled, "takes no value");
        }
        flags.add(key);
        continue;
      }
      String value = inlineValue;
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new UsageException(spelled, "needs a value");
        }
        value = args.get(++i);
      }
      values.put(key, value);
    }
    List<String> expected = command.positionals();
    if (positionals.size() < expected.size()) {
      throw new UsageException(expected.get(positionals.size()), "is required");
    }
    if (positionals.size() > expected.size()) {
      // Named by position, never echoed: a stray argument may be a key that lost its -s.
      throw new UsageException("argument " + (expected.size() + 1), "unexpected; '" + command.name() + "' takes "
          + (expected.isEmpty() ? "no arguments" : "only " + String.join(" ", expected)) + " (value not shown)");
    }
    return new ParsedArgs(command, values, spelledAs, flags, positionals);
  }

  /** Keeps an echoed argument short and on one line. */
  static String printable(String s) {
    String oneLine = s.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine;
  }
}
