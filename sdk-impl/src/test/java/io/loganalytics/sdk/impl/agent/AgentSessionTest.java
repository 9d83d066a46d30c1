package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.WorkspaceCredentials;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentSessionTest extends AgentTestBase {

  DefaultAgentSession open() {
    return (DefaultAgentSession) AgentIdentity.open(options().build());
  }

  @Test
  void aHeartbeatAnsweredUpdateCertificateRenewsAndTheNextRequestPresentsTheNewCertificate() throws Exception {
    try (DefaultAgentSession session = open()) {
      X509Certificate original = session.state().certificate().certificate();
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).isEqualTo(original);
      service.updateCertificate = true;

      scheduler.runDue();

      FakeAgentService.Call renew = service.calls("renew").get(0);
      assertThat(renew.peer).as("RenewCertificate authenticates with the old certificate").isEqualTo(original);
      assertThat(renew.body()).contains("<CertificateUpdateRequest", "<NewCertificate>");
      X509Certificate renewed = session.state().certificate().certificate();
      assertThat(renewed).isNotEqualTo(original);
      assertThat(lastPeer("heartbeat")).as("verification heartbeat on the new certificate").isEqualTo(renewed);
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).as("in use without restart").isEqualTo(renewed);
      assertThat(AgentIdentity.status(stateDir).serial()).isEqualTo(renewed.getSerialNumber().toString());
      assertThat(listener.events).contains("renewed server " + renewed.getNotAfter().toInstant());
    }
  }

  @Test
  void theVerificationHeartbeatsOwnUpdateCertificateDoesNotStartAnotherRenewal() {
    try (DefaultAgentSession session = open()) {
      service.updateCertificate = true;
      scheduler.runDue();
      assertThat(service.calls("renew")).hasSize(1);
      assertThat(service.calls("heartbeat")).hasSize(2);
      assertThat(lastPeer("heartbeat")).isEqualTo(session.state().certificate().certificate());
    }
  }

  @Test
  void aFailedVerificationRollsBackToTheCurrentCertificate() throws Exception {
    try (DefaultAgentSession session = open()) {
      X509Certificate original = session.state().certificate().certificate();
      String keyBefore = Files.readString(stateDir.resolve("certs/oms.key"));
      service.updateCertificate = true;
      service.refuseVerificationOfRenewedCertificates = true;

      scheduler.runDue();

      assertThat(service.calls("renew")).extracting(c -> c.status).containsExactly(200);
      assertThat(service.calls("heartbeat")).extracting(c -> c.status).containsExactly(200, 403);
      assertThat(session.state().certificate().certificate()).isEqualTo(original);
      assertThat(Files.readString(stateDir.resolve("certs/oms.key"))).isEqualTo(keyBefore);
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).isEqualTo(original);
      assertThat(listener.renewalFailureReasons).singleElement().asString()
          .contains("verification heartbeat", "rolled back");
      assertThat(listener.count("renewed")).isZero();
    }
  }

  @Test
  void theHeartbeatFollowsTheServersQueryIntervalWithinItsBounds() {
    service.queryInterval = "PT1H";
    try (DefaultAgentSession session = open()) {
      scheduler.runDue();
      assertThat(session.heartbeatInterval()).isEqualTo(Duration.ofHours(1));
      scheduler.advance(Duration.ofMinutes(59));
      assertThat(service.calls("heartbeat")).hasSize(1);
      scheduler.advance(Duration.ofMinutes(1));
      assertThat(service.calls("heartbeat")).hasSize(2);

      service.queryInterval = "PT10S";
      scheduler.advance(Duration.ofHours(1));
      assertThat(session.heartbeatInterval()).as("below 60 s: the default stays").isEqualTo(Duration.ofMinutes(20));
      service.queryInterval = "P8D";
      scheduler.advance(Duration.ofMinutes(20));
      assertThat(session.heartbeatInterval()).as("above 7 days: the default stays").isEqualTo(Duration.ofMinutes(20));
    }
  }

  @Test
  void ninetyDaysWalkRenewsProactivelyInsideTheRenewalWindow() throws Exception {
    try (DefaultAgentSession session = open()) {
      Instant firstExpiry = session.certificateExpiry();
      assertThat(firstExpiry).isEqualTo(START.plus(Duration.ofDays(90)));
      for (int day = 1; day <= 59; day++) {
        scheduler.advance(Duration.ofDays(1));
        assertThat(upload(session).status()).isEqualTo(200);
      }
      assertThat(service.calls("renew")).isEmpty();

      scheduler.advance(Duration.ofDays(1)); // day 60: 30 days left

      assertThat(service.calls("renew")).hasSize(1);
      assertThat(session.certificateExpiry()).isEqualTo(START.plus(Duration.ofDays(150)));
      assertThat(listener.events).contains("renewed proactive " + START.plus(Duration.ofDays(150)));
      for (int day = 61; day <= 100; day++) {
        scheduler.advance(Duration.ofDays(1));
        assertThat(upload(session).status()).isEqualTo(200);
      }
      assertThat(service.calls("renew")).hasSize(1);
      assertThat(lastPeer("upload")).isEqualTo(session.state().certificate().certificate());
      assertThat(listener.count("expir")).isZero();
    }
  }

  @Test
  void withRegeneratedKeysItKeepsSendingUntilExpiryThenReportsAndRenewsAtOnceOnNewCredentials() throws Exception {
    try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(
        options().renewalRetryInterval(Duration.ofDays(3)).build())) {
      Instant expiry = session.certificateExpiry();
      service.regenerateKeys(OTHER_KEY);

      for (int day = 1; day <= 90; day++) {
        scheduler.advance(Duration.ofDays(1));
        assertThat(upload(session).status()).as("day %d", day).isEqualTo(200);
      }
      assertThat(listener.count("renewed")).isZero();
      assertThat(listener.events).contains("expiring " + expiry);
      assertThat(listener.renewalFailureReasons).allSatisfy(r -> assertThat(r).contains("KeysRegenerated"));
      assertThat(service.calls("renew")).as("a failed renewal waits renewalRetryInterval").hasSizeBetween(10, 11);
      assertThat(listener.count("expired")).isZero();

      scheduler.advance(Duration.ofDays(1)); // past expiry

      assertThat(upload(session).status()).isEqualTo(403);
      assertThat(listener.events).contains("expired " + expiry);
      assertThat(listener.count("expired")).as("reported once per certificate").isEqualTo(1);
      scheduler.advance(Duration.ofDays(1));
      assertThat(listener.count("expired")).isEqualTo(1);

      credentials.rotate(OTHER_KEY, null);
      session.executor(); // any use notices the new generation
      scheduler.runDue();

      assertThat(listener.events).anyMatch(e -> e.startsWith("renewed rotation"));
      assertThat(service.calls("onboard")).last().extracting(c -> c.status).isEqualTo(200);
      assertThat(session.agentGuid()).isEqualTo(AgentIdentity.status(stateDir).agentGuid());
      assertThat(session.certificateExpiry()).isAfter(clock.instant().plus(Duration.ofDays(89)));
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }

  @Test
  void anExpiredCertificateIsReplacedByOnboardingAgainUnderTheSameAgentGuid() throws Exception {
    String guid;
    try (DefaultAgentSession session = open()) {
      guid = session.agentGuid();
    }
    clock.advance(Duration.ofDays(120)); // the machine was off

    try (DefaultAgentSession session = open()) {
      scheduler.runDue();

      assertThat(session.agentGuid()).isEqualTo(guid);
      assertThat(session.certificateExpiry()).isEqualTo(clock.instant().plus(Duration.ofDays(90)));
      assertThat(service.calls("renew")).as("an expired certificate cannot authenticate RenewCertificate").isEmpty();
      assertThat(service.calls("onboard")).extracting(c -> c.status).containsExactly(200, 200);
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }

  @Test
  void aRefusedUploadIsCheckedWithAHeartbeat() {
    try (DefaultAgentSession session = open()) {
      scheduler.runDue();
      int before = service.calls("heartbeat").size();
      session.onAuthenticationFailure(403);
      session.onAuthenticationFailure(403); // throttled
      scheduler.runDue();
      assertThat(service.calls("heartbeat")).hasSize(before + 1);
    }
  }

  @Test
  void manualRenewalReplacesTheCertificate() {
    AgentStatus before = AgentIdentity.onboard(options().build());
    AgentStatus after = AgentIdentity.renew(options().build());
    assertThat(after.agentGuid()).isEqualTo(before.agentGuid());
    assertThat(after.serial()).isEqualTo(AgentIdentity.status(stateDir).serial());
    assertThat(service.calls("renew")).hasSize(1);
    assertThat(listener.events).anyMatch(e -> e.startsWith("renewed manual"));
  }

  @Test
  void aRunningSessionNeedsNoCredentialsOnceOnboarded() throws Exception {
    AgentIdentity.onboard(options().build());
    WorkspaceCredentials none = null;
    try (AgentSession session = AgentIdentity.open(options().credentials(none).build())) {
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }
}
