package io.loganalytics.azure.identity;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@link AccessTokenProvider} over azure-identity's (or any azure-core) {@link TokenCredential}: lets a Logs
 * Ingestion client authenticate with {@code DefaultAzureCredential}, {@code ManagedIdentityCredential},
 * {@code ClientSecretCredential}, {@code AzureCliCredential} and the rest, instead of the SDK's built-in
 * {@link io.loganalytics.sdk.EntraCredential}.
 *
 * <pre>{@code
 * LogAnalyticsClient client = LogAnalyticsClient.builder()
 *     .logsIngestion(endpoint, dcr)
 *     .tokenProvider(AzureIdentityTokenProvider.of(new DefaultAzureCredentialBuilder().build()))
 *     .bufferDirectory(directory)
 *     .build();
 * }</pre>
 *
 * <h2>Scope</h2>
 * {@link #of(TokenCredential)} asks for the scope the client asks for: the ingestion scope of the client's
 * {@link CloudEnvironment} ({@code https://monitor.azure.com//.default} in the public cloud, the {@code .us} and
 * {@code .cn} forms in the sovereign clouds). {@link #of(TokenCredential, CloudEnvironment)} and
 * {@link #of(TokenCredential, String)} fix the scope instead, whatever the client asks for.
 *
 * <h2>Expiry</h2>
 * The token's {@code expiresAt} becomes {@link AccessToken#expiresAt()}; azure-core's {@code refreshAt} (Entra's
 * {@code refresh_in}), when the credential gives one before the expiry, becomes {@link AccessToken#refreshAt()}
 * (azure-identity reports "none" as 1970-01-01, which is ignored). The
 * client caches the token and asks again only 5 minutes before it expires (or at {@code refreshAt}), or after a 401.
 *
 * <h2>Failures</h2>
 * Nothing is retried here; the client's token cache tries again 30 seconds after a failure and keeps the records
 * buffered meanwhile.
 * <ul>
 *   <li>The issuer refused the credentials, or the credential is not available in this environment
 *       ({@link ClientAuthenticationException}, azure-identity's {@code CredentialUnavailableException}, or an
 *       {@link HttpResponseException} with a 4xx other than 408 and 429): an {@link AuthenticationException}, not
 *       retryable, reported to {@code LogAnalyticsListener.onAuthenticationFailure}. Its status is the issuer's
 *       HTTP status when known (azure-core's response, MSAL's {@code MsalServiceException}), else 0; its reason is
 *       the {@code AADSTS} code when a message names one, else the Azure exception's simple class name.
 *   <li>The issuer could not be reached (an {@link IOException} among the causes), answered 408, 429 or 5xx, did not
 *       answer within {@link #withTimeout(Duration) the timeout}, or the credential failed in any other way, or
 *       returned no token: a retryable {@link LogAnalyticsException} ({@link ServiceException} when there was an
 *       HTTP status).
 * </ul>
 * Messages quote the first line of the Azure exception's message (at most {@value #MAX_QUOTE} characters, with
 * anything shaped like a JWT or a {@code Bearer} value masked) and the class names of its causes. The Azure
 * exception is not attached as the cause: its chain holds request details the SDK cannot vouch for.
 *
 * <p>Immutable and thread-safe when the credential is (azure-identity's credentials are). {@link #toString()} names
 * the credential's class and the scope, never a token.
 */
public final class AzureIdentityTokenProvider implements AccessTokenProvider {
  static final int MAX_QUOTE = 300;
  private static final String MSAL_SERVICE_EXCEPTION = "com.microsoft.aad.msal4j.MsalServiceException";
  private static final String CREDENTIAL_UNAVAILABLE = "com.azure.identity.CredentialUnavailableException";
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{4,9})");
  /** A JWT (three base64url parts, the first starting with eyJ) or the value after "Bearer ". */
  private static final Pattern SECRET_SHAPED = Pattern.compile(
      "eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]*)?|(?i)(bearer\\s+)\\S+");

  private final TokenCredential credential;
  private final String scope;
  private final String tenantId;
  private final Duration timeout;

  private AzureIdentityTokenProvider(TokenCredential credential, String scope, String tenantId, Duration timeout) {
    this.credential = credential;
    this.scope = scope;
    this.tenantId = tenantId;
    this.timeout = timeout;
  }

  /**
   * A provider that asks the credential for the scope the client asks for, the ingestion scope of the client's
   * cloud.
   *
   * @param credential the credential, such as {@code new DefaultAzureCredentialBuilder().build()}
   * @return the provider
   * @throws ConfigurationException naming {@code credential} when it is {@code null}
   */
  public static AzureIdentityTokenProvider of(TokenCredential credential) {
    return new AzureIdentityTokenProvider(requireCredential(credential), null, null, null);
  }

  /**
   * A provider that always asks for the ingestion scope of {@code cloud}, whatever the client asks for.
   *
   * @param credential the credential
   * @param cloud the cloud whose {@link CloudEnvironment#ingestionScope()} to ask for
   * @return the provider
   * @throws ConfigurationException naming {@code credential} or {@code cloud} when it is {@code null}
   */
  public static AzureIdentityTokenProvider of(TokenCredential credential, CloudEnvironment cloud) {
    if (cloud == null) {
      throw new ConfigurationException("cloud", "is missing; use CloudEnvironment.AZURE_CLOUD, AZURE_US_GOVERNMENT "
          + "or AZURE_CHINA_CLOUD, or of(credential) to follow the client's cloud");
    }
    return new AzureIdentityTokenProvider(requireCredential(credential), cloud.ingestionScope(), null, null);
  }

  /**
   * A provider that always asks for {@code scope}, whatever the client asks for.
   *
   * @param credential the credential
   * @param scope the scope, a resource followed by {@code /.default}, such as
   *     {@code https://monitor.azure.com//.default}
   * @return the provider
   * @throws ConfigurationException naming {@code credential} or {@code scope} when it is missing, or {@code scope}
   *     when it does not end in {@code /.default} (client credentials accept nothing else) or holds whitespace
   */
  public static AzureIdentityTokenProvider of(TokenCredential credential, String scope) {
    return new AzureIdentityTokenProvider(requireCredential(credential), checkScope(scope), null, null);
  }

  /**
   * The same provider, asking for tokens of another tenant than the credential's own (azure-identity's
   * {@code TokenRequestContext.setTenantId}; the credential must allow it with {@code additionallyAllowedTenants}).
   *
   * @param tenantId the tenant id
   * @return a new provider
   * @throws ConfigurationException naming {@code tenantId} when it is blank or holds whitespace
   */
  public AzureIdentityTokenProvider withTenantId(String tenantId) {
    if (tenantId == null || tenantId.isBlank() || !tenantId.strip().equals(tenantId)
        || tenantId.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigurationException("tenantId", "'" + tenantId + "' is not a tenant id (a GUID or a domain such "
          + "as contoso.onmicrosoft.com)");
    }
    return new AzureIdentityTokenProvider(credential, scope, tenantId, timeout);
  }

  /**
   * The same provider, giving up on a credential that has not answered within {@code timeout} (a retryable
   * failure; the client tries again later). Without it the provider calls {@link TokenCredential#getTokenSync} and
   * relies on the credential's own HTTP timeouts; with it, {@link TokenCredential#getToken} is awaited for at most
   * {@code timeout}.
   *
   * @param timeout how long to wait, more than zero
   * @return a new provider
   * @throws ConfigurationException naming {@code timeout} when it is not positive
   */
  public AzureIdentityTokenProvider withTimeout(Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new ConfigurationException("timeout", "must be more than zero, was " + timeout);
    }
    return new AzureIdentityTokenProvider(credential, scope, tenantId, timeout);
  }

  @Override
  public AccessToken getToken(String requestedScope) {
    String asked = scope != null ? scope : checkScope(requestedScope);
    TokenRequestContext context = new TokenRequestContext().addScopes(asked);
    if (tenantId != null) {
      context.setTenantId(tenantId);
    }
    com.azure.core.credential.AccessToken azure;
    try {
      azure = timeout == null ? credential.getTokenSync(context) : credential.getToken(context).block(timeout);
    } catch (RuntimeException e) {
      throw map(e, asked);
    }
    if (azure == null || azure.getToken() == null || azure.getToken().isEmpty()) {
      throw new LogAnalyticsException(describe() + " returned no token for " + asked, true);
    }
    OffsetDateTime expires = azure.getExpiresAt();
    if (expires == null) {
      throw new LogAnalyticsException(describe() + " returned a token for " + asked + " without an expiry", true);
    }
    Instant expiresAt = expires.toInstant();
    AccessToken token = AccessToken.of(azure.getToken(), expiresAt);
    OffsetDateTime refresh = azure.getRefreshAt();
    // MSAL reports "no refresh_in" as 0 (azure-identity passes it on as 1970-01-01): only a later time counts.
    if (refresh != null && refresh.toInstant().isAfter(Instant.EPOCH) && refresh.toInstant().isBefore(expiresAt)) {
      token = token.withRefreshAt(refresh.toInstant());
    }
    return token;
  }

  private LogAnalyticsException map(RuntimeException e, String asked) {
    String what = describe() + " could not get a token for " + asked;
    if (timeout != null && e instanceof IllegalStateException
        && e.getCause() instanceof java.util.concurrent.TimeoutException) {
      return new LogAnalyticsException(what + ": no answer within " + timeout + "; will retry", true);
    }
    // An HTTP answer other than an authentication failure: its status decides.
    Throwable http = find(e, t -> t instanceof HttpResponseException && !(t instanceof ClientAuthenticationException));
    if (http != null) {
      int status = status(http);
      if (status == 0 || status == 408 || status == 429 || status >= 500) {
        return new ServiceException(what + " (HTTP " + status + "; " + quote(http) + "); will retry", status,
            http.getClass().getSimpleName(), null, true, null);
      }
      return refused(what, http, status);
    }
    // The issuer answered with an error. azure-identity's synchronous path wraps MSAL's exception
    // (RuntimeException > ExecutionException > MsalServiceException); its asynchronous path throws a
    // ClientAuthenticationException whose message holds the AADSTS code.
    Throwable answer = find(e, t -> t.getClass().getName().equals(MSAL_SERVICE_EXCEPTION));
    if (answer == null) {
      answer = find(e, t -> AADSTS.matcher(String.valueOf(t.getMessage())).find());
    }
    if (answer != null) {
      int status = msalStatus(answer);
      if (status == 0) {
        Throwable auth = find(e, ClientAuthenticationException.class::isInstance);
        status = auth == null ? 0 : status(auth);
      }
      return refused(what, answer, status);
    }
    if (hasIoCause(e)) {
      return new LogAnalyticsException(what + ": the token issuer could not be reached (" + quote(e) + "); will retry",
          true);
    }
    // Not available in this environment (CredentialUnavailableException), or refused without a code.
    Throwable auth = find(e, ClientAuthenticationException.class::isInstance);
    if (auth != null) {
      return refused(what, auth, status(auth));
    }
    return new LogAnalyticsException(what + " (" + quote(e) + "); will retry", true);
  }

  private static AuthenticationException refused(String what, Throwable cause, int status) {
    String code = aadsts(cause);
    return new AuthenticationException(what + ": the credential was refused or is not available here ("
        + quote(cause) + "). " + hint(code), status,
        code != null ? "AADSTS" + code : cause.getClass().getSimpleName(), null, null, false, null);
  }

  private static Throwable find(Throwable e, java.util.function.Predicate<Throwable> test) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
      if (test.test(t)) {
        return t;
      }
    }
    return null;
  }

  /** MSAL's HTTP status, read reflectively: msal4j need not be on the class path for other credentials. */
  private static int msalStatus(Throwable t) {
    if (!t.getClass().getName().equals(MSAL_SERVICE_EXCEPTION)) {
      return 0;
    }
    try {
      Object status = t.getClass().getMethod("statusCode").invoke(t);
      return status instanceof Integer ? (Integer) status : 0;
    } catch (ReflectiveOperationException | RuntimeException ignored) {
      return 0;
    }
  }

  private static String hint(String code) {
    if (code == null) {
      return "Check the credential's configuration (tenant, client id, secret or certificate, managed identity) "
          + "and that it can get tokens for Azure Monitor.";
    }
    switch (code) {
      case "7000215":
        return "The client secret is wrong: use the secret's value, not its ID.";
      case "7000222":
        return "The client secret has expired: create a new one in the app registration.";
      case "700016":
        return "The client id is not known in this tenant: check the client id and the tenant.";
      case "90002":
        return "The tenant does not exist: check the tenant id.";
      case "500011":
        return "The scope's resource is not known in this tenant: check the cloud (public, US Government, China).";
      default:
        return "See https://learn.microsoft.com/entra/identity-platform/reference-error-codes for AADSTS" + code
            + ".";
    }
  }

  private static int status(Throwable e) {
    if (e instanceof HttpResponseException) {
      HttpResponse response = ((HttpResponseException) e).getResponse();
      if (response != null) {
        return response.getStatusCode();
      }
    }
    return 0;
  }

  private static String aadsts(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
      Matcher m = AADSTS.matcher(String.valueOf(t.getMessage()));
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  private static boolean hasIoCause(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof IOException || t instanceof UncheckedIOException) {
        return true;
      }
    }
    return false;
  }

  /** The exception's class and first message line, then its causes' class names; tokens masked. */
  static String quote(Throwable e) {
    StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
    String message = e.getMessage();
    if (message != null && !message.isBlank()) {
      String line = message.strip();
      int nl = line.indexOf('\n');
      if (nl >= 0) {
        line = line.substring(0, nl).strip();
      }
      line = mask(line);
      if (line.length() > MAX_QUOTE) {
        line = line.substring(0, MAX_QUOTE) + "...";
      }
      b.append(": ").append(line);
    }
    int depth = 0;
    for (Throwable t = e.getCause(); t != null && t != e && depth < 5; t = t.getCause(), depth++) {
      b.append("; caused by ").append(t.getClass().getName());
    }
    return b.toString();
  }

  static String mask(String text) {
    Matcher m = SECRET_SHAPED.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement((m.group(2) == null ? "" : m.group(2)) + "***"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static TokenCredential requireCredential(TokenCredential credential) {
    if (credential == null) {
      throw new ConfigurationException("credential", "is missing; pass an azure-identity credential such as "
          + "new DefaultAzureCredentialBuilder().build()");
    }
    return credential;
  }

  private static String checkScope(String scope) {
    if (scope == null || scope.isBlank()) {
      throw new ConfigurationException("scope", "is missing; expected a resource followed by /.default, such as "
          + "https://monitor.azure.com//.default");
    }
    if (!scope.endsWith("/.default") || scope.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new ConfigurationException("scope", "'" + scope + "' is not a client-credential scope: a resource "
          + "followed by /.default, without whitespace, such as https://monitor.azure.com//.default");
    }
    return scope;
  }

  private String describe() {
    return "the azure-identity credential " + credential.getClass().getSimpleName();
  }

  /**
   * The fixed scope, if any.
   *
   * @return the scope this provider always asks for, or {@code null} when it asks for the client's
   */
  public String scope() {
    return scope;
  }

  @Override
  public String toString() {
    return "AzureIdentityTokenProvider{credential=" + credential.getClass().getName()
        + ", scope=" + (scope == null ? "<the client's cloud>" : scope)
        + (tenantId == null ? "" : ", tenantId=" + tenantId)
        + (timeout == null ? "" : ", timeout=" + timeout) + "}";
  }
}
