package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The rsyslog tests skip with a reason where rsyslog is missing, and are mandatory under {@code CI=true}. */
class RsyslogRequirementTest {
  private static final Path ABSENT = Path.of("/nonexistent/rsyslogd");
  private static final Path PRESENT = Path.of("/bin/sh");

  @Test
  void aMissingRsyslogdSkipsTheTestWithTheReason() {
    assertThatThrownBy(() -> Rsyslog.requireInstalled(Map.of(), ABSENT, PRESENT))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("skipped: /nonexistent/rsyslogd is not installed")
        .hasMessageContaining("install the Debian packages rsyslog and bsdutils")
        .hasMessageContaining("CI=true makes it mandatory");
    assertThatThrownBy(() -> Rsyslog.requireInstalled(Map.of("CI", "false"), ABSENT, ABSENT))
        .isInstanceOf(TestAbortedException.class).hasMessageContaining("are not installed");
  }

  @Test
  void underCiAMissingRsyslogdFailsTheTest() {
    assertThatThrownBy(() -> Rsyslog.requireInstalled(Map.of("CI", "true"), ABSENT, PRESENT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("/nonexistent/rsyslogd is not installed: with CI=true the rsyslog tests are mandatory");
  }

  @Test
  void installedToolsPassEitherWay() {
    assertThatCode(() -> Rsyslog.requireInstalled(Map.of("CI", "true"), PRESENT, PRESENT)).doesNotThrowAnyException();
    assertThatCode(() -> Rsyslog.requireInstalled(Map.of(), PRESENT, PRESENT)).doesNotThrowAnyException();
  }
}
