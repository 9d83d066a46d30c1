package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/**
 * Nothing thrown inside a scheduled agent task escapes it (a real scheduler would bury it in a Future; the manual
 * scheduler runs tasks on the test's thread, so an escape fails the test), and the schedule goes on.
 */
class ScheduledTaskFailureTest extends AgentTestBase {

  /** The session's clock; throws what it is armed with, to fail a task from deep inside. */
  static final class ArmedClock extends Clock {
    final Clock delegate;
    volatile Runnable failure;

    ArmedClock(Clock delegate) {
      this.delegate = delegate;
    }

    @Override
    public ZoneId getZone() {
      return delegate.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      Runnable f = failure;
      if (f != null) {
        f.run();
      }
      return delegate.instant();
    }
  }

  final ArmedClock armed = new ArmedClock(clock);

  DefaultAgentSession open() {
    return (DefaultAgentSession) AgentIdentity.open(options().clock(armed).build());
  }

  @Test
  void anErrorInTheHeartbeatAndTheCheckIsCaughtAndBothKeepTheirSchedule() throws Exception {
    try (DefaultAgentSession session = open()) {
      scheduler.runDue();
      int heartbeats = service.calls("heartbeat").size();
      armed.failure = () -> {
        throw new NoClassDefFoundError("simulated/Missing");
      };

      assertThatCode(() -> scheduler.advance(Duration.ofMinutes(20))).doesNotThrowAnyException();

      armed.failure = null;
      assertThat(scheduler.pending()).as("heartbeat and check are scheduled again").isEqualTo(2);
      scheduler.advance(Duration.ofMinutes(20));
      assertThat(service.calls("heartbeat")).hasSize(heartbeats + 1);
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }

  @Test
  void anExceptionInTheHeartbeatAfterARefusedRequestIsCaught() throws Exception {
    try (DefaultAgentSession session = open()) {
      scheduler.runDue();
      session.onAuthenticationFailure(403);
      armed.failure = () -> {
        throw new IllegalStateException("simulated");
      };

      assertThatCode(scheduler::runDue).doesNotThrowAnyException();

      armed.failure = null;
      scheduler.advance(Duration.ofMinutes(20));
      assertThat(service.calls("heartbeat")).last().extracting(c -> c.status).isEqualTo(200);
      assertThat(upload(session).status()).isEqualTo(200);
    }
  }
}
