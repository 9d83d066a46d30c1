package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
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
  void parsesTheResponseWithPrefixesWhitespaceAndEntities() throws Exception {
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
  void missingPartsAreEmptyAndAnOutOfRangeIntervalKeepsTheDefault() throws Exception {
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

  /** Not a timing assertion: a guard that turns a hang (the regex reader took 67 s for 4 KB) into a failure. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(20);

  static final String VALID = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      + "<LinuxAgentTopologyResponse queryInterval=\"PT20M\" telemetryReportInterval=\"PT10M\" id=\"1\" xmlns=\""
      + AgentXml.NAMESPACE + "\"><CertificateUpdateEndpoint updateCertificate=\"false\">"
      + "https://ws.oms.example.test/ConfigurationService.Svc/RenewCertificate</CertificateUpdateEndpoint>"
      + "<DscConfiguration><Endpoint>https://dsc.example.test/Accounts/ws/Nodes(AgentId='x')</Endpoint>"
      + "<NodeConfigurationName>n</NodeConfigurationName></DscConfiguration></LinuxAgentTopologyResponse>";

  /** The input that made the regular expressions backtrack cubically: an unclosed element and 4,000 spaces. */
  static final String BACKTRACKING = "<CertificateUpdateEndpoint>" + " ".repeat(4000);

  static final String BILLION_LAUGHS = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      + "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
      + "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
      + "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
      + "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
      + "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
      + "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
      + "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
      + "<LinuxAgentTopologyResponse><DscConfiguration><Endpoint>&lol9;</Endpoint></DscConfiguration>"
      + "</LinuxAgentTopologyResponse>";

  static final String XXE = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      + "<LinuxAgentTopologyResponse><DscConfiguration><Endpoint>&x;</Endpoint></DscConfiguration>"
      + "</LinuxAgentTopologyResponse>";

  static final String EXTERNAL_DTD = "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://127.0.0.1:9/evil.dtd\">"
      + "<LinuxAgentTopologyResponse queryInterval=\"PT1H\"/>";

  static final String DEEP = "<a>".repeat(5_000) + "</a>".repeat(5_000);

  @Test
  void theBacktrackingInputIsRefusedAtOnce() {
    assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> AgentXml.parseTopologyResponse(BACKTRACKING))
        .isInstanceOf(AgentXml.MalformedReplyException.class)
        .hasMessageStartingWith("the reply is not well-formed XML at line 1"));
  }

  @Test
  void longWhitespaceInsideAValidReplyIsReadInOnePass() throws Exception {
    String padded = VALID.replace("<CertificateUpdateEndpoint updateCertificate=\"false\">",
        "<CertificateUpdateEndpoint updateCertificate=\"false\">" + " ".repeat(60_000));
    TopologyResponse r = assertTimeoutPreemptively(HANG_GUARD, () -> AgentXml.parseTopologyResponse(padded));
    assertThat(r.certificateUpdateEndpoint())
        .contains(URI.create("https://ws.oms.example.test/ConfigurationService.Svc/RenewCertificate"));
  }

  @Test
  void aReplyLargerThan64KiBIsRefusedBeforeParsing() {
    byte[] big = ("<R>" + "x".repeat(AgentXml.MAX_REPLY_BYTES) + "</R>").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AgentXml.parseTopologyResponse(big))
        .isInstanceOf(AgentXml.MalformedReplyException.class)
        .hasMessage("the reply is " + big.length + " bytes, more than the 65536 bytes accepted");
  }

  @Test
  void documentTypeDeclarationsAreRefusedSoNoEntityIsExpandedOrFetched() {
    for (String hostile : new String[] {BILLION_LAUGHS, XXE, EXTERNAL_DTD}) {
      assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> AgentXml.parseTopologyResponse(hostile))
          .as(hostile)
          .isInstanceOf(AgentXml.MalformedReplyException.class)
          .hasMessageContaining("document type (DTD)"));
    }
  }

  @Test
  void anUndeclaredEntityIsRefused() {
    assertThatThrownBy(() -> AgentXml.parseTopologyResponse("<R><Endpoint>&x;</Endpoint></R>"))
        .isInstanceOf(AgentXml.MalformedReplyException.class)
        .hasMessageContaining("x");
  }

  @Test
  void deepNestingIsRefusedNamingTheLimit() {
    assertThatThrownBy(() -> AgentXml.parseTopologyResponse(DEEP))
        .isInstanceOf(AgentXml.MalformedReplyException.class)
        .hasMessage("the reply nests elements deeper than 32 levels");
  }

  @Test
  void garbageIsRefusedWithAClearErrorNeverAnotherException() {
    String[] garbage = {"", "   ", "Service Unavailable", "<html><body>proxy login</body>", "<<<<>>>>",
        "<R a=\"1\" a=\"2\"/>", "<R></S>", "\u0000\u0001<R/>", "<R/><R/>", "<?xml version=\"9\"?><R/>"};
    for (String g : garbage) {
      assertThatThrownBy(() -> AgentXml.parseTopologyResponse(g)).as(g)
          .isInstanceOf(AgentXml.MalformedReplyException.class)
          .hasMessageStartingWith("the reply is not well-formed XML");
    }
    byte[] notUtf8 = {'<', 'R', '>', (byte) 0xC3, (byte) 0x28, '<', '/', 'R', '>'};
    assertThatThrownBy(() -> AgentXml.parseTopologyResponse(notUtf8))
        .isInstanceOf(AgentXml.MalformedReplyException.class);
  }

  @Test
  void theReasonOfAHostileRefusalIsEmptyNotAnError() {
    assertThat(AgentXml.reason(BILLION_LAUGHS)).isEmpty();
    assertThat(AgentXml.reason(DEEP)).isEmpty();
    assertThat(AgentXml.reason("<Error><Reason>" + "r".repeat(500) + "</Reason></Error>")).get()
        .asString().hasSize(200);
  }

  /**
   * Fuzz-style: 20,000 seeded mutations of a valid reply (byte flips, insertions of XML-significant characters,
   * deletions, duplicated slices). Each either parses or is refused with a {@link AgentXml.MalformedReplyException};
   * nothing else escapes and nothing hangs. The seed is printed in the failure so a case can be replayed.
   */
  @Test
  void mutatedRepliesParseOrFailCleanly() {
    int[] outcomes = assertTimeoutPreemptively(HANG_GUARD.multipliedBy(3), () -> fuzz(20_251_205L, 20_000));
    assertThat(outcomes[0]).as("some mutations stay well-formed").isPositive();
    assertThat(outcomes[1]).as("most mutations break the XML").isPositive();
  }

  /** @return how many mutations parsed and how many were refused */
  private static int[] fuzz(long seed, int rounds) {
    byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
    byte[] significant = "<>&;\"'/=!?[]- \n\u0000".getBytes(StandardCharsets.UTF_8);
    Random random = new Random(seed);
    int[] outcomes = new int[2];
    for (int i = 0; i < rounds; i++) {
      byte[] m = mutate(valid, random, significant);
      try {
        assertThat(AgentXml.parseTopologyResponse(m)).isNotNull();
        outcomes[0]++;
      } catch (AgentXml.MalformedReplyException e) {
        assertThat(e.getMessage()).isNotBlank();
        outcomes[1]++;
      } catch (RuntimeException e) {
        throw new AssertionError("mutation " + i + " of seed " + seed + " threw " + e + " for "
            + new String(m, StandardCharsets.UTF_8), e);
      }
    }
    return outcomes;
  }

  private static byte[] mutate(byte[] valid, Random random, byte[] significant) {
    byte[] b = valid.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 1; e++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(4)) {
        case 0:
          b[at] = (byte) random.nextInt(256);
          break;
        case 1: {
          byte[] out = new byte[b.length + 1];
          System.arraycopy(b, 0, out, 0, at);
          out[at] = significant[random.nextInt(significant.length)];
          System.arraycopy(b, at, out, at + 1, b.length - at);
          b = out;
          break;
        }
        case 2: {
          int len = Math.min(b.length - at, 1 + random.nextInt(20));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
          break;
        }
        default: {
          int len = Math.min(b.length - at, 1 + random.nextInt(40));
          byte[] out = Arrays.copyOf(b, b.length + len);
          System.arraycopy(b, at, out, at + len, b.length - at);
          b = out;
          break;
        }
      }
    }
    return b;
  }
}
