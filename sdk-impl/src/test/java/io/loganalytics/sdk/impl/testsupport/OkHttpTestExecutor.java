package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A test-only {@link HttpExecutor} over plain OkHttp, for MockWebServer on {@code http://} URLs. Production code
 * uses the TLS executor of {@code impl.http}. No silent retries, short timeouts. Thread-safe.
 */
public final class OkHttpTestExecutor implements HttpExecutor {
  private final OkHttpClient client = new OkHttpClient.Builder()
      .retryOnConnectionFailure(false)
      .connectTimeout(Duration.ofSeconds(5))
      .readTimeout(Duration.ofSeconds(10))
      .build();

  @Override
  public HttpResponse execute(HttpRequest request) throws IOException {
    MediaType type = request.contentType() == null ? null : MediaType.get(request.contentType());
    Request.Builder b = new Request.Builder().url(request.uri().toString())
        .post(RequestBody.create(request.body(), type));
    request.headers().forEach(b::header);
    try (Response r = client.newCall(b.build()).execute()) {
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String name : r.headers().names()) {
        headers.put(name, r.headers(name));
      }
      return new HttpResponse(r.code(), headers, r.body().bytes());
    }
  }

  /** Frees the connection pool and dispatcher threads. */
  public void shutdown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
