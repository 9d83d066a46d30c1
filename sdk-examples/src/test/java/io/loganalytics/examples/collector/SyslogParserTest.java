package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SyslogParserTest {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00.123Z");
  static final String SRC = "192.0.2.7";
  final SyslogParser parser = new SyslogParser(ZoneId.of("UTC"));

  /** raw message -> facility, severity, host, ident, pid (null = absent), message, event time. */
  static Stream<Arguments> messages() {
    return Stream.of(
        // RFC 3164
        row("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
            "auth", "crit", "mymachine", "su", null, "'su root' failed for lonvick on /dev/pts/8",
            "2026-10-11T22:14:15.000Z"),
        row("<13>Nov 25 09:59:58 web01 nginx[1234]: GET / 200",
            "user", "notice", "web01", "nginx", "1234", "GET / 200", "2026-11-25T09:59:58.000Z"),
        row("<86>Nov  5 01:02:03 host sshd[77]: Accepted publickey for bob",
            "authpriv", "info", "host", "sshd", "77", "Accepted publickey for bob", "2026-11-05T01:02:03.000Z"),
        row("<11>Nov 25 10:00:00 host app/worker.1-x[9]:no space after colon",
            "user", "err", "host", "app/worker.1-x", "9", "no space after colon", "2026-11-25T10:00:00.000Z"),
        row("<12>Nov 25 10:00:00 host kernel[5] message without colon",
            "user", "warn", "host", "kernel", "5", "message without colon", "2026-11-25T10:00:00.000Z"),
        row("<191>Nov 25 10:00:00 host cron: job",
            "local7", "debug", "host", "cron", null, "job", "2026-11-25T10:00:00.000Z"),
        row("<0>Nov 25 10:00:00 host kernel: panic",
            "kern", "emerg", "host", "kernel", null, "panic", "2026-11-25T10:00:00.000Z"),
        // December message received in the first days of January belongs to last year: see yearRollover test.
        // no host (a local sender writes the tag right after the time)
        row("<14>Nov 25 10:00:00 myapp[42]: hello",
            "user", "info", SRC, "myapp", "42", "hello", "2026-11-25T10:00:00.000Z"),
        row("<14>Nov 25 10:00:00 myapp: hello",
            "user", "info", SRC, "myapp", null, "hello", "2026-11-25T10:00:00.000Z"),
        // no tag at all
        row("<14>Nov 25 10:00:00 host just some words",
            "user", "info", "host", "", null, "just some words", "2026-11-25T10:00:00.000Z"),
        // RFC 3339 time in the 3164 position (rsyslog's high-precision forwarding)
        row("<30>2026-11-25T11:00:00.5+01:00 db01 postgres[88]: checkpoint",
            "daemon", "info", "db01", "postgres", "88", "checkpoint", "2026-11-25T10:00:00.500Z"),
        // no header after PRI: the text is the message
        row("<13>hello world", "user", "notice", SRC, "", null, "hello world", "2026-11-25T10:00:00.123Z"),
        // no PRI: user.notice, whole text (RFC 3164 4.3.3)
        row("plain text line", "user", "notice", SRC, "", null, "plain text line", "2026-11-25T10:00:00.123Z"),
        row("<999>Nov 25 10:00:00 host a: b", "user", "notice", SRC, "", null, "<999>Nov 25 10:00:00 host a: b",
            "2026-11-25T10:00:00.123Z"),
        row("<013>x", "user", "notice", SRC, "", null, "<013>x", "2026-11-25T10:00:00.123Z"),
        row("<>x", "user", "notice", SRC, "", null, "<>x", "2026-11-25T10:00:00.123Z"),
        row("<13", "user", "notice", SRC, "", null, "<13", "2026-11-25T10:00:00.123Z"),
        // bad date falls back to "no header"
        row("<13>Foo 25 10:00:00 host a: b", "user", "notice", SRC, "", null, "Foo 25 10:00:00 host a: b",
            "2026-11-25T10:00:00.123Z"),
        row("<13>Feb 30 10:00:00 host a: b", "user", "notice", SRC, "", null, "Feb 30 10:00:00 host a: b",
            "2026-11-25T10:00:00.123Z"),
        // trailing newline and NUL are not part of the message; unicode is kept
        row("<13>Nov 25 10:00:00 h a: héllo ✓\r\n\0", "user", "notice", "h", "a", null, "héllo ✓",
            "2026-11-25T10:00:00.000Z"),
        // RFC 5424
        row("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
                + "\uFEFFAn application event log entry...",
            "local4", "notice", "mymachine.example.com", "evntslog", null, "An application event log entry...",
            "2003-10-11T22:14:15.003Z"),
        row("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed",
            "auth", "crit", "mymachine.example.com", "su", null, "BOM'su root' failed", "2003-10-11T22:14:15.003Z"),
        row("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
            "local4", "notice", "192.0.2.1", "myproc", "8710", "%% It's time to make the do-nuts.",
            "2003-08-24T12:14:15.000Z"),
        row("<14>1 - - - - - -", "user", "info", SRC, "", null, "", "2026-11-25T10:00:00.123Z"),
        row("<14>1 2026-11-25T09:00:00Z host app 1 - [a@1 x=\"q\\]uoted [bracket]\"][b@2] msg after two SD",
            "user", "info", "host", "app", "1", "msg after two SD", "2026-11-25T09:00:00.000Z"),
        row("<14>1 not-a-time host app - - - text", "user", "info", "host", "app", null, "text",
            "2026-11-25T10:00:00.123Z"),
        row("<14>1 2026-11-25T09:00:00Z", "user", "info", SRC, "", null, "", "2026-11-25T09:00:00.000Z"),
        row("<14>1 2026-11-25T09:00:00Z h a p m [unterminated", "user", "info", "h", "a", "p", "",
            "2026-11-25T09:00:00.000Z"));
  }

  private static Arguments row(String raw, String facility, String severity, String host, String ident, String pid,
      String message, String eventTime) {
    return Arguments.of(raw, facility, severity, host, ident, pid, message, eventTime);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void parsesIntoTheAgentsSyslogRecord(String raw, String facility, String severity, String host, String ident,
      String pid, String message, String eventTime) {
    Map<String, Object> r = record(raw);

    assertThat(r).containsEntry("Facility", facility).containsEntry("Severity", severity)
        .containsEntry("Host", host).containsEntry("ident", ident).containsEntry("Message", message)
        .containsEntry("EventTime", eventTime).containsEntry("Timestamp", "2026-11-25T10:00:00.123Z")
        .containsEntry("HostIP", SRC);
    if (pid == null) {
      assertThat(r).doesNotContainKey("ProcessId");
    } else {
      assertThat(r).containsEntry("ProcessId", pid);
    }
  }

  @Test
  void recordFieldsComeInTheAgentsOrder() {
    assertThat(record("<13>Nov 25 10:00:00 h a[1]: m").keySet()).containsExactly("Facility", "Severity", "Host",
        "ident", "ProcessId", "Message", "EventTime", "Timestamp", "HostIP");
  }

  @Test
  void decemberMessageReceivedInJanuaryBelongsToLastYear() {
    Instant jan2 = Instant.parse("2027-01-02T00:00:10Z");

    SyslogMessage m = parser.parse("<13>Dec 31 23:59:59 h a: m", jan2, SRC).orElseThrow();

    assertThat(m.eventTime()).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
  }

  @Test
  void bsdTimeIsReadInTheReceiversZone() {
    SyslogParser berlin = new SyslogParser(ZoneId.of("Europe/Berlin"));

    SyslogMessage m = berlin.parse("<13>Nov 25 11:00:00 h a: m", NOW, SRC).orElseThrow();

    assertThat(m.eventTime()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
  }

  @Test
  void emptyAndBlankMessagesAreSkipped() {
    assertThat(parser.parse("", NOW, SRC)).isEmpty();
    assertThat(parser.parse("  \r\n", NOW, SRC)).isEmpty();
    assertThat(parser.parse(null, NOW, SRC)).isEmpty();
  }

  @Test
  void neverThrowsOnRandomInput() {
    Random random = new Random(42);
    String[] prefixes = {"", "<", "<1", "<13>", "<13>1 ", "<13>Nov 25 10:00:00 ", "<13>1 2026-11-25T09:00:00Z h a "
        + "p m ["};
    for (int i = 0; i < 20_000; i++) {
      byte[] noise = new byte[random.nextInt(80)];
      random.nextBytes(noise);
      String raw = prefixes[i % prefixes.length] + new String(noise, StandardCharsets.UTF_8);

      Optional<SyslogMessage> m = parser.parse(raw, NOW, SRC);

      m.ifPresent(msg -> assertThat(SyslogRecords.toRecord(msg, NOW, SRC)).containsKeys("Facility", "Message"));
    }
  }

  private Map<String, Object> record(String raw) {
    SyslogMessage m = parser.parse(raw, NOW, SRC).orElseThrow();
    return SyslogRecords.toRecord(m, NOW, SRC);
  }
}
