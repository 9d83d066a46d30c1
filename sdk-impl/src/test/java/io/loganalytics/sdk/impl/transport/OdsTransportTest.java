package io.loganalytics.sdk.impl.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.FakeAgentSession;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.testkit.MutableClock;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OdsTransportTest {
  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();

  @AfterEach
  void shutdown() {
    executor.shutdown();
  }

  private FakeAgentSession session() {
    return new FakeAgentSession(executor,
        URI.create(server.url("/OperationalData.svc/PostJsonDataItems").toString()),
        Instant.parse("2026-04-01T00:00:00Z"));
  }

  @Test
  void closeEndsTheDeflaterSoNothingCanBeWrittenAfterwards() {
    OdsTransport t = new OdsTransport(session(), new ClockSkew(MutableClock.at("2026-01-05T10:00:00Z")), "LogManagement", null);
    RecordEncoder encoder = new RecordEncoder(t.limits(1_000_000));
    List<byte[]> records = List.of(encoder.encode("LINUX_SYSLOGS_BLOB", t.ipName(), Map.of("Message", "hi")));
    assertThat(t.prepare("LINUX_SYSLOGS_BLOB", "LogManagement", records).bytes()).isNotEmpty();

    t.close();
    t.close();

    assertThatThrownBy(() -> t.prepare("LINUX_SYSLOGS_BLOB", "LogManagement", records))
        .hasMessageContaining("closed");
  }

  @Test
  void sendsTheDeflatedEnvelopeWithTheAgentsHeaders() throws Exception {
    FakeAgentSession session = session();
    OdsTransport t = new OdsTransport(session, new ClockSkew(MutableClock.at("2026-01-05T10:00:00Z")), "LogManagement",
        "/subscriptions/s/x");
    RecordEncoder encoder = new RecordEncoder(t.limits(1_000_000));
    List<byte[]> records = List.of(
        encoder.encode("LINUX_SYSLOGS_BLOB", t.ipName(), Map.of("Message", "hello")),
        encoder.encode("LINUX_SYSLOGS_BLOB", t.ipName(), Map.of("Message", "world")));
    server.enqueue(new MockResponse.Builder().code(200).build());

    t.send(t.prepare("LINUX_SYSLOGS_BLOB", "LogManagement", records), "chunk-1", 2);

    RecordedRequest req = server.takeRequest();
    assertThat(req.getTarget()).isEqualTo("/OperationalData.svc/PostJsonDataItems");
    assertThat(TestData.inflate(req.getBody().toByteArray())).isEqualTo("{\"DataType\":\"LINUX_SYSLOGS_BLOB\","
        + "\"IPName\":\"LogManagement\",\"DataItems\":[{\"Message\":\"hello\"},{\"Message\":\"world\"}]}");
    assertThat(req.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(req.getHeaders().get("Content-Encoding")).isEqualTo("deflate");
    assertThat(req.getHeaders().get("X-Request-ID")).isEqualTo("chunk-1");
    assertThat(req.getHeaders().get("User-Agent")).startsWith("LinuxMonitoringAgent/");
    assertThat(req.getHeaders().get("x-ms-app")).isEqualTo("LinuxMonitoringAgent");
    assertThat(req.getHeaders().get("x-ms-client-version")).isNotBlank();
    assertThat(req.getHeaders().get("x-ms-client-platform")).isNotBlank();
    assertThat(req.getHeaders().get("x-ms-client-request-retry-count")).isEqualTo("2");
    assertThat(req.getHeaders().get("x-ms-AzureResourceId")).isEqualTo("/subscriptions/s/x");
    assertThat(req.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void reportsAuthenticationFailuresToTheSessionAndItsCertificateExpiry() {
    FakeAgentSession session = session();
    OdsTransport t = new OdsTransport(session, new ClockSkew(MutableClock.at("2026-01-05T10:00:00Z")), "LogManagement", null);

    assertThat(t.onAuthenticationFailure(403)).contains("2026-04-01T00:00:00Z");
    assertThat(session.authFailures()).containsExactly(403);
    assertThat(t.certificateExpiry()).contains(Instant.parse("2026-04-01T00:00:00Z"));
  }

  @Test
  void acceptsAgentDataTypesAndRefusesOthers() {
    OdsTransport t = new OdsTransport(session(), new ClockSkew(MutableClock.at("2026-01-05T10:00:00Z")), "LogManagement", null);
    t.validateType("LINUX_PERF_BLOB");
    t.validateType("Custom.Type_1");
    assertThatThrownBy(() -> t.validateType("_x")).isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("DataType");
  }
}
