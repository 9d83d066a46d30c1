package io.loganalytics.sdk;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Which Azure cloud a workspace lives in, given by its domain (the legacy agent's {@code -d} option).
 *
 * <ul>
 *   <li>{@link #AZURE_CLOUD}: {@code opinsights.azure.com}, the public cloud (the default);
 *   <li>{@link #AZURE_US_GOVERNMENT}: {@code opinsights.azure.us};
 *   <li>{@link #AZURE_CHINA_CLOUD}: {@code opinsights.azure.cn}, Azure operated by 21Vianet;
 *   <li>any other DNS name, taken verbatim after validation, through {@link #fromDomain(String)}.
 * </ul>
 *
 * <p>From the domain it builds the hosts {@code <workspace>.oms.<domain>} (onboarding, heartbeat, renewal) and
 * {@code <workspace>.ods.<domain>} (data upload), and their endpoint URLs. The port is 443 unless changed with
 * {@link #withPort(int)}, which exists for emulators and private endpoints.
 *
 * <p>Immutable and thread-safe.
 */
public final class CloudEnvironment {
  /** The public Azure cloud, {@code opinsights.azure.com}. */
  public static final CloudEnvironment AZURE_CLOUD = new CloudEnvironment("AzureCloud", "opinsights.azure.com", 443,
      URI.create("https://login.microsoftonline.com/"), "https://monitor.azure.com");

  /** Azure Government, {@code opinsights.azure.us}. */
  public static final CloudEnvironment AZURE_US_GOVERNMENT = new CloudEnvironment("AzureUSGovernment",
      "opinsights.azure.us", 443, URI.create("https://login.microsoftonline.us/"), "https://monitor.azure.us");

  /** Azure China (21Vianet), {@code opinsights.azure.cn}. */
  public static final CloudEnvironment AZURE_CHINA_CLOUD = new CloudEnvironment("AzureChinaCloud",
      "opinsights.azure.cn", 443, URI.create("https://login.chinacloudapi.cn/"), "https://monitor.azure.cn");

  /** The Data Collector API version this SDK speaks. */
  public static final String DATA_COLLECTOR_API_VERSION = "2016-04-01";

  private final String name;
  private final String domain;
  private final int port;
  private final URI authorityHost;
  private final String ingestionAudience;

  private CloudEnvironment(String name, String domain, int port, URI authorityHost, String ingestionAudience) {
    this.name = name;
    this.domain = domain;
    this.port = port;
    this.authorityHost = authorityHost;
    this.ingestionAudience = ingestionAudience;
  }

  /** A custom cloud: Entra authority and ingestion audience of the sovereign cloud whose suffix the domain has. */
  private static CloudEnvironment custom(String domain, int port) {
    CloudEnvironment like = domain.endsWith(".us") ? AZURE_US_GOVERNMENT
        : domain.endsWith(".cn") ? AZURE_CHINA_CLOUD : AZURE_CLOUD;
    return new CloudEnvironment("Custom", domain, port, like.authorityHost, like.ingestionAudience);
  }

  /**
   * The cloud of a domain. The three known domains give the named constants; any other valid DNS name is a custom
   * cloud, used verbatim (lowercased), as the agent's {@code -d} did.
   *
   * @param domain a DNS name such as {@code opinsights.azure.us}; surrounding whitespace and one trailing dot are
   *     ignored
   * @return the cloud
   * @throws ConfigurationException naming {@code domain} when it is not a valid DNS name
   */
  public static CloudEnvironment fromDomain(String domain) {
    return onPort443(validateDomain(domain));
  }

  /** The named constant for a known domain, else a custom cloud; always on port 443. */
  private static CloudEnvironment onPort443(String validDomain) {
    for (CloudEnvironment known : new CloudEnvironment[] {AZURE_CLOUD, AZURE_US_GOVERNMENT, AZURE_CHINA_CLOUD}) {
      if (known.domain.equals(validDomain)) {
        return known;
      }
    }
    return custom(validDomain, 443);
  }

  /**
   * The cloud of a name people use: {@code AzureCloud} (also {@code AzurePublicCloud}, {@code public}),
   * {@code AzureUSGovernment} (also {@code usgov}), {@code AzureChinaCloud} (also {@code china}), compared without
   * case; anything containing a dot is taken as a domain, as by {@link #fromDomain(String)}.
   *
   * @param nameOrDomain the name or a domain
   * @return the cloud
   * @throws ConfigurationException naming {@code cloud} when the name is unknown
   */
  public static CloudEnvironment fromName(String nameOrDomain) {
    if (nameOrDomain == null || nameOrDomain.isBlank()) {
      throw new ConfigurationException("cloud", "is missing; expected AzureCloud, AzureUSGovernment, "
          + "AzureChinaCloud or a domain such as opinsights.azure.com");
    }
    String n = nameOrDomain.strip();
    if (n.contains(".")) {
      return fromDomain(n);
    }
    switch (n.toLowerCase(Locale.ROOT)) {
      case "azurecloud":
      case "azurepubliccloud":
      case "public":
        return AZURE_CLOUD;
      case "azureusgovernment":
      case "azureusgovernmentcloud":
      case "usgov":
        return AZURE_US_GOVERNMENT;
      case "azurechinacloud":
      case "china":
        return AZURE_CHINA_CLOUD;
      default:
        throw new ConfigurationException("cloud", "'" + n + "' is not a known cloud; expected AzureCloud, "
            + "AzureUSGovernment, AzureChinaCloud or a domain such as opinsights.azure.com");
    }
  }

  static String validateDomain(String domain) {
    if (domain == null || domain.isBlank()) {
      throw new ConfigurationException("domain", "is missing; expected a DNS name such as opinsights.azure.com");
    }
    String d = domain.strip().toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.length() > 253) {
      throw new ConfigurationException("domain", "is " + d.length() + " characters long; a DNS name has at most 253");
    }
    String[] labels = d.split("\\.", -1);
    if (labels.length < 2) {
      throw new ConfigurationException("domain", "'" + d + "' is not a DNS name with at least two labels, such as "
          + "opinsights.azure.com");
    }
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63) {
        throw new ConfigurationException("domain", "'" + d + "' has an empty label or one longer than 63 characters");
      }
      if (label.startsWith("-") || label.endsWith("-")) {
        throw new ConfigurationException("domain", "'" + d + "': the label '" + label
            + "' starts or ends with a hyphen");
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          throw new ConfigurationException("domain", "'" + d + "' contains '" + c
              + "'; only letters, digits, hyphens and dots are allowed (no scheme, port or path)");
        }
      }
    }
    if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new ConfigurationException("domain", "'" + d + "' ends in a numeric label; an IP address is not a "
          + "cloud domain (expected a DNS name such as opinsights.azure.com)");
    }
    return d;
  }

  /**
   * The same cloud reached on another port. Meant for emulators and private endpoints; the real service uses 443.
   *
   * @param port 1 to 65535
   * @return a cloud with the same domain and that port; named {@code Custom} unless the port is 443 and the domain
   *     is one of the three known clouds
   * @throws ConfigurationException naming {@code port} when out of range
   */
  public CloudEnvironment withPort(int port) {
    if (port < 1 || port > 65535) {
      throw new ConfigurationException("port", port + " is outside 1..65535");
    }
    // Back on 443, a known domain is its named cloud again, so that name() agrees with equals().
    if (port == 443 && authorityHost.equals(onPort443(domain).authorityHost)
        && ingestionAudience.equals(onPort443(domain).ingestionAudience)) {
      return onPort443(domain);
    }
    return new CloudEnvironment("Custom", domain, port, authorityHost, ingestionAudience);
  }

  /**
   * The cloud's name: {@code AzureCloud}, {@code AzureUSGovernment}, {@code AzureChinaCloud} or {@code Custom}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The domain, such as {@code opinsights.azure.com} (the agent's {@code URL_TLD}).
   *
   * @return the domain, lowercase
   */
  public String domain() {
    return domain;
  }

  /**
   * The HTTPS port, 443 unless changed.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The host for onboarding, heartbeat and renewal: {@code <workspace>.oms.<domain>}.
   *
   * @param workspaceId the workspace GUID
   * @return the host name
   */
  public String omsHost(String workspaceId) {
    return WorkspaceCredentials.validateWorkspaceId(workspaceId) + ".oms." + domain;
  }

  /**
   * The host for data upload: {@code <workspace>.ods.<domain>}.
   *
   * @param workspaceId the workspace GUID
   * @return the host name
   */
  public String odsHost(String workspaceId) {
    return WorkspaceCredentials.validateWorkspaceId(workspaceId) + ".ods." + domain;
  }

  /**
   * The onboarding and heartbeat endpoint, {@code https://<ws>.oms.<domain>/AgentService.svc/LinuxAgentTopologyRequest}.
   *
   * @param workspaceId the workspace GUID
   * @return the URL
   */
  public URI topologyRequestUri(String workspaceId) {
    return uri(omsHost(workspaceId), "/AgentService.svc/LinuxAgentTopologyRequest");
  }

  /**
   * The agent telemetry endpoint, {@code https://<ws>.oms.<domain>/AgentService.svc/AgentTelemetry}.
   *
   * @param workspaceId the workspace GUID
   * @return the URL
   */
  public URI agentTelemetryUri(String workspaceId) {
    return uri(omsHost(workspaceId), "/AgentService.svc/AgentTelemetry");
  }

  /**
   * The usual certificate renewal endpoint, {@code https://<ws>.oms.<domain>/ConfigurationService.Svc/RenewCertificate}.
   * The service names the one to use in its onboarding answer; this is the fallback.
   *
   * @param workspaceId the workspace GUID
   * @return the URL
   */
  public URI renewCertificateUri(String workspaceId) {
    return uri(omsHost(workspaceId), "/ConfigurationService.Svc/RenewCertificate");
  }

  /**
   * The agent's upload endpoint, {@code https://<ws>.ods.<domain>/OperationalData.svc/PostJsonDataItems}.
   *
   * @param workspaceId the workspace GUID
   * @return the URL
   */
  public URI odsUploadUri(String workspaceId) {
    return uri(odsHost(workspaceId), "/OperationalData.svc/PostJsonDataItems");
  }

  /**
   * The Data Collector API endpoint, {@code https://<ws>.ods.<domain>/api/logs?api-version=2016-04-01}.
   *
   * @param workspaceId the workspace GUID
   * @return the URL
   */
  public URI dataCollectorUri(String workspaceId) {
    return URI.create("https://" + odsHost(workspaceId) + portPart() + "/api/logs?api-version="
        + DATA_COLLECTOR_API_VERSION);
  }

  /**
   * The Microsoft Entra ID authority host: {@code https://login.microsoftonline.com/} (public),
   * {@code https://login.microsoftonline.us/} (US Government), {@code https://login.chinacloudapi.cn/} (China). A
   * custom domain takes the sovereign cloud its suffix names ({@code .us}, {@code .cn}), else the public one.
   *
   * @return the authority host, ending in {@code /}
   */
  public URI authorityHost() {
    return authorityHost;
  }

  /**
   * The token endpoint of a tenant: {@code <authorityHost><tenant>/oauth2/v2.0/token}.
   *
   * @param tenantId the tenant, a GUID or a domain
   * @return the URL
   */
  public URI tokenEndpoint(String tenantId) {
    return authorityHost.resolve(Objects.requireNonNull(tenantId, "tenantId") + "/oauth2/v2.0/token");
  }

  /**
   * The audience of the Logs Ingestion API: {@code https://monitor.azure.com}, {@code https://monitor.azure.us} or
   * {@code https://monitor.azure.cn}. Managed identity endpoints take it as their {@code resource}.
   *
   * @return the audience, without a trailing slash
   */
  public String ingestionAudience() {
    return ingestionAudience;
  }

  /**
   * The scope to request tokens for: the {@linkplain #ingestionAudience() audience} followed by
   * {@code //.default}, as Azure's own SDKs send it (for example {@code https://monitor.azure.com//.default}).
   *
   * @return the scope
   */
  public String ingestionScope() {
    return ingestionAudience + "//.default";
  }

  /**
   * The same cloud with another Entra authority host (a private cloud, or an emulator in tests).
   *
   * @param authorityHost an https URL; a missing trailing {@code /} is added
   * @return the cloud, named {@code Custom}
   * @throws ConfigurationException naming {@code authorityHost} when it is not an https URL with a host
   */
  public CloudEnvironment withAuthorityHost(URI authorityHost) {
    if (authorityHost == null || !"https".equalsIgnoreCase(authorityHost.getScheme())
        || authorityHost.getHost() == null || authorityHost.getUserInfo() != null
        || authorityHost.getQuery() != null || authorityHost.getFragment() != null) {
      String shown = authorityHost == null ? "null"
          : authorityHost.toString().replaceAll("//[^/@?#]*@", "//***@"); // user information may be a password
      throw new ConfigurationException("authorityHost", "'" + shown + "' must be an https URL with a host "
          + "and no user, query or fragment, such as https://login.microsoftonline.com/");
    }
    String a = authorityHost.toString();
    URI normalized = URI.create(a.endsWith("/") ? a : a + "/");
    return new CloudEnvironment("Custom", domain, port, normalized, ingestionAudience);
  }

  /**
   * The same cloud with another ingestion audience (a private cloud, or an emulator in tests).
   *
   * @param audience an https URL without a trailing slash, such as {@code https://monitor.azure.com}
   * @return the cloud, named {@code Custom}
   * @throws ConfigurationException naming {@code ingestionAudience} when it is not an https URL
   */
  public CloudEnvironment withIngestionAudience(String audience) {
    URI u;
    try {
      u = audience == null ? null : URI.create(audience.strip());
    } catch (IllegalArgumentException e) {
      u = null;
    }
    if (u == null || !"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new ConfigurationException("ingestionAudience", "'" + audience + "' must be an https URL such as "
          + "https://monitor.azure.com");
    }
    String a = u.toString();
    while (a.endsWith("/")) {
      a = a.substring(0, a.length() - 1);
    }
    return new CloudEnvironment("Custom", domain, port, authorityHost, a);
  }

  private URI uri(String host, String path) {
    return URI.create("https://" + host + portPart() + path);
  }

  private String portPart() {
    return port == 443 ? "" : ":" + port;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CloudEnvironment)) {
      return false;
    }
    CloudEnvironment that = (CloudEnvironment) o;
    return port == that.port && domain.equals(that.domain) && authorityHost.equals(that.authorityHost)
        && ingestionAudience.equals(that.ingestionAudience);
  }

  @Override
  public int hashCode() {
    return Objects.hash(domain, port, authorityHost, ingestionAudience);
  }

  @Override
  public String toString() {
    return "CloudEnvironment{" + name + ", domain=" + domain + (port == 443 ? "" : ", port=" + port) + "}";
  }
}
