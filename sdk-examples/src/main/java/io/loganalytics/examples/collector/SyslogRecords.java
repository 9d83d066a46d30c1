package io.loganalytics.examples.collector;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link SyslogMessage} into the record the legacy agent's {@code filter_syslog.rb} produced (PROTOCOL.md
 * §B5a): DataType {@value #DATA_TYPE}, IPName {@code LogManagement}, items with {@code Facility}, {@code Severity},
 * {@code Host}, {@code ident}, {@code ProcessId} (only when the message had one, as the agent), {@code Message},
 * {@code EventTime} (the message's time), {@code Timestamp} (the time of arrival) and {@code HostIP}, times in
 * ISO-8601 UTC with milliseconds. Facility and severity names are those of fluentd's {@code in_syslog}, which the
 * agent used ({@code err}, {@code warn}, {@code authpriv}, {@code local0}...).
 *
 * <p>Difference from the agent: {@code HostIP} is the address the message came from; the agent resolved the
 * message's host name with DNS (and wrote {@code Unknown IP} when that failed).
 *
 * <p>Stateless; thread-safe.
 */
final class SyslogRecords {
  /** The agent's data type for syslog. */
  static final String DATA_TYPE = "LINUX_SYSLOGS_BLOB";

  static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
      "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "at", "local0", "local1", "local2", "local3",
      "local4", "local5", "local6", "local7");
  static final List<String> SEVERITIES = List.of("emerg", "alert", "crit", "err", "warn", "notice", "info",
      "debug");

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private SyslogRecords() {}

  /**
   * The agent's syslog item.
   *
   * @param m the parsed message
   * @param receivedAt when it arrived
   * @param hostIp the address it came from
   * @return the fields, in the agent's order
   */
  static Map<String, Object> toRecord(SyslogMessage m, Instant receivedAt, String hostIp) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("Facility", FACILITIES.get(m.facility()));
    r.put("Severity", SEVERITIES.get(m.severity()));
    r.put("Host", m.host());
    r.put("ident", m.ident());
    if (m.processId() != null) {
      r.put("ProcessId", m.processId());
    }
    r.put("Message", m.message());
    r.put("EventTime", iso(m.eventTime()));
    r.put("Timestamp", iso(receivedAt));
    r.put("HostIP", hostIp);
    return r;
  }

  /**
   * @param t an instant
   * @return it in ISO-8601 UTC with milliseconds, such as {@code 2026-11-25T14:00:00.000Z}
   */
  static String iso(Instant t) {
    return ISO_MILLIS.format(t);
  }
}
