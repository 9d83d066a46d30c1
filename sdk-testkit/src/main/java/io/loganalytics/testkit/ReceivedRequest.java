package io.loganalytics.testkit;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request the emulator received, and how it answered: the path, the headers, the status, the reason (a
 * one-line diagnosis, also for accepted requests), and whether the shared-key signature or the client certificate
 * was verified.
 *
 * <p>{@link #toString()} never shows the value of an {@code Authorization} or {@code Proxy-Authorization} header;
 * {@link #header(String)} returns it, for tests that inspect what a client sent.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReceivedRequest {
  private final String method;
  private final String target;
  private final String host;
  private final Map<String, List<String>> headers;
  private final long bodyBytes;
  private final int status;
  private final String reason;
  private final boolean signatureVerified;
  private final boolean certificateVerified;
  private final String agentId;
  private final Instant receivedAt;

  ReceivedRequest(String method, String target, String host, Map<String, List<String>> headers, long bodyBytes,
      int status, String reason, boolean signatureVerified, boolean certificateVerified, String agentId,
      Instant receivedAt) {
    this.method = method;
    this.target = target;
    this.host = host;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    this.bodyBytes = bodyBytes;
    this.status = status;
    this.reason = reason;
    this.signatureVerified = signatureVerified;
    this.certificateVerified = certificateVerified;
    this.agentId = agentId;
    this.receivedAt = receivedAt;
  }

  /**
   * The HTTP method.
   *
   * @return for example {@code POST}
   */
  public String method() {
    return method;
  }

  /**
   * The request target: the path and the query, as sent.
   *
   * @return for example {@code /api/logs?api-version=2016-04-01}
   */
  public String path() {
    return target;
  }

  /**
   * The {@code Host} header without the port, lowercase.
   *
   * @return the host, or an empty string when absent
   */
  public String host() {
    return host;
  }

  /**
   * Every header, by lowercase name, values in the order sent.
   *
   * @return an unmodifiable map
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * The first value of a header.
   *
   * @param name the header name, in any case
   * @return the value, or {@code null} when absent
   */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * The {@code X-Request-ID} header.
   *
   * @return the request id, or {@code null}
   */
  public String requestId() {
    return header("X-Request-ID");
  }

  /**
   * The length of the body as received (before inflating).
   *
   * @return the byte count
   */
  public long bodyBytes() {
    return bodyBytes;
  }

  /**
   * The status the emulator answered.
   *
   * @return the HTTP status, or 0 when the connection was reset on purpose
   */
  public int status() {
    return status;
  }

  /**
   * Why the emulator answered as it did: {@code "OK"} or a one-line diagnosis such as
   * {@code "InvalidAuthorization: signature does not match"}.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  /**
   * Whether a shared-key signature (onboarding or Data Collector) was present and verified.
   *
   * @return {@code true} when verified
   */
  public boolean signatureVerified() {
    return signatureVerified;
  }

  /**
   * Whether the client certificate was verified as the registered certificate of an agent (or, on onboarding, as
   * the certificate named in the body).
   *
   * @return {@code true} when verified
   */
  public boolean certificateVerified() {
    return certificateVerified;
  }

  /**
   * The agent the request was attributed to.
   *
   * @return the agent GUID, or {@code null} when unknown or on the Data Collector path
   */
  public String agentId() {
    return agentId;
  }

  /**
   * When the request was received, by the emulator clock.
   *
   * @return the time
   */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** Shows the request without the values of authorization headers. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ReceivedRequest{").append(method).append(' ').append(target)
        .append(", host=").append(host).append(", status=").append(status).append(", reason=").append(reason)
        .append(", signatureVerified=").append(signatureVerified)
        .append(", certificateVerified=").append(certificateVerified)
        .append(", bodyBytes=").append(bodyBytes).append(", headers={");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (!first) {
        b.append(", ");
      }
      first = false;
      b.append(e.getKey()).append('=');
      b.append(isSecret(e.getKey()) ? "OBFUSCATED" : String.join(",", e.getValue()));
    }
    return b.append("}}").toString();
  }

  private static boolean isSecret(String name) {
    return name.equals("authorization") || name.equals("proxy-authorization");
  }
}
