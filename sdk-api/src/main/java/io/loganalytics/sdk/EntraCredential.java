package io.loganalytics.sdk;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the SDK obtains Microsoft Entra ID tokens for the {@link Transport#LOGS_INGESTION} transport, without the Azure
 * SDK: a client secret, a client certificate, workload identity (a federated token file), or a managed identity
 * (Azure VM IMDS, App Service, Azure Arc). {@link #fromEnvironment()} picks one from the same variables as
 * azure-identity's {@code DefaultAzureCredential}.
 *
 * <p>This is a description; the client built with it talks to Entra through its own HTTP settings (proxy, extra
 * trust anchors, resolver), caches the token and refreshes it 5 minutes before expiry. The authority host and the
 * scope come from the client's {@link CloudEnvironment} unless {@link #withAuthorityHost(URI)} says otherwise.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret.
 */
public final class EntraCredential {
  /** The kinds of credential. */
  public enum Kind {
    /** An app registration's client secret. */
    CLIENT_SECRET,
    /** An app registration's certificate: a signed JWT client assertion. */
    CLIENT_CERTIFICATE,
    /** Workload identity: a federated token from a file (AKS, any OIDC issuer), re-read for every token. */
    WORKLOAD_IDENTITY,
    /** A managed identity through the Azure VM Instance Metadata Service. */
    MANAGED_IDENTITY_IMDS,
    /** A managed identity of App Service or Azure Functions ({@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER}). */
    MANAGED_IDENTITY_APP_SERVICE,
    /** A managed identity of an Azure Arc-enabled server (the agent's challenge file). */
    MANAGED_IDENTITY_ARC
  }

  /** The Azure VM Instance Metadata Service. */
  public static final URI DEFAULT_IMDS_ENDPOINT = URI.create("http://169.254.169.254");

  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}");

  private final Kind kind;
  private final String tenantId;
  private final String clientId;
  private final String secret;
  private final Path file;
  private final URI endpoint;
  private final URI authorityHost;

  private EntraCredential(Kind kind, String tenantId, String clientId, String secret, Path file, URI endpoint,
      URI authorityHost) {
    this.kind = kind;
    this.tenantId = tenantId;
    this.clientId = clientId;
    this.secret = secret;
    this.file = file;
    this.endpoint = endpoint;
    this.authorityHost = authorityHost;
  }

  /**
   * An app registration's client secret.
   *
   * @param tenantId the directory (tenant) ID, a GUID or a domain such as {@code contoso.onmicrosoft.com}
   * @param clientId the application (client) ID, a GUID
   * @param clientSecret the secret's value (not its ID)
   * @return the credential
   * @throws ConfigurationException naming the field that is missing or malformed (never showing the secret)
   */
  public static EntraCredential clientSecret(String tenantId, String clientId, String clientSecret) {
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new ConfigurationException("clientSecret", "is missing; use the secret's value from the app "
          + "registration's Certificates & secrets page, not its ID");
    }
    return new EntraCredential(Kind.CLIENT_SECRET, tenant(tenantId), guid("clientId", clientId), clientSecret.strip(),
        null, null, null);
  }

  /**
   * An app registration's certificate: the SDK signs a JWT client assertion with its private key.
   *
   * @param tenantId the directory (tenant) ID
   * @param clientId the application (client) ID, a GUID
   * @param pemFile a PEM file holding the certificate and its unencrypted private key (as
   *     {@code AZURE_CLIENT_CERTIFICATE_PATH}); read when the client is built
   * @return the credential
   * @throws ConfigurationException naming the field that is missing or malformed
   */
  public static EntraCredential clientCertificate(String tenantId, String clientId, Path pemFile) {
    return new EntraCredential(Kind.CLIENT_CERTIFICATE, tenant(tenantId), guid("clientId", clientId), null,
        Objects.requireNonNull(pemFile, "pemFile"), null, null);
  }

  /**
   * Workload identity: a federated token read from a file for each token request (the file is rotated by its
   * issuer, for example a Kubernetes projected service account token).
   *
   * @param tenantId the directory (tenant) ID
   * @param clientId the application or user-assigned identity's client ID, a GUID
   * @param federatedTokenFile the file ({@code AZURE_FEDERATED_TOKEN_FILE})
   * @return the credential
   * @throws ConfigurationException naming the field that is missing or malformed
   */
  public static EntraCredential workloadIdentity(String tenantId, String clientId, Path federatedTokenFile) {
    return new EntraCredential(Kind.WORKLOAD_IDENTITY, tenant(tenantId), guid("clientId", clientId), null,
        Objects.requireNonNull(federatedTokenFile, "federatedTokenFile"), null, null);
  }

  /**
   * The system-assigned managed identity of an Azure VM, through IMDS.
   *
   * @return the credential
   */
  public static EntraCredential managedIdentity() {
    return new EntraCredential(Kind.MANAGED_IDENTITY_IMDS, null, null, null, null, DEFAULT_IMDS_ENDPOINT, null);
  }

  /**
   * A user-assigned managed identity of an Azure VM, through IMDS.
   *
   * @param clientId the identity's client ID, a GUID
   * @return the credential
   * @throws ConfigurationException naming {@code clientId} when it is not a GUID
   */
  public static EntraCredential managedIdentity(String clientId) {
    return new EntraCredential(Kind.MANAGED_IDENTITY_IMDS, null, guid("clientId", clientId), null, null,
        DEFAULT_IMDS_ENDPOINT, null);
  }

  /**
   * The managed identity of App Service or Azure Functions.
   *
   * @param identityEndpoint the value of {@code IDENTITY_ENDPOINT}
   * @param identityHeader the value of {@code IDENTITY_HEADER}, sent as {@code X-IDENTITY-HEADER}
   * @param clientId a user-assigned identity's client ID, or {@code null} for the system-assigned one
   * @return the credential
   * @throws ConfigurationException naming the field that is missing or malformed
   */
  public static EntraCredential appServiceManagedIdentity(URI identityEndpoint, String identityHeader,
      String clientId) {
    if (identityHeader == null || identityHeader.isBlank()) {
      throw new ConfigurationException("identityHeader", "is missing (IDENTITY_HEADER)");
    }
    return new EntraCredential(Kind.MANAGED_IDENTITY_APP_SERVICE, null,
        clientId == null ? null : guid("clientId", clientId), identityHeader.strip(), null,
        endpoint("identityEndpoint", identityEndpoint), null);
  }

  /**
   * The managed identity of an Azure Arc-enabled server: the agent answers the first request with a challenge file
   * that only a privileged local user can read.
   *
   * @param identityEndpoint the value of {@code IDENTITY_ENDPOINT}, usually
   *     {@code http://localhost:40342/metadata/identity/oauth2/token}
   * @return the credential
   * @throws ConfigurationException naming {@code identityEndpoint} when it is not an http(s) URL
   */
  public static EntraCredential arcManagedIdentity(URI identityEndpoint) {
    return new EntraCredential(Kind.MANAGED_IDENTITY_ARC, null, null, null, null,
        endpoint("identityEndpoint", identityEndpoint), null);
  }

  /**
   * Picks a credential from the process environment, as {@link #fromEnvironment(Map)}.
   *
   * @return the credential
   * @throws ConfigurationException when a variable is malformed
   */
  public static EntraCredential fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Picks a credential from environment variables, in the order of azure-identity's
   * {@code DefaultAzureCredential}:
   *
   * <ol>
   *   <li>{@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_SECRET}: a client secret;
   *   <li>{@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_CERTIFICATE_PATH}: a client
   *       certificate;
   *   <li>{@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} and {@code AZURE_FEDERATED_TOKEN_FILE}: workload
   *       identity;
   *   <li>{@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}: App Service (user-assigned when
   *       {@code AZURE_CLIENT_ID} is set);
   *   <li>{@code IDENTITY_ENDPOINT} and {@code IMDS_ENDPOINT}: Azure Arc (after App Service, as MSAL's managed
   *       identity source detection does);
   *   <li>otherwise IMDS (user-assigned when {@code AZURE_CLIENT_ID} is set), at
   *       {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} when that is set.
   * </ol>
   *
   * <p>{@code AZURE_AUTHORITY_HOST} overrides the cloud's authority host for the first three.
   *
   * @param env the variables
   * @return the credential
   * @throws ConfigurationException naming the variable that is malformed
   */
  public static EntraCredential fromEnvironment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    String tenant = value(env, "AZURE_TENANT_ID");
    String client = value(env, "AZURE_CLIENT_ID");
    String authority = value(env, "AZURE_AUTHORITY_HOST");
    // Checked here so that a malformed value is named by its variable, not by the factory's parameter.
    String tenantId = tenant == null ? null : variable("AZURE_TENANT_ID", () -> tenant(tenant));
    String clientId = client == null ? null : variable("AZURE_CLIENT_ID", () -> guid("clientId", client));
    EntraCredential chosen = null;
    if (tenantId != null && clientId != null) {
      String secretValue = value(env, "AZURE_CLIENT_SECRET");
      String certificate = value(env, "AZURE_CLIENT_CERTIFICATE_PATH");
      String tokenFile = value(env, "AZURE_FEDERATED_TOKEN_FILE");
      if (secretValue != null) {
        chosen = clientSecret(tenantId, clientId, secretValue);
      } else if (certificate != null) {
        chosen = clientCertificate(tenantId, clientId, variable("AZURE_CLIENT_CERTIFICATE_PATH",
            () -> path(certificate)));
      } else if (tokenFile != null) {
        chosen = workloadIdentity(tenantId, clientId, variable("AZURE_FEDERATED_TOKEN_FILE", () -> path(tokenFile)));
      }
      if (chosen != null) {
        if (authority == null) {
          return chosen;
        }
        EntraCredential app = chosen;
        return variable("AZURE_AUTHORITY_HOST", () -> app.withAuthorityHost(uri("AZURE_AUTHORITY_HOST", authority)));
      }
    }
    // Managed identity, in the order of MSAL's source detection: App Service, then Arc, then IMDS.
    String identityEndpoint = value(env, "IDENTITY_ENDPOINT");
    String identityHeader = value(env, "IDENTITY_HEADER");
    if (identityEndpoint != null && identityHeader != null) {
      return appServiceManagedIdentity(uri("IDENTITY_ENDPOINT", identityEndpoint), identityHeader, clientId);
    }
    if (identityEndpoint != null && value(env, "IMDS_ENDPOINT") != null) {
      return arcManagedIdentity(uri("IDENTITY_ENDPOINT", identityEndpoint));
    }
    EntraCredential imds = clientId == null ? managedIdentity() : managedIdentity(clientId);
    String podIdentity = value(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST");
    return podIdentity == null ? imds
        : imds.withManagedIdentityEndpoint(uri("AZURE_POD_IDENTITY_AUTHORITY_HOST", podIdentity));
  }

  /** Runs a check of an environment variable's value; its failure is reported under the variable's name. */
  private static <T> T variable(String name, java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (ConfigurationException e) {
      if (name.equals(e.field())) {
        throw e;
      }
      String message = e.getMessage();
      String prefix = e.field() + ": ";
      throw new ConfigurationException(name, message.startsWith(prefix) ? message.substring(prefix.length())
          : message);
    }
  }

  private static Path path(String value) {
    try {
      return Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigurationException("path", "'" + value + "' is not a valid path (" + e.getReason() + ")");
    }
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static URI uri(String field, String value) {
    URI parsed;
    try {
      parsed = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(field, "'" + withoutUserInfo(value) + "' is not a URL");
    }
    return endpoint(field, parsed);
  }

  private static URI endpoint(String field, URI uri) {
    if (uri == null) {
      throw new ConfigurationException(field, "is missing");
    }
    if (uri.getRawUserInfo() != null) {
      // Before anything echoes the URL: user information may be a password.
      throw new ConfigurationException(field, "must not hold user information");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new ConfigurationException(field, "'" + withoutUserInfo(uri.toString()) + "' must be an http or https "
          + "URL with a host");
    }
    return uri;
  }

  /** A URL for a message: anything between {@code //} and {@code @} (user information) replaced by {@code ***}. */
  private static String withoutUserInfo(String url) {
    return url.replaceAll("//[^/@?#]*@", "//***@");
  }

  private static String tenant(String tenantId) {
    if (tenantId == null || tenantId.isBlank()) {
      throw new ConfigurationException("tenantId", "is missing; expected the directory (tenant) ID, a GUID");
    }
    String t = tenantId.strip();
    if (!TENANT.matcher(t).matches()) {
      throw new ConfigurationException("tenantId", "'" + t + "' is neither a GUID nor a domain name");
    }
    return t.toLowerCase(Locale.ROOT);
  }

  private static String guid(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigurationException(field, "is missing; expected a GUID");
    }
    String v = value.strip();
    if (!GUID.matcher(v).matches()) {
      throw new ConfigurationException(field, "'" + v + "' is not a GUID (8-4-4-4-12 hexadecimal digits)");
    }
    return v.toLowerCase(Locale.ROOT);
  }

  /**
   * The same credential with another Entra authority host, for a private cloud or a test emulator; by default the
   * client's {@link CloudEnvironment#authorityHost()}.
   *
   * @param authorityHost an https URL such as {@code https://login.microsoftonline.com/}
   * @return the credential
   * @throws ConfigurationException naming {@code authorityHost} when it is not an https URL
   */
  public EntraCredential withAuthorityHost(URI authorityHost) {
    URI a = endpoint("authorityHost", authorityHost);
    if (!"https".equalsIgnoreCase(a.getScheme())) {
      throw new ConfigurationException("authorityHost", "'" + a + "' must use https: credentials travel to it");
    }
    return new EntraCredential(kind, tenantId, clientId, secret, file, endpoint, a);
  }

  /**
   * The same managed identity credential reached at another endpoint (IMDS: a base URL such as
   * {@code http://169.254.169.254}, as {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}; App Service and Arc: the full
   * token URL).
   *
   * @param managedIdentityEndpoint the endpoint
   * @return the credential
   * @throws ConfigurationException when this is not a managed identity, or the URL is malformed
   */
  public EntraCredential withManagedIdentityEndpoint(URI managedIdentityEndpoint) {
    if (endpoint == null) {
      throw new ConfigurationException("managedIdentityEndpoint", "applies to managed identities only, not to "
          + kind);
    }
    return new EntraCredential(kind, tenantId, clientId, secret, file,
        endpoint("managedIdentityEndpoint", managedIdentityEndpoint), authorityHost);
  }

  /** @return the kind of credential */
  public Kind kind() {
    return kind;
  }

  /** @return the tenant, for the app registration kinds */
  public Optional<String> tenantId() {
    return Optional.ofNullable(tenantId);
  }

  /** @return the client ID: the application's, or a user-assigned managed identity's */
  public Optional<String> clientId() {
    return Optional.ofNullable(clientId);
  }

  /**
   * The secret: the client secret, or App Service's identity header. For the SDK's implementation; never log it.
   *
   * @return the secret, for {@link Kind#CLIENT_SECRET} and {@link Kind#MANAGED_IDENTITY_APP_SERVICE}
   */
  public Optional<String> secret() {
    return Optional.ofNullable(secret);
  }

  /** @return the certificate PEM file or the federated token file */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** @return the managed identity endpoint */
  public Optional<URI> managedIdentityEndpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** @return the authority host when overridden */
  public Optional<URI> authorityHost() {
    return Optional.ofNullable(authorityHost);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("EntraCredential{").append(kind);
    if (tenantId != null) {
      b.append(", tenantId=").append(tenantId);
    }
    if (clientId != null) {
      b.append(", clientId=").append(clientId);
    }
    if (secret != null) {
      b.append(", secret=***");
    }
    if (file != null) {
      b.append(", file=").append(file);
    }
    if (endpoint != null) {
      b.append(", endpoint=").append(endpoint);
    }
    if (authorityHost != null) {
      b.append(", authorityHost=").append(authorityHost);
    }
    return b.append('}').toString();
  }
}
