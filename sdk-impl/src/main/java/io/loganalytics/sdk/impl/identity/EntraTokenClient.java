package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.FlatJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts one client-credentials request to a Microsoft Entra ID token endpoint (LOGS-INGESTION §2a) and reads the
 * answer: {@code access_token}, {@code expires_in} (and {@code refresh_in} when present) into an
 * {@link AccessToken}; an {@code error} answer into an exception whose message says what to fix.
 *
 * <p>Errors: an answer with {@code error}/{@code error_description} (400/401) is an {@link AuthenticationException},
 * not retryable, whose reason is the {@code AADSTS} code and whose message names the credential to fix (the
 * well-known codes are explained, others quoted); 408, 429 and 5xx, and a request that got no answer, are a
 * retryable {@link ServiceException}. Messages quote the service's description up to its first line (the trace ids
 * follow) and never the form sent: secrets and assertions stay out.
 *
 * <p>Internal, not API. Thread-safe.
 */
final class EntraTokenClient {
  private static final Logger LOG = LoggerFactory.getLogger(EntraTokenClient.class);
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{4,9})");
  private static final int MAX_DESCRIPTION = 300;
  /** The form fields that are credentials. */
  private static final List<String> SECRET_FIELDS = List.of("client_secret", "client_assertion");

  private final HttpExecutor executor;
  private final Clock clock;

  EntraTokenClient(HttpExecutor executor, Clock clock) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Requests a token.
   *
   * @param tokenEndpoint {@code https://<authority>/<tenant>/oauth2/v2.0/token}
   * @param form the form fields, secrets included (never logged)
   * @param what the credential, for messages ("client secret credential for client ...")
   * @return the token
   */
  AccessToken request(URI tokenEndpoint, Map<String, String> form, String what) {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    Instant sent = clock.instant();
    HttpResponse response;
    try {
      response = executor.execute(HttpRequest.post(tokenEndpoint, "application/x-www-form-urlencoded",
          body.toString().getBytes(StandardCharsets.UTF_8), Map.of("Accept", "application/json"))
          .withMaxResponseBytes(FlatJson.MAX_BYTES));
    } catch (IOException e) {
      throw new ServiceException("Could not reach the Microsoft Entra ID token endpoint " + tokenEndpoint + " for "
          + what + ": " + e + ". Check the network, proxy and authority host; retried later", 0, null, null, true, e);
    }
    LOG.debug("Token endpoint {} answered {} for {}", tokenEndpoint, response.status(), what);
    Optional<Map<String, Object>> json = FlatJson.parseObject(response.body());
    if (response.isSuccessful()) {
      Map<String, Object> m = json.orElseThrow(() -> new ServiceException("The token endpoint " + tokenEndpoint
          + " answered " + response.status() + " without a JSON token for " + what, response.status(), null, null,
          true, null));
      Object token = m.get("access_token");
      Long expiresIn = number(m.get("expires_in"));
      if (!(token instanceof String) || expiresIn == null || expiresIn <= 0) {
        throw new ServiceException("The token endpoint " + tokenEndpoint + " answered without access_token or a "
            + "positive expires_in for " + what, response.status(), null, null, true, null);
      }
      AccessToken t = AccessToken.of((String) token, sent.plusSeconds(expiresIn));
      Long refreshIn = number(m.get("refresh_in"));
      if (refreshIn != null && refreshIn > 0 && refreshIn < expiresIn) {
        t = t.withRefreshAt(sent.plusSeconds(refreshIn));
      }
      return t;
    }
    int status = response.status();
    Map<String, Object> m = json.orElse(Map.of());
    String error = m.get("error") instanceof String ? firstLine(withoutCredentials((String) m.get("error"), form))
        : null;
    String rawDescription = m.get("error_description") instanceof String ? (String) m.get("error_description")
        : null;
    String description = rawDescription == null ? null : firstLine(withoutCredentials(rawDescription, form));
    if (status == 408 || status == 429 || status >= 500 || error == null) {
      boolean retryable = status == 408 || status == 429 || status >= 500 || status < 400;
      throw new ServiceException("The token endpoint " + tokenEndpoint + " answered HTTP " + status
          + (error == null ? "" : " " + error) + (description == null ? "" : ": " + description) + " for " + what
          + (retryable ? "; retried later" : ""), status, error, null, retryable, null);
    }
    String code = aadsts(rawDescription, m.get("error_codes")); // digits only: safe whatever the text holds
    throw new AuthenticationException("Microsoft Entra ID refused the " + what + " (HTTP " + status + " " + error
        + (code == null ? "" : ", AADSTS" + code) + "): " + hint(code, error) + (description == null ? ""
        : " The service said: " + description), status, code == null ? error : "AADSTS" + code, null, null, false,
        null);
  }

  private static String hint(String code, String error) {
    if (code != null) {
      switch (code) {
        case "7000215":
          return "the client secret is wrong; use the secret's value (not its id) from the app registration's "
              + "'Certificates & secrets' page.";
        case "7000222":
          return "the client secret has expired; create a new one in the app registration and configure it.";
        case "700016":
          return "no application with this client id exists in the tenant; check the client id (application id) "
              + "and the tenant id.";
        case "90002":
          return "the tenant was not found; check the tenant id and the cloud (authority host).";
        case "1002012":
          return "the scope must end in /.default for client credentials.";
        case "500011":
          return "the resource principal was not found in the tenant; check the cloud (the ingestion audience must "
              + "match the authority).";
        case "7000218":
          return "neither a client secret nor a client assertion was sent.";
        case "700027":
          return "the client assertion's signature did not verify; upload this certificate to the app "
              + "registration or configure the certificate that is registered.";
        case "700024":
          return "the client assertion is outside its valid time range; check the system clock.";
        case "700021":
          return "the client assertion's issuer or subject does not match the client id.";
        case "50027":
          return "the client assertion is not a valid JWT.";
        case "700212":
        case "700213":
          return "no federated identity credential of the app matches the token's issuer, subject and audience; "
              + "check the federated credential and AZURE_FEDERATED_TOKEN_FILE.";
        default:
          break;
      }
    }
    if ("invalid_client".equals(error)) {
      return "the client credentials were refused; check the client id, the secret or certificate, and the tenant.";
    }
    return "check the tenant id, client id and credential.";
  }

  private static String aadsts(String description, Object codes) {
    if (codes instanceof List && !((List<?>) codes).isEmpty()) {
      Long first = number(((List<?>) codes).get(0));
      if (first != null) {
        return String.valueOf(first);
      }
    }
    if (description != null) {
      Matcher mm = AADSTS.matcher(description);
      if (mm.find()) {
        return mm.group(1);
      }
    }
    return null;
  }

  /**
   * The service's text with the credentials of the form cut out: Entra does not echo them, but a broken endpoint or a
   * proxy's error page may, and the text goes into messages and logs.
   */
  static String withoutCredentials(String text, Map<String, String> form) {
    String out = text;
    for (String key : SECRET_FIELDS) {
      String v = form.get(key);
      if (v != null && !v.isEmpty()) {
        out = out.replace(v, "***").replace(URLEncoder.encode(v, StandardCharsets.UTF_8), "***");
        if (decoded(out).contains(v)) {
          // Encoded some other way: withhold the whole text rather than guess.
          return "(the answer quoted a credential of the request and is not shown)";
        }
      }
    }
    return out;
  }

  private static String decoded(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private static String firstLine(String s) {
    String line = s.strip();
    int nl = line.indexOf('\n');
    int cr = line.indexOf('\r');
    int cut = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
    if (cut >= 0) {
      line = line.substring(0, cut).strip();
    }
    return line.length() > MAX_DESCRIPTION ? line.substring(0, MAX_DESCRIPTION) + "..." : line;
  }

  static Long number(Object o) {
    if (o instanceof Long) {
      return (Long) o;
    }
    if (o instanceof String) {
      try {
        return Long.parseLong(((String) o).strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * Checks a scope before it goes to Entra.
   *
   * @param scope the scope
   * @return the scope
   */
  static String requireScope(String scope) {
    if (scope == null || scope.isBlank()) {
      throw new ConfigurationException("scope", "is empty; expected such as https://monitor.azure.com//.default");
    }
    return scope;
  }

  /** Used by providers whose failure is not an answer of Entra (a file that cannot be read). */
  static LogAnalyticsException configurationFailure(String field, String message) {
    return new ConfigurationException(field, message);
  }
}
