package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AgentIdentity#openForClient}: the first onboarding attempt decides between a running session, a pending one
 * (failures that may pass) and an exception (failures retrying cannot cure); a pending session onboards when asked.
 * The uploader's backoff between attempts is the client's business; here every attempt is a direct call.
 */
class LazyAgentSessionTest extends AgentTestBase {
  private final AtomicInteger unavailable = new AtomicInteger();

  /** The fake service, answering 503 to as many requests as {@link #unavailable} says first. */
  @BeforeEach
  void serviceMayBeUnavailable() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          return new MockResponse.Builder().code(503).body("<Error><Reason>Busy</Reason></Error>").build();
        }
        return service.dispatch(request);
      }
    });
  }

  @Test
  void onboardsAtOnceWhenTheServiceAnswers() {
    try (AgentSession session = AgentIdentity.openForClient(options().build())) {
      assertThat(session).isNotInstanceOf(LazyAgentSession.class);
      assertThat(session.ensureIdentity()).isTrue();
      assertThat(session.certificateExpiry()).isNotNull();
      assertThat(StateDirectory.of(stateDir).isOnboarded()).isTrue();
    }
  }

  @Test
  void aServiceUnavailableAtStartGivesAPendingSessionThatOnboardsWhenAsked() throws IOException {
    unavailable.set(2);
    try (AgentSession session = AgentIdentity.openForClient(options().build())) {
      assertThat(session).isInstanceOf(LazyAgentSession.class);
      assertThat(session.certificateExpiry()).isNull();
      assertThat(session.agentGuid()).isNull();
      assertThat(session.uploadUri()).isEqualTo(cloud.odsUploadUri(WS));
      assertThatThrownBy(() -> upload(session)).isInstanceOf(IOException.class).hasMessageContaining("not onboarded");
      assertThat(StateDirectory.of(stateDir).isOnboarded()).isFalse();

      assertThat(session.identityFailure()).get().asString().contains("HTTP 503", "reason Busy");
      assertThat(session.ensureIdentity()).isFalse(); // the second 503
      assertThat(session.identityFailure()).get().asString().contains("HTTP 503");
      assertThat(session.ensureIdentity()).isTrue();
      assertThat(session.identityFailure()).isEmpty();

      assertThat(StateDirectory.of(stateDir).isOnboarded()).isTrue();
      assertThat(session.certificateExpiry()).isNotNull();
      assertThat(session.agentGuid()).isEqualTo(StateDirectory.of(stateDir).load().agentGuid());
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(session.ensureIdentity()).isTrue();
      assertThat(service.calls("onboard")).extracting(c -> c.status).containsExactly(200);
    }
  }

  @Test
  void failedAttemptsWarnAtMostOncePerIntervalOfTheInjectedClockWithTheCount() {
    unavailable.set(10);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try (AgentSession session = AgentIdentity.openForClient(options().build())) {
      for (int i = 0; i < 3; i++) {
        assertThat(session.ensureIdentity()).isFalse(); // attempts 2, 3, 4: one WARN
      }
      clock.advance(LazyAgentSession.WARN_INTERVAL.minusSeconds(1));
      assertThat(session.ensureIdentity()).isFalse(); // attempt 5: still within the interval
      clock.advance(Duration.ofSeconds(1));
      assertThat(session.ensureIdentity()).isFalse(); // attempt 6: WARN with the count
    } finally {
      System.setErr(originalErr);
    }
    List<String> warnings = Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> l.contains("WARN io.loganalytics.sdk.impl.agent.LazyAgentSession")
            && l.contains("failed again"))
        .collect(Collectors.toList());
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("(attempt 2, 1 since the last warning)", "HTTP 503");
    assertThat(warnings.get(1)).contains("(attempt 6, 4 since the last warning)", "records stay in the buffer");
  }

  @Test
  void aRefusedKeyFailsAtOnceAndIsReported() {
    credentials = WorkspaceCredentials.of(WS, OTHER_KEY);

    assertThatThrownBy(() -> AgentIdentity.openForClient(options().build()))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("InvalidWorkspaceKey")
        .hasMessageNotContaining(OTHER_KEY);
    assertThat(listener.authenticationFailures).hasSize(1);
    assertThat(StateDirectory.of(stateDir).isOnboarded()).isFalse();
  }

  @Test
  void aKeyRefusedAfterStartIsReportedAndRotatingTheCredentialsCuresIt() {
    unavailable.set(1);
    try (AgentSession session = AgentIdentity.openForClient(options().build())) {
      credentials.rotate(OTHER_KEY, null);
      assertThat(session.ensureIdentity()).isFalse();
      assertThat(listener.authenticationFailures).hasSize(1);

      credentials.rotate(KEY, null);
      assertThat(session.ensureIdentity()).isTrue();
    }
  }

  @Test
  void closingAPendingSessionStopsOnboarding() {
    unavailable.set(1);
    AgentSession session = AgentIdentity.openForClient(options().build());
    session.close();

    assertThat(session.ensureIdentity()).isFalse();
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(StateDirectory.of(stateDir).isOnboarded()).isFalse();
  }

  @Test
  void aStateDirectoryUnderAFileIsRefusedBeforeAnyRequest() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");

    assertThatThrownBy(() -> AgentIdentity.openForClient(options(file.resolve("state")).build()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("is not a directory")
        .satisfies(e -> assertThat(((ConfigurationException) e).field()).isEqualTo("stateDirectory"));
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void withoutCredentialsAnEmptyStateDirectoryIsRefusedBeforeAnyRequest() {
    credentials = null;

    assertThatThrownBy(() -> AgentIdentity.openForClient(options().build()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("no workspace credentials");
    assertThat(server.getRequestCount()).isZero();
  }
}
