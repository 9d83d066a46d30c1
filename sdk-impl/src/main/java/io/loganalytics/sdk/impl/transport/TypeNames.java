package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.InvalidRecordException;
import java.util.regex.Pattern;

/** The record-type grammars of the two APIs (PROTOCOL §B5a, §B5c, §B5d). Stateless. */
final class TypeNames {
  /** Log-Type: letters, digits and {@code _}, starting with a letter, at most 100 characters. */
  static final Pattern LOG_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");

  /** DataType: as the agent's ({@code LINUX_SYSLOGS_BLOB}); {@code .} allowed, at most 100 characters. */
  static final Pattern DATA_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,99}");

  /**
   * A Logs Ingestion stream: {@code Custom-} or {@code Microsoft-} and letters, digits or {@code _}, optionally
   * after {@code dcr-<32 hex>/} naming another DCR on the same endpoint; at most 100 characters in all.
   */
  static final Pattern STREAM = Pattern.compile("(?:(dcr-[0-9a-fA-F]{32})/)?((?:Custom|Microsoft)-[A-Za-z0-9_]{1,60})");

  private TypeNames() {}

  /**
   * Checks a Logs Ingestion record type.
   *
   * @param type the type
   * @throws InvalidRecordException naming {@code type} when it is not a stream name
   */
  static void checkStream(String type) {
    if (type == null || !STREAM.matcher(type).matches()) {
      throw new InvalidRecordException("type", shown(type) + " is not a Logs Ingestion stream name: expected "
          + "Custom-<name> or Microsoft-<table> (letters, digits, '_', as declared in the DCR's "
          + "streamDeclarations), optionally as dcr-<32 hex digits>/<stream> to target another DCR on the same "
          + "endpoint");
    }
  }

  /** The most characters of an invalid type name that an error message shows. */
  static final int SHOWN_CHARS = 40;

  /**
   * Checks the record type passed to {@code send}; it is per-call input, like the record.
   *
   * @param grammar {@link #LOG_TYPE} or {@link #DATA_TYPE}
   * @param what the header's name for the message ({@code Log-Type}, {@code DataType})
   * @param type the type
   * @throws InvalidRecordException naming {@code type} when it breaks the grammar; the message shows at most
   *     {@value #SHOWN_CHARS} characters of it
   */
  static void check(Pattern grammar, String what, String type) {
    if (type == null || !grammar.matcher(type).matches()) {
      throw new InvalidRecordException("type", shown(type) + " is not a valid " + what + ": it must start with a "
          + "letter and have at most 100 letters, digits or '_'" + (grammar == DATA_TYPE ? " or '.'" : ""));
    }
  }

  private static String shown(String type) {
    if (type == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < Math.min(type.length(), SHOWN_CHARS); i++) {
      char c = type.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.append(type.length() > SHOWN_CHARS ? "...'" : "'").toString();
  }
}
