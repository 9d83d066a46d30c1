package io.loganalytics.sdk.impl.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.UploadResult.Outcome;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.http.TestTls;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.RecordingListener;
import io.loganalytics.sdk.impl.testsupport.ScriptedDispatcher;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's own HTTP client (TLS, as in production) never retries a reset connection by itself: the uploader sees
 * each reset as a failed try, waits its backoff, counts the retry and tells the listener.
 */
class ConnectionResetRetryTest {
  private static final String HOST = TestData.WORKSPACE_ID + ".ods." + TestTls.DOMAIN;

  @TempDir
  Path tmp;

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final FakeSleeper sleeper = new FakeSleeper(clock);
  private final RecordingListener listener = new RecordingListener();
  private final UploadCounters counters = new UploadCounters();
  private final ScriptedDispatcher dispatcher = new ScriptedDispatcher(clock);
  private MockWebServer server;
  private ClientCertificateExecutor executor;

  @BeforeEach
  void start() throws IOException {
    server = TestTls.shared().startServer();
    server.setDispatcher(dispatcher);
    // The test server asks for a client certificate, as the service's agent endpoints do.
    HeldCertificate client = new HeldCertificate.Builder().commonName("agent").rsa2048().build();
    executor = HttpClients.withClientCertificate(HttpSettings.builder().resolver(TestTls.loopbackResolver())
        .trustedCertificates(List.of(TestTls.shared().writeCaPem(tmp))).build(), client.keyPair().getPrivate(),
        client.certificate());
  }

  @AfterEach
  void stop() {
    executor.close();
    server.close();
  }

  private URI uri() {
    return URI.create("https://" + HOST + ":" + server.getPort() + "/api/logs?api-version=2016-04-01");
  }

  private HttpRequest post() {
    return HttpRequest.post(uri(), "application/json", "[]".getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /**
   * OkHttp's silent retry hit a reused connection that the server reset: the first request leaves a pooled
   * connection, the second one is reset on it.
   */
  @Test
  void aResetPooledConnectionIsAnErrorForTheCallerNotASilentRetry() throws IOException {
    dispatcher.then(ScriptedDispatcher.ok(), ScriptedDispatcher.disconnect());
    assertThat(executor.execute(post()).status()).isEqualTo(200);

    assertThatThrownBy(() -> executor.execute(post())).isInstanceOf(IOException.class);
    assertThat(dispatcher.requests()).as("the reset request was not repeated by OkHttp").hasSize(2);
  }

  @Test
  void oneResetIsOneUploaderRetryCountedAndReported() {
    dispatcher.then(ScriptedDispatcher.ok(), ScriptedDispatcher.disconnect());
    DataCollectorTransport transport = new DataCollectorTransport(executor, uri(),
        WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY), new ClockSkew(clock), null, null);
    DefaultChunkUploader uploader = new DefaultChunkUploader(transport, RetryPolicy.defaults(),
        new SafeListener(listener), 1_000_000, clock, sleeper, () -> 0.5, counters);
    RecordEncoder encoder = new RecordEncoder(transport.limits(1_000_000));
    assertThat(uploader.upload(chunk(List.of(encoder.encode("Events", transport.ipName(), Map.of("n", 0)))))
        .outcome()).isEqualTo(Outcome.DELIVERED);

    var result = uploader.upload(chunk(List.of(encoder.encode("Events", transport.ipName(), Map.of("n", 1)))));

    assertThat(result.outcome()).isEqualTo(Outcome.DELIVERED);
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(dispatcher.requests()).hasSize(3);
    assertThat(counters.retries()).isEqualTo(1);
    assertThat(sleeper.waits()).containsExactly(Duration.ofSeconds(30));
    assertThat(listener.events()).containsExactly("delivered(1,try 1)", "retry(1,PT30S)", "delivered(1,try 2)");
  }

  private static Chunk chunk(List<byte[]> records) {
    return new Chunk() {
      @Override
      public long firstSequence() {
        return 0;
      }

      @Override
      public List<byte[]> records() {
        return records;
      }

      @Override
      public Instant oldestAppendTime() {
        return Instant.EPOCH;
      }
    };
  }
}
