package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code CertificateUpdateEndpoint} a heartbeat names receives the agent certificate only on the cloud's domain. */
class RenewalEndpointTest extends AgentTestBase {

  @ParameterizedTest
  @ValueSource(strings = {
      "https://attacker.example.com:%d/ConfigurationService.Svc/RenewCertificate",
      "http://" + WS + ".oms.loganalytics.test:%d/ConfigurationService.Svc/RenewCertificate",
      "https://" + WS + ".oms.evilloganalytics.test:%d/ConfigurationService.Svc/RenewCertificate"})
  void anUntrustedRenewalEndpointIsIgnoredAndTheCloudsOwnRenewalUrlIsUsed(String endpoint) throws Exception {
    service.advertisedRenewalEndpoint = String.format(endpoint, server.getPort());
    try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(options().build())) {
      service.updateCertificate = true;

      scheduler.runDue();

      assertThat(service.calls("renew")).as("RenewCertificate reached the workspace's own service")
          .singleElement().satisfies(c -> {
            assertThat(c.status).isEqualTo(200);
            assertThat(c.request.getUrl().host()).isEqualTo(cloud.omsHost(WS));
          });
      assertThat(service.calls("onboard")).as("no fallback to onboarding again").hasSize(1);
      assertThat(listener.events).anyMatch(e -> e.startsWith("renewed server"));
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }

  @Test
  void aRenewalEndpointOnASubdomainOfTheCloudIsUsed() throws Exception {
    service.advertisedRenewalEndpoint = "https://" + WS + ".ods.loganalytics.test:" + server.getPort()
        + "/ConfigurationService.Svc/RenewCertificate";
    try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(options().build())) {
      service.updateCertificate = true;

      scheduler.runDue();

      assertThat(service.calls("renew")).singleElement()
          .satisfies(c -> assertThat(c.request.getUrl().host()).isEqualTo(WS + ".ods.loganalytics.test"));
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }

  @Test
  void onlyHttpsOnTheCloudsDomainOrASubdomainIsTrusted() {
    String d = "opinsights.azure.com";
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("https://opinsights.azure.com/x"), d)).isTrue();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("https://ws.oms.OPINSIGHTS.azure.com/x"), d))
        .isTrue();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("https://ws.oms.opinsights.azure.com./x"), d))
        .isTrue();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("http://ws.oms.opinsights.azure.com/x"), d))
        .isFalse();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("https://evilopinsights.azure.com/x"), d)).isFalse();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("https://opinsights.azure.com.evil.net/x"), d))
        .isFalse();
    assertThat(DefaultAgentSession.isTrustedEndpoint(
        URI.create("https://opinsights.azure.com@evil.net/x"), d)).isFalse();
    assertThat(DefaultAgentSession.isTrustedEndpoint(
        URI.create("https://user@ws.oms.opinsights.azure.com/x"), d)).isFalse();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("ftp://ws.oms.opinsights.azure.com/x"), d)).isFalse();
    assertThat(DefaultAgentSession.isTrustedEndpoint(URI.create("/relative/path"), d)).isFalse();
  }
}
