package io.loganalytics.sdk;

/** How records reach the workspace. Both use the same buffer, uploader and retry policy. */
public enum Transport {
  /**
   * The legacy agent's path: a self-signed certificate obtained with the shared key (onboarding), then mutual TLS to
   * {@code PostJsonDataItems} on the ODS host; records are grouped by {@code DataType} and {@code IPName}.
   */
  AGENT_CERTIFICATE,
  /**
   * The public HTTP Data Collector API: each request is signed with the shared key ({@code SharedKey}); records are
   * grouped by {@code Log-Type}, which the service stores in the table {@code <Log-Type>_CL}.
   */
  DATA_COLLECTOR
}
