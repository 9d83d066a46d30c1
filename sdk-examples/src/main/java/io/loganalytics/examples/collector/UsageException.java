package io.loganalytics.examples.collector;

/**
 * Bad command-line input: the collector prints {@code error: <field>: <problem>} as one line on standard error and
 * exits with status {@value #EXIT_CODE}. The problem text never contains a secret (the shared key is never echoed).
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The exit status for bad input. */
  static final int EXIT_CODE = 2;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the option or argument at fault, as the user wrote it (for example {@code --port})
   * @param problem what is wrong with it, one line, without secrets
   */
  UsageException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  /** @return the option or argument at fault */
  String field() {
    return field;
  }

  /** @return the one line printed on standard error */
  String errorLine() {
    return "error: " + getMessage().replace('\n', ' ').replace('\r', ' ');
  }
}
