package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.testkit.MutableClock;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.InMemoryDiskBuffer;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DefaultLogAnalyticsClient#sendAll}: one append per batch, all-or-nothing validation, order kept. */
class SendAllTest {
  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final InMemoryDiskBuffer buffer = new InMemoryDiskBuffer(clock);
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private DefaultLogAnalyticsClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close(Duration.ofSeconds(5));
    }
    executor.shutdown();
  }

  private DefaultLogAnalyticsClient client() {
    LogAnalyticsClientBuilder config = LogAnalyticsClient.builder()
        .credentials(WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY))
        .transport(Transport.DATA_COLLECTOR)
        .bufferDirectory(Path.of("unused-in-memory"))
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1)).build())
        .clock(clock);
    DataCollectorTransport transport = new DataCollectorTransport(executor,
        URI.create(server.url("/api/logs?api-version=2016-04-01").toString()), config.credentials().orElseThrow(),
        new ClockSkew(clock), null, null);
    client = DefaultLogAnalyticsClient.create(config, l -> counting(buffer), transport, new FakeSleeper(clock),
        () -> 0.5);
    return client;
  }

  /** The buffer, counting the calls made to it by method name. */
  private DiskBuffer counting(DiskBuffer target) {
    return (DiskBuffer) Proxy.newProxyInstance(DiskBuffer.class.getClassLoader(), new Class<?>[] {DiskBuffer.class},
        (proxy, method, args) -> {
          calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private int calls(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  @Test
  void buffersTheBatchWithOneAppendAndDeliversItInOrder() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build());
    DefaultLogAnalyticsClient c = client();
    List<Map<String, Object>> batch = IntStream.range(0, 50).mapToObj(i -> Map.<String, Object>of("n", i))
        .collect(Collectors.toList());

    c.sendAll("Events", batch);

    assertThat(calls("appendAll")).isEqualTo(1);
    assertThat(calls("append")).isZero();
    assertThat(c.stats().recordsAccepted()).isEqualTo(50);
    assertThat(c.flush(Duration.ofSeconds(30))).isTrue();
    RecordedRequest request = server.takeRequest();
    String body = request.getBody().string(StandardCharsets.UTF_8);
    assertThat(body).isEqualTo(IntStream.range(0, 50).mapToObj(i -> "{\"n\":" + i + "}")
        .collect(Collectors.joining(",", "[", "]")));
    assertThat(c.stats().recordsSent()).isEqualTo(50);
  }

  @Test
  void aRecordThatCanNeverBeSentRefusesTheWholeBatchBeforeAnyIsBuffered() {
    DefaultLogAnalyticsClient c = client();
    List<Map<String, Object>> batch = List.of(Map.of("n", 1), Map.of("m", "x".repeat(40_000)), Map.of("n", 3));

    assertThatThrownBy(() -> c.sendAll("Events", batch))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'m'");

    assertThat(calls("appendAll")).isZero();
    assertThat(buffer.contents()).isEmpty();
    assertThat(c.stats().recordsAccepted()).isZero();
  }

  @Test
  void anEmptyBatchBuffersNothingAndAClosedClientRefusesABatch() {
    DefaultLogAnalyticsClient c = client();

    c.sendAll("Events", List.of());
    assertThat(calls("appendAll")).isZero();

    c.close(Duration.ofSeconds(5));
    assertThatThrownBy(() -> c.sendAll("Events", List.of(Map.of("n", 1))))
        .isInstanceOf(ClientClosedException.class);
  }
}
