package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.http.TestTls;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A MockWebServer over TLS playing the agent service, a movable clock, a manual scheduler and a recording listener. */
abstract class AgentTestBase {
  static final String WS = "5e0e1c5b-7f3c-4b8e-9a41-2d6f0c8b1a77";
  /** 64 random bytes, base64; test keys only. */
  static final String KEY =
      "kq2Xr0cJ4x8b6q3m1VtqPp1w7Xj9Gk0eYz5sR2uTn4cA8dF6hJ3lK9mN0pQ7rS2tU5vW8xY1zA4bC7dE0fG3hQ==";
  static final String OTHER_KEY =
      "QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkS2V5QmFkSw==";
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir
  Path tmp;

  final MutableClock clock = new MutableClock(START);
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final RecordingListener listener = new RecordingListener();
  MockWebServer server;
  FakeAgentService service;
  HttpSettings http;
  CloudEnvironment cloud;
  Path stateDir;
  WorkspaceCredentials credentials;

  @BeforeEach
  void startService() throws IOException {
    server = TestTls.shared().startServer();
    service = new FakeAgentService(WS, KEY, clock);
    service.baseUrl("https://" + WS + ".oms." + TestTls.DOMAIN + ":" + server.getPort());
    server.setDispatcher(service);
    http = HttpSettings.builder().resolver(TestTls.loopbackResolver())
        .trustedCertificates(List.of(TestTls.shared().writeCaPem(tmp))).build();
    cloud = CloudEnvironment.fromDomain(TestTls.DOMAIN).withPort(server.getPort());
    stateDir = tmp.resolve("state");
    credentials = WorkspaceCredentials.of(WS, KEY);
  }

  @AfterEach
  void stopService() {
    server.close();
  }

  AgentOptions.Builder options() {
    return options(stateDir);
  }

  AgentOptions.Builder options(Path dir) {
    return AgentOptions.builder(dir).credentials(credentials).cloud(cloud).httpSettings(http).clock(clock)
        .listener(listener).scheduler(scheduler).hostname("host1.example.com").random(new SecureRandom());
  }

  static HttpResponse upload(AgentSession session) throws IOException {
    return session.executor().execute(HttpRequest.post(session.uploadUri(), "application/json",
        "{\"DataType\":\"X\",\"IPName\":\"LogManagement\",\"DataItems\":[]}".getBytes(StandardCharsets.UTF_8),
        Map.of()));
  }

  X509Certificate lastPeer(String kind) {
    List<FakeAgentService.Call> c = service.calls(kind);
    return c.get(c.size() - 1).peer;
  }
}
