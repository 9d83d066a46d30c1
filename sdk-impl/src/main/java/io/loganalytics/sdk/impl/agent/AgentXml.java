package io.loganalytics.sdk.impl.agent;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent service's XML, written and read as the legacy agent did (PROTOCOL §B2 step 3, §B2 step 6, §B4): bodies
 * are built as text in the agent's element order (including the misspelled {@code FullyQualfiedDomainName}), and
 * answers are read with patterns that ignore namespace prefixes and whitespace, so no XML parser (and no external
 * entity) is involved. Stateless and thread-safe.
 */
final class AgentXml {
  static final String NAMESPACE = "http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/";
  private static final String ROOT_ATTRIBUTES = " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
      + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"" + NAMESPACE + "\"";

  private static final Pattern QUERY_INTERVAL = attribute("queryInterval");
  private static final Pattern TELEMETRY_INTERVAL = attribute("telemetryReportInterval");
  private static final Pattern CERT_ENDPOINT = Pattern.compile(
      "<(?:\\w+:)?CertificateUpdateEndpoint\\b([^>]*)>\\s*([^<]*?)\\s*</(?:\\w+:)?CertificateUpdateEndpoint>");
  private static final Pattern UPDATE_CERTIFICATE = Pattern.compile("updateCertificate\\s*=\\s*[\"']([^\"']*)[\"']");
  private static final Pattern DSC_ENDPOINT = element("Endpoint");
  private static final Pattern DSC_NODE_CONFIGURATION = element("NodeConfigurationName");
  private static final Pattern REASON = element("Reason");

  private AgentXml() {}

  /**
   * The onboarding and heartbeat body: {@code AgentTopologyRequest} with FQDN, agent GUID and certificate.
   * The optional {@code OperatingSystem} element is left out, as the agent does when it lacks its values.
   */
  static String topologyRequest(String fqdn, String agentGuid, String certificateBase64) {
    return "<?xml version=\"1.0\"?>\n"
        + "<AgentTopologyRequest" + ROOT_ATTRIBUTES + ">\n"
        + "  <FullyQualfiedDomainName>" + escape(fqdn) + "</FullyQualfiedDomainName>\n"
        + "  <EntityTypeId>" + escape(agentGuid) + "</EntityTypeId>\n"
        + "  <AuthenticationCertificate>" + certificateBase64 + "</AuthenticationCertificate>\n"
        + "</AgentTopologyRequest>\n";
  }

  /** The renewal body: {@code CertificateUpdateRequest} with the new certificate (PROTOCOL §B4 step 2). */
  static String certificateUpdateRequest(String newCertificateBase64) {
    return "<?xml version=\"1.0\"?>\n"
        + "<CertificateUpdateRequest" + ROOT_ATTRIBUTES + ">\n"
        + "  <NewCertificate>" + newCertificateBase64 + "</NewCertificate>\n"
        + "</CertificateUpdateRequest>\n";
  }

  /** Parses a {@code LinuxAgentTopologyResponse}. Missing parts are empty. */
  static TopologyResponse parseTopologyResponse(String xml) {
    Duration query = duration(QUERY_INTERVAL, xml);
    Duration telemetry = duration(TELEMETRY_INTERVAL, xml);
    URI endpoint = null;
    boolean update = false;
    Matcher m = CERT_ENDPOINT.matcher(xml);
    if (m.find()) {
      Matcher u = UPDATE_CERTIFICATE.matcher(m.group(1));
      update = u.find() && u.group(1).strip().equalsIgnoreCase("true");
      String text = unescape(m.group(2)).strip();
      if (!text.isEmpty()) {
        try {
          endpoint = URI.create(text);
        } catch (IllegalArgumentException e) {
          endpoint = null;
        }
      }
    }
    String dsc = find(DSC_ENDPOINT, xml).orElse(null);
    String node = find(DSC_NODE_CONFIGURATION, xml).orElse(null);
    return new TopologyResponse(query, telemetry, endpoint, update, dsc, node);
  }

  /** The service's {@code <Reason>} of an error answer, if any (e.g. {@code InvalidWorkspaceKey}). */
  static Optional<String> reason(String body) {
    return find(REASON, body).map(r -> r.length() > 200 ? r.substring(0, 200) : r);
  }

  private static Duration duration(Pattern p, String xml) {
    Matcher m = p.matcher(xml);
    if (!m.find()) {
      return null;
    }
    try {
      return Duration.parse(m.group(1).strip());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Optional<String> find(Pattern p, String xml) {
    Matcher m = p.matcher(xml);
    if (!m.find()) {
      return Optional.empty();
    }
    String v = unescape(m.group(1)).strip();
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  private static Pattern attribute(String name) {
    return Pattern.compile("\\b" + name + "\\s*=\\s*[\"']([^\"']*)[\"']");
  }

  private static Pattern element(String name) {
    return Pattern.compile("<(?:\\w+:)?" + name + "(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?" + name + ">");
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
        .replace("&amp;", "&");
  }
}
