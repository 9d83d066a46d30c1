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
  public static final CloudEnvironment AZURE_CLOUD = new CloudEnvironment("AzureCloud", "opinsights.azure.com", 443);

  /** Azure Government, {@code opinsights.azure.us}. */
  public static final CloudEnvironment AZURE_US_GOVERNMENT =
      new CloudEnvironment("AzureUSGovernment", "opinsights.azure.us", 443);

  /** Azure China (21Vianet), {@code opinsights.azure.cn}. */
  public static final CloudEnvironment AZURE_CHINA_CLOUD =
      new CloudEnvironment("AzureChinaCloud", "opinsights.azure.cn", 443);

  /** The Data Collector API version this SDK speaks. */
  public static final String DATA_COLLECTOR_API_VERSION = "2016-04-01";

  private final String name;
  private final String domain;
  private final int port;

  private CloudEnvironment(String name, String domain, int port) {
    this.name = name;
    this.domain = domain;
    this.port = port;
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
    return new CloudEnvironment("Custom", validDomain, 443);
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
    return port == 443 ? onPort443(domain) : new CloudEnvironment("Custom", domain, port);
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
    return port == that.port && domain.equals(that.domain);
  }

  @Override
  public int hashCode() {
    return Objects.hash(domain, port);
  }

  @Override
  public String toString() {
    return "CloudEnvironment{" + name + ", domain=" + domain + (port == 443 ? "" : ", port=" + port) + "}";
  }
}
