package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.auth.SharedKeySigner;
import io.loganalytics.sdk.impl.cert.AgentCertificate;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.http.ServerCertificateUntrustedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three calls of the agent service: onboarding (shared-key signed, PROTOCOL §B2), the topology heartbeat
 * (certificate only, §B4) and {@code RenewCertificate} (certificate only, §B4). Every answer's {@code Date} header
 * feeds the clock-skew tracker; refusals become {@link AuthenticationException}s that name the service's
 * {@code <Reason>}, say what to check and carry the skew measured from that answer. Thread-safe.
 */
final class AgentServiceClient {
  private static final Logger LOG = LoggerFactory.getLogger(AgentServiceClient.class);
  /** curl's default, which is what the agent's onboarding and Ruby heartbeat sent (PROTOCOL §B9). */
  static final String CONTENT_TYPE = "application/x-www-form-urlencoded";

  private final URI topologyUri;
  private final String userAgent;
  private final Clock clock;
  private final ClockSkew skew;
  private final LogAnalyticsListener listener;

  AgentServiceClient(URI topologyUri, String userAgent, Clock clock, ClockSkew skew, LogAnalyticsListener listener) {
    this.topologyUri = topologyUri;
    this.userAgent = userAgent;
    this.clock = clock;
    this.skew = skew;
    this.listener = listener;
  }

  URI topologyUri() {
    return topologyUri;
  }

  /**
   * Onboards: a topology request signed with the shared key, over TLS presenting the new certificate. Tries the
   * secondary key when the primary is refused and a secondary exists.
   */
  TopologyResponse onboard(HttpExecutor executor, WorkspaceCredentials credentials, AgentCertificate certificate,
      String agentGuid, String fqdn) {
    byte[] body = AgentXml.topologyRequest(fqdn, agentGuid, certificate.base64Der())
        .getBytes(StandardCharsets.UTF_8);
    AuthenticationException refused = null;
    for (KeySlot slot : KeySlot.values()) {
      if (slot == KeySlot.SECONDARY && !credentials.hasSecondaryKey()) {
        break;
      }
      // A refusal that revealed a clock skew is tried once more with the service's time (PROTOCOL A2).
      for (int attempt = 1; attempt <= 2; attempt++) {
        Duration signedWithOffset = skew.offset();
        OffsetDateTime now = OffsetDateTime.now(skew.correctedClock());
        Map<String, String> headers = new LinkedHashMap<>(SharedKeySigner.onboardingHeaders(credentials, slot,
            body, now));
        headers.put("User-Agent", userAgent);
        headers.put("Accept-Language", "en-US");
        HttpResponse response = sendWith(executor, HttpRequest.post(topologyUri, CONTENT_TYPE, body, headers),
            "onboarding");
        if (response.isSuccessful()) {
          LOG.info("Onboarded agent {} to workspace {} with the {} key", agentGuid, credentials.workspaceId(),
              slot.name().toLowerCase(Locale.ROOT));
          return topology(response, "onboarding");
        }
        if (response.status() != 401 && response.status() != 403) {
          throw failure("onboarding", response, credentials.workspaceId());
        }
        refused = authenticationFailure("Onboarding to workspace " + credentials.workspaceId() + " with the "
            + slot.name().toLowerCase(Locale.ROOT) + " key", response, true);
        LOG.warn("{}", refused.getMessage());
        if (skew.offset().equals(signedWithOffset)) {
          break;
        }
        LOG.info("Signing again with the service's time (clock skew {})", human(skew.offset()));
      }
    }
    throw refused;
  }

  /** A topology heartbeat authenticated by the certificate the executor presents. */
  TopologyResponse heartbeat(HttpExecutor executor, AgentCertificate certificate, String agentGuid, String fqdn) {
    byte[] body = AgentXml.topologyRequest(fqdn, agentGuid, certificate.base64Der())
        .getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-ms-Date", SharedKeySigner.onboardingDate(
        OffsetDateTime.now(skew.correctedClock()).withOffsetSameInstant(ZoneOffset.UTC)));
    headers.put("User-Agent", userAgent);
    headers.put("Accept-Language", "en-US");
    HttpResponse response = sendWith(executor, HttpRequest.post(topologyUri, CONTENT_TYPE, body, headers),
        "heartbeat");
    if (response.isSuccessful()) {
      return topology(response, "heartbeat");
    }
    if (response.status() == 401 || response.status() == 403) {
      throw authenticationFailure("The heartbeat with the certificate (serial " + certificate.serial() + ", expires "
          + certificate.notAfter() + ")", response, false);
    }
    throw failure("heartbeat", response, null);
  }

  /** {@code RenewCertificate}: registers the new certificate, authenticated by the old one the executor presents. */
  void renewCertificate(HttpExecutor executorWithOldCertificate, URI endpoint, AgentCertificate newCertificate) {
    byte[] body = AgentXml.certificateUpdateRequest(newCertificate.base64Der()).getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("User-Agent", userAgent);
    HttpResponse response = sendWith(executorWithOldCertificate, HttpRequest.post(endpoint, CONTENT_TYPE, body,
        headers), "certificate renewal");
    if (response.status() == 401 || response.status() == 403) {
      throw authenticationFailure("RenewCertificate at " + endpoint, response, false);
    }
    if (!response.isSuccessful()) {
      throw failure("certificate renewal", response, null);
    }
  }

  /**
   * The topology answer of a 2xx, or a retryable {@link ServiceException} saying why the reply is unusable (too
   * large, a DTD, too deep, not well-formed).
   */
  private TopologyResponse topology(HttpResponse response, String what) {
    try {
      if (response.truncated()) {
        throw new AgentXml.MalformedReplyException("the reply is larger than the " + AgentXml.MAX_REPLY_BYTES
            + " bytes accepted; it was not read further", null);
      }
      return AgentXml.parseTopologyResponse(response.body());
    } catch (AgentXml.MalformedReplyException e) {
      throw new ServiceException("The " + what + " reply from " + topologyUri.getHost() + " (HTTP "
          + response.status() + ") was refused: " + e.getMessage(), response.status(), null, null, true, e);
    }
  }

  private HttpResponse sendWith(HttpExecutor executor, HttpRequest limitless, String what) {
    HttpResponse response;
    HttpRequest request = limitless.withMaxResponseBytes(AgentXml.MAX_REPLY_BYTES);
    try {
      response = executor.execute(request);
    } catch (ServerCertificateUntrustedException e) {
      // Retrying cannot cure it: fail now (build() on the agent path) instead of buffering behind it.
      throw new ServiceException("The " + what + " request to " + request.uri().getHost() + " failed: "
          + e.getMessage() + " Nothing can be sent until the server certificate is trusted.", 0, null, null, false,
          e);
    } catch (IOException e) {
      throw new ServiceException("The " + what + " request to " + request.uri().getHost() + " failed before an "
          + "answer: " + cause(e), 0, null, null, true, e);
    }
    skew.observe(response.header("Date").orElse(null)).ifPresent(offset -> {
      LOG.warn("The service's clock differs from ours by {}; signing with the service's time from now on",
          human(offset));
      try {
        listener.onClockSkewDetected(offset);
      } catch (RuntimeException e) {
        LOG.warn("LogAnalyticsListener.onClockSkewDetected threw; ignored", e);
      }
    });
    LOG.debug("{} {} -> HTTP {}", what, request.uri(), response.status());
    return response;
  }

  /**
   * What kept the request from an answer, in words an operator can act on: name resolution (DNS), a refused or
   * unreachable connection, a timeout, or the failure's own message (TLS and proxy failures already say what to
   * check).
   */
  static String cause(IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof UnknownHostException) {
      return "the host name cannot be resolved (DNS): " + m;
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return "cannot connect (" + m + "); check the network, a firewall, and the proxy if one is set";
    }
    if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
      return "timed out (" + m + "); check the network and the proxy if one is set";
    }
    return m.startsWith(e.getClass().getSimpleName()) || e.getClass() == IOException.class ? m
        : e.getClass().getSimpleName() + ": " + m;
  }

  private AuthenticationException authenticationFailure(String what, HttpResponse response, boolean sharedKey) {
    String reason = AgentXml.reason(response.body()).orElse(null);
    Optional<Duration> measured = ClockSkew.measure(clock, response.header("Date").orElse(null));
    StringBuilder msg = new StringBuilder(what).append(" was refused: HTTP ").append(response.status());
    msg.append(reason == null ? " (no reason given)" : ", reason " + reason).append(". Check ");
    if (sharedKey) {
      msg.append("the workspace ID, that the shared key is the workspace's current primary or secondary key "
          + "(regenerating the keys invalidates the old ones), and the system clock: ");
    } else {
      msg.append("that the certificate is still registered and not expired (renew it, or onboard again with the "
          + "shared key), and the system clock: ");
    }
    if (measured.isEmpty()) {
      msg.append("the answer had no Date header, so clock skew could not be measured.");
    } else if (measured.get().abs().compareTo(ClockSkew.THRESHOLD) < 0) {
      msg.append("it agrees with the server's (skew ").append(human(measured.get())).append(").");
    } else {
      msg.append("the server's clock differs from ours by ").append(human(measured.get()))
          .append(", which alone can cause this; fix the system time (NTP).");
    }
    return new AuthenticationException(msg.toString(), response.status(), reason, null, measured.orElse(null),
        !sharedKey, null);
  }

  private static ServiceException failure(String what, HttpResponse response, String workspaceId) {
    String reason = AgentXml.reason(response.body()).orElse(null);
    int s = response.status();
    boolean retryable = s == 408 || s == 429 || s >= 500;
    return new ServiceException("The " + what + " request" + (workspaceId == null ? "" : " for workspace "
        + workspaceId) + " failed: HTTP " + s + (reason == null ? "" : ", reason " + reason)
        + (retryable ? " (temporary; it will be tried again)" : ""), s, reason, null, retryable, null);
  }

  /** Formats a signed duration such as {@code +7m3s} or {@code -2s}. */
  static String human(Duration d) {
    String sign = d.isNegative() ? "-" : "+";
    Duration a = d.abs();
    StringBuilder sb = new StringBuilder(sign);
    if (a.toDays() > 0) {
      sb.append(a.toDays()).append('d');
    }
    if (a.toHoursPart() > 0) {
      sb.append(a.toHoursPart()).append('h');
    }
    if (a.toMinutesPart() > 0) {
      sb.append(a.toMinutesPart()).append('m');
    }
    sb.append(a.toSecondsPart()).append('s');
    return sb.toString();
  }
}
