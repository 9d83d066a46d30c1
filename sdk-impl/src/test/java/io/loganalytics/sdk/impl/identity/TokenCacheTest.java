package io.loganalytics.sdk.impl.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The token cache by an injected clock: no test here waits for time to pass. */
class TokenCacheTest {
  private static final String SCOPE = "https://monitor.azure.com//.default";

  private final MutableClock clock = MutableClock.at("2026-12-05T12:00:00Z");
  private final Instant t0 = clock.instant();

  /** Answers each call with what {@code next} says for the call number (1-based); counts the calls. */
  private static final class Provider implements AccessTokenProvider {
    final AtomicInteger calls = new AtomicInteger();
    volatile Function<Integer, AccessToken> next;

    Provider(Function<Integer, AccessToken> next) {
      this.next = next;
    }

    @Override
    public AccessToken getToken(String scope) {
      assertThat(scope).isEqualTo(SCOPE);
      return next.apply(calls.incrementAndGet());
    }
  }

  private Provider lasting(Duration lifetime) {
    return new Provider(n -> AccessToken.of("secret-token-" + n, clock.instant().plus(lifetime)));
  }

  @Test
  void aTokenIsReusedUntilFiveMinutesBeforeItExpiresThenRefreshed() {
    Provider p = lasting(Duration.ofMinutes(60));
    TokenCache cache = new TokenCache(p, SCOPE, clock);

    assertThat(cache.get().token()).isEqualTo("secret-token-1");
    clock.set(t0.plus(Duration.ofMinutes(55)).minusMillis(1));
    assertThat(cache.get().token()).isEqualTo("secret-token-1");
    assertThat(p.calls.get()).isEqualTo(1);

    clock.set(t0.plus(Duration.ofMinutes(55)));
    assertThat(cache.get().token()).isEqualTo("secret-token-2");
    assertThat(p.calls.get()).isEqualTo(2);
    assertThat(cache.expiry()).contains(t0.plus(Duration.ofMinutes(115)));
  }

  @Test
  void theIssuersRefreshInIsHonouredWhenEarlierThanExpiry() {
    Provider p = new Provider(n -> AccessToken.of("secret-token-" + n, clock.instant().plus(Duration.ofHours(24)))
        .withRefreshAt(clock.instant().plus(Duration.ofHours(12))));
    TokenCache cache = new TokenCache(p, SCOPE, clock);

    cache.get();
    clock.set(t0.plus(Duration.ofHours(12)).minusSeconds(1));
    assertThat(cache.get().token()).isEqualTo("secret-token-1");
    clock.set(t0.plus(Duration.ofHours(12)));
    assertThat(cache.get().token()).isEqualTo("secret-token-2");
  }

  @Test
  void aRefreshTimeAfterExpiryIsIgnoredInFavourOfFiveMinutesAhead() {
    Provider p = new Provider(n -> AccessToken.of("secret-token-" + n, clock.instant().plus(Duration.ofHours(1)))
        .withRefreshAt(clock.instant().plus(Duration.ofHours(2))));
    TokenCache cache = new TokenCache(p, SCOPE, clock);

    cache.get();
    clock.set(t0.plus(Duration.ofMinutes(55)));
    assertThat(cache.get().token()).isEqualTo("secret-token-2");
  }

  @Test
  void aShortLivedTokenIsRefreshedAtEveryCallRatherThanUsedPastItsRefreshTime() {
    // A token living less than five minutes is due at once: every call asks, none sends a stale one.
    Provider p = lasting(Duration.ofMinutes(4));
    TokenCache cache = new TokenCache(p, SCOPE, clock);

    cache.get();
    cache.get();
    assertThat(p.calls.get()).isEqualTo(2);
  }

  @Test
  void manyThreadsFindingTheTokenDueShareOneRefresh() throws Exception {
    CountDownLatch inProvider = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Provider p = new Provider(n -> {
      inProvider.countDown();
      try {
        assertThat(release.await(10, TimeUnit.SECONDS)).as("released by the test").isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return AccessToken.of("secret-token-" + n, clock.instant().plus(Duration.ofHours(1)));
    });
    TokenCache cache = new TokenCache(p, SCOPE, clock);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Thread> workers = new ArrayList<>();
    try {
      List<Future<String>> results = new ArrayList<>();
      CountDownLatch started = new CountDownLatch(threads);
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          synchronized (workers) {
            workers.add(Thread.currentThread());
          }
          started.countDown();
          return cache.get().token();
        }));
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(inProvider.await(10, TimeUnit.SECONDS)).isTrue();
      // The others must be queued behind the refresh (blocked on its lock) before it ends; a condition, not a sleep.
      awaitBlocked(workers, threads - 1);
      release.countDown();

      for (Future<String> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("secret-token-1");
      }
      assertThat(p.calls.get()).isEqualTo(1);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  private static void awaitBlocked(List<Thread> workers, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      int blocked = 0;
      synchronized (workers) {
        for (Thread t : workers) {
          if (t.getState() == Thread.State.BLOCKED) {
            blocked++;
          }
        }
      }
      if (blocked >= expected) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + blocked + " of " + expected + " threads wait for the refresh");
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  @Test
  void aFailedRefreshKeepsTheValidTokenReportsItAndRetriesAfterTheDelayOnly() {
    AtomicInteger failing = new AtomicInteger();
    Provider p = new Provider(n -> {
      if (n > 1 && failing.get() > 0) {
        throw new ServiceException("The token endpoint answered HTTP 503", 503, null, null, true, null);
      }
      return AccessToken.of("secret-token-" + n, clock.instant().plus(Duration.ofMinutes(60)));
    });
    TokenCache cache = new TokenCache(p, SCOPE, clock);
    cache.get();
    failing.set(1);
    clock.set(t0.plus(Duration.ofMinutes(56)));

    String log = captureStdErr(() -> assertThat(cache.get().token()).isEqualTo("secret-token-1"));

    assertThat(p.calls.get()).isEqualTo(2);
    assertThat(log).contains("WARN").contains("Refreshing the access token for " + SCOPE + " failed")
        .contains(t0.plus(Duration.ofMinutes(60)).toString()).contains("HTTP 503").doesNotContain("secret-token");
    // Within the retry delay: no new request, the old token still served.
    clock.advance(TokenCache.RETRY_DELAY.minusSeconds(1));
    assertThat(cache.get().token()).isEqualTo("secret-token-1");
    assertThat(p.calls.get()).isEqualTo(2);
    // After it: tried again.
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get().token()).isEqualTo("secret-token-1");
    assertThat(p.calls.get()).isEqualTo(3);
    // Expired and the issuer still failing: the failure, never the expired token.
    clock.set(t0.plus(Duration.ofMinutes(60)));
    assertThatThrownBy(cache::get).isInstanceOf(ServiceException.class).hasMessageContaining("HTTP 503")
        .satisfies(e -> assertThat(((LogAnalyticsException) e).isRetryable()).isTrue());
    int callsAfterExpiry = p.calls.get();
    // Within the delay the same failure comes back without asking the issuer again.
    assertThatThrownBy(cache::get).isInstanceOf(ServiceException.class);
    assertThat(p.calls.get()).isEqualTo(callsAfterExpiry);
    // The issuer recovers: a new token after the delay.
    failing.set(0);
    clock.advance(TokenCache.RETRY_DELAY);
    assertThat(cache.get().token()).startsWith("secret-token-");
    assertThat(cache.get().token()).isNotEqualTo("secret-token-1");
  }

  @Test
  void aRefusalOfTheCredentialsIsPassedOnAsTheIssuersAuthenticationException() {
    AuthenticationException refused = new AuthenticationException("Microsoft Entra ID refused the client secret "
        + "credential (AADSTS7000215)", 401, "AADSTS7000215", null, null, false, null);
    TokenCache cache = new TokenCache(new Provider(n -> {
      throw refused;
    }), SCOPE, clock);

    assertThatThrownBy(cache::get).isSameAs(refused);
    assertThat(cache.expiry()).isEmpty();
  }

  @Test
  void invalidateAfterA401AsksTheIssuerAtOnceEvenWithinTheRetryDelay() {
    AtomicInteger failNext = new AtomicInteger();
    Provider p = new Provider(n -> {
      if (failNext.getAndSet(0) > 0) {
        throw new ServiceException("HTTP 500", 500, null, null, true, null);
      }
      return AccessToken.of("secret-token-" + n, clock.instant().plus(Duration.ofMinutes(60)));
    });
    TokenCache cache = new TokenCache(p, SCOPE, clock);
    cache.get();
    clock.advance(Duration.ofMinutes(56));
    failNext.set(1);
    assertThat(cache.get().token()).isEqualTo("secret-token-1"); // refresh failed, old one kept

    cache.invalidate();

    assertThat(cache.expiry()).isEmpty();
    assertThat(cache.get().token()).isEqualTo("secret-token-3");
    assertThat(p.calls.get()).isEqualTo(3);
  }

  @Test
  void aProviderReturningNothingOrFailingUnexpectedlyIsARetryableFailureNamingTheProvider() {
    TokenCache none = new TokenCache(new Provider(n -> null), SCOPE, clock);
    assertThatThrownBy(none::get).isInstanceOf(LogAnalyticsException.class).hasMessageContaining("returned no token")
        .satisfies(e -> assertThat(((LogAnalyticsException) e).isRetryable()).isTrue());

    TokenCache broken = new TokenCache(new Provider(n -> {
      throw new IllegalStateException("secret-in-a-bug-message");
    }), SCOPE, clock);
    assertThatThrownBy(broken::get).isInstanceOf(LogAnalyticsException.class)
        .hasMessageContaining("IllegalStateException")
        .satisfies(e -> assertThat(((LogAnalyticsException) e).isRetryable()).isTrue());
  }

  @Test
  void toStringShowsScopeAndExpiryNeverTheToken() {
    TokenCache cache = new TokenCache(lasting(Duration.ofMinutes(60)), SCOPE, clock);
    assertThat(cache.toString()).contains(SCOPE).contains("expires -");
    cache.get();
    assertThat(cache.toString()).contains(t0.plus(Duration.ofMinutes(60)).toString()).doesNotContain("secret-token");
    assertThat(cache.get().toString()).doesNotContain("secret-token");
  }

  private static String captureStdErr(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
