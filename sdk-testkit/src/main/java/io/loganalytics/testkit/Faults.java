package io.loganalytics.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Fault injection for a {@link WorkspaceEmulator}: scripted failures, connection resets, slow answers, a skewed
 * emulator clock and server-requested certificate renewal.
 *
 * <p>Scripted failures ({@link #failNext} and {@link #failNextWithReset}) form one queue, consumed in order: each
 * incoming request, on any endpoint, takes the head of the queue and is answered with that fault instead of being
 * processed (nothing it carries is stored). When the queue is empty, requests are processed normally. The other
 * settings apply to every request until changed.
 *
 * <p>Thread-safe: tests may script faults while clients are sending.
 */
public final class Faults {
  /** One scripted fault: a status answer, or a connection reset when {@code status == 0}. */
  static final class Fault {
    final int status;
    final Duration retryAfter; // null: no Retry-After header
    final boolean retryAfterAsHttpDate;

    Fault(int status, Duration retryAfter, boolean retryAfterAsHttpDate) {
      this.status = status;
      this.retryAfter = retryAfter;
      this.retryAfterAsHttpDate = retryAfterAsHttpDate;
    }

    boolean isReset() {
      return status == 0;
    }
  }

  private final ArrayDeque<Fault> scripted = new ArrayDeque<>();
  private Duration responseDelay = Duration.ZERO;
  private Duration clockSkew = Duration.ZERO;
  private boolean certificateUpdateRequested;
  private long certificateUpdateGeneration;

  Faults() {}

  /**
   * Answers the next {@code count} requests with {@code status}, optionally with a {@code Retry-After} header.
   *
   * @param count how many requests fail, at least 1
   * @param status an HTTP status from 300 to 599, such as 429, 500 or 503
   * @param retryAfter the wait to announce, or {@code null} for no {@code Retry-After} header; whole seconds are sent
   *     (rounded up)
   * @param retryAfterAsHttpDate {@code true} to send {@code Retry-After} as an HTTP date (emulator clock plus the
   *     wait), {@code false} for delta seconds
   * @return this
   * @throws IllegalArgumentException when count or status is out of range or retryAfter is negative
   */
  public synchronized Faults failNext(int count, int status, Duration retryAfter, boolean retryAfterAsHttpDate) {
    requirePositive(count);
    if (status < 300 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " is outside 300..599");
    }
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter: " + retryAfter + " is negative");
    }
    for (int i = 0; i < count; i++) {
      scripted.addLast(new Fault(status, retryAfter, retryAfterAsHttpDate));
    }
    return this;
  }

  /**
   * Drops the connection of the next {@code count} requests after reading them, before any answer: the client sees
   * an I/O error (unexpected end of stream or connection reset), as when a load balancer cuts the connection.
   *
   * @param count how many requests are cut off, at least 1
   * @return this
   * @throws IllegalArgumentException when count is less than 1
   */
  public synchronized Faults failNextWithReset(int count) {
    requirePositive(count);
    for (int i = 0; i < count; i++) {
      scripted.addLast(new Fault(0, null, false));
    }
    return this;
  }

  /**
   * Delays every answer (the status line and headers) by {@code delay}, in real time, to trigger client timeouts.
   *
   * @param delay the delay; {@link Duration#ZERO} turns it off
   * @return this
   * @throws IllegalArgumentException when delay is negative
   */
  public synchronized Faults slowResponses(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " is negative");
    }
    responseDelay = delay;
    return this;
  }

  /**
   * Shifts the emulator clock by {@code offset}: it affects the {@code Date} header of every answer, the check of
   * the clients' {@code x-ms-Date}/{@code x-ms-date} headers, certificate expiry and the time of stored records.
   * A positive offset makes the emulator's time run ahead of the client's.
   *
   * @param offset the offset, positive or negative; {@link Duration#ZERO} turns it off
   * @return this
   */
  public synchronized Faults clockSkew(Duration offset) {
    clockSkew = Objects.requireNonNull(offset, "offset");
    return this;
  }

  /**
   * Makes heartbeats answer {@code updateCertificate="true"} (or stops it). An agent is asked to renew only until it
   * renews: an agent whose certificate was registered (by renewal or onboarding) after this call gets
   * {@code "false"} again, so a client that verifies its renewal with a heartbeat is not asked to renew in a loop.
   *
   * @param requested whether heartbeats ask for renewal
   * @return this
   */
  public synchronized Faults requestCertificateUpdate(boolean requested) {
    certificateUpdateRequested = requested;
    if (requested) {
      certificateUpdateGeneration++;
    }
    return this;
  }

  /**
   * Removes every scripted fault and resets the delay, the clock skew and the renewal request.
   *
   * @return this
   */
  public synchronized Faults clear() {
    scripted.clear();
    responseDelay = Duration.ZERO;
    clockSkew = Duration.ZERO;
    certificateUpdateRequested = false;
    return this;
  }

  /**
   * How many scripted faults are still waiting.
   *
   * @return the number of requests that will still fail
   */
  public synchronized int pending() {
    return scripted.size();
  }

  synchronized Fault poll() {
    return scripted.pollFirst();
  }

  synchronized Duration responseDelay() {
    return responseDelay;
  }

  synchronized Duration clockSkewValue() {
    return clockSkew;
  }

  /**
   * The generation at or after which a registered certificate no longer needs renewal, or -1 when no renewal is
   * requested.
   */
  synchronized long certificateUpdateGeneration() {
    return certificateUpdateRequested ? certificateUpdateGeneration : -1;
  }

  /** The current generation, stamped on every newly registered certificate. */
  synchronized long currentGeneration() {
    return certificateUpdateGeneration;
  }

  private static void requirePositive(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count: " + count + " is less than 1");
    }
  }

  @Override
  public synchronized String toString() {
    return "Faults{pending=" + scripted.size() + ", responseDelay=" + responseDelay + ", clockSkew=" + clockSkew
        + ", certificateUpdateRequested=" + certificateUpdateRequested + "}";
  }
}
