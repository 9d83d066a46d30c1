package io.loganalytics.examples.collector;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The result of parsing one command line with picocli: the option values by long name, the flags that were given,
 * and the positional arguments. Immutable. The typed getters turn a bad value into a {@link UsageException} that
 * names the option as the user wrote it ({@code -w} or {@code --workspace-id}).
 */
final class ParsedArgs {
  private final String command;
  private final Map<String, String> values;
  private final Map<String, String> spelledAs;
  private final Map<String, String> displayNames;
  private final Set<String> flags;
  private final List<String> positionals;

  ParsedArgs(String command, Map<String, String> values, Map<String, String> spelledAs,
      Map<String, String> displayNames, Set<String> flags, List<String> positionals) {
    this.command = command;
    this.values = Map.copyOf(values);
    this.spelledAs = Map.copyOf(spelledAs);
    this.displayNames = Map.copyOf(displayNames);
    this.flags = Set.copyOf(flags);
    this.positionals = List.copyOf(positionals);
  }

  /**
   * Reads picocli's result for one subcommand.
   *
   * @param result the parse result
   * @return the arguments
   */
  static ParsedArgs of(CommandLine.ParseResult result) {
    CommandSpec spec = result.commandSpec();
    Map<String, String> values = new HashMap<>();
    Map<String, String> spelled = new HashMap<>();
    Map<String, String> display = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (OptionSpec o : spec.options()) {
      display.put(key(o), o.shortestName());
    }
    for (OptionSpec o : result.matchedOptions()) {
      if (o.arity().max() == 0) {
        flags.add(key(o));
      } else {
        Object v = o.getValue();
        if (v != null) {
          values.put(key(o), v.toString());
        }
      }
    }
    boolean ended = false;
    for (String arg : result.originalArgs()) {
      if (ended || !arg.startsWith("-")) {
        continue;
      }
      if (arg.equals("--")) {
        ended = true;
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq > 0 ? arg.substring(0, eq) : arg;
      OptionSpec o = spec.findOption(name);
      if (o != null) {
        spelled.putIfAbsent(key(o), name);
      }
    }
    List<String> positionals = new ArrayList<>();
    for (var p : result.matchedPositionals()) {
      Object v = p.getValue();
      if (v != null) {
        positionals.add(v.toString());
      }
    }
    return new ParsedArgs(spec.name(), values, spelled, display, flags, positionals);
  }

  /** The long name without dashes, under which values are kept. */
  static String key(OptionSpec o) {
    return o.longestName().replaceFirst("^-+", "");
  }

  /** @return the subcommand's name */
  String command() {
    return command;
  }

  /**
   * @param longName an option's long name
   * @return its value, if given
   */
  Optional<String> value(String longName) {
    return Optional.ofNullable(values.get(longName));
  }

  /**
   * @param longName an option's long name
   * @return whether the option (flag or valued) was given
   */
  boolean has(String longName) {
    return flags.contains(longName) || values.containsKey(longName);
  }

  /**
   * @param longName an option's long name
   * @return its value
   * @throws UsageException naming the option when it is missing
   */
  String required(String longName) {
    String v = values.get(longName);
    if (v == null) {
      throw new UsageException(name(longName), "is required");
    }
    return v;
  }

  /**
   * An integer option in a range.
   *
   * @param longName the option's long name
   * @param defaultValue the value when not given
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return the value
   * @throws UsageException naming the option when it is not a number in range
   */
  int intValue(String longName, int defaultValue, int min, int max) {
    String v = values.get(longName);
    if (v == null) {
      return defaultValue;
    }
    int n;
    try {
      n = Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new UsageException(name(longName), "'" + v + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new UsageException(name(longName), n + " is outside " + min + ".." + max);
    }
    return n;
  }

  /**
   * A path option.
   *
   * @param longName the option's long name
   * @return the path, if given
   * @throws UsageException naming the option when it is not a valid path
   */
  Optional<Path> path(String longName) {
    String v = values.get(longName);
    if (v == null) {
      return Optional.empty();
    }
    if (v.isBlank()) {
      throw new UsageException(name(longName), "is empty; expected a path");
    }
    try {
      return Optional.of(Path.of(v));
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException(name(longName), "'" + v + "' is not a valid path");
    }
  }

  /** Keeps an echoed argument short and on one line. */
  static String printable(String s) {
    String oneLine = s.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine;
  }

  /** @return the positional arguments, in order */
  List<String> positionals() {
    return positionals;
  }

  /**
   * How the user spelled an option, for error messages ({@code -w} or {@code --workspace-id}).
   *
   * @param longName the option's long name
   * @return the spelling used, or the option's preferred spelling when it was not given
   */
  String name(String longName) {
    String s = spelledAs.get(longName);
    if (s != null) {
      return s;
    }
    return displayNames.getOrDefault(longName, "--" + longName);
  }
}
