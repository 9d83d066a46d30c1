package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder defaults and validation, and what the emulator hands to an SDK client. */
class WorkspaceEmulatorBuilderTest {
  @Test
  void defaultsGiveARandomWorkspaceAndKeyOnTheTestDomain() {
    try (WorkspaceEmulator a = WorkspaceEmulator.builder().start();
        WorkspaceEmulator b = WorkspaceEmulator.builder().start()) {
      assertThat(a.workspaceId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
          .isNotEqualTo(b.workspaceId());
      assertThat(a.sharedKey()).hasSize(88).isNotEqualTo(b.sharedKey());
      assertThat(a.secondaryKey()).isNull();
      assertThat(a.cloud()).isEqualTo(CloudEnvironment.fromDomain("emulator.test").withPort(a.port()));
      assertThat(a.credentials().workspaceId()).isEqualTo(a.workspaceId());
      assertThat(a.credentials().matches(KeySlot.PRIMARY, a.sharedKey())).isTrue();
      assertThat(a.credentials()).isNotSameAs(a.credentials());
    }
  }

  @Test
  void hostResolverMapsTheEmulatorDomainToLoopbackOnly() throws Exception {
    try (WorkspaceEmulator e = WorkspaceEmulator.builder().domain("opinsights.test").start()) {
      InetAddress oms = e.hostResolver().resolve(e.cloud().omsHost(e.workspaceId())).get(0);
      InetAddress ods = e.hostResolver().resolve(e.cloud().odsHost(e.workspaceId()).toUpperCase()).get(0);

      assertThat(oms.getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(ods.getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(e.hostResolver().resolve("localhost").get(0).isLoopbackAddress()).isTrue();
    }
  }

  @Test
  void writesTheCaCertificate(@TempDir Path dir) throws Exception {
    try (WorkspaceEmulator e = WorkspaceEmulator.builder().start()) {
      Path file = e.writeCaCertificate(dir.resolve("sub/ca.pem"));

      assertThat(Files.readString(file)).isEqualTo(e.caCertificatePem()).contains("BEGIN CERTIFICATE");
      assertThat(e.caCertificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void closeIsIdempotentAndStopsServing() {
    WorkspaceEmulator e = WorkspaceEmulator.builder().start();
    e.close();
    e.close();

    assertThat(e.isRunning()).isFalse();
  }

  @Test
  void invalidSettingsAreRefusedNamingTheField() {
    WorkspaceEmulator.Builder b = WorkspaceEmulator.builder();
    assertThatThrownBy(() -> b.domain("https://x")).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("domain:");
    assertThatThrownBy(() -> b.workspaceId("123")).hasMessageStartingWith("workspaceId:");
    assertThatThrownBy(() -> b.sharedKey("abc")).hasMessageStartingWith("sharedKey:");
    assertThatThrownBy(() -> b.secondaryKey("abc")).hasMessageStartingWith("secondaryKey:");
    assertThatThrownBy(() -> b.maxRequestBytes(0)).hasMessageStartingWith("maxRequestBytes:");
    assertThatThrownBy(() -> b.tooLargeStatus(500)).hasMessageStartingWith("tooLargeStatus:");
    assertThatThrownBy(() -> b.allowedClockSkew(Duration.ofSeconds(-1))).hasMessageStartingWith("allowedClockSkew:");
    assertThatThrownBy(() -> b.queryInterval(Duration.ZERO)).hasMessageStartingWith("queryInterval:");
    assertThatThrownBy(() -> b.port(70000)).hasMessageStartingWith("port:");
  }

  @Test
  void regenerateKeysRefusesAnInvalidKeyAndKeepsTheOldOnes() {
    try (WorkspaceEmulator e = WorkspaceEmulator.builder().sharedKey(TestKeys.KEY_A).start()) {
      assertThatThrownBy(() -> e.regenerateKeys("short", null)).isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith("sharedKey:").hasMessageNotContaining("short");

      assertThat(e.sharedKey()).isEqualTo(TestKeys.KEY_A);
    }
  }

  @Test
  void awaitRecordsWakesWhenRecordsArriveAndGivesUpAtTheTimeout() throws Exception {
    try (WorkspaceEmulator e = WorkspaceEmulator.builder().start()) {
      assertThat(e.awaitRecords(1, Duration.ZERO)).isFalse();
      WorkspaceEmulatorExtensionTest.sendOne(e);

      assertThat(e.awaitRecords(1, Duration.ofSeconds(10))).isTrue();
      e.clearReceived();
      assertThat(e.records()).isEmpty();
      assertThat(e.requests()).isEmpty();
    }
  }

  @Test
  void recordTimesFollowTheInjectedClock() throws Exception {
    Instant t = Instant.parse("2025-06-01T08:00:00Z");
    try (WorkspaceEmulator e = WorkspaceEmulator.builder().clock(new MutableClock(t)).start()) {
      TestAgent.postDataCollector(TestAgent.client(e, null), e, e.sharedKey(), "T", "[{\"a\":1}]".getBytes(
          java.nio.charset.StandardCharsets.UTF_8), TestAgent.httpDate(t), "application/json", "application/json");

      assertThat(e.records().get(0).receivedAt()).isEqualTo(t);
    }
  }
}
