package io.loganalytics.testkit;

/**
 * A request the emulator refuses: the status, the service's error code (the {@code <Reason>} of the agent
 * endpoints, the {@code Error} of the Data Collector API) and a one-line detail for the test author. Used for
 * control flow inside the dispatcher only, so it carries no stack trace. Never holds a secret.
 */
final class Rejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  Rejection(int status, String code, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  String detail() {
    return getMessage();
  }
}
