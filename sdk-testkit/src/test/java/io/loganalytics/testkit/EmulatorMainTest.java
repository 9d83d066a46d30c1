package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's option parsing (the main itself runs until killed). */
class EmulatorMainTest {
  @Test
  void optionsConfigureTheEmulator(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca/emulator.pem");
    EmulatorMain.Options options = EmulatorMain.Options.parse(new String[] {"--domain", "opinsights.test",
        "--workspace-id", "01234567-89AB-cdef-0123-456789abcdef", "--shared-key", TestKeys.KEY_A, "--ca-out",
        ca.toString(), "--port", "0"});

    try (WorkspaceEmulator emulator = options.builder.start()) {
      emulator.writeCaCertificate(options.caOut);
      assertThat(emulator.workspaceId()).isEqualTo("01234567-89ab-cdef-0123-456789abcdef");
      assertThat(emulator.sharedKey()).isEqualTo(TestKeys.KEY_A);
      assertThat(emulator.cloud().domain()).isEqualTo("opinsights.test");
      assertThat(emulator.cloud().port()).isEqualTo(emulator.port());
      assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----").isEqualTo(
          emulator.caCertificatePem());
    }
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> EmulatorMain.Options.parse(new String[] {"--port"})).hasMessage("--port needs a value");
    assertThatThrownBy(() -> EmulatorMain.Options.parse(new String[] {"--port", "x"}))
        .hasMessageContaining("--port 'x' is not a number");
    assertThatThrownBy(() -> EmulatorMain.Options.parse(new String[] {"--bogus", "1"}))
        .hasMessageContaining("unknown option --bogus");
    assertThatThrownBy(() -> EmulatorMain.Options.parse(new String[] {"--workspace-id", "nope"}))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("workspaceId");
    assertThatThrownBy(() -> EmulatorMain.Options.parse(new String[] {"--shared-key", "!!"}))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("sharedKey");
    assertThat(EmulatorMain.Options.parse(new String[] {"--help"}).help).isTrue();
  }
}
