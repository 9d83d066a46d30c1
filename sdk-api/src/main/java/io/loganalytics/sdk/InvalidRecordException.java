package io.loganalytics.sdk;

/**
 * A record given to {@code send}, {@code sendJson} or {@code sendAll} is malformed, so it can never be sent as it
 * is: the JSON text is not exactly one JSON object, a field name is empty, too long, has characters the service does
 * not allow or is reserved by the service, the record has more fields than a table can have, a value's type cannot
 * be written as JSON (or it is {@code NaN} or infinite), values are nested too deeply (a map that contains itself),
 * or the record type passed with the call is not a valid type name. A record that is only too large is a
 * {@link RecordTooLargeException} instead; a bad setting of the client is a {@link ConfigurationException}.
 *
 * <p>Never retryable: the record has to change. The message names the field and says what is wrong; record values
 * may hold sensitive data, so it does not echo them (at most a short, cut excerpt of a field name or type name).
 */
public final class InvalidRecordException extends LogAnalyticsException {
  private static final long serialVersionUID = 1L;

  /** The offending field, or {@code null} when unknown. */
  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the offending top-level field of the record (possibly cut when its name is the problem),
   *     {@code "record"} when the record as a whole is wrong, {@code "type"} when the record type is invalid, or
   *     {@code null} when unknown
   * @param problem what is wrong; must not contain the record's values
   */
  public InvalidRecordException(String field, String problem) {
    super(field == null ? problem : field + ": " + problem, false);
    this.field = field;
  }

  /**
   * The part of the call that was wrong.
   *
   * @return the top-level field name (cut to a short excerpt when the name itself is the problem), {@code "record"}
   *     for the record as a whole, {@code "type"} for the record type, or {@code null} when unknown
   */
  public String field() {
    return field;
  }
}
