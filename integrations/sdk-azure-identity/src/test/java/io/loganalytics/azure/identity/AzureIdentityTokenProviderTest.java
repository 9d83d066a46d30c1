package io.loganalytics.azure.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.identity.CredentialUnavailableException;
import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class AzureIdentityTokenProviderTest {
  private static final String TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJtb25pdG9yIn0.c2lnbmF0dXJl";
  private static final OffsetDateTime EXPIRES = OffsetDateTime.of(2026, 12, 5, 18, 0, 0, 0, ZoneOffset.ofHours(1));

  /** A TokenCredential that records every request and answers with what the test says. */
  private static final class FakeCredential implements TokenCredential {
    final List<TokenRequestContext> requests = new ArrayList<>();
    final Function<TokenRequestContext, com.azure.core.credential.AccessToken> answer;
    final AtomicReference<Mono<com.azure.core.credential.AccessToken>> async = new AtomicReference<>();

    FakeCredential(Function<TokenRequestContext, com.azure.core.credential.AccessToken> answer) {
      this.answer = answer;
    }

    @Override
    public Mono<com.azure.core.credential.AccessToken> getToken(TokenRequestContext request) {
      requests.add(request);
      Mono<com.azure.core.credential.AccessToken> m = async.get();
      return m != null ? m : Mono.fromSupplier(() -> answer.apply(request));
    }

    @Override
    public com.azure.core.credential.AccessToken getTokenSync(TokenRequestContext request) {
      requests.add(request);
      return answer.apply(request);
    }
  }

  private static FakeCredential answering(com.azure.core.credential.AccessToken token) {
    return new FakeCredential(r -> token);
  }

  private static FakeCredential failing(RuntimeException e) {
    return new FakeCredential(r -> {
      throw e;
    });
  }

  @Test
  void asksForTheScopeTheClientAsksForAndMapsTheExpiry() {
    FakeCredential credential = answering(new com.azure.core.credential.AccessToken(TOKEN, EXPIRES));
    AzureIdentityTokenProvider provider = AzureIdentityTokenProvider.of(credential);

    AccessToken token = provider.getToken(CloudEnvironment.AZURE_US_GOVERNMENT.ingestionScope());

    assertThat(token.token()).isEqualTo(TOKEN);
    assertThat(token.expiresAt()).isEqualTo(Instant.parse("2026-12-05T17:00:00Z"));
    assertThat(credential.requests).singleElement().satisfies(r -> {
      assertThat(r.getScopes()).containsExactly("https://monitor.azure.us//.default");
      assertThat(r.getTenantId()).isNull();
    });
  }

  @Test
  void aFixedCloudOrScopeWinsOverWhatTheClientAsksFor() {
    FakeCredential credential = answering(new com.azure.core.credential.AccessToken(TOKEN, EXPIRES));
    AzureIdentityTokenProvider.of(credential, CloudEnvironment.AZURE_CHINA_CLOUD)
        .getToken(CloudEnvironment.AZURE_CLOUD.ingestionScope());
    AzureIdentityTokenProvider.of(credential, "https://monitor.azure.com/.default")
        .withTenantId("contoso.onmicrosoft.com")
        .getToken(CloudEnvironment.AZURE_CLOUD.ingestionScope());

    assertThat(credential.requests).hasSize(2);
    assertThat(credential.requests.get(0).getScopes()).containsExactly("https://monitor.azure.cn//.default");
    assertThat(credential.requests.get(1).getScopes()).containsExactly("https://monitor.azure.com/.default");
    assertThat(credential.requests.get(1).getTenantId()).isEqualTo("contoso.onmicrosoft.com");
  }

  @Test
  void mapsTheRefreshTimeWhenItComesBeforeTheExpiry() {
    OffsetDateTime refresh = EXPIRES.minusMinutes(30);
    AccessToken token = AzureIdentityTokenProvider.of(answering(
        new com.azure.core.credential.AccessToken(TOKEN, EXPIRES, refresh))).getToken("https://x/.default");
    assertThat(token.refreshAt()).contains(refresh.toInstant());

    AccessToken late = AzureIdentityTokenProvider.of(answering(
        new com.azure.core.credential.AccessToken(TOKEN, EXPIRES, EXPIRES.plusMinutes(1))))
        .getToken("https://x/.default");
    assertThat(late.refreshAt()).isEmpty();
    assertThat(late.expiresAt()).isEqualTo(EXPIRES.toInstant());

    // What azure-identity gives when MSAL got no refresh_in.
    AccessToken none = AzureIdentityTokenProvider.of(answering(new com.azure.core.credential.AccessToken(TOKEN,
        EXPIRES, OffsetDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC)))).getToken("https://x/.default");
    assertThat(none.refreshAt()).isEmpty();
  }

  @Test
  void neitherTheProviderNorItsTokenShowTheToken() {
    AzureIdentityTokenProvider provider = AzureIdentityTokenProvider.of(
        answering(new com.azure.core.credential.AccessToken(TOKEN, EXPIRES)), CloudEnvironment.AZURE_CLOUD);
    AccessToken token = provider.getToken("ignored/.default");

    assertThat(token.toString()).doesNotContain(TOKEN).doesNotContain("eyJ");
    assertThat(provider.toString()).doesNotContain(TOKEN).contains("FakeCredential")
        .contains("https://monitor.azure.com//.default");
  }

  @Test
  void aRefusedCredentialIsANonRetryableAuthenticationExceptionWithTheCodeAndWithoutTheSecretOrToken() {
    String secret = "Sec~very-secret-value";
    // What azure-identity throws when Entra refuses a client secret (MSAL's message, wrapped).
    ClientAuthenticationException refused = new ClientAuthenticationException("AADSTS7000215: Invalid client "
        + "secret provided. Ensure the secret being sent in the request is the client secret value.\r\nTrace ID: 1",
        null, new IllegalStateException("form client_secret=" + secret + " Authorization: Bearer " + TOKEN));

    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(refused)).getToken("https://x/.default"))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.reason()).isEqualTo("AADSTS7000215");
          assertThat(e.status()).isZero();
          assertThat(e.getMessage()).contains("AADSTS7000215").contains("secret's value, not its ID")
              .contains("https://x/.default").doesNotContain("Trace ID").doesNotContain(secret)
              .doesNotContain(TOKEN);
          assertThat(e.getCause()).isNull();
        });
  }

  @Test
  void anUnavailableCredentialIsAnAuthenticationExceptionSayingWhatToCheck() {
    CredentialUnavailableException unavailable = new CredentialUnavailableException("EnvironmentCredential "
        + "authentication unavailable. Environment variables are not fully configured.");

    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(unavailable)).getToken("https://x/.default"))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.reason()).isEqualTo("CredentialUnavailableException");
          assertThat(e.getMessage()).contains("Environment variables are not fully configured")
              .contains("Check the credential's configuration");
        });
  }

  @Test
  void anUnreachableIssuerIsRetryable() {
    ClientAuthenticationException network = new ClientAuthenticationException("Failed to acquire token", null,
        new UncheckedIOException(new ConnectException("Connection refused")));

    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(network)).getToken("https://x/.default"))
        .isExactlyInstanceOf(LogAnalyticsException.class)
        .satisfies(e -> {
          assertThat(((LogAnalyticsException) e).isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("could not be reached").contains("java.net.ConnectException");
        });
  }

  @Test
  void httpStatusesAreMappedLikeTheSdksOwnProviders() {
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(httpError(503, false)))
        .getToken("https://x/.default"))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e).isNotInstanceOf(AuthenticationException.class);
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.isRetryable()).isTrue();
        });
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(httpError(429, false)))
        .getToken("https://x/.default"))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.isRetryable()).isTrue());
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(httpError(400, false)))
        .getToken("https://x/.default"))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.isRetryable()).isFalse();
        });
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(httpError(401, true)))
        .getToken("https://x/.default"))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.reason()).isEqualTo("AADSTS700016");
          assertThat(e.getMessage()).contains("client id is not known");
        });
  }

  @Test
  void anyOtherFailureIsRetryableAndMasksTokenShapedText() {
    IllegalStateException odd = new IllegalStateException("bad answer: " + TOKEN + " and Bearer abc.def");

    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(failing(odd)).getToken("https://x/.default"))
        .isExactlyInstanceOf(LogAnalyticsException.class)
        .satisfies(e -> {
          assertThat(((LogAnalyticsException) e).isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("IllegalStateException: bad answer: *** and Bearer ***")
              .doesNotContain(TOKEN).doesNotContain("abc.def");
        });
  }

  @Test
  void noTokenOrNoExpiryIsARetryableFailure() {
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(answering(null)).getToken("https://x/.default"))
        .isInstanceOfSatisfying(LogAnalyticsException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("returned no token");
        });
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(answering(
        new com.azure.core.credential.AccessToken("", EXPIRES))).getToken("https://x/.default"))
        .hasMessageContaining("returned no token");
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(answering(
        new com.azure.core.credential.AccessToken(TOKEN, null))).getToken("https://x/.default"))
        .hasMessageContaining("without an expiry").hasMessageNotContaining(TOKEN);
  }

  @Test
  void aTokenThatCannotTravelInAHeaderIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(answering(
        new com.azure.core.credential.AccessToken("abc def-secret", EXPIRES))).getToken("https://x/.default"))
        .isInstanceOfSatisfying(ConfigurationException.class, e ->
            assertThat(e.getMessage()).contains("token").doesNotContain("def-secret"));
  }

  @Test
  void aTimeoutBoundsACredentialThatNeverAnswers() {
    FakeCredential credential = answering(new com.azure.core.credential.AccessToken(TOKEN, EXPIRES));
    credential.async.set(Mono.never());
    AzureIdentityTokenProvider provider = AzureIdentityTokenProvider.of(credential).withTimeout(Duration.ofMillis(50));

    assertThatThrownBy(() -> provider.getToken("https://x/.default"))
        .isInstanceOfSatisfying(LogAnalyticsException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("no answer within PT0.05S");
        });

    credential.async.set(Mono.error(new IOException("reset")));
    assertThatThrownBy(() -> provider.getToken("https://x/.default"))
        .isInstanceOfSatisfying(LogAnalyticsException.class, e -> {
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("could not be reached");
        });

    credential.async.set(null);
    assertThat(provider.getToken("https://x/.default").token()).isEqualTo(TOKEN);
  }

  @Test
  void badArgumentsNameTheField() {
    FakeCredential credential = answering(new com.azure.core.credential.AccessToken(TOKEN, EXPIRES));
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(null))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("credential"));
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(credential, (CloudEnvironment) null))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("cloud"));
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(credential, "https://monitor.azure.com"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("scope"));
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(credential).getToken(" "))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("scope"));
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(credential).withTenantId("a b"))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("tenantId"));
    assertThatThrownBy(() -> AzureIdentityTokenProvider.of(credential).withTimeout(Duration.ZERO))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("timeout"));
    assertThat(credential.requests).isEmpty();
  }

  private static HttpResponseException httpError(int status, boolean authentication) {
    HttpRequest request = new HttpRequest(HttpMethod.POST, "https://login.example/t/oauth2/v2.0/token");
    HttpResponse response = new HttpResponse(request) {
      @Override
      public int getStatusCode() {
        return status;
      }

      @Override
      @Deprecated
      public String getHeaderValue(String name) {
        return null;
      }

      @Override
      public HttpHeaders getHeaders() {
        return new HttpHeaders();
      }

      @Override
      public Flux<ByteBuffer> getBody() {
        return Flux.empty();
      }

      @Override
      public Mono<byte[]> getBodyAsByteArray() {
        return Mono.empty();
      }

      @Override
      public Mono<String> getBodyAsString() {
        return Mono.empty();
      }

      @Override
      public Mono<String> getBodyAsString(Charset charset) {
        return Mono.empty();
      }
    };
    return authentication
        ? new ClientAuthenticationException("AADSTS700016: Application with identifier 'x' was not found", response)
        : new HttpResponseException("status " + status, response);
  }
}
