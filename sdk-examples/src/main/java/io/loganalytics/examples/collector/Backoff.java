package io.loganalytics.examples.collector;

import java.time.Duration;

/**
 * The wait between attempts to hand a record to a buffer that refused it with a retryable error (a full buffer, a
 * full disk): {@value #FIRST_MS} ms, doubling on every refusal up to {@value #CAP_MS} ms, back to the start after a
 * success. The waiting itself is done by a {@link Sleeper}, so tests never wait in real time.
 *
 * <p>Not thread-safe: one instance per input thread.
 */
final class Backoff {
  static final long FIRST_MS = 100;
  static final long CAP_MS = 5_000;

  /** Waits; injected so that tests do not wait in real time. */
  @FunctionalInterface
  interface Sleeper {
    /**
     * Waits for about {@code d}; may return early (when asked to stop).
     *
     * @param d how long
     * @throws InterruptedException when interrupted
     */
    void sleep(Duration d) throws InterruptedException;
  }

  private long nextMs = FIRST_MS;

  /** @return the wait before the next attempt; each call doubles the following one, up to the cap */
  Duration next() {
    long d = nextMs;
    nextMs = Math.min(CAP_MS, nextMs * 2);
    return Duration.ofMillis(d);
  }

  /** Starts again from the first wait (after a success). */
  void reset() {
    nextMs = FIRST_MS;
  }
}
