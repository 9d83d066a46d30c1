package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.impl.upload.Sleeper;
import io.loganalytics.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Sleeper} that never sleeps: it records each wait and the time it started, and moves a {@link MutableClock}
 * by it. In {@linkplain #blockFrom(int) blocking mode} the n-th wait blocks (without moving the clock) until
 * {@link #wakeUp()}, so a test can close a client in the middle of a backoff. Thread-safe.
 */
public final class FakeSleeper implements Sleeper {
  private final MutableClock clock;
  private final List<Duration> waits = new ArrayList<>();
  private final List<Instant> startedAt = new ArrayList<>();
  private final CountDownLatch blocked = new CountDownLatch(1);
  private int blockFrom = Integer.MAX_VALUE;
  private boolean wakePending;

  /**
   * Creates the sleeper.
   *
   * @param clock the clock it moves
   */
  public FakeSleeper(MutableClock clock) {
    this.clock = clock;
  }

  /**
   * From the n-th wait on (1-based), block until woken instead of moving the clock.
   *
   * @param n the first wait that blocks
   * @return this
   */
  public synchronized FakeSleeper blockFrom(int n) {
    this.blockFrom = n;
    return this;
  }

  @Override
  public synchronized boolean sleep(Duration duration) throws InterruptedException {
    waits.add(duration);
    startedAt.add(clock.instant());
    if (waits.size() >= blockFrom) {
      blocked.countDown();
      while (!wakePending) {
        wait();
      }
      wakePending = false;
      return false;
    }
    if (wakePending) {
      wakePending = false;
      return false;
    }
    clock.advance(duration);
    return true;
  }

  @Override
  public synchronized void wakeUp() {
    wakePending = true;
    notifyAll();
  }

  /**
   * Waits (on a latch, not on time) until a wait blocks.
   *
   * @throws InterruptedException when interrupted
   */
  public void awaitBlocked() throws InterruptedException {
    blocked.await();
  }

  /**
   * Waits (on a latch) until a wait blocks, at most {@code timeout}: a safety net so that a regression fails the
   * test instead of hanging it.
   *
   * @param timeout the most to wait
   * @param unit its unit
   * @return whether a wait blocked
   * @throws InterruptedException when interrupted
   */
  public boolean awaitBlocked(long timeout, TimeUnit unit) throws InterruptedException {
    return blocked.await(timeout, unit);
  }

  /** @return the waits asked for, in order */
  public synchronized List<Duration> waits() {
    return List.copyOf(waits);
  }

  /** @return when each wait started, by the fake clock */
  public synchronized List<Instant> startedAt() {
    return List.copyOf(startedAt);
  }
}
