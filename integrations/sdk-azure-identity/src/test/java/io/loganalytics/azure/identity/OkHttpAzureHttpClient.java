package io.loganalytics.azure.identity;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import io.loganalytics.sdk.HostResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An azure-core {@link HttpClient} over OkHttp for tests: it trusts one extra CA (the workspace emulator's) on top of
 * nothing else, keeps hostname verification on, and resolves host names through the emulator's resolver, so that
 * azure-identity's credentials reach the emulator's token endpoint under its real-looking host name. azure-core's
 * Netty client would need a custom resolver and SSL context wired through reactor-netty; azure-core-http-okhttp is
 * not available to this build. Responses are read fully (token answers are small).
 */
final class OkHttpAzureHttpClient implements HttpClient {
  private final OkHttpClient http;

  OkHttpAzureHttpClient(X509Certificate trustedCa, HostResolver resolver) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", trustedCa);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new X509TrustManager[] {trust}, null);
      this.http = new OkHttpClient.Builder()
          .sslSocketFactory(tls.getSocketFactory(), trust)
          .dns(resolver::resolve)
          .callTimeout(Duration.ofSeconds(20))
          .build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the test TLS context", e);
    }
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request) {
    return Mono.fromCallable(() -> sendSync(request, Context.NONE));
  }

  @Override
  public HttpResponse sendSync(HttpRequest request, Context context) {
    BinaryData body = request.getBodyAsBinaryData();
    String contentType = request.getHeaders().getValue(HttpHeaderName.CONTENT_TYPE);
    RequestBody requestBody = body == null ? null : RequestBody.create(body.toBytes(),
        contentType == null ? null : MediaType.parse(contentType));
    if (requestBody == null && "POST".equals(request.getHttpMethod().name())) {
      requestBody = RequestBody.create(new byte[0], null);
    }
    Request.Builder b = new Request.Builder().url(request.getUrl()).method(request.getHttpMethod().name(),
        requestBody);
    for (HttpHeader h : request.getHeaders()) {
      for (String v : h.getValuesList()) {
        b.addHeader(h.getName(), v);
      }
    }
    try (Response response = http.newCall(b.build()).execute()) {
      HttpHeaders headers = new HttpHeaders();
      for (String name : response.headers().names()) {
        headers.set(HttpHeaderName.fromString(name), response.headers(name));
      }
      return new Buffered(request, response.code(), headers, response.body().bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops OkHttp's threads. */
  void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private static final class Buffered extends HttpResponse {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    Buffered(HttpRequest request, int status, HttpHeaders headers, byte[] body) {
      super(request);
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    @Deprecated
    public String getHeaderValue(String name) {
      return headers.getValue(HttpHeaderName.fromString(name));
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return Flux.just(ByteBuffer.wrap(body));
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return Mono.just(body);
    }

    @Override
    public Mono<String> getBodyAsString() {
      return getBodyAsString(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return Mono.just(new String(body, charset));
    }
  }
}
