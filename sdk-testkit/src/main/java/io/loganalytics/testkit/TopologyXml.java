package io.loganalytics.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The XML of the agent endpoints (PROTOCOL §B2 step 3, §B4): parses {@code AgentTopologyRequest} and
 * {@code CertificateUpdateRequest} strictly, and writes {@code LinuxAgentTopologyResponse} and error bodies.
 *
 * <p>Strictness: the root element and every child must be in the namespace
 * {@value #NS}; the children of {@code AgentTopologyRequest} must be {@code FullyQualfiedDomainName} (sic),
 * {@code EntityTypeId}, {@code AuthenticationCertificate} and optionally {@code OperatingSystem}, in that order,
 * and nothing else; whitespace inside the certificate is ignored (the agent sends it with line breaks or spaces).
 * DOCTYPE declarations are refused. A violation is a {@link Rejection} with status 400 and the reason
 * {@code InvalidRequestFormat}.
 *
 * <p>Stateless and thread-safe.
 */
final class TopologyXml {
  static final String NS = "http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/";
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final String BAD_FORMAT = "InvalidRequestFormat";

  /** What an {@code AgentTopologyRequest} carries. */
  static final class TopologyRequest {
    final String fqdn;
    final String agentId;
    final X509Certificate certificate;

    TopologyRequest(String fqdn, String agentId, X509Certificate certificate) {
      this.fqdn = fqdn;
      this.agentId = agentId;
      this.certificate = certificate;
    }
  }

  private TopologyXml() {}

  static TopologyRequest parseTopologyRequest(byte[] body) {
    Element root = parse(body, "AgentTopologyRequest");
    List<Element> children = children(root);
    String[] expected = {"FullyQualfiedDomainName", "EntityTypeId", "AuthenticationCertificate", "OperatingSystem"};
    if (children.size() < 3 || children.size() > 4) {
      throw bad("AgentTopologyRequest has " + children.size() + " child elements; expected "
          + "FullyQualfiedDomainName, EntityTypeId, AuthenticationCertificate and optionally OperatingSystem");
    }
    for (int i = 0; i < children.size(); i++) {
      requireName(children.get(i), expected[i], "child " + (i + 1) + " of AgentTopologyRequest");
    }
    String fqdn = children.get(0).getTextContent().strip();
    if (fqdn.isEmpty()) {
      throw bad("FullyQualfiedDomainName is empty");
    }
    String agentId = children.get(1).getTextContent().strip();
    if (!GUID.matcher(agentId).matches()) {
      throw bad("EntityTypeId '" + abbreviate(agentId) + "' is not a GUID");
    }
    X509Certificate certificate = certificate(children.get(2), "AuthenticationCertificate");
    return new TopologyRequest(fqdn, agentId.toLowerCase(Locale.ROOT), certificate);
  }

  static X509Certificate parseCertificateUpdateRequest(byte[] body) {
    Element root = parse(body, "CertificateUpdateRequest");
    List<Element> children = children(root);
    if (children.size() != 1) {
      throw bad("CertificateUpdateRequest has " + children.size() + " child elements; expected one NewCertificate");
    }
    requireName(children.get(0), "NewCertificate", "the child of CertificateUpdateRequest");
    return certificate(children.get(0), "NewCertificate");
  }

  static String topologyResponse(String responseId, Duration queryInterval, Duration telemetryInterval,
      boolean updateCertificate, String renewUrl, String dscEndpoint) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        + "<LinuxAgentTopologyResponse queryInterval=\"" + queryInterval + "\" telemetryReportInterval=\""
        + telemetryInterval + "\" id=\"" + responseId + "\" xmlns=\"" + NS + "\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
        + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
        + "<CertificateUpdateEndpoint updateCertificate=\"" + updateCertificate + "\">" + escape(renewUrl)
        + "</CertificateUpdateEndpoint>"
        + "<DscConfiguration><Endpoint>" + escape(dscEndpoint) + "</Endpoint>"
        + "<NodeConfigurationName>MSOMS_LinuxAgent</NodeConfigurationName></DscConfiguration>"
        + "</LinuxAgentTopologyResponse>";
  }

  /** The error body of the agent endpoints: {@code <Reason>} as the agent's scripts expect, plus a detail. */
  static String errorBody(String reason, String detail) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error xmlns=\"" + NS + "\"><Reason>" + escape(reason)
        + "</Reason><Message>" + escape(detail) + "</Message></Error>";
  }

  private static Element parse(byte[] body, String rootName) {
    if (body.length == 0) {
      throw bad("the body is empty; expected an XML " + rootName);
    }
    Document document;
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new ThrowingErrorHandler());
      document = builder.parse(new ByteArrayInputStream(body));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be configured securely", e);
    } catch (SAXException | IOException e) {
      throw bad("the body is not well-formed XML: " + abbreviate(String.valueOf(e.getMessage())));
    }
    Element root = document.getDocumentElement();
    requireName(root, rootName, "the root element");
    return root;
  }

  private static List<Element> children(Element parent) {
    List<Element> elements = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.ELEMENT_NODE) {
        elements.add((Element) n);
      } else if (n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank()) {
        throw bad(parent.getLocalName() + " contains text outside its child elements");
      }
    }
    return elements;
  }

  private static void requireName(Element element, String localName, String what) {
    if (!localName.equals(element.getLocalName())) {
      throw bad(what + " is <" + element.getLocalName() + ">; expected <" + localName + ">");
    }
    if (!NS.equals(element.getNamespaceURI())) {
      throw bad("<" + localName + "> is in the namespace '" + element.getNamespaceURI() + "'; expected '" + NS + "'");
    }
  }

  private static X509Certificate certificate(Element element, String name) {
    String text = element.getTextContent().replaceAll("\\s+", "");
    if (text.isEmpty()) {
      throw bad(name + " is empty");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw bad(name + " is not base64 (the DER body of the PEM, without the BEGIN/END lines)");
    }
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw bad(name + " is not a DER X.509 certificate: " + abbreviate(String.valueOf(e.getMessage())));
    }
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&apos;");
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  private static Rejection bad(String detail) {
    return new Rejection(400, BAD_FORMAT, detail);
  }

  /** Turns parser warnings and errors into exceptions instead of printing them to standard error. */
  private static final class ThrowingErrorHandler implements ErrorHandler {
    @Override
    public void warning(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  }
}
