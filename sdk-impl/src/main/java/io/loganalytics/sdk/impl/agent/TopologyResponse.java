package io.loganalytics.sdk.impl.agent;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * What a {@code LinuxAgentTopologyResponse} says (PROTOCOL §B2 step 6): intervals, the renewal endpoint and whether
 * the service asks for a new certificate, and the DSC configuration. Immutable.
 */
final class TopologyResponse {
  /** The agent's heartbeat interval when the service names none, and the bounds of the one it names (§B4). */
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(20);

  static final Duration MIN_INTERVAL = Duration.ofSeconds(60);
  static final Duration MAX_INTERVAL = Duration.ofDays(7);

  private final Duration queryInterval;
  private final Duration telemetryReportInterval;
  private final URI certificateUpdateEndpoint;
  private final boolean updateCertificate;
  private final String dscEndpoint;
  private final String dscNodeConfigurationName;

  TopologyResponse(Duration queryInterval, Duration telemetryReportInterval, URI certificateUpdateEndpoint,
      boolean updateCertificate, String dscEndpoint, String dscNodeConfigurationName) {
    this.queryInterval = queryInterval;
    this.telemetryReportInterval = telemetryReportInterval;
    this.certificateUpdateEndpoint = certificateUpdateEndpoint;
    this.updateCertificate = updateCertificate;
    this.dscEndpoint = dscEndpoint;
    this.dscNodeConfigurationName = dscNodeConfigurationName;
  }

  Optional<Duration> queryInterval() {
    return Optional.ofNullable(queryInterval);
  }

  Optional<Duration> telemetryReportInterval() {
    return Optional.ofNullable(telemetryReportInterval);
  }

  /**
   * The heartbeat interval to use: the service's {@code queryInterval} when it lies within 60 s..7 days, else the
   * given one (as the agent: an out-of-range value is ignored).
   */
  Duration heartbeatInterval(Duration otherwise) {
    if (queryInterval != null && queryInterval.compareTo(MIN_INTERVAL) >= 0
        && queryInterval.compareTo(MAX_INTERVAL) <= 0) {
      return queryInterval;
    }
    return otherwise;
  }

  Optional<URI> certificateUpdateEndpoint() {
    return Optional.ofNullable(certificateUpdateEndpoint);
  }

  boolean updateCertificate() {
    return updateCertificate;
  }

  Optional<String> dscEndpoint() {
    return Optional.ofNullable(dscEndpoint);
  }

  Optional<String> dscNodeConfigurationName() {
    return Optional.ofNullable(dscNodeConfigurationName);
  }

  @Override
  public String toString() {
    return "TopologyResponse{queryInterval=" + queryInterval + ", certificateUpdateEndpoint="
        + certificateUpdateEndpoint + ", updateCertificate=" + updateCertificate + ", dscEndpoint=" + dscEndpoint
        + "}";
  }
}
