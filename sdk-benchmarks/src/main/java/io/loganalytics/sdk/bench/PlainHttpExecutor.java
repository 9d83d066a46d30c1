package io.loganalytics.sdk.bench;

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
 * An {@link HttpExecutor} over plain OkHttp for a loopback {@code http://} server, standing in for the production TLS
 * executor until it is merged. Thread-safe.
 */
final class PlainHttpExecutor implements HttpExecutor {
  private final OkHttpClient client = new OkHttpClient.Builder()
      .retryOnConnectionFailure(false)
      .readTimeout(Duration.ofSeconds(30))
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

  void shutdown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
