package io.loganalytics.testkit;

import io.loganalytics.sdk.EntraCredential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;

/**
 * A local managed identity endpoint for tests: the Azure VM Instance Metadata Service, App Service's identity endpoint,
 * or the Azure Arc agent, on plain HTTP at {@code 127.0.0.1} as the real ones are (they are local too). It is strict
 * where the real endpoints are:
 *
 * <ul>
 *   <li>IMDS ({@code GET /metadata/identity/oauth2/token}): {@code Metadata: true} is required (else 400
 *       {@code invalid_request} "Required metadata header not specified"), {@code X-Forwarded-For} is refused,
 *       {@code api-version} and {@code resource} are required; an unknown resource is 400 {@code invalid_resource}
 *       (AADSTS500011); without a system-assigned identity, or with an unknown {@code client_id}, it is 400
 *       {@code invalid_request} "Identity not found". The answer's numbers are strings, as IMDS sends them.
 *   <li>App Service ({@code GET /msi/token}, api-version 2019-08-01): {@code X-IDENTITY-HEADER} must equal
 *       {@link #identityHeader()} (else 401); the answer has {@code expires_on} (epoch seconds, a string) and no
 *       {@code expires_in}.
 *   <li>Azure Arc ({@code GET /metadata/identity/oauth2/token}, api-version 2020-06-01, {@code Metadata: true}): a
 *       request without {@code Authorization} is answered 401 with {@code WWW-Authenticate: Basic realm=<file>},
 *       where the file is a new random key written with mode 0600 in {@link #arcTokenDirectory()} (a directory of
 *       mode 0700 the emulator owns); a request with {@code Authorization: Basic <that key>} gets the token.
 * </ul>
 *
 * <p>Tokens are random, live {@link #tokenLifetime(Duration)} by the emulator's clock and are recorded:
 * {@link #isValid(String)} says whether one was issued here and has not expired, so an ingestion endpoint can trust
 * them. Faults: {@link #failNext(int, int)} answers the next requests with 429 (with {@code Retry-After}) or 5xx.
 *
 * <p>Thread-safe. Close it to stop the server and delete the Arc token directory.
 */
public final class ManagedIdentityEmulator implements AutoCloseable {
  /** Which managed identity endpoint to play. */
  public enum Flavour {
    /** The Azure VM Instance Metadata Service. */
    IMDS,
    /** App Service / Azure Functions ({@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER}). */
    APP_SERVICE,
    /** The Azure Arc Connected Machine agent. */
    ARC
  }

  /** A token the emulator issued. */
  public static final class IssuedToken {
    private final String token;
    private final String resource;
    private final String clientId;
    private final Instant expiresAt;

    IssuedToken(String token, String resource, String clientId, Instant expiresAt) {
      this.token = token;
      this.resource = resource;
      this.clientId = clientId;
      this.expiresAt = expiresAt;
    }

    /** @return the bearer token */
    public String token() {
      return token;
    }

    /** @return the resource it was issued for */
    public String resource() {
      return resource;
    }

    /** @return the identity's client ID: a user-assigned one, or {@link #SYSTEM_ASSIGNED_CLIENT_ID} */
    public String clientId() {
      return clientId;
    }

    /** @return when it expires */
    public Instant expiresAt() {
      return expiresAt;
    }

    @Override
    public String toString() {
      return "IssuedToken{resource=" + resource + ", clientId=" + clientId + ", expiresAt=" + expiresAt + "}";
    }
  }

  /** A request the emulator received. */
  public static final class SeenRequest {
    private final String method;
    private final String path;
    private final Map<String, String> query;
    private final Map<String, String> headers;

    SeenRequest(String method, String path, Map<String, String> query, Map<String, String> headers) {
      this.method = method;
      this.path = path;
      this.query = query;
      this.headers = headers;
    }

    /** @return the method */
    public String method() {
      return method;
    }

    /** @return the path without query */
    public String path() {
      return path;
    }

    /** @return the query parameters, decoded */
    public Map<String, String> query() {
      return query;
    }

    /**
     * A header.
     *
     * @param name its name, any case
     * @return the value, or {@code null}
     */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return method + " " + path + " " + query.keySet();
    }
  }

  /** The client ID the emulator reports for the system-assigned identity. */
  public static final String SYSTEM_ASSIGNED_CLIENT_ID = "00000000-0000-0000-0000-00000000a11c";
  /** The resources (audiences) the emulator knows, with and without trailing slash. */
  private static final Set<String> KNOWN_RESOURCES = Set.of("https://monitor.azure.com", "https://monitor.azure.us",
      "https://monitor.azure.cn", "https://management.azure.com");

  private final Flavour flavour;
  private final Clock clock;
  private final MockWebServer server = new MockWebServer();
  private final SecureRandom random = new SecureRandom();
  private final String identityHeader;
  private final Path arcTokenDirectory;
  private final Map<String, IssuedToken> issued = new ConcurrentHashMap<>();
  private final List<IssuedToken> issuedInOrder = new CopyOnWriteArrayList<>();
  private final List<SeenRequest> seen = new CopyOnWriteArrayList<>();
  private final Set<String> userAssigned = ConcurrentHashMap.newKeySet();
  private final Set<String> extraResources = ConcurrentHashMap.newKeySet();
  private volatile boolean systemAssigned = true;
  private volatile Duration tokenLifetime = Duration.ofHours(24);
  private volatile int replyPadding;
  private volatile Path plantedChallenge;
  private volatile String arcKey;
  private int faultsLeft;
  private int faultStatus;

  private ManagedIdentityEmulator(Flavour flavour, Clock clock) {
    this.flavour = Objects.requireNonNull(flavour, "flavour");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.identityHeader = randomText(24);
    try {
      this.arcTokenDirectory = flavour == Flavour.ARC ? Files.createTempDirectory("mi-emulator-arc-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))) : null;
      server.setProtocolNegotiationEnabled(false);
      server.setProtocols(List.of(Protocol.HTTP_1_1));
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return answer(request);
        }
      });
      server.start(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the managed identity emulator", e);
    }
  }

  /**
   * Starts an emulator on a free port of 127.0.0.1, with the system clock.
   *
   * @param flavour which endpoint to play
   * @return the running emulator
   */
  public static ManagedIdentityEmulator start(Flavour flavour) {
    return new ManagedIdentityEmulator(flavour, Clock.systemUTC());
  }

  /**
   * Starts an emulator on a free port of 127.0.0.1.
   *
   * @param flavour which endpoint to play
   * @param clock the clock for token expiry (a {@link MutableClock} in tests)
   * @return the running emulator
   */
  public static ManagedIdentityEmulator start(Flavour flavour, Clock clock) {
    return new ManagedIdentityEmulator(flavour, clock);
  }

  /**
   * The endpoint to configure: IMDS's base URL ({@code http://127.0.0.1:port}, as
   * {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}), or the full token URL for App Service and Arc (as
   * {@code IDENTITY_ENDPOINT}).
   *
   * @return the URL
   */
  public URI endpoint() {
    String base = "http://127.0.0.1:" + server.getPort();
    switch (flavour) {
      case IMDS:
        return URI.create(base);
      case APP_SERVICE:
        return URI.create(base + "/msi/token");
      default:
        return URI.create(base + "/metadata/identity/oauth2/token");
    }
  }

  /**
   * A credential for the system-assigned identity, pointed at this emulator.
   *
   * @return the credential
   */
  public EntraCredential credential() {
    return credential(null);
  }

  /**
   * A credential pointed at this emulator.
   *
   * @param clientId a user-assigned identity's client ID, or {@code null} for the system-assigned one (ignored by
   *     Arc, which has only a system-assigned identity)
   * @return the credential
   */
  public EntraCredential credential(String clientId) {
    switch (flavour) {
      case IMDS:
        return (clientId == null ? EntraCredential.managedIdentity() : EntraCredential.managedIdentity(clientId))
            .withManagedIdentityEndpoint(endpoint());
      case APP_SERVICE:
        return EntraCredential.appServiceManagedIdentity(endpoint(), identityHeader, clientId);
      default:
        return EntraCredential.arcManagedIdentity(endpoint());
    }
  }

  /**
   * The environment variables a process would see where this endpoint is real (for
   * {@link EntraCredential#fromEnvironment(Map)}).
   *
   * @return the variables
   */
  public Map<String, String> environment() {
    switch (flavour) {
      case IMDS:
        return Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", endpoint().toString());
      case APP_SERVICE:
        return Map.of("IDENTITY_ENDPOINT", endpoint().toString(), "IDENTITY_HEADER", identityHeader);
      default:
        return Map.of("IDENTITY_ENDPOINT", endpoint().toString(), "IMDS_ENDPOINT",
            "http://127.0.0.1:" + server.getPort());
    }
  }

  /** @return the App Service identity header (a secret) that requests must carry */
  public String identityHeader() {
    return identityHeader;
  }

  /** @return the directory where the Arc challenge files are written, or {@code null} for the other flavours */
  public Path arcTokenDirectory() {
    return arcTokenDirectory;
  }

  /**
   * How long issued tokens live; 24 hours by default.
   *
   * @param lifetime the lifetime, positive
   * @return this emulator
   */
  public ManagedIdentityEmulator tokenLifetime(Duration lifetime) {
    if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("tokenLifetime must be positive, was " + lifetime);
    }
    this.tokenLifetime = lifetime;
    return this;
  }

  /**
   * Whether the host has a system-assigned identity; {@code true} by default.
   *
   * @param enabled whether it has one
   * @return this emulator
   */
  public ManagedIdentityEmulator systemAssigned(boolean enabled) {
    this.systemAssigned = enabled;
    return this;
  }

  /**
   * Assigns a user-assigned identity to the host.
   *
   * @param clientId its client ID
   * @return this emulator
   */
  public ManagedIdentityEmulator assignUserIdentity(String clientId) {
    userAssigned.add(clientId.toLowerCase(Locale.ROOT));
    return this;
  }

  /**
   * Makes another resource (audience) known, such as a {@link WorkspaceEmulator}'s ingestion audience, so that tokens
   * can be had for it. {@link WorkspaceEmulator#trustManagedIdentity(ManagedIdentityEmulator)} calls it.
   *
   * @param resource an audience such as {@code https://monitor.emulator.test}; a trailing slash is ignored
   * @return this emulator
   */
  public ManagedIdentityEmulator acceptResource(String resource) {
    String r = Objects.requireNonNull(resource, "resource");
    extraResources.add(r.endsWith("/") ? r.substring(0, r.length() - 1) : r);
    return this;
  }

  /**
   * Pads successful answers with a member of this many bytes (for tests of oversized answers).
   *
   * @param bytes the padding, 0 for none
   * @return this emulator
   */
  public ManagedIdentityEmulator replyPadding(int bytes) {
    this.replyPadding = bytes;
    return this;
  }

  /**
   * Arc only: names this path in the next challenges instead of a file of its own (for tests of a hostile agent:
   * a link, a file elsewhere, a huge file). The key expected back is then that file's content.
   *
   * @param path the path to name, or {@code null} to go back to the emulator's own files
   * @return this emulator
   */
  public ManagedIdentityEmulator plantChallenge(Path path) {
    this.plantedChallenge = path;
    return this;
  }

  /**
   * Answers the next {@code times} requests with {@code status} (429 carries {@code Retry-After: 1}).
   *
   * @param times how many requests
   * @param status the status, such as 429, 500 or 503
   * @return this emulator
   */
  public synchronized ManagedIdentityEmulator failNext(int times, int status) {
    this.faultsLeft = times;
    this.faultStatus = status;
    return this;
  }

  /** @return the tokens issued, oldest first */
  public List<IssuedToken> issuedTokens() {
    return Collections.unmodifiableList(new ArrayList<>(issuedInOrder));
  }

  /**
   * A token issued here, whether or not it has expired.
   *
   * @param token the bearer token
   * @return what was issued, or empty when the token is not one of this emulator's
   */
  public java.util.Optional<IssuedToken> issuedToken(String token) {
    return java.util.Optional.ofNullable(token == null ? null : issued.get(token));
  }

  /**
   * Whether a bearer token was issued here and has not expired by the emulator's clock.
   *
   * @param token the token
   * @return {@code true} when it is valid now
   */
  public boolean isValid(String token) {
    IssuedToken t = token == null ? null : issued.get(token);
    return t != null && clock.instant().isBefore(t.expiresAt);
  }

  /** @return the requests received, oldest first */
  public List<SeenRequest> requests() {
    return Collections.unmodifiableList(new ArrayList<>(seen));
  }

  private synchronized int takeFault() {
    if (faultsLeft > 0) {
      faultsLeft--;
      return faultStatus;
    }
    return 0;
  }

  private MockResponse answer(RecordedRequest request) {
    String target = request.getTarget();
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    Map<String, String> query = parseQuery(q < 0 ? "" : target.substring(q + 1));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : request.getHeaders().names()) {
      headers.put(name.toLowerCase(Locale.ROOT), request.getHeaders().get(name));
    }
    seen.add(new SeenRequest(request.getMethod(), path, Collections.unmodifiableMap(query),
        Collections.unmodifiableMap(headers)));
    int fault = takeFault();
    if (fault != 0) {
      MockResponse.Builder b = json(fault, "{\"error\":\"fault\",\"error_description\":\"Fault injected by the "
          + "managed identity emulator\"}");
      if (fault == 429) {
        b.setHeader("Retry-After", "1");
      }
      return b.build();
    }
    if (!"GET".equals(request.getMethod())) {
      return error(405, "invalid_request", "only GET is supported");
    }
    String expectedPath = flavour == Flavour.APP_SERVICE ? "/msi/token" : "/metadata/identity/oauth2/token";
    if (!expectedPath.equals(path)) {
      return error(404, "not_found", "no endpoint at " + path);
    }
    if (flavour != Flavour.APP_SERVICE && !"true".equalsIgnoreCase(headers.get("metadata"))) {
      return error(400, "invalid_request", "Required metadata header not specified");
    }
    if (headers.containsKey("x-forwarded-for")) {
      return error(400, "invalid_request", "Request contains X-Forwarded-For header");
    }
    if (flavour == Flavour.APP_SERVICE && !identityHeader.equals(headers.get("x-identity-header"))) {
      return error(401, "unauthorized", "X-IDENTITY-HEADER is missing or wrong");
    }
    String version = flavour == Flavour.IMDS ? "2018-02-01" : flavour == Flavour.APP_SERVICE ? "2019-08-01"
        : "2020-06-01";
    if (!version.equals(query.get("api-version"))) {
      return error(400, "invalid_request", "api-version must be " + version + ", was " + query.get("api-version"));
    }
    String resource = query.get("resource");
    if (resource == null || resource.isBlank()) {
      return error(400, "invalid_request", "Required audience parameter not specified");
    }
    String trimmed = resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
    if (!KNOWN_RESOURCES.contains(trimmed) && !extraResources.contains(trimmed)) {
      return error(400, "invalid_resource", "AADSTS500011: The resource principal named " + resource
          + " was not found in the tenant");
    }
    if (flavour == Flavour.ARC) {
      MockResponse challenge = arcChallenge(headers.get("authorization"));
      if (challenge != null) {
        return challenge;
      }
    }
    String clientId = query.get("client_id");
    if (clientId != null && !userAssigned.contains(clientId.toLowerCase(Locale.ROOT))) {
      return error(400, "invalid_request", "Identity not found");
    }
    if (clientId == null && !systemAssigned) {
      return error(400, "invalid_request", "Identity not found");
    }
    return issue(resource, clientId == null ? SYSTEM_ASSIGNED_CLIENT_ID : clientId.toLowerCase(Locale.ROOT));
  }

  /** The 401 challenge, or {@code null} when the request carries the right key. */
  private MockResponse arcChallenge(String authorization) {
    String expected = arcKey;
    if (authorization != null && expected != null && authorization.equals("Basic " + expected)) {
      return null;
    }
    Path file = plantedChallenge;
    try {
      if (file == null) {
        file = arcTokenDirectory.resolve(randomText(8) + ".key");
        String key = randomText(32);
        Files.writeString(file, key, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        arcKey = key;
      } else {
        arcKey = Files.isReadable(file) ? Files.readString(file, StandardCharsets.ISO_8859_1).strip() : null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return json(401, "{\"error\":\"unauthorized\",\"error_description\":\"challenge\"}")
        .setHeader("WWW-Authenticate", "Basic realm=" + file).build();
  }

  private MockResponse issue(String resource, String clientId) {
    String token = "mi." + randomText(32);
    Instant now = clock.instant();
    Instant expiresAt = now.plus(tokenLifetime);
    IssuedToken t = new IssuedToken(token, resource, clientId, expiresAt);
    issued.put(token, t);
    issuedInOrder.add(t);
    long lifetime = tokenLifetime.toSeconds();
    StringBuilder b = new StringBuilder("{\"access_token\":\"").append(token).append('"')
        .append(",\"client_id\":\"").append(clientId).append('"');
    if (flavour != Flavour.APP_SERVICE) {
      b.append(",\"expires_in\":\"").append(lifetime).append('"')
          .append(",\"ext_expires_in\":\"").append(lifetime).append('"');
    }
    b.append(",\"expires_on\":\"").append(expiresAt.getEpochSecond()).append('"')
        .append(",\"not_before\":\"").append(now.getEpochSecond()).append('"')
        .append(",\"resource\":\"").append(jsonEscape(resource)).append('"')
        .append(",\"token_type\":\"Bearer\"");
    int padding = replyPadding;
    if (padding > 0) {
      b.append(",\"padding\":\"").append("x".repeat(padding)).append('"');
    }
    return json(200, b.append('}').toString()).build();
  }

  private static MockResponse error(int status, String code, String description) {
    return json(status, "{\"error\":\"" + jsonEscape(code) + "\",\"error_description\":\"" + jsonEscape(description)
        + "\"}").build();
  }

  private static MockResponse.Builder json(int status, String body) {
    return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json; charset=utf-8")
        .setHeader("Server", "loganalytics-managed-identity-emulator").body(body);
  }

  private static Map<String, String> parseQuery(String q) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : q.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private String randomText(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Stops the server and deletes the Arc token directory. Idempotent. */
  @Override
  public void close() {
    server.close();
    if (arcTokenDirectory != null) {
      try (var files = Files.list(arcTokenDirectory)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(arcTokenDirectory);
      } catch (IOException e) {
        // a temp directory; best effort
      }
    }
  }

  @Override
  public String toString() {
    return "ManagedIdentityEmulator{" + flavour + ", " + endpoint() + ", identityHeader=***}";
  }
}
