package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.LogAnalyticsException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caches the token of an {@link AccessTokenProvider} for one scope, as azure-core's {@code AccessTokenCache} does
 * (LOGS-INGESTION §2d).
 *
 * <ul>
 *   <li>A cached token is used until its refresh time: {@link AccessToken#refreshAt()} when the issuer gave one,
 *       else {@value #REFRESH_OFFSET_MINUTES} minutes before it expires.
 *   <li>One refresh at a time for all threads: callers that find the token due wait for the refresh in progress and
 *       take its result instead of starting their own.
 *   <li>After a failed refresh no new one starts for {@link #RETRY_DELAY} (by the injected clock): callers get the
 *       cached token while it has not expired, else the failure of the last refresh again.
 *   <li>{@link #invalidate()} (after a 401) drops the token so that the next call refreshes at once, also within the
 *       retry delay.
 * </ul>
 *
 * <p>Internal, not API. Thread-safe. {@link #toString()} shows the scope and the expiry, never the token.
 */
public final class TokenCache {
  private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);
  /** Minutes before expiry a token is refreshed when the issuer did not say when. */
  public static final int REFRESH_OFFSET_MINUTES = 5;
  /** How long after a failed refresh the next one may start. */
  public static final Duration RETRY_DELAY = Duration.ofSeconds(30);

  private final AccessTokenProvider provider;
  private final String scope;
  private final Clock clock;
  private final Object refreshLock = new Object();
  private volatile AccessToken token;
  /** Guarded by {@link #refreshLock}. */
  private Instant lastFailureAt;
  /** Guarded by {@link #refreshLock}. */
  private LogAnalyticsException lastFailure;

  /**
   * Creates the cache.
   *
   * @param provider where tokens come from
   * @param scope the scope asked for
   * @param clock the clock for expiry and the retry delay
   */
  public TokenCache(AccessTokenProvider provider, String scope, Clock clock) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.scope = Objects.requireNonNull(scope, "scope");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A token valid now, refreshed first when due.
   *
   * @return the token
   * @throws LogAnalyticsException when no valid token can be had: an {@link AuthenticationException} (not
   *     retryable) when the issuer refused the credentials, else a retryable one
   */
  public AccessToken get() {
    AccessToken t = token;
    Instant now = clock.instant();
    if (t != null && now.isBefore(refreshTime(t))) {
      return t;
    }
    synchronized (refreshLock) {
      t = token;
      now = clock.instant();
      if (t != null && now.isBefore(refreshTime(t))) {
        return t; // another thread refreshed it meanwhile
      }
      if (lastFailureAt != null && now.isBefore(lastFailureAt.plus(RETRY_DELAY))) {
        if (t != null && now.isBefore(t.expiresAt())) {
          return t;
        }
        throw lastFailure;
      }
      try {
        AccessToken fresh = provider.getToken(scope);
        if (fresh == null) {
          throw new LogAnalyticsException("the token provider " + provider.getClass().getName()
              + " returned no token", true);
        }
        token = fresh;
        lastFailureAt = null;
        lastFailure = null;
        LOG.debug("New access token for {}, valid until {}", scope, fresh.expiresAt());
        return fresh;
      } catch (RuntimeException e) {
        LogAnalyticsException failure = e instanceof LogAnalyticsException ? (LogAnalyticsException) e
            : new LogAnalyticsException("the token provider failed: " + e.getClass().getName(), true, e);
        lastFailureAt = now;
        lastFailure = failure;
        if (t != null && now.isBefore(t.expiresAt())) {
          LOG.warn("Refreshing the access token for {} failed; the current one is used until {} and a refresh is "
              + "tried again in {}: {}", scope, t.expiresAt(), RETRY_DELAY, failure.getMessage());
          return t;
        }
        throw failure;
      }
    }
  }

  /**
   * Drops the cached token (the service answered 401): the next {@link #get()} asks the provider at once.
   */
  public void invalidate() {
    synchronized (refreshLock) {
      token = null;
      lastFailureAt = null;
      lastFailure = null;
    }
  }

  /** @return when the cached token expires, empty when none is cached */
  public Optional<Instant> expiry() {
    AccessToken t = token;
    return t == null ? Optional.empty() : Optional.of(t.expiresAt());
  }

  /** @return the scope tokens are asked for */
  public String scope() {
    return scope;
  }

  private static Instant refreshTime(AccessToken t) {
    Instant offset = t.expiresAt().minus(Duration.ofMinutes(REFRESH_OFFSET_MINUTES));
    Instant at = t.refreshAt().orElse(offset);
    return at.isAfter(t.expiresAt()) ? offset : at;
  }

  @Override
  public String toString() {
    return "TokenCache{" + scope + ", expires " + expiry().map(Instant::toString).orElse("-") + "}";
  }
}
