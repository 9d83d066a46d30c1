package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The JUnit 5 extension declared with {@code @ExtendWith}: one emulator per test, injected everywhere. */
@ExtendWith(WorkspaceEmulatorExtension.class)
class ExtendWithExtensionTest {
  private WorkspaceEmulator fromSetUp;

  @BeforeEach
  void setUp(WorkspaceEmulator emulator) {
    fromSetUp = emulator;
  }

  @Test
  void resolvesTheSameRunningEmulatorInSetUpAndTest(WorkspaceEmulator emulator) throws Exception {
    assertThat(emulator).isSameAs(fromSetUp);
    assertThat(emulator.port()).isPositive();
    assertThat(WorkspaceEmulatorExtensionTest.sendOne(emulator).status()).isEqualTo(200);
  }
}
