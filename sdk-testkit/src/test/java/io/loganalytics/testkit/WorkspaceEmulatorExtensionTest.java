package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension registered per test on an instance field, customized. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkspaceEmulatorExtensionTest {
  @RegisterExtension
  final WorkspaceEmulatorExtension extension =
      new WorkspaceEmulatorExtension(b -> b.workspaceId("01234567-89ab-cdef-0123-456789abcdef"));

  private static WorkspaceEmulator fromFirstTest;

  @Test
  @Order(1)
  void injectsTheRunningCustomizedEmulator(WorkspaceEmulator emulator) throws Exception {
    fromFirstTest = emulator;
    assertThat(emulator).isSameAs(extension.emulator());
    assertThat(emulator.workspaceId()).isEqualTo("01234567-89ab-cdef-0123-456789abcdef");
    assertThat(sendOne(emulator).status()).isEqualTo(200);
    assertThat(emulator.recordCount()).isEqualTo(1);
  }

  @Test
  @Order(2)
  void startsAFreshEmulatorForEachTestAndStopsTheOldOne(WorkspaceEmulator emulator) throws Exception {
    assertThat(emulator).isNotSameAs(fromFirstTest);
    assertThat(fromFirstTest.isRunning()).isFalse();
    assertThat(emulator.isRunning()).isTrue();
    assertThat(emulator.recordCount()).isZero();
    assertThat(sendOne(emulator).status()).isEqualTo(200);
  }

  static TestAgent.Answer sendOne(WorkspaceEmulator emulator) throws Exception {
    return TestAgent.postDataCollector(TestAgent.client(emulator, null), emulator, emulator.sharedKey(), "T",
        "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8), TestAgent.httpDate(Instant.now()), "application/json",
        "application/json");
  }
}
