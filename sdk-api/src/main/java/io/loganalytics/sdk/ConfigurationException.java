package io.loganalytics.sdk;

/**
 * A configuration value is missing or invalid. The message names the field and says what was wrong, without ever
 * echoing a secret. Never retryable: the value has to change.
 */
public final class ConfigurationException extends LogAnalyticsException {
  private static final long serialVersionUID = 1L;

  /** The offending setting. */
  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the name of the offending setting, as the user wrote it (for example {@code "workspaceId"})
   * @param problem what is wrong with it; must not contain a secret value
   */
  public ConfigurationException(String field, String problem) {
    this(field, problem, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param field the name of the offending setting
   * @param problem what is wrong with it; must not contain a secret value
   * @param cause the underlying failure, or {@code null}
   */
  public ConfigurationException(String field, String problem, Throwable cause) {
    super(field + ": " + problem, false, cause);
    this.field = field;
  }

  /**
   * The setting that was wrong.
   *
   * @return the field name, for example {@code "proxy.port"}
   */
  public String field() {
    return field;
  }
}
