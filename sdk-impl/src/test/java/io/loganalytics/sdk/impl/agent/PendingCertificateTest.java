package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.impl.cert.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A renewed certificate the service registered is never lost because its verification heartbeat failed. */
class PendingCertificateTest extends AgentTestBase {

  DefaultAgentSession open() {
    return (DefaultAgentSession) AgentIdentity.open(options().build());
  }

  Path pendingCert() {
    return stateDir.resolve("certs/oms.crt.new");
  }

  Path pendingKey() {
    return stateDir.resolve("certs/oms.key.new");
  }

  X509Certificate pendingOnDisk() throws Exception {
    return Pem.readCertificate(Files.readString(pendingCert(), StandardCharsets.US_ASCII), "pending");
  }

  /** Renews while the verification heartbeat gets 503: the old certificate stays in use, the new one pending. */
  X509Certificate renewWithUnavailableVerification(DefaultAgentSession session) throws Exception {
    X509Certificate original = session.state().certificate().certificate();
    service.updateCertificate = true;
    service.verificationUnavailable = true;
    scheduler.runDue();
    service.updateCertificate = false;
    assertThat(service.calls("renew")).extracting(c -> c.status).containsExactly(200);
    assertThat(session.state().certificate().certificate()).as("rolled back").isEqualTo(original);
    assertThat(listener.renewalFailureReasons).singleElement().asString()
        .contains("verification heartbeat", "rolled back", "oms.crt.new");
    assertThat(pendingCert()).exists();
    assertThat(pendingKey()).exists();
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pendingKey()))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pendingCert()))).isEqualTo("rw-------");
    }
    return pendingOnDisk();
  }

  @Test
  void aRenewedCertificateWhoseVerificationFailedIsVerifiedAgainAtTheNextHeartbeatWithoutANewKey() throws Exception {
    try (DefaultAgentSession session = open()) {
      X509Certificate original = session.state().certificate().certificate();
      X509Certificate renewed = renewWithUnavailableVerification(session);
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).as("the old certificate stays in use meanwhile").isEqualTo(original);
      service.verificationUnavailable = false;
      service.unregister(original); // the grace period of the old certificate is over

      scheduler.advance(Duration.ofMinutes(20));

      assertThat(session.state().certificate().certificate()).isEqualTo(renewed);
      assertThat(service.calls("renew")).as("no second key").hasSize(1);
      assertThat(service.calls("onboard")).as("no onboarding again").hasSize(1);
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).isEqualTo(renewed);
      assertThat(AgentIdentity.status(stateDir).serial()).isEqualTo(renewed.getSerialNumber().toString());
      assertThat(pendingCert()).doesNotExist();
      assertThat(pendingKey()).doesNotExist();
      assertThat(listener.events).contains("renewed server " + renewed.getNotAfter().toInstant());
    }
  }

  @Test
  void whenTheOldCertificateIsRefusedWhileOneIsPendingTheSessionSwitchesToThePendingOne() throws Exception {
    try (DefaultAgentSession session = open()) {
      X509Certificate original = session.state().certificate().certificate();
      X509Certificate renewed = renewWithUnavailableVerification(session);
      service.unregister(original); // verification still unavailable, and the old certificate is now refused

      scheduler.advance(Duration.ofMinutes(20));

      assertThat(session.state().certificate().certificate()).isEqualTo(renewed);
      assertThat(service.calls("renew")).hasSize(1);
      assertThat(service.calls("onboard")).hasSize(1);
      service.verificationUnavailable = false;
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).isEqualTo(renewed);
    }
  }

  @Test
  void thePendingPairSurvivesARestartAndIsVerifiedByTheNextSession() throws Exception {
    X509Certificate original;
    X509Certificate renewed;
    try (DefaultAgentSession session = open()) {
      original = session.state().certificate().certificate();
      renewed = renewWithUnavailableVerification(session);
    }
    service.verificationUnavailable = false;
    service.unregister(original);

    try (DefaultAgentSession session = open()) {
      assertThat(session.state().certificate().certificate()).isEqualTo(original);
      scheduler.runDue();

      assertThat(session.state().certificate().certificate()).isEqualTo(renewed);
      assertThat(service.calls("renew")).hasSize(1);
      assertThat(service.calls("onboard")).hasSize(1);
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }

  @Test
  void aPendingCertificateTheServiceRefusesIsDiscardedAndTheNextRenewalUsesAFreshKey() throws Exception {
    try (DefaultAgentSession session = open()) {
      X509Certificate original = session.state().certificate().certificate();
      X509Certificate renewed = renewWithUnavailableVerification(session);
      service.verificationUnavailable = false;
      service.unregister(renewed);

      scheduler.advance(Duration.ofMinutes(20));

      assertThat(pendingCert()).doesNotExist();
      assertThat(session.state().certificate().certificate()).isEqualTo(original);
      service.updateCertificate = true;
      scheduler.advance(Duration.ofMinutes(20));
      assertThat(service.calls("renew")).extracting(c -> c.status).containsExactly(200, 200);
      assertThat(session.state().certificate().certificate()).isNotIn(original, renewed);
    }
  }

  @Test
  void aFailingRenewalReportsTheExpiringCertificateAtMostOnceADay() {
    try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(
        options().renewalRetryInterval(Duration.ofHours(4)).build())) {
      service.regenerateKeys(OTHER_KEY);
      scheduler.advance(Duration.ofDays(60).minus(Duration.ofHours(1))); // one hour before the renewal window
      assertThat(listener.count("expiring")).isZero();

      for (int hour = 1; hour <= 25; hour++) {
        scheduler.advance(Duration.ofHours(1));
      }

      assertThat(listener.count("renewalFailed")).as("a renewal is tried every 4 hours").isGreaterThanOrEqualTo(6);
      assertThat(listener.count("expiring")).as("at the first failure and a day later")
          .isEqualTo(2);
      assertThat(session.certificateExpiry()).isEqualTo(START.plus(Duration.ofDays(90)));
    }
  }
}
