package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.FlatJsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokens of a managed identity, from the Azure VM Instance Metadata Service, App Service / Azure Functions, or the
 * Azure Arc agent ({@link EntraCredential.Kind#MANAGED_IDENTITY_IMDS}, {@code _APP_SERVICE}, {@code _ARC}).
 * Internal, not API: built by the SDK's token provider factory, which caches the tokens.
 *
 * <table>
 *   <caption>The three flavours on the wire</caption>
 *   <tr><th>Flavour</th><th>Request</th></tr>
 *   <tr><td>IMDS</td><td>{@code GET {base}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=..[&client_id=..]}
 *       with {@code Metadata: true}</td></tr>
 *   <tr><td>App Service</td><td>{@code GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=..[&client_id=..]}
 *       with {@code X-IDENTITY-HEADER: {IDENTITY_HEADER}}</td></tr>
 *   <tr><td>Azure Arc</td><td>{@code GET {IDENTITY_ENDPOINT}?api-version=2020-06-01&resource=..} with
 *       {@code Metadata: true}, answered 401 with {@code WWW-Authenticate: Basic realm=<file>}; the file must be a
 *       regular {@code .key} file (not a link) directly in the agent's token directory, at most 4096 bytes; the
 *       request is repeated with {@code Authorization: Basic <file content>}</td></tr>
 * </table>
 *
 * <p>The answer's {@code expires_in} (seconds from now, by the injected clock) gives the expiry; without it,
 * {@code expires_on} (epoch seconds). A {@code refresh_in} becomes {@link AccessToken#refreshAt()}. Answers longer
 * than {@value #MAX_REPLY_BYTES} bytes are refused.
 *
 * <p>Failures: a 400 ({@code invalid_request}: no identity assigned, a missing header; {@code invalid_resource}),
 * 401 and 403, and any other 4xx but 404, 408, 410 and 429, are an {@link AuthenticationException} that is not
 * retryable, with a sentence on what to fix; 404, 408, 410, 429, 5xx, a connection that fails, and an answer that
 * cannot be read are a retryable {@link LogAnalyticsException}. Neither tokens, the identity header nor the Arc
 * key ever appear in a message, a log line or {@link #toString()}.
 *
 * <p>Plain {@code http} is accepted only for a loopback or link-local endpoint (IMDS, the App Service and Arc
 * agents); any other endpoint must use https.
 *
 * <p>Thread-safe: each call makes its own requests.
 */
public final class ManagedIdentityTokenProvider implements AccessTokenProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedIdentityTokenProvider.class);

  /** The largest answer read from a managed identity endpoint. */
  public static final int MAX_REPLY_BYTES = 64 * 1024;
  /** The largest Azure Arc challenge file read. */
  public static final int MAX_ARC_KEY_BYTES = 4096;
  static final String IMDS_API_VERSION = "2018-02-01";
  static final String APP_SERVICE_API_VERSION = "2019-08-01";
  static final String ARC_API_VERSION = "2020-06-01";
  private static final int MAX_SERVICE_TEXT = 300;

  private final EntraCredential credential;
  private final String resource;
  private final HttpExecutor executor;
  private final Clock clock;
  private final Path arcTokenDirectory;
  private final URI endpoint;

  /**
   * A provider for a managed identity credential.
   *
   * @param credential a credential of kind {@code MANAGED_IDENTITY_IMDS}, {@code MANAGED_IDENTITY_APP_SERVICE} or
   *     {@code MANAGED_IDENTITY_ARC}
   * @param resource the resource to ask for, such as {@code https://monitor.azure.com}
   *     ({@link io.loganalytics.sdk.CloudEnvironment#ingestionAudience()})
   * @param executor the HTTP client, such as {@link HttpClients#forManagedIdentity}; not closed by this provider
   * @param clock the clock that turns {@code expires_in} into an instant
   * @throws ConfigurationException naming {@code credential} for another kind, or {@code managedIdentityEndpoint}
   *     for a plain http endpoint that is not on a loopback or link-local address
   */
  public ManagedIdentityTokenProvider(EntraCredential credential, String resource, HttpExecutor executor,
      Clock clock) {
    this(credential, resource, executor, clock, defaultArcTokenDirectory());
  }

  ManagedIdentityTokenProvider(EntraCredential credential, String resource, HttpExecutor executor, Clock clock,
      Path arcTokenDirectory) {
    this.credential = Objects.requireNonNull(credential, "credential");
    switch (credential.kind()) {
      case MANAGED_IDENTITY_IMDS:
      case MANAGED_IDENTITY_APP_SERVICE:
      case MANAGED_IDENTITY_ARC:
        break;
      default:
        throw new ConfigurationException("credential", credential.kind() + " is not a managed identity");
    }
    if (resource == null || resource.isBlank()) {
      throw new ConfigurationException("resource", "is missing; expected the audience, such as "
          + "https://monitor.azure.com");
    }
    this.resource = resource.strip();
    this.executor = Objects.requireNonNull(executor, "executor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.arcTokenDirectory = Objects.requireNonNull(arcTokenDirectory, "arcTokenDirectory");
    this.endpoint = credential.managedIdentityEndpoint().orElseThrow(
        () -> new ConfigurationException("managedIdentityEndpoint", "is missing"));
    if ("http".equalsIgnoreCase(endpoint.getScheme()) && !HttpClients.isLocalPlainHttp(endpoint)) {
      throw new ConfigurationException("managedIdentityEndpoint", "'" + withoutQuery(endpoint) + "' uses plain "
          + "http on a host that is neither loopback nor link-local; use https, or the local agent's address");
    }
  }

  /** The Arc agent's token directory of this operating system. */
  static Path defaultArcTokenDirectory() {
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
      String programData = System.getenv("ProgramData");
      return Path.of(programData == null ? "C:\\ProgramData" : programData, "AzureConnectedMachineAgent", "Tokens");
    }
    return Path.of("/var/opt/azcmagent/tokens");
  }

  /**
   * Asks the endpoint for a token.
   *
   * @param scope the scope; when it names another resource than the constructor's ({@code <resource>/.default}),
   *     that resource is asked for; {@code null} for the constructor's
   * @return the token
   */
  @Override
  public AccessToken getToken(String scope) {
    String res = resourceFor(scope);
    URI uri = tokenUri(res);
    Map<String, String> headers = new LinkedHashMap<>();
    switch (credential.kind()) {
      case MANAGED_IDENTITY_APP_SERVICE:
        headers.put("X-IDENTITY-HEADER", credential.secret().orElseThrow(
            () -> new ConfigurationException("identityHeader", "is missing (IDENTITY_HEADER)")));
        break;
      default:
        headers.put("Metadata", "true");
    }
    LOG.debug("Requesting a {} token for {} from {}", flavour(), res, withoutQuery(endpoint));
    HttpResponse response = send(HttpRequest.get(uri, headers));
    if (credential.kind() == EntraCredential.Kind.MANAGED_IDENTITY_ARC && response.status() == 401) {
      String key = readArcKey(response);
      headers.put("Authorization", "Basic " + key);
      LOG.debug("Answering the Azure Arc agent's challenge");
      response = send(HttpRequest.get(uri, headers));
    }
    return token(response);
  }

  private String resourceFor(String scope) {
    if (scope == null || scope.isBlank()) {
      return resource;
    }
    String s = scope.strip();
    if (s.endsWith("/.default")) {
      s = s.substring(0, s.length() - "/.default".length());
    }
    return trimSlashes(s).equals(trimSlashes(resource)) ? resource : s;
  }

  private static String trimSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }

  private URI tokenUri(String res) {
    StringBuilder q = new StringBuilder();
    String base;
    switch (credential.kind()) {
      case MANAGED_IDENTITY_IMDS:
        base = trimSlashes(withoutQuery(endpoint)) + "/metadata/identity/oauth2/token";
        q.append("api-version=").append(IMDS_API_VERSION);
        break;
      case MANAGED_IDENTITY_APP_SERVICE:
        base = endpoint.toString();
        q.append("api-version=").append(APP_SERVICE_API_VERSION);
        break;
      default:
        base = endpoint.toString();
        q.append("api-version=").append(ARC_API_VERSION);
    }
    q.append("&resource=").append(URLEncoder.encode(res, StandardCharsets.UTF_8));
    if (credential.kind() != EntraCredential.Kind.MANAGED_IDENTITY_ARC) {
      credential.clientId().ifPresent(id -> q.append("&client_id=").append(URLEncoder.encode(id,
          StandardCharsets.UTF_8)));
    }
    return URI.create(base + (base.contains("?") ? "&" : "?") + q);
  }

  private HttpResponse send(HttpRequest request) {
    HttpResponse response;
    try {
      response = executor.execute(request.withMaxResponseBytes(MAX_REPLY_BYTES));
    } catch (IOException e) {
      throw new LogAnalyticsException("cannot reach the " + flavour() + " endpoint " + withoutQuery(endpoint)
          + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); " + reachHint(), true, e);
    }
    if (response.truncated()) {
      throw new ServiceException("the " + flavour() + " endpoint " + withoutQuery(endpoint) + " answered HTTP "
          + response.status() + " with more than " + MAX_REPLY_BYTES + " bytes; refused", response.status(), null,
          null, true, null);
    }
    LOG.debug("The {} endpoint answered HTTP {}", flavour(), response.status());
    return response;
  }

  private String reachHint() {
    switch (credential.kind()) {
      case MANAGED_IDENTITY_IMDS:
        return "is this an Azure VM (or a pod with workload or pod identity)? Elsewhere, choose another credential";
      case MANAGED_IDENTITY_APP_SERVICE:
        return "check IDENTITY_ENDPOINT and that the App Service or Function has a managed identity";
      default:
        return "is the Azure Connected Machine agent (himds) running?";
    }
  }

  private String readArcKey(HttpResponse challenge) {
    String header = challenge.header("WWW-Authenticate").orElseThrow(() -> new AuthenticationException(
        "the Azure Arc agent answered 401 without a WWW-Authenticate challenge; check IDENTITY_ENDPOINT points at "
            + "the agent", 401, null, null, null, false, null));
    int eq = header.indexOf('=');
    if (!header.regionMatches(true, 0, "Basic realm", 0, "Basic realm".length()) || eq < 0) {
      throw new AuthenticationException("the Azure Arc agent's challenge is not 'Basic realm=<file>'", 401, null,
          null, null, false, null);
    }
    String value = header.substring(eq + 1).strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    Path file;
    try {
      file = Path.of(value);
    } catch (RuntimeException e) {
      throw arcRefused("names no valid file path");
    }
    if (!file.isAbsolute() || !file.getFileName().toString().endsWith(".key")) {
      throw arcRefused("names '" + file + "', not an absolute path to a .key file");
    }
    Path normalized = file.normalize();
    try {
      Path dir = arcTokenDirectory.toRealPath();
      if (normalized.getParent() == null || !normalized.getParent().equals(dir)
          && !normalized.getParent().equals(arcTokenDirectory.toAbsolutePath().normalize())) {
        throw arcRefused("names '" + file + "', outside the agent's token directory " + arcTokenDirectory);
      }
      BasicFileAttributes attrs = Files.readAttributes(normalized, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (attrs.isSymbolicLink() || !attrs.isRegularFile()) {
        throw arcRefused("names '" + file + "', which is not a regular file (a link is refused)");
      }
      if (attrs.size() > MAX_ARC_KEY_BYTES) {
        throw arcRefused("names '" + file + "', of " + attrs.size() + " bytes; at most " + MAX_ARC_KEY_BYTES
            + " are accepted");
      }
      byte[] bytes;
      try (SeekableByteChannel ch = Files.newByteChannel(normalized, StandardOpenOption.READ,
          LinkOption.NOFOLLOW_LINKS); InputStream in = Channels.newInputStream(ch)) {
        bytes = in.readNBytes(MAX_ARC_KEY_BYTES + 1);
      }
      if (bytes.length > MAX_ARC_KEY_BYTES) {
        throw arcRefused("names '" + file + "', longer than " + MAX_ARC_KEY_BYTES + " bytes");
      }
      String key = new String(bytes, StandardCharsets.UTF_8).strip();
      if (key.isEmpty() || key.chars().anyMatch(c -> c < 0x20 || c >= 0x7f)) {
        throw arcRefused("names '" + file + "', which is empty or not a printable key");
      }
      return key;
    } catch (IOException e) {
      throw new AuthenticationException("cannot read the Azure Arc challenge file '" + file + "' ("
          + e.getClass().getSimpleName() + "); the SDK must run as root or as a member of the "
          + "'himds' group (Linux) or the 'Hybrid agent extension applications' group (Windows)", 401, null, null,
          null, false, e);
    }
  }

  private static AuthenticationException arcRefused(String what) {
    return new AuthenticationException("the Azure Arc agent's challenge " + what + "; refused", 401, null, null,
        null, false, null);
  }

  private AccessToken token(HttpResponse response) {
    int status = response.status();
    Map<String, String> json = parseOrNull(response.body());
    if (status == 200) {
      if (json == null) {
        throw new ServiceException("the " + flavour() + " endpoint answered 200 with a body that is not a JSON "
            + "object", status, null, null, true, null);
      }
      String token = json.get("access_token");
      if (token == null || token.isEmpty()) {
        throw new ServiceException("the " + flavour() + " endpoint answered 200 without an access_token", status,
            null, null, true, null);
      }
      Instant now = clock.instant();
      Instant expiresAt = expiry(json, now);
      AccessToken t;
      try {
        t = AccessToken.of(token, expiresAt);
      } catch (ConfigurationException e) {
        throw new ServiceException("the " + flavour() + " endpoint answered an unusable access_token: "
            + e.getMessage(), status, null, null, true, null);
      }
      Long refreshIn = seconds(json.get("refresh_in"));
      if (refreshIn != null && refreshIn > 0 && now.plusSeconds(refreshIn).isBefore(expiresAt)) {
        t = t.withRefreshAt(now.plusSeconds(refreshIn));
      }
      LOG.debug("Got a {} token expiring at {}", flavour(), expiresAt);
      return t;
    }
    String code = json == null ? null : first(json, "error", "error.code", "code");
    String description = json == null ? null : first(json, "error_description", "error.message", "message");
    String said = code == null && description == null ? ""
        : " (" + clean(code == null ? "" : code) + (description == null ? "" : ": " + clean(description)) + ")";
    String prefix = "the " + flavour() + " endpoint " + withoutQuery(endpoint) + " answered HTTP " + status + said;
    if (status == 404 || status == 408 || status == 410 || status == 429 || status >= 500) {
      throw new ServiceException(prefix + "; will retry", status, code, null, true, null);
    }
    throw new AuthenticationException(prefix + "; " + fix(status, code, description), status, code, null, null,
        false, null);
  }

  private String fix(int status, String code, String description) {
    String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
    String d = description == null ? "" : description.toLowerCase(Locale.ROOT);
    if (c.contains("invalid_resource") || d.contains("aadsts500011") || d.contains("aadsts50001")) {
      return "the resource '" + resource + "' is not known to this cloud's Entra ID; check the cloud "
          + "(AzureCloud, AzureUSGovernment, AzureChinaCloud) or the custom audience";
    }
    if (d.contains("metadata header")) {
      return "the Metadata header did not reach the endpoint; a proxy in the path may strip it";
    }
    if (credential.kind() == EntraCredential.Kind.MANAGED_IDENTITY_APP_SERVICE && (status == 401
        || status == 403)) {
      return "check that IDENTITY_HEADER belongs to this App Service (it changes on restart)";
    }
    boolean userAssigned = credential.clientId().isPresent();
    if (credential.kind() == EntraCredential.Kind.MANAGED_IDENTITY_IMDS) {
      return userAssigned ? "assign the user-assigned identity with client ID " + credential.clientId().get()
          + " to this VM (Identity blade), or correct AZURE_CLIENT_ID"
          : "enable the system-assigned managed identity of this VM (Identity blade), or set AZURE_CLIENT_ID to a "
              + "user-assigned identity assigned to it";
    }
    if (credential.kind() == EntraCredential.Kind.MANAGED_IDENTITY_APP_SERVICE) {
      return userAssigned ? "assign the user-assigned identity with client ID " + credential.clientId().get()
          + " to this App Service, or correct AZURE_CLIENT_ID"
          : "enable the system-assigned managed identity of this App Service or Function (Identity blade)";
    }
    return "check that this server is connected to Azure Arc (azcmagent show)";
  }

  private static String first(Map<String, String> json, String... names) {
    for (String n : names) {
      String v = json.get(n);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** The service's words, on one line and capped, for a message. */
  private static String clean(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_SERVICE_TEXT));
    for (int i = 0; i < s.length() && b.length() < MAX_SERVICE_TEXT; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return s.length() > MAX_SERVICE_TEXT ? b + "..." : b.toString();
  }

  private static Map<String, String> parseOrNull(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return FlatJsonObject.parse(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Instant expiry(Map<String, String> json, Instant now) {
    Long in = seconds(json.get("expires_in"));
    if (in != null && in > 0) {
      return now.plusSeconds(in);
    }
    Long on = seconds(json.get("expires_on"));
    if (on != null && on > 0) {
      return Instant.ofEpochSecond(on);
    }
    throw new ServiceException("the " + flavour() + " endpoint answered a token without a usable expires_in or "
        + "expires_on", 200, null, null, true, null);
  }

  /** Whole seconds from a JSON string or number; {@code null} when absent or not a number. */
  private static Long seconds(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    int dot = v.indexOf('.');
    if (dot >= 0) {
      v = v.substring(0, dot);
    }
    if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return Long.parseLong(v);
  }

  private String flavour() {
    switch (credential.kind()) {
      case MANAGED_IDENTITY_IMDS:
        return "managed identity (IMDS)";
      case MANAGED_IDENTITY_APP_SERVICE:
        return "App Service managed identity";
      default:
        return "Azure Arc managed identity";
    }
  }

  private static String withoutQuery(URI uri) {
    String s = uri.toString();
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }

  @Override
  public String toString() {
    return "ManagedIdentityTokenProvider{" + credential + ", resource=" + resource + "}";
  }
}
