package io.loganalytics.sdk.impl.agent;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The agent service's XML, written and read as the legacy agent did (PROTOCOL §B2 step 3, §B2 step 6, §B4): bodies
 * are built as text in the agent's element order (including the misspelled {@code FullyQualfiedDomainName}).
 *
 * <p>Answers are read with the JDK's StAX parser, hardened because the answer comes from the network: a reply larger
 * than {@link #MAX_REPLY_BYTES} is refused before parsing (the HTTP layer stops reading there too, see
 * {@link AgentServiceClient}); a document type declaration is refused (so no DTD, no entity expansion, no external
 * entity is ever resolved); external DTD and schema access is off; elements nested deeper than {@link #MAX_DEPTH}
 * are refused. Parsing is one pass over the bytes, linear in the size of the reply. Namespace prefixes are ignored
 * (the parser is not namespace aware, a prefix is cut from a name), as the legacy agent's reader did. A reply that
 * is not well-formed, or breaks one of these limits, gives a {@link MalformedReplyException} saying what was wrong.
 *
 * <p>Stateless and thread-safe.
 */
final class AgentXml {
  static final String NAMESPACE = "http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/";
  private static final String ROOT_ATTRIBUTES = " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
      + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"" + NAMESPACE + "\"";

  /** The largest reply read (64 KiB); the service's replies are under 2 KiB. */
  static final int MAX_REPLY_BYTES = 64 * 1024;
  /** The deepest element nesting accepted; the service's replies nest 3 deep. */
  static final int MAX_DEPTH = 32;
  /** The longest {@code <Reason>} kept. */
  private static final int MAX_REASON_CHARS = 200;

  /** A reply that is not the XML expected, or breaks a limit. The message says what and never holds a secret. */
  static final class MalformedReplyException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedReplyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

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

  /**
   * Parses a {@code LinuxAgentTopologyResponse}. Missing parts are empty; an interval that is not an ISO-8601
   * duration, or an endpoint that is not a URI, is treated as missing (as the agent did).
   *
   * @param reply the reply's bytes (the encoding is taken from the XML declaration, UTF-8 by default)
   * @return what the reply says
   * @throws MalformedReplyException when the reply is larger than {@link #MAX_REPLY_BYTES}, declares a DTD, nests
   *     deeper than {@link #MAX_DEPTH} or is not well-formed XML
   */
  static TopologyResponse parseTopologyResponse(byte[] reply) throws MalformedReplyException {
    Map<String, String> found = read(reply, Set.of("CertificateUpdateEndpoint", "Endpoint",
        "NodeConfigurationName"), Set.of("queryInterval", "telemetryReportInterval", "updateCertificate"));
    URI endpoint = null;
    String text = found.get("CertificateUpdateEndpoint");
    if (text != null && !text.isEmpty()) {
      try {
        endpoint = URI.create(text);
      } catch (IllegalArgumentException e) {
        endpoint = null;
      }
    }
    String update = found.get("@updateCertificate");
    return new TopologyResponse(duration(found.get("@queryInterval")), duration(found.get("@telemetryReportInterval")),
        endpoint, update != null && update.strip().equalsIgnoreCase("true"), emptyToNull(found.get("Endpoint")),
        emptyToNull(found.get("NodeConfigurationName")));
  }

  /** {@link #parseTopologyResponse(byte[])} of UTF-8 text. */
  static TopologyResponse parseTopologyResponse(String xml) throws MalformedReplyException {
    return parseTopologyResponse(xml.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The service's {@code <Reason>} of an error answer, if any (e.g. {@code InvalidWorkspaceKey}), cut to 200
   * characters. An answer that is not XML, or not acceptable XML, has none.
   *
   * @param body the answer's bytes
   * @return the reason, if any
   */
  static Optional<String> reason(byte[] body) {
    try {
      return Optional.ofNullable(emptyToNull(read(body, Set.of("Reason"), Set.of()).get("Reason")))
          .map(r -> r.length() > MAX_REASON_CHARS ? r.substring(0, MAX_REASON_CHARS) : r);
    } catch (MalformedReplyException e) {
      return Optional.empty();
    }
  }

  /** {@link #reason(byte[])} of UTF-8 text. */
  static Optional<String> reason(String body) {
    return reason(body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * One pass over the reply: the stripped text of the first element of each wanted name (its own character data,
   * not that of child elements), keyed by the name, and the first value of each wanted attribute on any element,
   * keyed by {@code @name}. Names are compared without their namespace prefix.
   */
  private static Map<String, String> read(byte[] reply, Set<String> elements, Set<String> attributes)
      throws MalformedReplyException {
    if (reply.length > MAX_REPLY_BYTES) {
      throw new MalformedReplyException("the reply is " + reply.length + " bytes, more than the "
          + MAX_REPLY_BYTES + " bytes accepted", null);
    }
    Map<String, String> found = new HashMap<>();
    XMLStreamReader r = null;
    try {
      // A factory per reply: XMLInputFactory is not documented as thread-safe, and replies are rare.
      r = hardenedFactory().createXMLStreamReader(new ByteArrayInputStream(reply));
      int depth = 0;
      String capturing = null;
      int captureDepth = 0;
      StringBuilder text = new StringBuilder();
      while (r.hasNext()) {
        int event = r.next();
        switch (event) {
          case XMLStreamConstants.DTD:
            throw new MalformedReplyException("the reply declares a document type (DTD), which is not accepted",
                null);
          case XMLStreamConstants.ENTITY_REFERENCE:
            throw new MalformedReplyException("the reply refers to an undeclared entity &" + r.getLocalName()
                + ";", null);
          case XMLStreamConstants.START_ELEMENT:
            depth++;
            if (depth > MAX_DEPTH) {
              throw new MalformedReplyException("the reply nests elements deeper than " + MAX_DEPTH + " levels",
                  null);
            }
            for (int i = 0; i < r.getAttributeCount(); i++) {
              String name = "@" + local(r.getAttributeLocalName(i));
              if (attributes.contains(name.substring(1))) {
                found.putIfAbsent(name, r.getAttributeValue(i));
              }
            }
            String name = local(r.getLocalName());
            if (capturing == null && elements.contains(name) && !found.containsKey(name)) {
              capturing = name;
              captureDepth = depth;
              text.setLength(0);
            }
            break;
          case XMLStreamConstants.CHARACTERS:
          case XMLStreamConstants.CDATA:
          case XMLStreamConstants.SPACE:
            if (capturing != null && depth == captureDepth) {
              text.append(r.getText());
            }
            break;
          case XMLStreamConstants.END_ELEMENT:
            if (capturing != null && depth == captureDepth) {
              found.put(capturing, text.toString().strip());
              capturing = null;
            }
            depth--;
            break;
          default:
            break;
        }
      }
      return found;
    } catch (XMLStreamException | RuntimeException e) {
      String where = e instanceof XMLStreamException && ((XMLStreamException) e).getLocation() != null
          ? " at line " + ((XMLStreamException) e).getLocation().getLineNumber() + ", column "
              + ((XMLStreamException) e).getLocation().getColumnNumber() : "";
      throw new MalformedReplyException("the reply is not well-formed XML" + where + ": " + firstLine(e), e);
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException e) {
          // nothing held open: the input is a byte array
        }
      }
    }
  }

  private static XMLInputFactory hardenedFactory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, false);
    f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
      throw new XMLStreamException("external entities are not resolved (" + systemId + ")");
    });
    return f;
  }

  private static String local(String name) {
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(colon + 1);
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage()).strip();
    int nl = m.lastIndexOf("Message: ");
    if (nl >= 0) {
      m = m.substring(nl + "Message: ".length());
    }
    int end = m.indexOf('\n');
    m = end < 0 ? m : m.substring(0, end);
    return m.length() > 200 ? m.substring(0, 200) + "..." : m;
  }

  private static Duration duration(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Duration.parse(text.strip());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
