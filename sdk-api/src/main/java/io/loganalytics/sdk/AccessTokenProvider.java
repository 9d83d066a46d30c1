package io.loganalytics.sdk;

/**
 * Obtains bearer tokens for the {@link Transport#LOGS_INGESTION} transport. The SDK's built-in Entra ID credentials
 * are described by {@link EntraCredential}; implement this interface to bring your own, for example an adapter over
 * azure-identity's {@code TokenCredential} (the {@code sdk-azure-identity} module ships one).
 *
 * <p>The SDK caches what this returns and asks again only shortly before the token expires (5 minutes ahead, or at
 * {@link AccessToken#refreshAt()}), or once after the service answered 401. It calls one refresh at a time for all
 * threads, from its uploader thread, so an implementation may block on the network but should not take longer than
 * a few seconds.
 *
 * <p>Failures: throw an {@link AuthenticationException} (not retryable) when the issuer refused the credentials (a
 * wrong secret, an unknown client): the client keeps the records buffered and reports the failure to
 * {@link LogAnalyticsListener#onAuthenticationFailure}; throw any other {@link LogAnalyticsException} marked
 * retryable when the issuer could not be reached. Messages must never contain a secret or a token.
 */
@FunctionalInterface
public interface AccessTokenProvider {
  /**
   * A token for one scope.
   *
   * @param scope the scope, such as {@code https://monitor.azure.com//.default} ({@link
   *     CloudEnvironment#ingestionScope()})
   * @return a token that is valid now
   * @throws LogAnalyticsException when no token could be had; see the class description
   */
  AccessToken getToken(String scope);
}
