package io.loganalytics.examples.collector;

import java.time.Instant;
import java.util.Objects;

/**
 * One parsed syslog message. Immutable.
 *
 * @param facility the facility code, 0 to 23
 * @param severity the severity code, 0 to 7
 * @param eventTime when the sender says the event happened (the time of arrival when it did not say)
 * @param host the sender's host name (the source address when the message named none)
 * @param ident the program name (the RFC 3164 tag or the RFC 5424 APP-NAME), empty when absent
 * @param processId the process id, or {@code null} when absent
 * @param message the free-form text
 */
record SyslogMessage(int facility, int severity, Instant eventTime, String host, String ident, String processId,
    String message) {
  SyslogMessage {
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(ident, "ident");
    Objects.requireNonNull(message, "message");
  }
}
