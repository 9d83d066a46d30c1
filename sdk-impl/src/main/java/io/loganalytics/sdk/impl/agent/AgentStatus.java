package io.loganalytics.sdk.impl.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What {@code status} shows of an agent state directory: identity, certificate and endpoints. No secret. Internal:
 * public only for the CLI. Immutable and thread-safe.
 */
public final class AgentStatus {
  private final Path stateDirectory;
  private final String workspaceId;
  private final String agentGuid;
  private final String urlTld;
  private final String subject;
  private final String serial;
  private final Instant notBefore;
  private final Instant notAfter;
  private final URI omsEndpoint;
  private final URI certificateUpdateEndpoint;

  AgentStatus(Path stateDirectory, AgentState state) {
    this.stateDirectory = stateDirectory;
    this.workspaceId = state.workspaceId();
    this.agentGuid = state.agentGuid();
    this.urlTld = state.urlTld();
    this.subject = state.certificate().subject();
    this.serial = state.certificate().serial();
    this.notBefore = state.certificate().notBefore();
    this.notAfter = state.certificate().notAfter();
    this.omsEndpoint = state.omsEndpoint().orElse(null);
    this.certificateUpdateEndpoint = state.certificateUpdateEndpoint().orElse(null);
  }

  /** @return the state directory */
  public Path stateDirectory() {
    return stateDirectory;
  }

  /** @return the workspace GUID */
  public String workspaceId() {
    return workspaceId;
  }

  /** @return the agent GUID */
  public String agentGuid() {
    return agentGuid;
  }

  /** @return the domain ({@code URL_TLD}) */
  public String urlTld() {
    return urlTld;
  }

  /** @return the certificate subject in RDN order, {@code CN=<ws>,CN=<guid>,OU=Linux Monitoring Agent,O=Microsoft} */
  public String subject() {
    return subject;
  }

  /** @return the certificate serial number, decimal */
  public String serial() {
    return serial;
  }

  /** @return the start of the certificate's validity */
  public Instant notBefore() {
    return notBefore;
  }

  /** @return the certificate's expiry */
  public Instant notAfter() {
    return notAfter;
  }

  /** @return the upload endpoint, if recorded */
  public Optional<URI> omsEndpoint() {
    return Optional.ofNullable(omsEndpoint);
  }

  /** @return the renewal endpoint, if recorded */
  public Optional<URI> certificateUpdateEndpoint() {
    return Optional.ofNullable(certificateUpdateEndpoint);
  }

  /** @return one {@code key: value} line per field, for a command line tool */
  public String describe() {
    return "State directory: " + stateDirectory + "\n"
        + "Workspace ID:    " + workspaceId + "\n"
        + "Agent GUID:      " + agentGuid + "\n"
        + "Domain:          " + urlTld + "\n"
        + "Subject:         " + subject + "\n"
        + "Serial:          " + serial + "\n"
        + "Valid from:      " + notBefore + "\n"
        + "Expires:         " + notAfter + "\n"
        + "Upload endpoint: " + (omsEndpoint == null ? "(none)" : omsEndpoint) + "\n"
        + "Renew endpoint:  " + (certificateUpdateEndpoint == null ? "(none)" : certificateUpdateEndpoint) + "\n";
  }

  @Override
  public String toString() {
    return "AgentStatus{workspaceId=" + workspaceId + ", agentGuid=" + agentGuid + ", subject=" + subject
        + ", serial=" + serial + ", notAfter=" + notAfter + "}";
  }
}
