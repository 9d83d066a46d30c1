package io.loganalytics.testkit;

import io.loganalytics.testkit.AgentRegistry.Match;
import io.loganalytics.testkit.TopologyXml.TopologyRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Handshake;
import okhttp3.Headers;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each request of a {@link WorkspaceEmulator} to its endpoint, applies the scripted faults first, checks
 * everything the real service checks, stores what was accepted and writes the answer (always with a {@code Date}
 * header from the emulator clock). See {@link WorkspaceEmulator} for the rules.
 *
 * <p>Thread-safe: MockWebServer calls it from one thread per connection; all shared state lives in thread-safe
 * objects of the emulator.
 */
final class EmulatorDispatcher extends Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(EmulatorDispatcher.class);

  static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private static final String TOPOLOGY = "/agentservice.svc/linuxagenttopologyrequest";
  private static final String TELEMETRY = "/agentservice.svc/agenttelemetry";
  private static final String RENEW = "/configurationservice.svc/renewcertificate";
  private static final String ODS_UPLOAD = "/operationaldata.svc/postjsondataitems";
  private static final String DATA_COLLECTOR = "/api/logs";
  private static final String API_VERSION = "2016-04-01";

  private static final Pattern ONBOARDING_AUTH = Pattern.compile("([0-9a-fA-F-]{36}); (\\S+)");
  private static final Pattern SHARED_KEY_AUTH = Pattern.compile("SharedKey ([0-9a-fA-F-]{36}):(\\S+)");
  private static final Pattern LOG_TYPE = Pattern.compile("[A-Za-z0-9_]{1,100}");
  private static final String INVALID_KEY = "InvalidWorkspaceKey";
  private static final String INVALID_AUTH = "InvalidAuthorization";

  private final WorkspaceEmulator emulator;

  EmulatorDispatcher(WorkspaceEmulator emulator) {
    this.emulator = emulator;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    drainServerQueue();
    Exchange x = new Exchange(request, emulator.now());
    if (x.host.equals("login." + emulator.domain())) {
      // The Entra token endpoint: no injected faults (they are meant for the uploads).
      try {
        x.apply(emulator.ingestion().token(request.getMethod(), x.rawPath(), headerValues(request.getHeaders()),
            x.body(), "https://" + x.headerValue("Host") + x.rawPath(), x.now));
      } catch (RuntimeException e) {
        LOG.warn("Workspace emulator failed on the token endpoint", e);
        x.apply(LogsIngestionService.azureError(500, "InternalServerError", "the emulator failed: " + e));
      }
      return x.finish();
    }
    try {
      Faults.Fault fault = emulator.faults().poll();
      if (fault != null) {
        x.injectFault(fault);
      } else {
        route(x);
      }
    } catch (Rejection r) {
      x.reject(r);
    } catch (RuntimeException e) {
      LOG.warn("Workspace emulator failed on {} {}", request.getMethod(), x.path, e);
      x.reject(new Rejection(500, "UnspecifiedError", "the emulator failed: " + e));
    }
    return x.finish();
  }

  /** MockWebServer keeps every request for {@code takeRequest()}; the emulator keeps its own log instead. */
  private void drainServerQueue() throws InterruptedException {
    while (emulator.server().takeRequest(0, TimeUnit.NANOSECONDS) != null) {
      // drop it: bodies of up to maxRequestBytes must not pile up in a long-running emulator
    }
  }

  private void route(Exchange x) {
    if (x.host.endsWith(".ingest." + emulator.domain())) {
      String target = x.request.getTarget();
      int q = target.indexOf('?');
      x.apply(emulator.ingestion().ingest(x.request.getMethod(), x.rawPath(), q < 0 ? null : target.substring(q + 1),
          headerValues(x.request.getHeaders()), x.body(), x.now, emulator.maxRequestBytes()));
      return;
    }
    String endpoint;
    switch (x.path) {
      case TOPOLOGY:
      case TELEMETRY:
      case RENEW:
        endpoint = "oms";
        break;
      case ODS_UPLOAD:
        endpoint = "ods";
        break;
      case DATA_COLLECTOR:
        endpoint = "ods";
        x.dataCollectorErrors = true;
        break;
      default:
        throw new Rejection(404, "NotFound", "no endpoint at " + x.request.getTarget());
    }
    if (!"POST".equals(x.request.getMethod())) {
      x.responseHeader("Allow", "POST");
      throw new Rejection(405, "MethodNotAllowed", x.request.getMethod() + " is not allowed; use POST");
    }
    requireHost(x, endpoint);
    switch (x.path) {
      case TOPOLOGY:
        topology(x);
        break;
      case TELEMETRY:
        requireSize(x, x.request.getBodySize(), "the body");
        requireRegisteredCertificate(x);
        x.ok();
        break;
      case RENEW:
        renew(x);
        break;
      case ODS_UPLOAD:
        odsUpload(x);
        break;
      default:
        dataCollector(x);
        break;
    }
  }

  private void requireHost(Exchange x, String kind) {
    String suffix = "." + kind + "." + emulator.domain();
    if (!x.host.endsWith(suffix)) {
      throw new Rejection(404, "NotFound", "the host '" + x.host + "' does not serve " + x.request.getTarget()
          + "; expected <workspace id>" + suffix);
    }
    String workspace = x.host.substring(0, x.host.length() - suffix.length());
    if (!workspace.equals(emulator.workspaceId())) {
      if (x.dataCollectorErrors) {
        throw new Rejection(400, "InvalidCustomerId", "the host names the workspace '" + workspace
            + "', which is not this workspace");
      }
      throw new Rejection(403, "InvalidWorkspaceId", "the host names the workspace '" + workspace
          + "', which is not this workspace");
    }
  }

  private void requireSize(Exchange x, long size, String what) {
    if (size > emulator.maxRequestBytes()) {
      throw new Rejection(emulator.tooLargeStatus(), "RequestTooLarge", what + " is " + size
          + " bytes; the limit is " + emulator.maxRequestBytes());
    }
  }

  // ---- AgentService.svc/LinuxAgentTopologyRequest: onboarding and heartbeat

  private void topology(Exchange x) {
    requireSize(x, x.request.getBodySize(), "the body");
    if (x.headerValue("Authorization") != null) {
      onboard(x);
    } else {
      heartbeat(x);
    }
  }

  private void onboard(Exchange x) {
    String auth = x.headerValue("Authorization");
    String date = x.headerValue("x-ms-Date");
    String contentHash = x.headerValue("x-ms-SHA256_Content");
    if (date == null) {
      throw keyRejected("the x-ms-Date header is missing");
    }
    if (contentHash == null) {
      throw keyRejected("the x-ms-SHA256_Content header is missing");
    }
    Matcher m = ONBOARDING_AUTH.matcher(auth);
    if (!m.matches()) {
      throw keyRejected("the Authorization header is not '<workspace id>; <signature>'");
    }
    if (!m.group(1).equalsIgnoreCase(emulator.workspaceId())) {
      throw keyRejected("the Authorization header names the workspace '" + m.group(1) + "', not this one");
    }
    Instant sent;
    try {
      sent = OffsetDateTime.parse(date).toInstant();
    } catch (DateTimeParseException e) {
      throw keyRejected("x-ms-Date '" + TopologyXml.abbreviate(date)
          + "' is not an ISO-8601 date-time with an offset, such as 2015-10-09T14:58:51.7468503-07:00");
    }
    String skew = skewProblem(x, "x-ms-Date", sent);
    if (skew != null) {
      throw keyRejected(skew);
    }
    byte[] body = x.body();
    String actualHash = SharedKeys.sha256Base64(body);
    if (!MessageDigest.isEqual(actualHash.getBytes(StandardCharsets.US_ASCII),
        contentHash.getBytes(StandardCharsets.US_ASCII))) {
      throw keyRejected("x-ms-SHA256_Content does not match the SHA-256 of the " + body.length + "-byte body");
    }
    if (!emulator.keys().verifies(SharedKeys.onboardingStringToSign(date, contentHash), m.group(2))) {
      throw keyRejected("the signature matches neither workspace key (wrong or regenerated key?)");
    }
    x.signatureVerified = true;
    TopologyRequest topology = TopologyXml.parseTopologyRequest(body);
    X509Certificate presented = requireClientCertificate(x);
    requireSameCertificate(presented, topology.certificate, "AuthenticationCertificate");
    requireAgentSubject(presented, topology.agentId, 403);
    requireNotExpired(x, presented, "the client certificate");
    x.certificateVerified = true;
    x.agentId = topology.agentId;
    emulator.agents().register(topology.agentId, presented, emulator.faults().currentGeneration(),
        x.now.plus(emulator.renewalGracePeriod()));
    LOG.debug("Workspace emulator onboarded agent {}", topology.agentId);
    x.okXml(topologyResponse(topology.agentId, false));
  }

  private void heartbeat(Exchange x) {
    Match match = requireRegisteredCertificate(x);
    TopologyRequest topology = TopologyXml.parseTopologyRequest(x.body());
    if (!topology.agentId.equals(match.agentId)) {
      throw new Rejection(403, "AgentMismatch", "EntityTypeId " + topology.agentId
          + " is not the agent of the client certificate (" + match.agentId + ")");
    }
    requireSameCertificate(x.clientCertificate, topology.certificate, "AuthenticationCertificate");
    long requested = emulator.faults().certificateUpdateGeneration();
    boolean update = requested >= 0 && match.generation < requested;
    x.okXml(topologyResponse(match.agentId, update));
  }

  private String topologyResponse(String agentId, boolean updateCertificate) {
    String renewUrl = emulator.cloud().renewCertificateUri(emulator.workspaceId()).toString();
    int port = emulator.cloud().port();
    String dsc = "https://" + emulator.workspaceId() + ".agentsvc." + emulator.domain()
        + (port == 443 ? "" : ":" + port) + "/Accounts/" + emulator.workspaceId() + "/Nodes(AgentId='" + agentId
        + "')";
    return TopologyXml.topologyResponse(agentId, emulator.queryInterval(), emulator.telemetryReportInterval(),
        updateCertificate, renewUrl, dsc);
  }

  // ---- ConfigurationService.Svc/RenewCertificate

  private void renew(Exchange x) {
    requireSize(x, x.request.getBodySize(), "the body");
    Match match = requireRegisteredCertificate(x);
    if (!match.current) {
      throw new Rejection(403, "CertificateNotCurrent", "the client certificate was already replaced; renew with "
          + "the agent's current certificate");
    }
    X509Certificate renewed = TopologyXml.parseCertificateUpdateRequest(x.body());
    requireAgentSubject(renewed, match.agentId, 400);
    if (!renewed.getNotAfter().toInstant().isAfter(x.now)) {
      throw new Rejection(400, "CertificateExpired", "NewCertificate expired at " + renewed.getNotAfter().toInstant());
    }
    if (Arrays.equals(AgentRegistry.der(renewed), AgentRegistry.der(x.clientCertificate))) {
      throw new Rejection(400, "CertificateUnchanged", "NewCertificate is the current certificate");
    }
    emulator.agents().register(match.agentId, renewed, emulator.faults().currentGeneration(),
        x.now.plus(emulator.renewalGracePeriod()));
    LOG.debug("Workspace emulator renewed the certificate of agent {}", match.agentId);
    x.ok();
  }

  // ---- OperationalData.svc/PostJsonDataItems

  private void odsUpload(Exchange x) {
    requireSize(x, x.request.getBodySize(), "the body");
    Match match = requireRegisteredCertificate(x);
    requireJsonContentType(x);
    byte[] json = decode(x);
    JsonBodies.OdsEnvelope envelope = JsonBodies.parseOds(json);
    List<ReceivedRecord> accepted = new ArrayList<>(envelope.items.size());
    for (Map<String, Object> item : envelope.items) {
      accepted.add(new ReceivedRecord(envelope.dataType, envelope.ipName, ReceivedRecord.ODS, item,
          x.headerValue("X-Request-ID"), x.now, match.agentId));
    }
    x.accepted = accepted;
    x.ok();
  }

  private byte[] decode(Exchange x) {
    String encoding = x.headerValue("Content-Encoding");
    byte[] body = x.body();
    if (encoding == null || encoding.equalsIgnoreCase("identity")) {
      return body;
    }
    if (!encoding.equalsIgnoreCase("deflate")) {
      throw new Rejection(400, "UnsupportedContentEncoding", "Content-Encoding '" + TopologyXml.abbreviate(encoding)
          + "' is not supported; send deflate (zlib) or nothing");
    }
    Inflater inflater = new Inflater(false);
    try {
      inflater.setInput(body);
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length * 4));
      byte[] buffer = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new Rejection(400, "InvalidRequestFormat", "the deflate (zlib) body is truncated");
        }
        out.write(buffer, 0, n);
        requireSize(x, out.size(), "the inflated body");
      }
      if (inflater.getRemaining() > 0) {
        throw new Rejection(400, "InvalidRequestFormat", "the deflate (zlib) body has trailing bytes");
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new Rejection(400, "InvalidRequestFormat", "the body is not deflate (zlib, RFC 1950) data: "
          + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  // ---- Data Collector API, /api/logs

  private void dataCollector(Exchange x) {
    String apiVersion = x.queryParameter("api-version");
    if (apiVersion == null) {
      throw new Rejection(400, "MissingApiVersion", "the api-version query parameter is missing");
    }
    if (!apiVersion.equals(API_VERSION)) {
      throw new Rejection(400, "InvalidApiVersion", "api-version '" + TopologyXml.abbreviate(apiVersion)
          + "' is not supported; use " + API_VERSION);
    }
    String contentType = requireJsonContentType(x);
    String logType = x.headerValue("Log-Type");
    if (logType == null || logType.isEmpty()) {
      throw new Rejection(400, "MissingLogType", "the Log-Type header is missing");
    }
    if (!LOG_TYPE.matcher(logType).matches()) {
      throw new Rejection(400, "InvalidLogType", "Log-Type '" + TopologyXml.abbreviate(logType)
          + "' must be 1 to 100 letters, digits or underscores");
    }
    verifyDataCollectorSignature(x, contentType);
    String encoding = x.headerValue("Content-Encoding");
    if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
      throw new Rejection(400, "UnsupportedContentType", "Content-Encoding '" + TopologyXml.abbreviate(encoding)
          + "' is not supported by the Data Collector API; send the JSON uncompressed");
    }
    requireSize(x, x.request.getBodySize(), "the body");
    List<Map<String, Object>> parsed = JsonBodies.parseDataCollector(x.body());
    String timeField = x.headerValue("time-generated-field");
    if (timeField != null && !timeField.matches("[A-Za-z0-9_]{1,45}")) {
      throw new Rejection(400, "InvalidDataFormat", "time-generated-field '" + TopologyXml.abbreviate(timeField)
          + "' is not a valid property name");
    }
    List<ReceivedRecord> accepted = new ArrayList<>(parsed.size());
    for (Map<String, Object> fields : parsed) {
      accepted.add(new ReceivedRecord(logType, null, ReceivedRecord.DATA_COLLECTOR, fields,
          x.headerValue("X-Request-ID"), x.now, null));
    }
    x.accepted = accepted;
    x.ok();
  }

  private void verifyDataCollectorSignature(Exchange x, String contentType) {
    String auth = x.headerValue("Authorization");
    if (auth == null) {
      throw new Rejection(403, INVALID_AUTH, "the Authorization header is missing");
    }
    Matcher m = SHARED_KEY_AUTH.matcher(auth);
    if (!m.matches()) {
      throw new Rejection(403, INVALID_AUTH, "the Authorization header is not 'SharedKey <workspace id>:<signature>'");
    }
    if (!m.group(1).equalsIgnoreCase(emulator.workspaceId())) {
      throw new Rejection(403, INVALID_AUTH, "the Authorization header names the workspace '" + m.group(1)
          + "', not this one");
    }
    String date = x.headerValue("x-ms-date");
    if (date == null) {
      throw new Rejection(403, INVALID_AUTH, "the x-ms-date header is missing");
    }
    Instant sent;
    try {
      sent = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new Rejection(403, INVALID_AUTH, "x-ms-date '" + TopologyXml.abbreviate(date)
          + "' is not an RFC 1123 date such as Mon, 04 Apr 2016 08:00:00 GMT");
    }
    String skew = skewProblem(x, "x-ms-date", sent);
    if (skew != null) {
      throw new Rejection(403, INVALID_AUTH, skew);
    }
    String stringToSign = SharedKeys.dataCollectorStringToSign(x.request.getBodySize(), contentType, date);
    if (!emulator.keys().verifies(stringToSign, m.group(2))) {
      throw new Rejection(403, INVALID_AUTH, "the signature matches neither workspace key (signed over "
          + x.request.getBodySize() + " bytes, Content-Type '" + contentType + "' and x-ms-date '" + date
          + "'; wrong or regenerated key?)");
    }
    x.signatureVerified = true;
  }

  // ---- shared checks

  /** Requires a JSON media type (parameters such as a charset allowed) and returns the header as sent. */
  private static String requireJsonContentType(Exchange x) {
    String contentType = x.headerValue("Content-Type");
    if (contentType == null) {
      throw new Rejection(400, "MissingContentType", "the Content-Type header is missing; expected application/json");
    }
    String mediaType = contentType.split(";", 2)[0].strip();
    if (!mediaType.equalsIgnoreCase("application/json")) {
      throw new Rejection(400, "UnsupportedContentType", "Content-Type '" + TopologyXml.abbreviate(contentType)
          + "' is not application/json");
    }
    return contentType;
  }

  private String skewProblem(Exchange x, String header, Instant sent) {
    Duration off = Duration.between(x.now, sent);
    if (off.abs().compareTo(emulator.allowedClockSkew()) > 0) {
      return header + " is " + off.abs().toSeconds() + " s " + (off.isNegative() ? "behind" : "ahead of")
          + " the emulator clock (" + x.now + "); at most " + emulator.allowedClockSkew().toSeconds()
          + " s are allowed: check the client's clock";
    }
    return null;
  }

  private static Rejection keyRejected(String detail) {
    return new Rejection(403, INVALID_KEY, detail);
  }

  private X509Certificate requireClientCertificate(Exchange x) {
    if (x.clientCertificate == null) {
      throw new Rejection(403, "MissingClientCertificate", "no TLS client certificate was presented");
    }
    return x.clientCertificate;
  }

  private Match requireRegisteredCertificate(Exchange x) {
    X509Certificate presented = requireClientCertificate(x);
    Match match = emulator.agents().find(presented, x.now);
    if (match == null) {
      throw new Rejection(403, "CertificateNotRegistered", "the client certificate (subject "
          + presented.getSubjectX500Principal().getName() + ") is not registered to any agent of this workspace; "
          + "onboard first");
    }
    x.agentId = match.agentId;
    requireNotExpired(x, presented, "the client certificate");
    x.certificateVerified = true;
    return match;
  }

  private static void requireNotExpired(Exchange x, X509Certificate certificate, String what) {
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (!notAfter.isAfter(x.now)) {
      throw new Rejection(403, "CertificateExpired", what + " expired at " + notAfter + " (emulator clock "
          + x.now + "); renew it with the shared key");
    }
  }

  private static void requireSameCertificate(X509Certificate presented, X509Certificate inBody, String element) {
    if (!Arrays.equals(AgentRegistry.der(presented), AgentRegistry.der(inBody))) {
      throw new Rejection(403, "CertificateMismatch", "the TLS client certificate is not the " + element
          + " of the body");
    }
  }

  /** The subject must be {@code CN=<ws>, CN=<agent>, OU=Linux Monitoring Agent, O=Microsoft} (any order). */
  private void requireAgentSubject(X509Certificate certificate, String agentId, int status) {
    String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    List<String> expected = new ArrayList<>(List.of("cn=" + emulator.workspaceId(), "cn=" + agentId,
        "ou=linux monitoring agent", "o=microsoft"));
    List<String> actual = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.size() != 1) {
          actual.add("multi-valued:" + rdn);
        } else {
          actual.add(rdn.getType().toLowerCase(Locale.ROOT) + "="
              + String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
        }
      }
    } catch (InvalidNameException e) {
      actual.add("unparsable");
    }
    expected.sort(null);
    actual.sort(null);
    if (!expected.equals(actual)) {
      throw new Rejection(status, "InvalidCertificateSubject", "the certificate subject is '" + subject
          + "'; expected CN=" + emulator.workspaceId() + ", CN=" + agentId
          + ", OU=Linux Monitoring Agent, O=Microsoft");
    }
  }

  /** One request being answered: what was learned about it and the answer being built. */
  private final class Exchange {
    final RecordedRequest request;
    final Instant now;
    final String path;
    final String host;
    final X509Certificate clientCertificate;
    final Map<String, String> extraHeaders = new LinkedHashMap<>();
    boolean dataCollectorErrors;
    boolean signatureVerified;
    boolean certificateVerified;
    String agentId;
    int status = 200;
    String reason = "OK";
    String body = "";
    String contentType;
    boolean reset;
    List<ReceivedRecord> accepted = List.of();

    Exchange(RecordedRequest request, Instant now) {
      this.request = request;
      this.now = now;
      String target = request.getTarget();
      int q = target.indexOf('?');
      this.path = (q < 0 ? target : target.substring(0, q)).toLowerCase(Locale.ROOT);
      String h = request.getHeaders().get("Host");
      h = h == null ? "" : h.strip().toLowerCase(Locale.ROOT);
      int colon = h.lastIndexOf(':');
      if (colon > 0 && h.indexOf(']') < colon) {
        h = h.substring(0, colon);
      }
      this.host = h;
      this.clientCertificate = clientCertificate(request.getHandshake());
    }

    private X509Certificate clientCertificate(Handshake handshake) {
      if (handshake == null) {
        return null;
      }
      List<Certificate> peer = handshake.peerCertificates();
      return peer.isEmpty() || !(peer.get(0) instanceof X509Certificate) ? null : (X509Certificate) peer.get(0);
    }

    String headerValue(String name) {
      return request.getHeaders().get(name);
    }

    String queryParameter(String name) {
      String target = request.getTarget();
      int q = target.indexOf('?');
      if (q < 0) {
        return null;
      }
      for (String pair : target.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        if (key.equalsIgnoreCase(name)) {
          return eq < 0 ? "" : pair.substring(eq + 1);
        }
      }
      return null;
    }

    byte[] body() {
      ByteString b = request.getBody();
      return b == null ? new byte[0] : b.toByteArray();
    }

    String rawPath() {
      String target = request.getTarget();
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    void apply(LogsIngestionService.Answer a) {
      status = a.status;
      reason = a.reason;
      contentType = a.contentType;
      body = a.body;
      extraHeaders.putAll(a.headers);
      accepted = a.accepted;
      agentId = a.principal;
    }

    void responseHeader(String name, String value) {
      extraHeaders.put(name, value);
    }

    void ok() {
      status = 200;
      reason = "OK";
    }

    void okXml(String xml) {
      ok();
      body = xml;
      contentType = "application/xml; charset=utf-8";
    }

    void injectFault(Faults.Fault fault) {
      if (fault.isReset()) {
        reset = true;
        status = 0;
        reason = "InjectedReset: the connection was dropped on purpose";
        return;
      }
      status = fault.status;
      reason = "InjectedFault: " + fault.status;
      if (fault.retryAfter != null) {
        long seconds = fault.retryAfter.toSeconds() + (fault.retryAfter.toNanosPart() > 0 ? 1 : 0);
        responseHeader("Retry-After", fault.retryAfterAsHttpDate
            ? HTTP_DATE.format(now.plusSeconds(seconds)) : String.valueOf(seconds));
      }
      contentType = "text/plain; charset=utf-8";
      body = "Fault injected by the workspace emulator: " + fault.status + "\n";
    }

    void reject(Rejection r) {
      status = r.status();
      reason = r.code() + ": " + r.detail();
      accepted = List.of();
      if (dataCollectorErrors) {
        contentType = "application/json; charset=utf-8";
        body = "{\"Error\":\"" + jsonEscape(r.code()) + "\",\"Message\":\"" + jsonEscape(r.detail()) + "\"}";
      } else {
        contentType = "application/xml; charset=utf-8";
        body = TopologyXml.errorBody(r.code(), r.detail());
      }
    }

    MockResponse finish() {
      Duration delay = emulator.faults().responseDelay();
      int code = reset ? 500 : status;
      MockResponse.Builder response = new MockResponse.Builder()
          .status("HTTP/1.1 " + code + " " + reasonPhrase(code))
          .setHeader("Date", HTTP_DATE.format(now))
          .setHeader("Server", "loganalytics-workspace-emulator");
      for (Map.Entry<String, String> e : extraHeaders.entrySet()) {
        response.setHeader(e.getKey(), e.getValue());
      }
      String requestId = headerValue("X-Request-ID");
      if (requestId != null) {
        response.setHeader("X-Request-ID", requestId);
      }
      String clientRequestId = headerValue("x-ms-client-request-id");
      if (clientRequestId != null) {
        response.setHeader("x-ms-client-request-id", clientRequestId);
      }
      if (contentType != null) {
        response.setHeader("Content-Type", contentType);
      }
      response.body(body);
      if (!delay.isZero()) {
        response.headersDelay(delay.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (reset) {
        response.onResponseStart(new SocketEffect.CloseSocket(true, false, false));
      }
      emulator.addRequest(new ReceivedRequest(request.getMethod(), request.getTarget(), host,
          headerMap(request.getHeaders()), request.getBodySize(), status, reason, signatureVerified,
          certificateVerified, agentId, now));
      if (status / 100 == 2 && !accepted.isEmpty()) {
        emulator.addRecords(accepted);
      }
      LOG.debug("Workspace emulator: {} {} -> {} {}", request.getMethod(), path, status, reason);
      return response.build();
    }
  }

  static String reasonPhrase(int code) {
    switch (code) {
      case 200:
        return "OK";
      case 204:
        return "No Content";
      case 401:
        return "Unauthorized";
      case 415:
        return "Unsupported Media Type";
      case 400:
        return "Bad Request";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 413:
        return "Payload Too Large";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return code < 400 ? "Redirection" : code < 500 ? "Client Error" : "Server Error";
    }
  }

  /** The first value of each header, names lowercase. */
  private static Map<String, String> headerValues(Headers headers) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.size(); i++) {
      map.putIfAbsent(headers.name(i).toLowerCase(Locale.ROOT), headers.value(i));
    }
    return map;
  }

  private static Map<String, List<String>> headerMap(Headers headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < headers.size(); i++) {
      map.computeIfAbsent(headers.name(i).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(headers.value(i));
    }
    map.replaceAll((k, v) -> List.copyOf(v));
    return map;
  }

  static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
