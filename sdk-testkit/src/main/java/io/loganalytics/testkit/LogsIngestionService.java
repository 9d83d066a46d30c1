package io.loganalytics.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The emulator's Microsoft Entra ID token endpoint and Azure Monitor Logs Ingestion endpoint (LOGS-INGESTION §1, §2).
 * See {@link WorkspaceEmulator} for the rules. Thread-safe: all state lives in concurrent maps.
 */
final class LogsIngestionService {
  static final String API_VERSION = "2023-01-01";
  static final int MAX_BODY_BYTES = 1024 * 1024;
  static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  private static final Pattern TOKEN_PATH = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
  private static final Pattern INGEST_PATH = Pattern.compile(
      "/dataCollectionRules/([^/]+)/streams/([^/?]+)", Pattern.CASE_INSENSITIVE);
  private static final JsonFactory JSON = new JsonFactory();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A client the tenant knows: its secret, certificates, federated tokens. */
  static final class App {
    final String clientId;
    volatile String secret;
    volatile Instant secretExpires;
    final List<X509Certificate> certificates = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Set<String> federatedTokens = ConcurrentHashMap.newKeySet();

    App(String clientId) {
      this.clientId = clientId;
    }
  }

  /** A token the emulator issued. */
  record Issued(String clientId, String audience, Instant expiresAt) {}

  /** A DCR and its declared streams. */
  static final class Dcr {
    final String id;
    final Set<String> streams = ConcurrentHashMap.newKeySet();
    final Set<String> publishers = ConcurrentHashMap.newKeySet();

    Dcr(String id) {
      this.id = id;
    }
  }

  /** An answer to write. */
  static final class Answer {
    int status = 200;
    String reason = "OK";
    String contentType;
    String body = "";
    final Map<String, String> headers = new LinkedHashMap<>();
    List<ReceivedRecord> accepted = List.of();
    String principal;

    static Answer json(int status, String reason, String body) {
      Answer a = new Answer();
      a.status = status;
      a.reason = reason;
      a.contentType = "application/json; charset=utf-8";
      a.body = body;
      return a;
    }
  }

  final String tenantId;
  final String audience;
  volatile Duration tokenLifetime;
  final Map<String, App> apps = new ConcurrentHashMap<>();
  final Map<String, Issued> issued = new ConcurrentHashMap<>();
  final Map<String, Dcr> dcrs = new ConcurrentHashMap<>();
  /** Managed identity endpoints whose tokens the ingestion endpoint accepts as well as its own. */
  final List<ManagedIdentityEmulator> trustedIdentities = new java.util.concurrent.CopyOnWriteArrayList<>();

  LogsIngestionService(String tenantId, String audience, Duration tokenLifetime) {
    this.tenantId = tenantId;
    this.audience = audience;
    this.tokenLifetime = tokenLifetime;
  }

  // ---- the token endpoint

  Answer token(String method, String path, Map<String, String> headers, byte[] body, String tokenUrl,
      Instant now) {
    Matcher m = TOKEN_PATH.matcher(path);
    if (!"POST".equals(method) || !m.matches()) {
      return entraError(404, "invalid_request", 900561,
          "The endpoint only accepts POST requests to /{tenant}/oauth2/v2.0/token.", now);
    }
    if (!m.group(1).equalsIgnoreCase(tenantId)) {
      return entraError(400, "invalid_request", 90002, "Tenant '" + m.group(1) + "' not found. Check to make sure "
          + "you have the correct tenant ID and are signing into the correct cloud.", now);
    }
    String ct = headers.getOrDefault("content-type", "");
    if (!ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return entraError(400, "invalid_request", 900144, "The request body must contain the following parameter: "
          + "'grant_type'.", now);
    }
    Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
    if (!"client_credentials".equals(form.get("grant_type"))) {
      return entraError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.", now);
    }
    String clientId = form.getOrDefault("client_id", "").toLowerCase(Locale.ROOT);
    App app = apps.get(clientId);
    if (app == null) {
      return entraError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId + "' was "
          + "not found in the directory '" + tenantId + "'.", now);
    }
    // MSAL adds the OpenID Connect scopes to every request, client credentials included; Entra ignores them there.
    String scope = resourceScope(form.get("scope"));
    if (scope == null || !scope.endsWith("/.default")) {
      return entraError(400, "invalid_scope", 1002012, "The provided value for scope " + form.get("scope")
          + " is not valid. "
          + "Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
          now);
    }
    String resource = scope.substring(0, scope.length() - "/.default".length());
    while (resource.endsWith("/")) {
      resource = resource.substring(0, resource.length() - 1);
    }
    String secret = form.get("client_secret");
    String assertion = form.get("client_assertion");
    if (secret != null) {
      if (app.secret == null || !MessageDigest.isEqual(app.secret.getBytes(StandardCharsets.UTF_8),
          secret.getBytes(StandardCharsets.UTF_8))) {
        return entraError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "
            + "sent in the request is the client secret value, not the client secret ID, for a secret added to "
            + "app '" + clientId + "'.", now);
      }
      if (app.secretExpires != null && !now.isBefore(app.secretExpires)) {
        return entraError(401, "invalid_client", 7000222, "The provided client secret keys for app '" + clientId
            + "' are expired.", now);
      }
    } else if (assertion != null) {
      if (!ASSERTION_TYPE.equals(form.get("client_assertion_type"))) {
        return entraError(400, "invalid_request", 50027, "client_assertion_type is missing or not "
            + ASSERTION_TYPE + ".", now);
      }
      if (app.federatedTokens.contains(assertion)) {
        // A federated token registered for this app (workload identity).
      } else if (!app.federatedTokens.isEmpty() && app.certificates.isEmpty()) {
        return entraError(400, "invalid_client", 700213, "No matching federated identity record found for "
            + "presented assertion subject.", now);
      } else {
        Answer failed = verifyAssertion(app, assertion, tokenUrl, now);
        if (failed != null) {
          return failed;
        }
      }
    } else {
      return entraError(401, "invalid_client", 7000218, "The request body must contain the following parameter: "
          + "'client_assertion' or 'client_secret'.", now);
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = "emu." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    long lifetime = tokenLifetime.toSeconds();
    issued.put(token, new Issued(clientId, resource, now.plusSeconds(lifetime)));
    Answer a = Answer.json(200, "OK", "{\"token_type\":\"Bearer\",\"expires_in\":" + lifetime
        + ",\"ext_expires_in\":" + lifetime + ",\"access_token\":\"" + token + "\"}");
    a.principal = clientId;
    return a;
  }

  /** The scope without the OpenID Connect ones (openid, profile, offline_access, email), or null. */
  private static String resourceScope(String scope) {
    if (scope == null) {
      return null;
    }
    String resource = null;
    for (String s : scope.trim().split("[ ]+")) {
      if (s.equals("openid") || s.equals("profile") || s.equals("offline_access") || s.equals("email")) {
        continue;
      }
      if (resource != null) {
        return null; // more than one resource: Entra refuses client credentials for several
      }
      resource = s;
    }
    return resource;
  }

  private Answer verifyAssertion(App app, String jwt, String tokenUrl, Instant now) {
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3) {
      return entraError(400, "invalid_client", 50027, "JWT token is invalid or malformed.", now);
    }
    Map<String, Object> header;
    Map<String, Object> claims;
    byte[] signature;
    try {
      header = flat(Base64.getUrlDecoder().decode(parts[0]));
      claims = flat(Base64.getUrlDecoder().decode(parts[1]));
      signature = Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException | IOException e) {
      return entraError(400, "invalid_client", 50027, "JWT token is invalid or malformed.", now);
    }
    String alg = String.valueOf(header.get("alg"));
    Object x5t = header.get("x5t#S256");
    X509Certificate cert = null;
    for (X509Certificate c : app.certificates) {
      if (thumbprint(c).equals(x5t)) {
        cert = c;
      }
    }
    if (cert == null) {
      return entraError(401, "invalid_client", 700027, "The certificate with identifier used to sign the client "
          + "assertion is not registered on application " + app.clientId + ".", now);
    }
    try {
      Signature s;
      if ("PS256".equals(alg)) {
        s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      } else if ("RS256".equals(alg)) {
        s = Signature.getInstance("SHA256withRSA");
      } else {
        return entraError(400, "invalid_client", 5002738, "The signing algorithm '" + alg + "' is not supported.",
            now);
      }
      s.initVerify(cert.getPublicKey());
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(signature)) {
        return entraError(401, "invalid_client", 700027, "Client assertion failed signature validation.", now);
      }
    } catch (GeneralSecurityException e) {
      return entraError(401, "invalid_client", 700027, "Client assertion failed signature validation.", now);
    }
    if (!tokenUrl.equals(claims.get("aud"))) {
      return entraError(401, "invalid_client", 700212, "The audience claim '" + claims.get("aud") + "' of the "
          + "client assertion is not the token endpoint " + tokenUrl + ".", now);
    }
    if (!app.clientId.equals(claims.get("iss")) || !app.clientId.equals(claims.get("sub"))) {
      return entraError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match "
          + "'client_id' parameter.", now);
    }
    Object exp = claims.get("exp");
    Object nbf = claims.get("nbf");
    long skew = 300;
    if (!(exp instanceof Long) || now.getEpochSecond() > (Long) exp + skew
        || (nbf instanceof Long && now.getEpochSecond() + skew < (Long) nbf)) {
      return entraError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.",
          now);
    }
    if (!(claims.get("jti") instanceof String)) {
      return entraError(400, "invalid_client", 50027, "JWT token is missing the jti claim.", now);
    }
    return null;
  }

  static String thumbprint(X509Certificate c) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Answer entraError(int status, String error, int code, String description, Instant now) {
    String trace = UUID.randomUUID().toString();
    Answer a = Answer.json(status, error + ": AADSTS" + code, "{\"error\":\"" + error + "\",\"error_description\":\""
        + EmulatorDispatcher.jsonEscape("AADSTS" + code + ": " + description + "\r\nTrace ID: " + trace
        + "\r\nCorrelation ID: " + UUID.randomUUID() + "\r\nTimestamp: " + now) + "\",\"error_codes\":[" + code
        + "],\"timestamp\":\"" + now + "\",\"trace_id\":\"" + trace + "\",\"correlation_id\":\""
        + UUID.randomUUID() + "\"}");
    return a;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static Map<String, Object> flat(byte[] json) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_STRING) {
          out.put(name, p.getText());
        } else if (t == JsonToken.VALUE_NUMBER_INT) {
          out.put(name, p.getLongValue());
        } else {
          p.skipChildren();
        }
      }
    }
    return out;
  }

  // ---- the ingestion endpoint

  /**
   * One upload.
   *
   * @param maxRequestBytes the emulator's {@code maxRequestBytes}: the limit is the lower of it and 1 MB
   */
  Answer ingest(String method, String rawPath, String query, Map<String, String> headers, byte[] body, Instant now,
      int maxRequestBytes) {
    int limit = Math.min(MAX_BODY_BYTES, maxRequestBytes);
    Matcher m = INGEST_PATH.matcher(rawPath);
    if (!m.matches()) {
      return azureError(404, "NotFound", "No route for " + rawPath + "; expected /dataCollectionRules/{dcr}/streams/"
          + "{stream}");
    }
    if (!"POST".equals(method)) {
      return azureError(405, "MethodNotAllowed", method + " is not allowed; use POST");
    }
    String version = queryParameter(query, "api-version");
    if (!API_VERSION.equals(version)) {
      return azureError(400, "InvalidApiVersion", "The api-version '" + version + "' is not supported; use "
          + API_VERSION + ".");
    }
    String auth = headers.get("authorization");
    if (auth == null || !auth.startsWith("Bearer ")) {
      return azureError(401, "InvalidToken", "The request has no bearer token in its Authorization header.");
    }
    Issued token = lookUp(auth.substring("Bearer ".length()));
    if (token == null) {
      return azureError(401, "InvalidToken", "The authentication token is not valid.");
    }
    if (!now.isBefore(token.expiresAt())) {
      return azureError(401, "TokenExpired", "The authentication token provided has expired at "
          + token.expiresAt() + ".");
    }
    if (!audience.equals(token.audience())) {
      return azureError(401, "InvalidAudience", "The audience '" + token.audience() + "' of the authentication "
          + "token is not valid; expected " + audience + ".");
    }
    String dcrId = m.group(1);
    String stream = m.group(2);
    Dcr dcr = dcrs.get(dcrId.toLowerCase(Locale.ROOT));
    if (dcr == null) {
      return azureError(404, "NotFound", "Data collection rule with immutable Id '" + dcrId + "' not found.");
    }
    if (!dcr.publishers.contains(token.clientId())) {
      return azureError(403, "OperationFailed", "The authentication token provided does not have access to ingest "
          + "data for the data collection rule with immutable Id '" + dcrId + "' PipelineAccessResult: "
          + "AccessGranted: False, IsRbacPresent: False, IsDcrDceBindingValid: True, DcrImmutableId: " + dcrId
          + ".");
    }
    if (!dcr.streams.contains(stream)) {
      return azureError(404, "InvalidStream", "The stream '" + stream + "' is not declared in the data collection "
          + "rule with immutable Id '" + dcrId + "'.");
    }
    if (body.length > limit) {
      return azureError(413, "ContentLengthLimitExceeded", "Maximum allowed content length: " + limit
          + " bytes. Provided content length: " + body.length + " bytes.");
    }
    String ct = headers.getOrDefault("content-type", "");
    if (!ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      return azureError(415, "UnsupportedMediaType", "Content-Type '" + ct + "' is not supported; use "
          + "application/json.");
    }
    byte[] json = body;
    String encoding = headers.get("content-encoding");
    if (encoding != null && !encoding.isBlank()) {
      if (!encoding.strip().equalsIgnoreCase("gzip")) {
        return azureError(400, "InvalidContentEncoding", "Content-Encoding '" + encoding + "' is not supported; "
            + "use gzip.");
      }
      try {
        json = gunzip(body, limit + 1);
      } catch (IOException e) {
        return azureError(400, "InvalidContentEncoding", "The gzip body cannot be decoded: " + e.getMessage());
      }
      if (json.length > limit) {
        return azureError(413, "ContentLengthLimitExceeded", "Maximum allowed content length: " + limit
            + " bytes of decoded data.");
      }
    }
    List<Map<String, Object>> rows;
    try {
      rows = JsonBodies.parseArrayOfObjects(json);
    } catch (Rejection r) {
      return azureError(400, "InvalidPayload", r.detail());
    }
    String requestId = headers.get("x-ms-client-request-id");
    List<ReceivedRecord> accepted = new ArrayList<>(rows.size());
    for (Map<String, Object> row : rows) {
      accepted.add(new ReceivedRecord(stream, dcr.id, ReceivedRecord.LOGS_INGESTION, row, requestId, now,
          token.clientId()));
    }
    Answer a = new Answer();
    a.status = 204;
    a.reason = "No Content";
    a.accepted = List.copyOf(accepted);
    a.principal = token.clientId();
    return a;
  }

  /** A token of this tenant's, or of a trusted managed identity endpoint (its resource taken without a slash). */
  private Issued lookUp(String bearer) {
    Issued own = issued.get(bearer);
    if (own != null) {
      return own;
    }
    for (ManagedIdentityEmulator identity : trustedIdentities) {
      java.util.Optional<ManagedIdentityEmulator.IssuedToken> t = identity.issuedToken(bearer);
      if (t.isPresent()) {
        String resource = t.get().resource();
        while (resource.endsWith("/")) {
          resource = resource.substring(0, resource.length() - 1);
        }
        return new Issued(t.get().clientId(), resource, t.get().expiresAt());
      }
    }
    return null;
  }

  private static byte[] gunzip(byte[] body, int limit) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > limit) {
          break;
        }
      }
      return out.toByteArray();
    }
  }

  static Answer azureError(int status, String code, String message) {
    Answer a = Answer.json(status, code + ": " + message, "{\"error\":{\"code\":\""
        + EmulatorDispatcher.jsonEscape(code) + "\",\"message\":\"" + EmulatorDispatcher.jsonEscape(message)
        + "\"}}");
    a.headers.put("x-ms-error-code", code);
    return a;
  }

  private static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equalsIgnoreCase(name)) {
        return eq < 0 ? "" : pair.substring(eq + 1);
      }
    }
    return null;
  }
}
