package io.loganalytics.sdk.impl.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * Plays the agent service (PROTOCOL §B2, §B4, §B5a) behind a MockWebServer that requires a client certificate:
 *
 * <ul>
 *   <li>onboarding: checks the content hash and the HMAC of {@code Authorization: <ws>; <sig>} with the workspace
 *       key, and that the body's {@code AuthenticationCertificate} is the certificate presented in TLS; registers it;
 *       a wrong key gets 403 {@code <Reason>InvalidWorkspaceKey</Reason>};
 *   <li>heartbeat: 200 for a registered, unexpired certificate (by the test's clock), with
 *       {@code updateCertificate} as set by the test; 403 otherwise;
 *   <li>RenewCertificate: registers {@code NewCertificate} when the presented certificate is valid, unless the keys
 *       were regenerated since this agent last onboarded (A1: regenerated keys stop renewal);
 *   <li>PostJsonDataItems: 200 for a valid certificate, 403 otherwise;
 *   <li>CONNECT (when it is also the proxy): opens the tunnel and records {@code Proxy-Authorization}.
 * </ul>
 *
 * Every answer carries a {@code Date} from the test clock plus {@link #serverClockOffset}. Thread-safe.
 */
final class FakeAgentService extends Dispatcher {
  static final String TOPOLOGY = "/AgentService.svc/LinuxAgentTopologyRequest";
  static final String RENEW = "/ConfigurationService.Svc/RenewCertificate";
  static final String UPLOAD = "/OperationalData.svc/PostJsonDataItems";
  private static final Pattern CERT_IN_BODY =
      Pattern.compile("<(AuthenticationCertificate|NewCertificate)>([^<]*)</");

  /** Signatures dated further from the service's time are refused (the real tolerance is undocumented). */
  static final Duration MAX_SKEW = Duration.ofMinutes(5);

  /** One request as the service saw it. */
  static final class Call {
    final String kind;
    final X509Certificate peer;
    final int status;
    final RecordedRequest request;

    Call(String kind, X509Certificate peer, int status, RecordedRequest request) {
      this.kind = kind;
      this.peer = peer;
      this.status = status;
      this.request = request;
    }

    String header(String name) {
      return request.getHeaders().get(name);
    }

    String body() {
      return request.getBody() == null ? "" : request.getBody().utf8();
    }

    @Override
    public String toString() {
      return kind + " " + status + " serial=" + (peer == null ? "-" : peer.getSerialNumber());
    }
  }

  final String workspaceId;
  private final Clock clock;
  private volatile String baseUrl = "";
  private byte[] key;
  private boolean keysRegenerated;
  private final Set<String> registered = new HashSet<>();
  private final Set<String> renewedNotYetVerified = new HashSet<>();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final List<RecordedRequest> connects = new CopyOnWriteArrayList<>();

  volatile boolean updateCertificate;
  /** When set, the {@code CertificateUpdateEndpoint} the heartbeat names instead of this service's own URL. */
  volatile String advertisedRenewalEndpoint;
  /** When set, the raw text of the DSC {@code <Endpoint>} the topology answer names (not escaped). */
  volatile String advertisedDscEndpoint;
  volatile boolean refuseVerificationOfRenewedCertificates;
  /** Heartbeats with a renewed, not yet verified certificate get 503 (the certificate stays registered). */
  volatile boolean verificationUnavailable;
  volatile String queryInterval = "PT20M";
  volatile Duration serverClockOffset = Duration.ZERO;

  FakeAgentService(String workspaceId, String base64Key, Clock clock) {
    this.workspaceId = workspaceId;
    this.key = Base64.getDecoder().decode(base64Key);
    this.clock = clock;
  }

  void baseUrl(String url) {
    this.baseUrl = url;
  }

  /** The workspace keys were regenerated: the old key no longer onboards, and renewal stops (A1). */
  synchronized void regenerateKeys(String newBase64Key) {
    key = Base64.getDecoder().decode(newBase64Key);
    keysRegenerated = true;
  }

  synchronized void register(X509Certificate certificate) {
    registered.add(der(certificate));
  }

  /** The service forgets a certificate, as after the grace period that follows a renewal. */
  synchronized void unregister(X509Certificate certificate) {
    registered.remove(der(certificate));
  }

  List<Call> calls(String kind) {
    return calls.stream().filter(c -> c.kind.equals(kind)).collect(java.util.stream.Collectors.toList());
  }

  /**
   * When the server is also the proxy: MockWebServer asks {@link #peek()} whether a new connection starts with
   * {@code CONNECT} requests in the clear. Each connection is served on one thread, so the answer is per thread:
   * yes until this thread's tunnel is open, no for the requests inside it.
   */
  volatile boolean proxying;

  private final ThreadLocal<Boolean> tunnelOpen = ThreadLocal.withInitial(() -> false);

  @Override
  public MockResponse peek() {
    if (proxying && !tunnelOpen.get()) {
      return new MockResponse.Builder().inTunnel().build();
    }
    return super.peek();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if ("CONNECT".equals(request.getMethod())) {
      connects.add(request);
      tunnelOpen.set(true);
      return new MockResponse.Builder().inTunnel().build();
    }
    tunnelOpen.set(false);
    X509Certificate peer = request.getHandshake() == null || request.getHandshake().peerCertificates().isEmpty()
        ? null : (X509Certificate) request.getHandshake().peerCertificates().get(0);
    String path = request.getUrl().encodedPath();
    String kind;
    MockResponse response;
    synchronized (this) {
      if (path.equals(TOPOLOGY) && request.getHeaders().get("Authorization") != null) {
        kind = "onboard";
        response = onboard(request, peer);
      } else if (path.equals(TOPOLOGY)) {
        kind = "heartbeat";
        response = heartbeat(peer);
      } else if (path.equals(RENEW)) {
        kind = "renew";
        response = renew(request, peer);
      } else if (path.equals(UPLOAD)) {
        kind = "upload";
        response = valid(peer) ? answer(200, "") : refused("InvalidCertificate");
      } else {
        kind = "unknown";
        response = answer(404, "");
      }
    }
    calls.add(new Call(kind, peer, response.getCode(), request));
    return response;
  }

  private MockResponse onboard(RecordedRequest request, X509Certificate peer) {
    String body = request.getBody() == null ? "" : request.getBody().utf8();
    String date = request.getHeaders().get("x-ms-Date");
    String hash = request.getHeaders().get("x-ms-SHA256_Content");
    String auth = request.getHeaders().get("Authorization");
    if (date == null || hash == null || !hash.equals(sha256(body)) || !auth.equals(workspaceId + "; "
        + hmac(date + "\n" + hash + "\n"))) {
      return refused("InvalidWorkspaceKey");
    }
    java.time.Instant signed = java.time.OffsetDateTime.parse(date).toInstant();
    if (Duration.between(signed, clock.instant().plus(serverClockOffset)).abs().compareTo(MAX_SKEW) > 0) {
      return refused("InvalidWorkspaceKey");
    }
    Matcher m = CERT_IN_BODY.matcher(body);
    if (peer == null || !m.find() || !m.group(2).replaceAll("\\s", "").equals(der(peer))) {
      return refused("CertificateMismatch");
    }
    registered.add(der(peer));
    keysRegenerated = false;
    return topology(false);
  }

  private MockResponse heartbeat(X509Certificate peer) {
    if (!valid(peer)) {
      return refused("InvalidCertificate");
    }
    if (verificationUnavailable && renewedNotYetVerified.contains(der(peer))) {
      return answer(503, "");
    }
    if (renewedNotYetVerified.remove(der(peer)) && refuseVerificationOfRenewedCertificates) {
      registered.remove(der(peer));
      return refused("InvalidCertificate");
    }
    return topology(updateCertificate);
  }

  private MockResponse renew(RecordedRequest request, X509Certificate peer) {
    if (!valid(peer) || keysRegenerated) {
      return refused(keysRegenerated ? "KeysRegenerated" : "InvalidCertificate");
    }
    Matcher m = CERT_IN_BODY.matcher(request.getBody() == null ? "" : request.getBody().utf8());
    if (!m.find() || !m.group(1).equals("NewCertificate")) {
      return answer(400, "<Error><Reason>MissingNewCertificate</Reason></Error>");
    }
    String fresh = m.group(2).replaceAll("\\s", "");
    registered.add(fresh);
    renewedNotYetVerified.add(fresh);
    return answer(200, "");
  }

  private boolean valid(X509Certificate peer) {
    return peer != null && registered.contains(der(peer))
        && !clock.instant().isAfter(peer.getNotAfter().toInstant());
  }

  private MockResponse topology(boolean update) {
    return answer(200, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        + "<LinuxAgentTopologyResponse queryInterval=\"" + queryInterval + "\" telemetryReportInterval=\"PT10M\""
        + " id=\"1\" xmlns=\"" + AgentXml.NAMESPACE + "\">"
        + "<CertificateUpdateEndpoint updateCertificate=\"" + update + "\">"
        + (advertisedRenewalEndpoint == null ? baseUrl + RENEW : advertisedRenewalEndpoint)
        + "</CertificateUpdateEndpoint>"
        + "<DscConfiguration><Endpoint>" + (advertisedDscEndpoint != null ? advertisedDscEndpoint
            : "https://dsc.example.test/Accounts/" + workspaceId + "/Nodes(AgentId='x')") + "</Endpoint><NodeConfigurationName>n</NodeConfigurationName></DscConfiguration>"
        + "</LinuxAgentTopologyResponse>");
  }

  private MockResponse refused(String reason) {
    return answer(403, "<?xml version=\"1.0\"?><Error><Reason>" + reason + "</Reason></Error>");
  }

  private MockResponse answer(int code, String body) {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        clock.instant().plus(serverClockOffset).atZone(ZoneOffset.UTC));
    return new MockResponse.Builder().code(code).addHeader("Date", date).body(body).build();
  }

  private static String der(X509Certificate c) {
    try {
      return Base64.getEncoder().encodeToString(c.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(String body) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String hmac(String s) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
