package io.loganalytics.sdk.impl.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ProxyConfig;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpClientsTest {
  static final String HOST = "0123.oms." + TestTls.DOMAIN;

  @TempDir
  Path tmp;

  static final TestTls tls = TestTls.shared();
  static HeldCertificate first;
  static HeldCertificate second;

  MockWebServer server;
  HttpSettings settings;

  @BeforeAll
  static void clientCertificates() {
    first = new HeldCertificate.Builder().commonName("agent-1").rsa2048().build();
    second = new HeldCertificate.Builder().commonName("agent-2").rsa2048().build();
  }

  @BeforeEach
  void setUp() throws IOException {
    server = tls.startServer();
    settings = HttpSettings.builder().resolver(TestTls.loopbackResolver())
        .trustedCertificates(List.of(tls.writeCaPem(tmp))).build();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  URI uri(String path) {
    return URI.create("https://" + HOST + ":" + server.getPort() + path);
  }

  static HttpRequest post(URI uri) {
    return HttpRequest.post(uri, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static X509Certificate peer(RecordedRequest r) {
    return (X509Certificate) r.getHandshake().peerCertificates().get(0);
  }

  @Test
  void presentsTheClientCertificateOverHttp11() throws Exception {
    server.enqueue(new MockResponse.Builder().body("ok").build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(settings, first.keyPair().getPrivate(),
        first.certificate())) {
      HttpResponse r = ex.execute(post(uri("/a")));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("ok");
    }
    RecordedRequest rec = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(rec.getVersion()).isEqualTo("HTTP/1.1");
    assertThat(peer(rec)).isEqualTo(first.certificate());
    assertThat(rec.getHeaders().get("Content-Type")).startsWith("application/json");
  }

  @Test
  void switchesCertificateWithoutRestartForTheNextRequest() throws Exception {
    server.enqueue(new MockResponse.Builder().build());
    server.enqueue(new MockResponse.Builder().build());
    server.enqueue(new MockResponse.Builder().build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(settings, first.keyPair().getPrivate(),
        first.certificate())) {
      ex.execute(post(uri("/1")));
      HttpExecutor candidate = ex.withCertificate(second.keyPair().getPrivate(), second.certificate());
      candidate.execute(post(uri("/2")));
      ex.presentCertificate(second.keyPair().getPrivate(), second.certificate());
      ex.execute(post(uri("/3")));
      assertThat(ex.currentCertificate()).isEqualTo(second.certificate());
    }
    assertThat(peer(server.takeRequest(5, TimeUnit.SECONDS))).isEqualTo(first.certificate());
    assertThat(peer(server.takeRequest(5, TimeUnit.SECONDS))).isEqualTo(second.certificate());
    assertThat(peer(server.takeRequest(5, TimeUnit.SECONDS))).isEqualTo(second.certificate());
  }

  @Test
  void aRequestInFlightFinishesOnTheOldCertificateWhileLaterOnesUseTheNewOne() throws Exception {
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.List<X509Certificate> peers = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) throws InterruptedException {
        peers.add(peer(r));
        if (r.getTarget().equals("/slow")) {
          arrived.countDown();
          assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
        }
        return new MockResponse.Builder().body(r.getTarget()).build();
      }
    });
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(settings, first.keyPair().getPrivate(),
        first.certificate())) {
      java.util.concurrent.CompletableFuture<HttpResponse> slow = java.util.concurrent.CompletableFuture
          .supplyAsync(() -> {
            try {
              return ex.execute(post(uri("/slow")));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      ex.presentCertificate(second.keyPair().getPrivate(), second.certificate());
      assertThat(ex.execute(post(uri("/fast"))).bodyText()).isEqualTo("/fast");
      release.countDown();
      assertThat(slow.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("/slow");
    }
    assertThat(peers).containsExactly(first.certificate(), second.certificate());
  }

  @Test
  void refusesAServerTheJvmAndTheExtraAnchorsDoNotTrustAndSaysWhatToAdd() {
    HttpSettings noExtra = HttpSettings.builder().resolver(TestTls.loopbackResolver()).build();
    try (ClientCertificateExecutor ex = HttpClients.withoutClientCertificate(noExtra)) {
      assertThatThrownBy(() -> ex.execute(post(uri("/"))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("TLS handshake with " + HOST + " failed")
          .hasMessageContaining("trustCertificates")
          .hasMessageContaining("javax.net.ssl.trustStore");
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void theJvmTrustStorePropertyIsHonoured() throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("test-ca", tls.ca.certificate());
    Path file = tmp.resolve("truststore.p12");
    try (var out = java.nio.file.Files.newOutputStream(file)) {
      store.store(out, "changeit".toCharArray());
    }
    Map<String, String> saved = new java.util.HashMap<>();
    for (String p : List.of("javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword",
        "javax.net.ssl.trustStoreType")) {
      saved.put(p, System.getProperty(p));
    }
    System.setProperty("javax.net.ssl.trustStore", file.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    server.enqueue(new MockResponse.Builder().build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(
        HttpSettings.builder().resolver(TestTls.loopbackResolver()).build(), first.keyPair().getPrivate(),
        first.certificate())) {
      assertThat(ex.execute(post(uri("/"))).status()).isEqualTo(200);
    } finally {
      saved.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }

  @Test
  void verifiesTheHostNameEvenForATrustedCertificate() throws Exception {
    URI wrongHost = URI.create("https://localhost:" + server.getPort() + "/");
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(settings, first.keyPair().getPrivate(),
        first.certificate())) {
      assertThatThrownBy(() -> ex.execute(post(wrongHost))).isInstanceOf(IOException.class);
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void capsTheResponseBody() throws Exception {
    server.enqueue(new MockResponse.Builder().body("x".repeat(10_000)).build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(
        settings.toBuilder().maxResponseBytes(100).build(), first.keyPair().getPrivate(), first.certificate())) {
      assertThat(ex.execute(post(uri("/"))).body()).hasSize(100);
    }
  }

  @Test
  void errorStatusesAreAnswersNotExceptions() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "7").build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(settings, first.keyPair().getPrivate(),
        first.certificate())) {
      HttpResponse r = ex.execute(post(uri("/")));
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.header("retry-after")).contains("7");
    }
  }

  @Test
  void socketsHaveTcpNoDelay() throws IOException {
    try (Socket s = new TcpNoDelaySocketFactory().createSocket()) {
      assertThat(s.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void requestToStringHidesSecretHeaders() {
    HttpRequest r = HttpRequest.post(uri("/"), null, new byte[3],
        Map.of("Authorization", "SharedKey ws:s3cr3t", "Proxy-Authorization", "Basic cHJveHk6cHc="));
    assertThat(r.toString()).doesNotContain("s3cr3t", "cHJveHk6cHc=").contains("OBFUSCATED");
  }

  // --- Proxy: one MockWebServer plays the proxy (it records the CONNECT) and, inside the tunnel, the service.

  HttpSettings viaProxy(boolean preemptive, String user, String password) {
    ProxyConfig proxy = ProxyConfig.of("localhost", server.getPort()).withCredentials(user, password);
    return settings.toBuilder().proxy(proxy).preemptiveProxyAuthentication(preemptive).build();
  }

  @Test
  void proxyAnswers407ThenAcceptsAndCredentialsReachOnlyTheProxy() throws Exception {
    server.enqueue(new MockResponse.Builder().inTunnel().code(407)
        .addHeader("Proxy-Authenticate", "Basic realm=\"corp\"").build());
    server.enqueue(new MockResponse.Builder().inTunnel().build());
    server.enqueue(new MockResponse.Builder().body("service").build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(viaProxy(false, "alice", "pa55word"),
        first.keyPair().getPrivate(), first.certificate())) {
      assertThat(ex.execute(post(uri("/data"))).bodyText()).isEqualTo("service");
    }
    RecordedRequest connect1 = server.takeRequest(5, TimeUnit.SECONDS);
    RecordedRequest connect2 = server.takeRequest(5, TimeUnit.SECONDS);
    RecordedRequest service = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(connect1.getMethod()).isEqualTo("CONNECT");
    assertThat(connect1.getHeaders().get("Proxy-Authorization")).isNull();
    assertThat(connect2.getMethod()).isEqualTo("CONNECT");
    assertThat(connect2.getTarget()).isEqualTo(HOST + ":" + server.getPort());
    assertThat(connect2.getHeaders().get("Proxy-Authorization"))
        .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString(
            "alice:pa55word".getBytes(StandardCharsets.UTF_8)));
    assertThat(service.getMethod()).isEqualTo("POST");
    assertThat(service.getTarget()).isEqualTo("/data");
    assertThat(service.getHeaders().get("Proxy-Authorization")).isNull();
    assertThat(peer(service)).isEqualTo(first.certificate());
  }

  @Test
  void proxyCredentialsArePreemptiveByDefault() throws Exception {
    server.enqueue(new MockResponse.Builder().inTunnel().build());
    server.enqueue(new MockResponse.Builder().build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(viaProxy(true, "alice", "pa55word"),
        first.keyPair().getPrivate(), first.certificate())) {
      assertThat(ex.execute(post(uri("/data"))).status()).isEqualTo(200);
    }
    RecordedRequest connect = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(connect.getMethod()).isEqualTo("CONNECT");
    assertThat(connect.getHeaders().get("Proxy-Authorization")).startsWith("Basic ");
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Proxy-Authorization")).isNull();
  }

  @Test
  void refusedProxyCredentialsGiveAClearErrorWithoutThePassword() {
    server.enqueue(new MockResponse.Builder().inTunnel().code(407)
        .addHeader("Proxy-Authenticate", "Basic realm=\"corp\"").build());
    server.enqueue(new MockResponse.Builder().inTunnel().code(407)
        .addHeader("Proxy-Authenticate", "Basic realm=\"corp\"").build());
    try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(viaProxy(true, "alice", "wr0ngpw"),
        first.keyPair().getPrivate(), first.certificate())) {
      assertThatThrownBy(() -> ex.execute(post(uri("/data"))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("refused the credentials (HTTP 407)")
          .hasMessageNotContaining("wr0ngpw");
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void noProxyHostsGoDirect() throws Exception {
    try (MockWebServer proxy = new MockWebServer()) {
      proxy.start(java.net.InetAddress.getLoopbackAddress(), 0);
      server.enqueue(new MockResponse.Builder().build());
      HttpSettings s = settings.toBuilder().proxy(ProxyConfig.of("localhost", proxy.getPort())
          .withCredentials("alice", "pa55word").withNoProxy(List.of("." + TestTls.DOMAIN))).build();
      try (ClientCertificateExecutor ex = HttpClients.withClientCertificate(s, first.keyPair().getPrivate(),
          first.certificate())) {
        assertThat(ex.execute(post(uri("/direct"))).status()).isEqualTo(200);
      }
      assertThat(proxy.getRequestCount()).isZero();
      RecordedRequest direct = server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(direct.getMethod()).isEqualTo("POST");
      assertThat(direct.getHeaders().get("Proxy-Authorization")).isNull();
    }
  }
}
