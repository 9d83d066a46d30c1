package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class OnboardingTest extends AgentTestBase {

  @Test
  void onboardingSucceedsAndPersistsState() throws Exception {
    AgentStatus status = AgentIdentity.onboard(options().build());

    FakeAgentService.Call call = service.calls("onboard").get(0);
    assertThat(call.status).isEqualTo(200);
    assertThat(call.header("x-ms-version")).isEqualTo("August, 2014");
    assertThat(call.header("x-ms-SHA256_Content")).hasSize(44);
    assertThat(call.header("x-ms-Date")).matches("2025-01-01T00:00:00\\.000000000\\+00:00");
    assertThat(call.header("Authorization")).startsWith(WS + "; ");
    assertThat(call.header("User-Agent")).startsWith("LinuxMonitoringAgent/");
    assertThat(call.header("Accept-Language")).isEqualTo("en-US");
    assertThat(call.body())
        .startsWith("<?xml version=\"1.0\"?>\n<AgentTopologyRequest")
        .contains("<FullyQualfiedDomainName>host1.example.com</FullyQualfiedDomainName>")
        .contains("<EntityTypeId>" + status.agentGuid() + "</EntityTypeId>")
        .contains("<AuthenticationCertificate>" + Base64.getEncoder().encodeToString(call.peer.getEncoded()));

    assertThat(status.workspaceId()).isEqualTo(WS);
    assertThat(status.agentGuid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(status.subject()).isEqualTo("CN=" + WS + ",CN=" + status.agentGuid()
        + ",OU=Linux Monitoring Agent,O=Microsoft");
    assertThat(Duration.between(status.notBefore(), status.notAfter())).isEqualTo(Duration.ofDays(90));

    String conf = Files.readString(stateDir.resolve("omsadmin.conf"));
    assertThat(conf).contains("WORKSPACE_ID=" + WS + "\n", "AGENT_GUID=" + status.agentGuid() + "\n",
        "URL_TLD=loganalytics.test\n",
        "CERTIFICATE_UPDATE_ENDPOINT=https://" + WS + ".oms.loganalytics.test:" + server.getPort()
            + "/ConfigurationService.Svc/RenewCertificate\n",
        "OMS_ENDPOINT=https://" + WS + ".ods.loganalytics.test:" + server.getPort()
            + "/OperationalData.svc/PostJsonDataItems\n",
        "DSC_ENDPOINT=https://dsc.example.test/Accounts/" + WS + "/Nodes\\(AgentId='x'\\)\n");
    assertThat(Files.readString(stateDir.resolve("certs/oms.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(stateDir.resolve("certs/oms.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(stateDir.resolve("certs")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(AgentIdentity.status(stateDir).serial()).isEqualTo(call.peer.getSerialNumber().toString());
  }

  @Test
  void wrongKeyGivesAClear403AndWritesNoState() {
    credentials = WorkspaceCredentials.of(WS, OTHER_KEY);

    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.reason()).isEqualTo("InvalidWorkspaceKey");
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.clockSkew()).isZero();
          assertThat(e.getMessage()).contains("InvalidWorkspaceKey", "workspace ID", "shared key",
              "system clock", "agrees with the server's");
        });
    assertThat(listener.authenticationFailures).hasSize(1);
    assertThat(stateDir).doesNotExist();
  }

  @Test
  void clockSkewIsMeasuredFromTheServersDateAndNamedInTheError() {
    credentials = WorkspaceCredentials.of(WS, OTHER_KEY);
    service.serverClockOffset = Duration.ofMinutes(10);

    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.clockSkew()).isEqualTo(Duration.ofMinutes(10));
          assertThat(e.getMessage()).contains("differs from ours by +10m0s", "NTP");
        });
    assertThat(listener.events).contains("clockSkew PT10M");
  }

  @Test
  void aRefusalCausedByClockSkewIsSignedAgainWithTheServersTime() {
    service.serverClockOffset = Duration.ofMinutes(10);

    AgentIdentity.onboard(options().build());

    assertThat(service.calls("onboard")).extracting(c -> c.status).containsExactly(403, 200);
    assertThat(service.calls("onboard").get(1).header("x-ms-Date")).startsWith("2025-01-01T00:10:00");
    assertThat(listener.events).contains("clockSkew PT10M");
  }

  @Test
  void theSecondaryKeyIsTriedWhenThePrimaryIsRefused() {
    credentials = WorkspaceCredentials.of(WS, OTHER_KEY, KEY);

    AgentIdentity.onboard(options().build());

    assertThat(service.calls("onboard")).extracting(c -> c.status).containsExactly(403, 200);
    assertThat(Files.exists(stateDir.resolve("omsadmin.conf"))).isTrue();
  }

  @Test
  void onboardingAgainKeepsTheAgentGuidAndAValidCertificate() {
    AgentStatus first = AgentIdentity.onboard(options().build());
    AgentStatus second = AgentIdentity.onboard(options().build());

    assertThat(second.agentGuid()).isEqualTo(first.agentGuid());
    assertThat(second.serial()).isEqualTo(first.serial());
  }

  @Test
  void aStateDirectoryOfAnotherWorkspaceIsRefused() {
    AgentIdentity.onboard(options().build());
    credentials = WorkspaceCredentials.of("11111111-2222-3333-4444-555555555555", KEY);

    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(ConfigurationException.class,
            e -> assertThat(e.field()).isEqualTo("stateDirectory"))
        .hasMessageContaining("holds the agent of workspace " + WS);
  }

  @Test
  void optionsComeFromTheClientBuilder() {
    io.loganalytics.sdk.LogAnalyticsClientBuilder client = io.loganalytics.sdk.LogAnalyticsClient.builder()
        .credentials(credentials).stateDirectory(stateDir).cloud(cloud).clock(clock).listener(listener)
        .hostResolver(io.loganalytics.sdk.impl.http.TestTls.loopbackResolver())
        .trustCertificates(tmp.resolve("test-ca.pem")).certificateValidity(Duration.ofDays(40))
        .renewalWindow(Duration.ofDays(10));

    AgentStatus status = AgentIdentity.onboard(AgentOptions.from(client).scheduler(scheduler)
        .hostname("h").build());

    assertThat(Duration.between(status.notBefore(), status.notAfter())).isEqualTo(Duration.ofDays(40));
    assertThat(status.omsEndpoint()).contains(cloud.odsUploadUri(WS));
  }

  @Test
  void onboardingNeedsCredentials() {
    credentials = null;
    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("credentials"));
  }

  @Test
  void anUntrustedServerCertificateFailsBuildAtOnceNamingTheFix() {
    io.loganalytics.sdk.LogAnalyticsClientBuilder builder = io.loganalytics.sdk.LogAnalyticsClient.builder()
        .transport(io.loganalytics.sdk.Transport.AGENT_CERTIFICATE)
        .credentials(credentials).stateDirectory(stateDir).bufferDirectory(tmp.resolve("buffer")).cloud(cloud)
        .clock(clock).listener(listener).hostResolver(io.loganalytics.sdk.impl.http.TestTls.loopbackResolver());

    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(io.loganalytics.sdk.ServiceException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.status()).isZero();
          assertThat(e.getMessage()).startsWith("The onboarding request to " + WS + ".oms.")
              .contains("this client does not trust the server certificate", "trustCertificates", "--ca-file",
                  "Nothing can be sent until the server certificate is trusted");
        });
    assertThat(service.calls).isEmpty();
    assertThat(StateDirectory.of(stateDir).isOnboarded()).isFalse();
  }

  @Test
  void aFailedOnboardingNamesTheRealCauseDns() {
    io.loganalytics.sdk.HostResolver noDns = host -> {
      throw new java.net.UnknownHostException(host + ": Name or service not known");
    };
    http = http.toBuilder().resolver(noDns).build();

    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(io.loganalytics.sdk.ServiceException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).isEqualTo("The onboarding request to " + WS + ".oms.loganalytics.test failed "
              + "before an answer: the host name cannot be resolved (DNS): " + WS + ".oms.loganalytics.test: Name "
              + "or service not known");
        });
  }

  @Test
  void aFailedOnboardingNamesTheRealCauseConnection() throws Exception {
    int port = server.getPort();
    server.close();
    cloud = io.loganalytics.sdk.CloudEnvironment.fromDomain(io.loganalytics.sdk.impl.http.TestTls.DOMAIN)
        .withPort(port);

    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(io.loganalytics.sdk.ServiceException.class, e -> assertThat(e.getMessage())
            .contains("failed before an answer: cannot connect (", "check the network, a firewall, and the proxy"));
  }
}
