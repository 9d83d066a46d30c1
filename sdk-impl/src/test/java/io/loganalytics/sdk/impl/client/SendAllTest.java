package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.impl.testsupport.InMemoryDiskBuffer;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
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
    client = ClientTestSupport.dataCollectorClient(server, clock, executor, ClientTestSupport.intercepting(buffer,
        method -> calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet()));
    return client;
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
