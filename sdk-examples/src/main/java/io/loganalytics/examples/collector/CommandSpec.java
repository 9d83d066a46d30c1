package io.loganalytics.examples.collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one subcommand accepts: its options, its positional arguments, and the help text built from them.
 * Immutable.
 */
final class CommandSpec {
  private final String name;
  private final String summary;
  private final List<String> details;
  private final List<OptionSpec> options;
  private final List<String> positionals;

  /**
   * Creates a command.
   *
   * @param name the subcommand, such as {@code send}
   * @param summary one line for the global help
   * @param details further lines for the command's help
   * @param options the options, the common ones included
   * @param positionals the names of required positional arguments, such as {@code FILE}
   */
  CommandSpec(String name, String summary, List<String> details, List<OptionSpec> options, List<String> positionals) {
    this.name = Objects.requireNonNull(name, "name");
    this.summary = Objects.requireNonNull(summary, "summary");
    this.details = List.copyOf(details);
    this.options = List.copyOf(options);
    this.positionals = List.copyOf(positionals);
  }

  /** @return the subcommand name */
  String name() {
    return name;
  }

  /** @return one line for the global help */
  String summary() {
    return summary;
  }

  /** @return the options */
  List<OptionSpec> options() {
    return options;
  }

  /** @return the required positional argument names */
  List<String> positionals() {
    return positionals;
  }

  /**
   * @param longName a long name without dashes
   * @return the option, if this command has it
   */
  Optional<OptionSpec> option(String longName) {
    return options.stream().filter(o -> o.longName().equals(longName)).findFirst();
  }

  /**
   * @param shortName a one-letter name without the dash
   * @return the option, if this command has it
   */
  Optional<OptionSpec> shortOption(String shortName) {
    return options.stream().filter(o -> shortName.equals(o.shortName())).findFirst();
  }

  /**
   * The command's help, as printed by {@code <command> --help}.
   *
   * @param program how the program is invoked, such as {@code java -jar loganalytics-collector.jar}
   * @return the help text, ending with a newline
   */
  String help(String program) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(program).append(' ').append(name);
    for (String p : positionals) {
      sb.append(' ').append(p);
    }
    sb.append(" [options]\n\n").append(summary).append('\n');
    for (String d : details) {
      sb.append(d).append('\n');
    }
    sb.append("\nOptions:\n");
    List<String> usages = new ArrayList<>();
    int width = 0;
    for (OptionSpec o : options) {
      usages.add(o.usage());
      width = Math.max(width, o.usage().length());
    }
    for (int i = 0; i < options.size(); i++) {
      String u = usages.get(i);
      sb.append("  ").append(u).append(" ".repeat(width - u.length() + 2)).append(options.get(i).help()).append('\n');
    }
    return sb.toString();
  }
}
