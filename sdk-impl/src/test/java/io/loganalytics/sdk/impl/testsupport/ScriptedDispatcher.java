package io.loganalytics.sdk.impl.testsupport;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

/**
 * A MockWebServer dispatcher that answers from a script (then with a default, 200 unless changed), and records every
 * request with the fake clock's time when it arrived, so tests can assert the retry schedule. Thread-safe.
 */
public final class ScriptedDispatcher extends Dispatcher {
  private final Clock clock;
  private final Deque<MockResponse> script = new ArrayDeque<>();
  private final List<RecordedRequest> requests = new ArrayList<>();
  private final List<Instant> times = new ArrayList<>();
  private Function<RecordedRequest, MockResponse> fallback = r -> ok();

  /**
   * Creates a dispatcher.
   *
   * @param clock the clock whose time each request is recorded with
   */
  public ScriptedDispatcher(Clock clock) {
    this.clock = clock;
  }

  /** @return a 200 */
  public static MockResponse ok() {
    return new MockResponse.Builder().code(200).build();
  }

  /**
   * An answer with a status and body.
   *
   * @param code the status
   * @param body the body
   * @return the answer
   */
  public static MockResponse status(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  /** @return an answer that drops the connection instead (an I/O error for the client) */
  public static MockResponse disconnect() {
    return new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build();
  }

  /**
   * Adds answers to the script.
   *
   * @param responses the answers, in order
   * @return this
   */
  public synchronized ScriptedDispatcher then(MockResponse... responses) {
    script.addAll(List.of(responses));
    return this;
  }

  /**
   * Answers with this once the script is used up.
   *
   * @param fallback computes the answer from the request
   * @return this
   */
  public synchronized ScriptedDispatcher otherwise(Function<RecordedRequest, MockResponse> fallback) {
    this.fallback = fallback;
    return this;
  }

  @Override
  public synchronized MockResponse dispatch(RecordedRequest request) {
    requests.add(request);
    times.add(clock.instant());
    MockResponse next = script.pollFirst();
    return next != null ? next : fallback.apply(request);
  }

  /** @return the requests received, in order */
  public synchronized List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** @return when each request arrived, by the fake clock */
  public synchronized List<Instant> times() {
    return List.copyOf(times);
  }
}
