package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.testsupport.FakeAgentSession;
import io.loganalytics.sdk.impl.testsupport.FakeSleeper;
import io.loganalytics.sdk.impl.testsupport.InMemoryDiskBuffer;
import io.loganalytics.sdk.impl.testsupport.OkHttpTestExecutor;
import io.loganalytics.sdk.impl.testsupport.ScriptedDispatcher;
import io.loganalytics.sdk.impl.testsupport.TestData;
import io.loganalytics.testkit.MutableClock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The uploader on the agent path with a session that has no identity yet ({@link AgentSession#ensureIdentity()}
 * answers {@code false}): nothing is read from the buffer, flush reports the records as still buffered, attempts are
 * spaced by the retry policy's backoff (which a flush does not cut short), close leaves the records on disk, and the
 * records go once the identity comes.
 */
class IdentityGateTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @StartStop
  private final MockWebServer server = new MockWebServer();

  private final MutableClock clock = MutableClock.at("2026-01-05T10:00:00Z");
  private final OkHttpTestExecutor executor = new OkHttpTestExecutor();
  private final ScriptedDispatcher dispatcher = new ScriptedDispatcher(clock);
  private final InMemoryDiskBuffer buffer = new InMemoryDiskBuffer(clock);
  private DefaultLogAnalyticsClient client;

  @BeforeEach
  void setUp() {
    server.setDispatcher(dispatcher);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close(Duration.ofSeconds(5));
    }
    executor.shutdown();
  }

  private DefaultLogAnalyticsClient start(Duration backoff, GatedSession session) {
    LogAnalyticsClientBuilder config = LogAnalyticsClient.builder()
        .credentials(WorkspaceCredentials.of(TestData.WORKSPACE_ID, TestData.PRIMARY_KEY))
        .transport(Transport.AGENT_CERTIFICATE)
        .stateDirectory(Path.of("unused"))
        .bufferDirectory(Path.of("unused-in-memory"))
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofHours(1)).initialBackoff(backoff)
            .maxBackoff(backoff).jitter(0).build())
        .clock(clock);
    client = DefaultLogAnalyticsClient.createAgent(config, l -> buffer, session, new FakeSleeper(clock), () -> 0.5);
    return client;
  }

  private GatedSession session(int refusals) {
    return new GatedSession(new FakeAgentSession(executor,
        URI.create(server.url("/OperationalData.svc/PostJsonDataItems").toString()), clock.instant()), refusals);
  }

  @Test
  void recordsStayBufferedUntilTheSessionHasAnIdentityThenGo() {
    GatedSession session = session(2);
    DefaultLogAnalyticsClient c = start(Duration.ofMillis(1), session);
    c.send("Events", Map.of("n", 1));
    c.send("Events", Map.of("n", 2));

    assertThat(c.flush(WAIT)).isTrue();

    assertThat(session.calls.get()).isEqualTo(3);
    assertThat(dispatcher.requests()).hasSize(1);
    assertThat(c.stats().recordsSent()).isEqualTo(2);
  }

  @Test
  void withoutIdentityNothingIsReadFlushDoesNotCutTheBackoffShortAndCloseKeepsTheRecords() throws Exception {
    GatedSession session = session(Integer.MAX_VALUE);
    DefaultLogAnalyticsClient c = start(Duration.ofHours(1), session);
    c.send("Events", Map.of("n", 1));

    assertThat(c.flush(Duration.ofMillis(50))).isFalse(); // wakes the uploader: the first attempt
    assertThat(session.firstCall.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(c.flush(Duration.ofMillis(50))).isFalse(); // inside the one-hour backoff: no second attempt

    assertThat(c.close(Duration.ofSeconds(5))).isFalse();
    assertThat(session.calls.get()).isEqualTo(1);
    assertThat(dispatcher.requests()).isEmpty();
    assertThat(c.stats().bufferedRecords()).isEqualTo(1);
    assertThat(buffer.isClosed()).isTrue();
    assertThat(buffer.contents()).hasSize(1);
  }

  /** A session that refuses to have an identity for its first {@code refusals} calls. */
  private static final class GatedSession implements AgentSession {
    final AgentSession delegate;
    final int refusals;
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch firstCall = new CountDownLatch(1);

    GatedSession(AgentSession delegate, int refusals) {
      this.delegate = delegate;
      this.refusals = refusals;
    }

    @Override
    public boolean ensureIdentity() {
      int n = calls.incrementAndGet();
      firstCall.countDown();
      return n > refusals;
    }

    @Override
    public HttpExecutor executor() {
      return delegate.executor();
    }

    @Override
    public URI uploadUri() {
      return delegate.uploadUri();
    }

    @Override
    public String agentGuid() {
      return delegate.agentGuid();
    }

    @Override
    public Instant certificateExpiry() {
      return delegate.certificateExpiry();
    }

    @Override
    public void onAuthenticationFailure(int status) {
      delegate.onAuthenticationFailure(status);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
