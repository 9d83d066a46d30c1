package io.loganalytics.examples.collector;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The result of parsing one command line: the command, the option values by long name, the flags that were given,
 * and the positional arguments. Immutable. The typed getters turn a bad value into a {@link UsageException} that
 * names the option as the user wrote it.
 */
final class ParsedArgs {
  private final CommandSpec command;
  private final Map<String, String> values;
  private final Map<String, String> spelledAs;
  private final Set<String> flags;
  private final List<String> positionals;

  ParsedArgs(CommandSpec command, Map<String, String> values, Map<String, String> spelledAs, Set<String> flags,
      List<String> positionals) {
    this.command = command;
    this.values = Map.copyOf(values);
    this.spelledAs = Map.copyOf(spelledAs);
    this.flags = Set.copyOf(flags);
    this.positionals = List.copyOf(positionals);
  }

  /** @return the command */
  CommandSpec command() {
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
    return command.option(longName).map(OptionSpec::displayName).orElse("--" + longName);
  }
}
