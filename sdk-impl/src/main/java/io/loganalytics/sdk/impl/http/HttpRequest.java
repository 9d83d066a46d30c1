package io.loganalytics.sdk.impl.http;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** An HTTP request to send (a POST, or a GET for managed identity endpoints): URI, headers in order, body and content type. Immutable. */
public final class HttpRequest {
  private static final java.util.Set<String> SECRET_HEADERS =
      java.util.Set.of("authorization", "proxy-authorization", "x-identity-header");
  private static final byte[] NO_BODY = new byte[0];

  private final String method;
  private final URI uri;
  private final Map<String, String> headers;
  private final byte[] body;
  private final String contentType;
  private final int maxResponseBytes;

  private HttpRequest(String method, URI uri, Map<String, String> headers, byte[] body, String contentType,
      int maxResponseBytes) {
    this.method = method;
    this.uri = uri;
    this.headers = headers;
    this.body = body;
    this.contentType = contentType;
    this.maxResponseBytes = maxResponseBytes;
  }

  /**
   * A POST.
   *
   * @param uri the target
   * @param contentType the body's media type, or {@code null} for none
   * @param body the exact bytes to send (signatures are computed over them)
   * @param headers the headers, in order; {@code Content-Type} and {@code Content-Length} are set from the body
   * @return the request
   */
  public static HttpRequest post(URI uri, String contentType, byte[] body, Map<String, String> headers) {
    return new HttpRequest("POST", Objects.requireNonNull(uri, "uri"),
        Collections.unmodifiableMap(new LinkedHashMap<>(headers)), Objects.requireNonNull(body, "body"),
        contentType, 0);
  }

  /**
   * A GET without body (managed identity token endpoints).
   *
   * @param uri the target, with its query
   * @param headers the headers, in order
   * @return the request
   */
  public static HttpRequest get(URI uri, Map<String, String> headers) {
    return new HttpRequest("GET", Objects.requireNonNull(uri, "uri"),
        Collections.unmodifiableMap(new LinkedHashMap<>(headers)), NO_BODY, null, 0);
  }

  /**
   * The same request, whose answer is read up to {@code bytes} bytes only (when that is less than the executor's own
   * limit): a longer answer is cut there and marked {@linkplain HttpResponse#truncated() truncated}, and the rest is
   * never read.
   *
   * @param bytes the largest body to read, at least 1
   * @return the request with the limit
   */
  public HttpRequest withMaxResponseBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxResponseBytes must be at least 1, was " + bytes);
    }
    return new HttpRequest(method, uri, headers, body, contentType, bytes);
  }

  /** @return the request's own limit on the answer's body, or {@code 0} for the executor's */
  public int maxResponseBytes() {
    return maxResponseBytes;
  }

  /** @return {@code POST} or {@code GET} */
  public String method() {
    return method;
  }

  /** @return the target */
  public URI uri() {
    return uri;
  }

  /** @return the headers in order, unmodifiable */
  public Map<String, String> headers() {
    return headers;
  }

  /** @return the body bytes; not to be modified */
  public byte[] body() {
    return body;
  }

  /** @return the content type, or {@code null} */
  public String contentType() {
    return contentType;
  }

  /** Shows the method, URI and header names; secret header values appear as {@code OBFUSCATED}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(method).append(' ').append(uri).append(" {");
    headers.forEach((k, v) -> sb.append(k).append('=')
        .append(SECRET_HEADERS.contains(k.toLowerCase(Locale.ROOT)) ? "OBFUSCATED" : v).append(", "));
    return sb.append("body=").append(body.length).append(" bytes}").toString();
  }
}
