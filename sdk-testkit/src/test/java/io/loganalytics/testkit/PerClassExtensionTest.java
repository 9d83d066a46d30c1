package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension per class: one emulator shared by the tests of the class. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassExtensionTest {
  @RegisterExtension
  static final WorkspaceEmulatorExtension SHARED = WorkspaceEmulatorExtension.perClass();

  private final WorkspaceEmulator fromConstructor;

  PerClassExtensionTest(WorkspaceEmulator emulator) {
    this.fromConstructor = emulator;
  }

  @Test
  @Order(1)
  void firstTestSendsARecord(WorkspaceEmulator emulator) throws Exception {
    assertThat(WorkspaceEmulatorExtensionTest.sendOne(emulator).status()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void secondTestSeesTheSameEmulator(WorkspaceEmulator emulator) {
    assertThat(emulator).isSameAs(SHARED.emulator()).isSameAs(fromConstructor);
    assertThat(emulator.recordCount()).isEqualTo(1);
  }
}
