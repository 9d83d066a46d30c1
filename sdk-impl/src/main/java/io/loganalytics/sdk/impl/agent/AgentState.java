package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.impl.cert.AgentCertificate;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * What an onboarded agent knows about itself: its certificate and key, and its {@code omsadmin.conf} (workspace ID,
 * agent GUID, domain, the endpoints the service returned). Internal: public only for the SDK's other packages.
 *
 * <p>{@link #toString()} shows the certificate's subject and expiry, never the key. Immutable and thread-safe.
 */
public final class AgentState {
  private final OmsAdminConf conf;
  private final AgentCertificate certificate;

  AgentState(OmsAdminConf conf, AgentCertificate certificate) {
    this.conf = Objects.requireNonNull(conf, "conf");
    this.certificate = Objects.requireNonNull(certificate, "certificate");
  }

  /** @return the workspace GUID ({@code WORKSPACE_ID}) */
  public String workspaceId() {
    return conf.get(OmsAdminConf.WORKSPACE_ID).orElseThrow();
  }

  /** @return the agent GUID ({@code AGENT_GUID}) */
  public String agentGuid() {
    return conf.get(OmsAdminConf.AGENT_GUID).orElseThrow();
  }

  /** @return the domain ({@code URL_TLD}), e.g. {@code opinsights.azure.com} */
  public String urlTld() {
    return conf.get(OmsAdminConf.URL_TLD).orElse("opinsights.azure.com");
  }

  /** @return the upload endpoint ({@code OMS_ENDPOINT}), if recorded */
  public Optional<URI> omsEndpoint() {
    return conf.get(OmsAdminConf.OMS_ENDPOINT).map(URI::create);
  }

  /** @return the renewal endpoint the service named ({@code CERTIFICATE_UPDATE_ENDPOINT}), if any */
  public Optional<URI> certificateUpdateEndpoint() {
    return conf.get(OmsAdminConf.CERTIFICATE_UPDATE_ENDPOINT).map(URI::create);
  }

  /** @return the DSC endpoint ({@code DSC_ENDPOINT}), if any */
  public Optional<String> dscEndpoint() {
    return conf.get(OmsAdminConf.DSC_ENDPOINT);
  }

  /** @return the certificate and key in use */
  public AgentCertificate certificate() {
    return certificate;
  }

  OmsAdminConf conf() {
    return conf;
  }

  AgentState withCertificate(AgentCertificate newCertificate) {
    return new AgentState(conf, newCertificate);
  }

  AgentState withConf(OmsAdminConf newConf) {
    return new AgentState(newConf, certificate);
  }

  /** Shows workspace, agent, domain and the certificate's subject and validity; never the key. */
  @Override
  public String toString() {
    return "AgentState{workspaceId=" + workspaceId() + ", agentGuid=" + agentGuid() + ", urlTld=" + urlTld()
        + ", certificate=" + certificate + "}";
  }
}
