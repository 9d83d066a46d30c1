package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentXmlTest {

  @Test
  void topologyRequestHasTheAgentsElementsInOrderWithTheMisspelling() {
    String xml = AgentXml.topologyRequest("web&1.contoso.com", "guid", "MIIB");
    assertThat(xml).startsWith("<?xml version=\"1.0\"?>\n<AgentTopologyRequest xmlns:xsi=")
        .contains("xmlns=\"" + AgentXml.NAMESPACE + "\"")
        .containsSubsequence("<FullyQualfiedDomainName>web&amp;1.contoso.com</FullyQualfiedDomainName>",
            "<EntityTypeId>guid</EntityTypeId>", "<AuthenticationCertificate>MIIB</AuthenticationCertificate>");
  }

  @Test
  void renewalRequestCarriesTheNewCertificate() {
    assertThat(AgentXml.certificateUpdateRequest("MIIC"))
        .contains("<CertificateUpdateRequest", "<NewCertificate>MIIC</NewCertificate>");
  }

  @Test
  void parsesTheResponseWithPrefixesWhitespaceAndEntities() {
    TopologyResponse r = AgentXml.parseTopologyResponse("<?xml version=\"1.0\"?>\n"
        + "<a:LinuxAgentTopologyResponse queryInterval='PT1H' telemetryReportInterval=\"PT10M\" xmlns:a=\"x\">\n"
        + "  <a:CertificateUpdateEndpoint updateCertificate=\"True\">\n   https://ws.oms.x/Renew?a=1&amp;b=2\n"
        + "  </a:CertificateUpdateEndpoint>\n"
        + "  <a:DscConfiguration><a:Endpoint>https://dsc/Nodes(AgentId='g')</a:Endpoint>"
        + "<a:NodeConfigurationName>cfg</a:NodeConfigurationName></a:DscConfiguration>\n"
        + "</a:LinuxAgentTopologyResponse>");
    assertThat(r.queryInterval()).contains(Duration.ofHours(1));
    assertThat(r.telemetryReportInterval()).contains(Duration.ofMinutes(10));
    assertThat(r.updateCertificate()).isTrue();
    assertThat(r.certificateUpdateEndpoint()).contains(URI.create("https://ws.oms.x/Renew?a=1&b=2"));
    assertThat(r.dscEndpoint()).contains("https://dsc/Nodes(AgentId='g')");
    assertThat(r.dscNodeConfigurationName()).contains("cfg");
  }

  @Test
  void missingPartsAreEmptyAndAnOutOfRangeIntervalKeepsTheDefault() {
    TopologyResponse r = AgentXml.parseTopologyResponse("<LinuxAgentTopologyResponse queryInterval=\"PT30S\"/>");
    assertThat(r.updateCertificate()).isFalse();
    assertThat(r.certificateUpdateEndpoint()).isEmpty();
    assertThat(r.heartbeatInterval(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(20));
    assertThat(AgentXml.parseTopologyResponse("<R queryInterval=\"P7D\"/>").heartbeatInterval(Duration.ZERO))
        .isEqualTo(Duration.ofDays(7));
    assertThat(AgentXml.parseTopologyResponse("<R queryInterval=\"soon\"/>").queryInterval()).isEmpty();
  }

  @Test
  void readsTheReasonOfARefusal() {
    assertThat(AgentXml.reason("<Error xmlns=\"x\"><Reason>InvalidWorkspaceKey</Reason></Error>"))
        .contains("InvalidWorkspaceKey");
    assertThat(AgentXml.reason("Forbidden")).isEmpty();
  }
}
