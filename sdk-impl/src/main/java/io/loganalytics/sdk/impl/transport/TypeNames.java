package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.ConfigurationException;
import java.util.regex.Pattern;

/** The record-type grammars of the two APIs (PROTOCOL §B5a, §B5c, §B5d). Stateless. */
final class TypeNames {
  /** Log-Type: letters, digits and {@code _}, starting with a letter, at most 100 characters. */
  static final Pattern LOG_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");

  /** DataType: as the agent's ({@code LINUX_SYSLOGS_BLOB}); {@code .} allowed, at most 100 characters. */
  static final Pattern DATA_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,99}");

  private TypeNames() {}

  static void check(Pattern grammar, String what, String type) {
    if (type == null || !grammar.matcher(type).matches()) {
      String shown = type == null ? "null" : "'" + (type.length() > 120 ? type.substring(0, 120) + "..." : type)
          + "'";
      throw new ConfigurationException("type", shown + " is not a valid " + what + ": it must start with a letter "
          + "and have at most 100 letters, digits or '_'" + (grammar == DATA_TYPE ? " or '.'" : ""));
    }
  }
}
