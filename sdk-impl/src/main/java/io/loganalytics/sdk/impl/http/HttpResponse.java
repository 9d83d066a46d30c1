package io.loganalytics.sdk.impl.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An HTTP answer: status, headers (names compared without case) and body. Immutable. */
public final class HttpResponse {
  private final int status;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final boolean truncated;

  /**
   * Creates a response whose body is complete.
   *
   * @param status the status code
   * @param headers the headers
   * @param body the body bytes
   */
  public HttpResponse(int status, Map<String, List<String>> headers, byte[] body) {
    this(status, headers, body, false);
  }

  /**
   * Creates a response.
   *
   * @param status the status code
   * @param headers the headers
   * @param body the body bytes (possibly truncated by the executor to a sane size)
   * @param truncated whether the body was longer than the executor read
   */
  public HttpResponse(int status, Map<String, List<String>> headers, byte[] body, boolean truncated) {
    this.truncated = truncated;
    this.status = status;
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    this.headers = java.util.Collections.unmodifiableMap(h);
    this.body = body;
  }

  /** @return the status code */
  public int status() {
    return status;
  }

  /** @return {@code true} for 2xx */
  public boolean isSuccessful() {
    return status >= 200 && status < 300;
  }

  /**
   * The first value of a header.
   *
   * @param name the header name, any case
   * @return the value, if present
   */
  public Optional<String> header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** @return all headers, names lowercase */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** @return the body bytes */
  public byte[] body() {
    return body;
  }

  /** @return whether the answer's body was longer than {@link #body()}: the executor stopped reading at its limit */
  public boolean truncated() {
    return truncated;
  }

  /** @return the body as UTF-8 text */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "HttpResponse{" + status + ", " + body.length + " bytes" + (truncated ? ", truncated" : "") + "}";
  }
}
