package io.loganalytics.sdk.impl.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.testkit.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataCollectorTransportTest {
  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final WorkspaceCredentials credentials =
      WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, TestData.SECONDARY_KEY);

  @AfterEach
  void shutdown() {
    executor.shutdown();
  }

  private DataCollectorTransport transport(String resourceId, String timeField) {
    URI endpoint = URI.create(server.url("/api/logs?api-version=2016-04-01").toString());
    return new DataCollectorTransport(executor, endpoint, credentials, new ClockSkew(clock), resourceId, timeField);
  }

  @Test
  void sendsTheArrayWithEveryHeaderAndAValidSignature() throws Exception {
    DataCollectorTransport t = transport("/subscriptions/s/resourceGroups/g", "EventTime");
    RecordEncoder encoder = new RecordEncoder(t.limits(1_000_000));
    List<byte[]> records = List.of(encoder.encode("MyEvents", "", Map.of("level", "info")),
        encoder.encodeJson("MyEvents", "", "{\"level\":\"warn\"}"));
    server.enqueue(new MockResponse.Builder().code(200).build());

    PreparedBody body = t.prepare("MyEvents", "", records);
    HttpResponse response = t.send(body, "req-1", 0);

    assertThat(response.status()).isEqualTo(200);
    RecordedRequest req = server.takeRequest();
    String bodyText = req.getBody().string(StandardCharsets.UTF_8);
    assertThat(req.getMethod()).isEqualTo("POST");
    assertThat(req.getTarget()).isEqualTo("/api/logs?api-version=2016-04-01");
    assertThat(bodyText).isEqualTo("[{\"level\":\"info\"},{\"level\":\"warn\"}]");
    assertThat(req.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(req.getHeaders().get("Log-Type")).isEqualTo("MyEvents");
    assertThat(req.getHeaders().get("x-ms-date")).isEqualTo("Mon, 05 Jan 2026 10:00:00 GMT");
    assertThat(req.getHeaders().get("X-Request-ID")).isEqualTo("req-1");
    assertThat(req.getHeaders().get("time-generated-field")).isEqualTo("EventTime");
    assertThat(req.getHeaders().get("x-ms-AzureResourceId")).isEqualTo("/subscriptions/s/resourceGroups/g");
    assertThat(req.getHeaders().get("Authorization")).isEqualTo(WireSignatures.dataCollector(
        TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, req.getBodySize(), req.getHeaders().get("x-ms-date")));
  }

  @Test
  void leavesOptionalHeadersOutWhenNotConfigured() throws Exception {
    DataCollectorTransport t = transport(null, null);
    RecordEncoder encoder = new RecordEncoder(t.limits(1_000_000));
    server.enqueue(new MockResponse.Builder().code(200).build());

    t.send(t.prepare("T", "", List.of(encoder.encode("T", "", Map.of("a", 1)))), "r", 0);

    RecordedRequest req = server.takeRequest();
    assertThat(req.getHeaders().get("time-generated-field")).isNull();
    assertThat(req.getHeaders().get("x-ms-AzureResourceId")).isNull();
  }

  @Test
  void signsWithThePrimaryKeyWhenTheSecondaryWasRotatedAwayAfterItWasChosen() throws Exception {
    DataCollectorTransport t = transport(null, null);
    t.onAuthenticationFailure(403);
    KeySlot chosen = t.nextKeySlot();
    credentials.rotate(TestData.PRIMARY_KEY, null);

    String authorization = t.authorization(chosen, 10, "Mon, 05 Jan 2026 10:00:00 GMT");

    assertThat(chosen).isEqualTo(KeySlot.SECONDARY);
    assertThat(authorization).isEqualTo(WireSignatures.dataCollector(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY, 10,
        "Mon, 05 Jan 2026 10:00:00 GMT"));
  }

  @Test
  void switchesToTheSecondaryKeyAfterARefusalAndBackAfterRotation() {
    DataCollectorTransport t = transport(null, null);
    assertThat(t.nextKeySlot()).isEqualTo(KeySlot.PRIMARY);

    assertThat(t.onAuthenticationFailure(403)).contains("secondary key");
    assertThat(t.nextKeySlot()).isEqualTo(KeySlot.SECONDARY);
    assertThat(t.onAuthenticationFailure(403)).contains("primary key again");
    assertThat(t.nextKeySlot()).isEqualTo(KeySlot.PRIMARY);

    t.onAuthenticationFailure(403);
    credentials.rotate(TestData.SECONDARY_KEY, TestData.PRIMARY_KEY);
    assertThat(t.nextKeySlot()).isEqualTo(KeySlot.PRIMARY);
  }

  @Test
  void refusesLogTypesOutsideTheGrammarNamingTheField() {
    DataCollectorTransport t = transport(null, null);
    t.validateType("My_Events2");
    t.validateType("A" + "b".repeat(99));
    for (String bad : new String[] {"", "1abc", "with space", "dot.ted", "A" + "b".repeat(100), null}) {
      assertThatThrownBy(() -> t.validateType(bad))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageStartingWith("type:");
    }
  }
}
