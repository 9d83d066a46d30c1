package io.loganalytics.sdk;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A bearer token from Microsoft Entra ID (or any issuer an {@link AccessTokenProvider} speaks to), with its expiry.
 * The token is opaque: the SDK never parses it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the token.
 */
public final class AccessToken {
  private final String token;
  private final Instant expiresAt;
  private final Instant refreshAt;

  private AccessToken(String token, Instant expiresAt, Instant refreshAt) {
    this.token = token;
    this.expiresAt = expiresAt;
    this.refreshAt = refreshAt;
  }

  /**
   * A token that the SDK refreshes 5 minutes before it expires.
   *
   * @param token the bearer token, not blank and without whitespace or control characters (it travels in a header)
   * @param expiresAt when the token expires
   * @return the token
   * @throws ConfigurationException naming {@code token} when it is blank or holds whitespace or control characters
   *     (the message never shows the token)
   */
  public static AccessToken of(String token, Instant expiresAt) {
    return new AccessToken(validate(token), Objects.requireNonNull(expiresAt, "expiresAt"), null);
  }

  /**
   * The same token, refreshed from {@code refreshAt} on instead of 5 minutes before expiry (Entra's
   * {@code refresh_in}).
   *
   * @param refreshAt when to refresh, before {@link #expiresAt()}
   * @return a token with that refresh time
   */
  public AccessToken withRefreshAt(Instant refreshAt) {
    return new AccessToken(token, expiresAt, Objects.requireNonNull(refreshAt, "refreshAt"));
  }

  private static String validate(String token) {
    if (token == null || token.isEmpty()) {
      throw new ConfigurationException("token", "is empty; the token issuer returned no access token");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new ConfigurationException("token", "holds whitespace, a control or a non-ASCII character at "
            + "position " + (i + 1) + " of " + token.length() + "; it must travel in an HTTP header");
      }
    }
    return token;
  }

  /**
   * The bearer token. Never log it.
   *
   * @return the token
   */
  public String token() {
    return token;
  }

  /**
   * When the token expires.
   *
   * @return the expiry
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * When the issuer asked to refresh the token, if it did.
   *
   * @return the refresh time, or empty for the default (5 minutes before {@link #expiresAt()})
   */
  public Optional<Instant> refreshAt() {
    return Optional.ofNullable(refreshAt);
  }

  @Override
  public String toString() {
    return "AccessToken{expiresAt=" + expiresAt + (refreshAt == null ? "" : ", refreshAt=" + refreshAt)
        + ", token=***}";
  }
}
