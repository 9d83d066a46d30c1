package io.loganalytics.examples.collector;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Parses RFC 3164 (BSD) and RFC 5424 syslog messages, leniently, as a receiver must: it never throws on any input.
 *
 * <ul>
 *   <li>{@code <PRI>} is 1 to 3 digits, 0 to 191. A message without a valid PRI is taken whole as the text, with
 *       PRI 13 (user.notice), as RFC 3164 §4.3.3 tells a relay to do.
 *   <li>RFC 5424, recognised by the version {@code 1} after the PRI: {@code TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
 *       STRUCTURED-DATA [MSG]}; {@code -} is "absent"; a UTF-8 BOM and leading spaces before MSG are dropped; the structured data is
 *       skipped (the agent's record has no field for it), its escapes honoured.
 *   <li>RFC 3164: {@code Mmm dd hh:mm:ss HOST TAG[PID]: MSG}. The time has no year or zone: it is read in the
 *       receiver's zone and in the year that puts it at most 7 days after the time of arrival. An RFC 3339 time
 *       (rsyslog's high-precision format) is accepted in its place. The host may be missing (local senders write
 *       {@code TAG:} right after the time); the tag is {@code ident}, optionally {@code [pid]}, ended by {@code :}.
 *   <li>Missing parts fall back: time to the time of arrival, host to the source address, ident to empty.
 * </ul>
 *
 * <p>Immutable; thread-safe.
 */
final class SyslogParser {
  /** PRI when the message has none: user.notice. */
  static final int DEFAULT_PRI = 13;

  private static final List<String> MONTHS = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
      "Oct", "Nov", "Dec");

  private final ZoneId zone;

  /**
   * @param zone the zone of RFC 3164 times, which carry none (the system zone in production)
   */
  SyslogParser(ZoneId zone) {
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /**
   * Parses one message.
   *
   * @param raw the message, one frame without its framing
   * @param receivedAt when it arrived
   * @param source the address it came from, used when it names no host
   * @return the message, or empty when there is nothing in it (empty or only whitespace)
   */
  Optional<SyslogMessage> parse(String raw, Instant receivedAt, String source) {
    String s = stripTrailing(raw == null ? "" : raw);
    if (s.isBlank()) {
      return Optional.empty();
    }
    int pri = -1;
    int pos = 0;
    if (s.charAt(0) == '<') {
      int close = s.indexOf('>');
      if (close >= 2 && close <= 4) {
        pri = parsePri(s.substring(1, close));
        pos = pri >= 0 ? close + 1 : 0;
      }
    }
    if (pri < 0) {
      return Optional.of(new SyslogMessage(DEFAULT_PRI >> 3, DEFAULT_PRI & 7, receivedAt, source, "", null, s));
    }
    int facility = pri >> 3;
    int severity = pri & 7;
    String rest = s.substring(pos);
    if (rest.startsWith("1 ")) {
      return Optional.of(parse5424(facility, severity, rest.substring(2), receivedAt, source));
    }
    return Optional.of(parse3164(facility, severity, rest, receivedAt, source));
  }

  private static int parsePri(String digits) {
    if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      return -1;
    }
    int v = Integer.parseInt(digits);
    return v <= 191 ? v : -1;
  }

  private SyslogMessage parse5424(int facility, int severity, String s, Instant receivedAt, String source) {
    Cursor c = new Cursor(s);
    String time = c.token();
    String host = c.token();
    String app = c.token();
    String procId = c.token();
    c.token(); // MSGID: the agent's record has no field for it
    c.skipStructuredData();
    String msg = c.remainder();
    if (msg.startsWith("\uFEFF")) {
      msg = msg.substring(1);
    }
    msg = msg.stripLeading(); // rsyslog's forwarding templates leave the space that followed the tag
    Instant eventTime = receivedAt;
    if (!time.equals("-") && !time.isEmpty()) {
      eventTime = parseRfc3339(time).orElse(receivedAt);
    }
    return new SyslogMessage(facility, severity, eventTime, nil(host) ? source : host, nil(app) ? "" : app,
        nil(procId) ? null : procId, msg);
  }

  private SyslogMessage parse3164(int facility, int severity, String s, Instant receivedAt, String source) {
    Instant eventTime = null;
    String rest = s;
    if (rest.length() >= 16 && rest.charAt(15) == ' ') {
      eventTime = parseBsdTime(rest.substring(0, 15), receivedAt).orElse(null);
      if (eventTime != null) {
        rest = rest.substring(16);
      }
    }
    if (eventTime == null && !rest.isEmpty() && Character.isDigit(rest.charAt(0))) {
      int sp = rest.indexOf(' ');
      if (sp > 0) {
        eventTime = parseRfc3339(rest.substring(0, sp)).orElse(null);
        if (eventTime != null) {
          rest = rest.substring(sp + 1);
        }
      }
    }
    if (eventTime == null) {
      // No header at all: the whole text is the message (RFC 3164 §4.3.2).
      return new SyslogMessage(facility, severity, receivedAt, source, "", null, rest.strip());
    }
    String host = source;
    int sp = rest.indexOf(' ');
    String first = sp < 0 ? rest : rest.substring(0, sp);
    if (!first.isEmpty() && !looksLikeTag(first)) {
      host = first;
      rest = sp < 0 ? "" : rest.substring(sp + 1);
    }
    // TAG: ident, then optionally [pid], then ':'.
    int i = 0;
    while (i < rest.length() && isIdentChar(rest.charAt(i))) {
      i++;
    }
    String ident = rest.substring(0, i);
    String pid = null;
    int j = i;
    if (j < rest.length() && rest.charAt(j) == '[') {
      int close = rest.indexOf(']', j);
      if (close > j + 1 && rest.substring(j + 1, close).chars().allMatch(Character::isDigit)) {
        pid = rest.substring(j + 1, close);
        j = close + 1;
      }
    }
    String msg;
    if (j < rest.length() && rest.charAt(j) == ':' && (i > 0 || pid != null)) {
      msg = rest.substring(j + 1);
    } else if (pid != null && (j == rest.length() || rest.charAt(j) == ' ')) {
      msg = rest.substring(j);
    } else {
      ident = "";
      msg = rest;
    }
    return new SyslogMessage(facility, severity, eventTime, host, ident, pid, msg.stripLeading());
  }

  private static boolean looksLikeTag(String token) {
    return token.endsWith(":") || token.indexOf('[') >= 0;
  }

  private static boolean isIdentChar(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'
        || ch == '/' || ch == '.' || ch == '-';
  }

  /** {@code Mmm dd hh:mm:ss}, day space-padded or zero-padded. */
  private Optional<Instant> parseBsdTime(String t, Instant receivedAt) {
    int month = MONTHS.indexOf(t.substring(0, 3)) + 1;
    if (month == 0 || t.charAt(3) != ' ' || t.charAt(6) != ' ' || t.charAt(9) != ':' || t.charAt(12) != ':') {
      return Optional.empty();
    }
    try {
      int day = Integer.parseInt(t.substring(4, 6).strip());
      int hour = Integer.parseInt(t.substring(7, 9));
      int minute = Integer.parseInt(t.substring(10, 12));
      int second = Integer.parseInt(t.substring(13, 15));
      int year = ZonedDateTime.ofInstant(receivedAt, zone).getYear();
      Instant candidate = LocalDateTime.of(year, month, day, hour, minute, second).atZone(zone).toInstant();
      if (candidate.isAfter(receivedAt.plus(Duration.ofDays(7)))) {
        candidate = LocalDateTime.of(year - 1, month, day, hour, minute, second).atZone(zone).toInstant();
      }
      return Optional.of(candidate);
    } catch (NumberFormatException | DateTimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> parseRfc3339(String t) {
    try {
      return Optional.of(OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static boolean nil(String field) {
    return field.isEmpty() || field.equals("-");
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r' || s.charAt(end - 1) == '\0')) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Walks the space-separated RFC 5424 header. */
  private static final class Cursor {
    private final String s;
    private int pos;

    Cursor(String s) {
      this.s = s;
    }

    String token() {
      if (pos >= s.length()) {
        return "";
      }
      int sp = s.indexOf(' ', pos);
      String t = sp < 0 ? s.substring(pos) : s.substring(pos, sp);
      pos = sp < 0 ? s.length() : sp + 1;
      return t;
    }

    void skipStructuredData() {
      if (pos >= s.length()) {
        return;
      }
      if (s.charAt(pos) == '-') {
        pos++;
      } else {
        while (pos < s.length() && s.charAt(pos) == '[') {
          boolean quoted = false;
          pos++;
          while (pos < s.length()) {
            char ch = s.charAt(pos);
            if (quoted && ch == '\\' && pos + 1 < s.length()) {
              pos += 2;
              continue;
            }
            pos++;
            if (ch == '"') {
              quoted = !quoted;
            } else if (ch == ']' && !quoted) {
              break;
            }
          }
        }
      }
      if (pos < s.length() && s.charAt(pos) == ' ') {
        pos++;
      }
    }

    String remainder() {
      return pos >= s.length() ? "" : s.substring(pos);
    }
  }
}
