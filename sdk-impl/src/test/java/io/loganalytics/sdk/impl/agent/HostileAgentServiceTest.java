package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.loganalytics.sdk.ServiceException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile agent service over TLS (MockWebServer with the test CA): onboarding gets a 200 whose body is
 * pathological. Each reply fails onboarding at once with a {@link ServiceException} that says what was wrong, and
 * nothing is written to the state directory.
 */
class HostileAgentServiceTest extends AgentTestBase {
  /** Not a timing assertion: a guard that turns a hang into a failure (the regex reader took 67 s for 4 KB). */
  private static final Duration HANG_GUARD = Duration.ofSeconds(30);

  static Stream<Arguments> hostileReplies() {
    return Stream.of(
        Arguments.of("regex backtracking", AgentXmlTest.BACKTRACKING, "not well-formed XML"),
        Arguments.of("1 MiB", "<LinuxAgentTopologyResponse>" + " ".repeat(1024 * 1024)
            + "</LinuxAgentTopologyResponse>", "larger than the 65536 bytes accepted"),
        Arguments.of("billion laughs", AgentXmlTest.BILLION_LAUGHS, "document type (DTD)"),
        Arguments.of("external entity", AgentXmlTest.XXE, "document type (DTD)"),
        Arguments.of("external DTD", AgentXmlTest.EXTERNAL_DTD, "document type (DTD)"),
        Arguments.of("deep nesting", AgentXmlTest.DEEP, "deeper than 32 levels"),
        Arguments.of("HTML", "<html><body><h1>Proxy login</h1><br></body></html>", "not well-formed XML"),
        Arguments.of("binary", "\u0000\u0001\u0002\u00ff\ufffd", "not well-formed XML"),
        Arguments.of("empty", "", "not well-formed XML"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileReplies")
  void aPathologicalOnboardingReplyFailsFastWithAClearError(String name, String body, String expected) {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).body(new Buffer().writeUtf8(body)).build();
      }
    });

    assertTimeoutPreemptively(HANG_GUARD, () -> assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.getMessage()).startsWith("The onboarding reply from " + WS + ".oms.").contains(expected);
          assertThat(e.status()).isEqualTo(200);
          assertThat(e.isRetryable()).isTrue();
        }));
    assertThat(stateDir.resolve("omsadmin.conf")).doesNotExist();
  }

  @Test
  void anEndpointWithALineBreakCannotInjectAKeyIntoOmsAdminConf() {
    service.advertisedDscEndpoint = "https://dsc.example.test/x\nURL_TLD=evil.example\nAGENT_GUID=attacker";

    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.getMessage())
            .startsWith("The onboarding reply from " + WS + ".oms.")
            .contains("the value for DSC_ENDPOINT in omsadmin.conf holds a control character or line break "
                + "(U+000A at index 26)"));
    assertThat(stateDir.resolve("omsadmin.conf")).doesNotExist();
  }

  @Test
  void aHeartbeatEndpointWithALineBreakIsIgnoredAndTheConfKeepsItsKeys() throws Exception {
    AgentStatus status = AgentIdentity.onboard(options().build());
    String before = Files.readString(stateDir.resolve("omsadmin.conf"));
    service.advertisedDscEndpoint = "https://dsc.example.test/x\nURL_TLD=evil.example\n";

    try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(options().build())) {
      scheduler.runDue();
      assertThat(service.calls("heartbeat")).extracting(c -> c.status).containsExactly(200);
      assertThat(session.state().conf().get(OmsAdminConf.URL_TLD)).contains("loganalytics.test");
    }
    assertThat(Files.readString(stateDir.resolve("omsadmin.conf"))).isEqualTo(before)
        .doesNotContain("evil").contains("AGENT_GUID=" + status.agentGuid() + "\n");
    assertThat(AgentIdentity.status(stateDir).urlTld()).isEqualTo("loganalytics.test");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileReplies")
  void aPathologicalHeartbeatReplyLeavesTheSessionAndItsStateAsTheyWere(String name, String body, String expected)
      throws Exception {
    AgentIdentity.onboard(options().build());
    String conf = Files.readString(stateDir.resolve("omsadmin.conf"));
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).body(new Buffer().writeUtf8(body)).build();
      }
    });

    try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(options().build())) {
      Duration interval = session.heartbeatInterval();
      assertTimeoutPreemptively(HANG_GUARD, () -> scheduler.runDue());

      assertThat(session.heartbeatInterval()).isEqualTo(interval);
      assertThat(session.state().conf().get(OmsAdminConf.URL_TLD)).contains("loganalytics.test");
    }
    assertThat(Files.readString(stateDir.resolve("omsadmin.conf"))).isEqualTo(conf);
  }
}
