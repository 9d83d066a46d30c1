package io.loganalytics.examples.collector;

import java.util.Objects;

/**
 * One option a command accepts: a long name ({@code --state-dir}), an optional short name ({@code -w}, as the legacy
 * agent's {@code omsadmin.sh} spelled it), and either a value placeholder or none (a flag). Immutable.
 */
final class OptionSpec {
  private final String longName;
  private final String shortName;
  private final String valueName;
  private final String help;

  private OptionSpec(String longName, String shortName, String valueName, String help) {
    this.longName = Objects.requireNonNull(longName, "longName");
    this.shortName = shortName;
    this.valueName = valueName;
    this.help = Objects.requireNonNull(help, "help");
  }

  /**
   * An option that takes a value.
   *
   * @param longName the long name without dashes, such as {@code state-dir}
   * @param shortName the one-letter name without the dash, or {@code null}
   * @param valueName the placeholder shown in help, such as {@code DIR}
   * @param help one line of help
   * @return the option
   */
  static OptionSpec value(String longName, String shortName, String valueName, String help) {
    return new OptionSpec(longName, shortName, Objects.requireNonNull(valueName, "valueName"), help);
  }

  /**
   * An option without a value.
   *
   * @param longName the long name without dashes
   * @param help one line of help
   * @return the flag
   */
  static OptionSpec flag(String longName, String help) {
    return new OptionSpec(longName, null, null, help);
  }

  /** @return the long name without dashes; the key under which {@link ParsedArgs} stores the value */
  String longName() {
    return longName;
  }

  /** @return the short name without the dash, or {@code null} */
  String shortName() {
    return shortName;
  }

  /** @return whether the option takes a value */
  boolean takesValue() {
    return valueName != null;
  }

  /** @return how the user would write this option, preferring the short form the agent used */
  String displayName() {
    return shortName != null ? "-" + shortName : "--" + longName;
  }

  /** @return the usage column, such as {@code -w, --workspace-id ID} */
  String usage() {
    String names = (shortName != null ? "-" + shortName + ", " : "    ") + "--" + longName;
    return valueName == null ? names : names + " " + valueName;
  }

  /** @return one line of help */
  String help() {
    return help;
  }
}
