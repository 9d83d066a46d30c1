package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.TestAgent.Answer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Onboarding, heartbeat and certificate renewal against the emulator, with an independent test agent. */
class AgentEndpointsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private WorkspaceEmulator emulator;
  private TestAgent agent;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().clock(clock).start();
    agent = new TestAgent(emulator, T0);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  @Test
  void onboardingWithCorrectSignatureRegistersTheAgentAndAnswersTopology() throws Exception {
    Answer answer = agent.onboard();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Date")).isEqualTo("Sun, 01 Mar 2026 10:00:00 GMT");
    assertThat(answer.body())
        .contains("<LinuxAgentTopologyResponse queryInterval=\"PT1H\" telemetryReportInterval=\"PT10M\"")
        .contains("<CertificateUpdateEndpoint updateCertificate=\"false\">"
            + emulator.cloud().renewCertificateUri(emulator.workspaceId()) + "</CertificateUpdateEndpoint>")
        .contains("<DscConfiguration><Endpoint>https://" + emulator.workspaceId() + ".agentsvc.emulator.test:")
        .contains("<NodeConfigurationName>");
    assertThat(emulator.registeredAgents()).containsExactly(agent.agentId);
    ReceivedRequest request = emulator.requests().get(0);
    assertThat(request.signatureVerified()).isTrue();
    assertThat(request.certificateVerified()).isTrue();
    assertThat(request.agentId()).isEqualTo(agent.agentId);
    assertThat(request.host()).isEqualTo(emulator.workspaceId() + ".oms.emulator.test");
  }

  @Test
  void onboardingWithTheSecondaryKeyIsAccepted() throws Exception {
    try (WorkspaceEmulator twoKeys = WorkspaceEmulator.builder().clock(clock)
        .secondaryKey(TestKeys.KEY_B).start()) {
      TestAgent a = new TestAgent(twoKeys, T0);
      byte[] body = a.topologyXml(a.certificate).getBytes(StandardCharsets.UTF_8);

      assertThat(a.onboard(TestKeys.KEY_B, TestAgent.isoDate(T0), body, null).status()).isEqualTo(200);
    }
  }

  @Test
  void onboardingWithAWrongKeyIsRefusedWithInvalidWorkspaceKey() throws Exception {
    byte[] body = agent.topologyXml(agent.certificate).getBytes(StandardCharsets.UTF_8);

    Answer answer = agent.onboard(TestKeys.KEY_B, TestAgent.isoDate(T0), body, null);

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>InvalidWorkspaceKey</Reason>");
    assertThat(answer.header("Date")).isNotNull();
    assertThat(emulator.registeredAgents()).isEmpty();
    assertThat(emulator.requests().get(0).reason()).contains("matches neither workspace key");
  }

  @Test
  void onboardingWithAHashThatDoesNotMatchTheBodyIsRefused() throws Exception {
    byte[] body = agent.topologyXml(agent.certificate).getBytes(StandardCharsets.UTF_8);
    String hashOfOtherBody = TestAgent.sha256("something else".getBytes(StandardCharsets.UTF_8));

    Answer answer = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0), body, hashOfOtherBody);

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>InvalidWorkspaceKey</Reason>");
    assertThat(emulator.requests().get(0).reason()).contains("x-ms-SHA256_Content does not match");
  }

  @Test
  void onboardingWithADateOutsideTheAllowedSkewIsRefused() throws Exception {
    byte[] body = agent.topologyXml(agent.certificate).getBytes(StandardCharsets.UTF_8);

    Answer late = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0.minus(Duration.ofMinutes(16))), body,
        null);
    Answer withinSkew = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0.plus(Duration.ofMinutes(14))),
        body, null);

    assertThat(late.status()).isEqualTo(403);
    assertThat(late.body()).contains("<Reason>InvalidWorkspaceKey</Reason>").contains("behind the emulator clock");
    assertThat(withinSkew.status()).isEqualTo(200);
  }

  @Test
  void onboardingRefusesABodyCertificateThatIsNotTheTlsCertificate() throws Exception {
    X509Certificate other = TestAgent.certificate(TestAgent.key(1), emulator.workspaceId(), agent.agentId, T0,
        T0.plus(Duration.ofDays(90)));
    byte[] body = agent.topologyXml(other).getBytes(StandardCharsets.UTF_8);

    Answer answer = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0), body, null);

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>CertificateMismatch</Reason>");
  }

  @Test
  void onboardingRefusesACertificateWithoutTheAgentSubject() throws Exception {
    agent.use(TestAgent.key(0), TestAgent.certificate(TestAgent.key(0), emulator.workspaceId(), null, T0,
        T0.plus(Duration.ofDays(90))));

    Answer answer = agent.onboard();

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>InvalidCertificateSubject</Reason>");
  }

  @Test
  void onboardingRefusesAMalformedBodyWithInvalidRequestFormat() throws Exception {
    byte[] body = "<?xml version=\"1.0\"?><AgentTopologyRequest><EntityTypeId>x</EntityTypeId></AgentTopologyRequest>"
        .getBytes(StandardCharsets.UTF_8);

    Answer answer = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0), body, null);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("<Reason>InvalidRequestFormat</Reason>");
  }

  @Test
  void onboardingAcceptsTheOptionalOperatingSystemButNoUnknownElement() throws Exception {
    String base = agent.topologyXml(agent.certificate);
    String withOs = base.replace("</AgentTopologyRequest>", "<OperatingSystem><InContainer>False</InContainer>"
        + "<Name>Debian</Name><Telemetry PercentUserTime=\"1\"/></OperatingSystem></AgentTopologyRequest>");
    String withExtra = base.replace("</AgentTopologyRequest>", "<Extra/></AgentTopologyRequest>");

    Answer accepted = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0),
        withOs.getBytes(StandardCharsets.UTF_8), null);
    Answer refused = agent.onboard(emulator.sharedKey(), TestAgent.isoDate(T0),
        withExtra.getBytes(StandardCharsets.UTF_8), null);

    assertThat(accepted.status()).isEqualTo(200);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("<Reason>InvalidRequestFormat</Reason>")
        .contains("expected &lt;OperatingSystem&gt;");
  }

  @Test
  void heartbeatWithAnUnregisteredCertificateIsRefused() throws Exception {
    Answer answer = agent.heartbeat();

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>CertificateNotRegistered</Reason>");
  }

  @Test
  void heartbeatWithTheRegisteredCertificateAnswersTopologyWithoutAskingForRenewal() throws Exception {
    agent.onboard();

    Answer answer = agent.heartbeat();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).contains("updateCertificate=\"false\"");
    assertThat(emulator.requests().get(1).certificateVerified()).isTrue();
    assertThat(emulator.requests().get(1).signatureVerified()).isFalse();
  }

  @Test
  void agentTelemetryNeedsTheRegisteredCertificate() throws Exception {
    okhttp3.Request telemetry = new okhttp3.Request.Builder()
        .url(emulator.cloud().agentTelemetryUri(emulator.workspaceId()).toString())
        .post(okhttp3.RequestBody.create(new byte[] {'{', '}'}, TestAgent.JSON))
        .build();

    assertThat(TestAgent.execute(agent.http, telemetry).status()).isEqualTo(403);
    agent.onboard();
    assertThat(TestAgent.execute(agent.http, telemetry).status()).isEqualTo(200);
  }

  @Test
  void heartbeatWithAnExpiredCertificateIsRefused() throws Exception {
    agent.onboard();
    clock.advance(Duration.ofDays(91));

    Answer answer = agent.heartbeat();

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Reason>CertificateExpired</Reason>");
  }

  @Test
  void heartbeatAsksForRenewalWhenRequestedUntilTheAgentRenews() throws Exception {
    agent.onboard();
    emulator.faults().requestCertificateUpdate(true);

    assertThat(agent.heartbeat().body()).contains("updateCertificate=\"true\"");
    X509Certificate renewed = TestAgent.certificate(TestAgent.key(1), emulator.workspaceId(), agent.agentId, T0,
        T0.plus(Duration.ofDays(90)));
    assertThat(agent.renew(renewed).status()).isEqualTo(200);
    agent.use(TestAgent.key(1), renewed);

    assertThat(agent.heartbeat().body()).contains("updateCertificate=\"false\"");
  }

  @Test
  void renewalSwapsTheCertificateAndTheOldOneWorksOnlyDuringTheGracePeriod() throws Exception {
    agent.onboard();
    X509Certificate old = agent.certificate;
    X509Certificate renewed = TestAgent.certificate(TestAgent.key(1), emulator.workspaceId(), agent.agentId, T0,
        T0.plus(Duration.ofDays(90)));

    assertThat(agent.renew(renewed).status()).isEqualTo(200);
    assertThat(agent.renew(renewed).body()).contains("<Reason>CertificateNotCurrent</Reason>");
    assertThat(agent.heartbeat().status()).as("old certificate in the grace period").isEqualTo(200);

    agent.use(TestAgent.key(1), renewed);
    assertThat(agent.heartbeat().status()).as("new certificate").isEqualTo(200);

    clock.advance(Duration.ofMinutes(61));
    agent.use(TestAgent.key(0), old);
    Answer afterGrace = agent.heartbeat();
    assertThat(afterGrace.status()).isEqualTo(403);
    assertThat(afterGrace.body()).contains("<Reason>CertificateNotRegistered</Reason>");
  }

  @Test
  void aZeroGracePeriodCutsTheReplacedCertificateOffAtOnce() throws Exception {
    try (WorkspaceEmulator strict = WorkspaceEmulator.builder().clock(clock).renewalGracePeriod(Duration.ZERO)
        .start()) {
      TestAgent a = new TestAgent(strict, T0);
      a.onboard();
      X509Certificate renewed = TestAgent.certificate(TestAgent.key(1), strict.workspaceId(), a.agentId, T0,
          T0.plus(Duration.ofDays(90)));
      assertThat(a.renew(renewed).status()).isEqualTo(200);

      assertThat(a.heartbeat().status()).isEqualTo(403);
    }
  }

  @Test
  void renewalRefusesANewCertificateForAnotherAgent() throws Exception {
    agent.onboard();
    X509Certificate foreign = TestAgent.certificate(TestAgent.key(1), emulator.workspaceId(),
        "11111111-2222-3333-4444-555555555555", T0, T0.plus(Duration.ofDays(90)));

    Answer answer = agent.renew(foreign);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("<Reason>InvalidCertificateSubject</Reason>");
  }

  @Test
  void regeneratedKeysRefuseTheOldKeyButKeepRegisteredCertificatesWorking() throws Exception {
    agent.onboard();
    String oldKey = emulator.sharedKey();

    emulator.regenerateKeys(TestKeys.KEY_A, TestKeys.KEY_B);

    byte[] body = agent.topologyXml(agent.certificate).getBytes(StandardCharsets.UTF_8);
    assertThat(agent.onboard(oldKey, TestAgent.isoDate(T0), body, null).status()).isEqualTo(403);
    assertThat(agent.heartbeat().status()).isEqualTo(200);
    assertThat(agent.postOds("{\"DataType\":\"T\",\"IPName\":\"I\",\"DataItems\":[{\"a\":1}]}", false, "r1")
        .status()).isEqualTo(200);
    assertThat(agent.onboard(TestKeys.KEY_B, TestAgent.isoDate(T0), body, null).status()).isEqualTo(200);
    assertThat(emulator.sharedKey()).isEqualTo(TestKeys.KEY_A);
    assertThat(emulator.credentials().hasSecondaryKey()).isTrue();
  }

  @Test
  void requestsForAnotherWorkspaceAreRefused() throws Exception {
    try (WorkspaceEmulator other = WorkspaceEmulator.builder().clock(clock).start()) {
      // the other emulator's host name, sent to this emulator's port
      okhttp3.Request request = new okhttp3.Request.Builder()
          .url("https://" + other.workspaceId() + ".oms.emulator.test:" + emulator.port()
              + "/AgentService.svc/LinuxAgentTopologyRequest")
          .post(okhttp3.RequestBody.create(new byte[0], TestAgent.FORM))
          .build();

      Answer answer = TestAgent.execute(agent.http, request);

      assertThat(answer.status()).isEqualTo(403);
      assertThat(answer.body()).contains("<Reason>InvalidWorkspaceId</Reason>");
    }
  }
}
