package io.loganalytics.sdk;

/** How records reach the workspace. All use the same buffer, uploader and retry policy. */
public enum Transport {
  /**
   * The Azure Monitor Logs Ingestion API, the live path and the default: records go to a stream of a data
   * collection rule (DCR) through a data collection endpoint or the DCR's own logs-ingestion endpoint, authorised by
   * a Microsoft Entra ID token ({@link EntraCredential} or an {@link AccessTokenProvider}). The record type given to
   * {@link LogAnalyticsClient#send} is the stream name, such as {@code Custom-MyTable_CL}, optionally prefixed with
   * another DCR's immutable id and a slash ({@code dcr-<32 hex digits>/Custom-MyTable_CL}).
   */
  LOGS_INGESTION,
  /**
   * The legacy agent's path, <b>retired</b>: Microsoft retired the Log Analytics agent and its endpoints in
   * August 2024. A self-signed certificate obtained with the shared key (onboarding), then mutual TLS to
   * {@code PostJsonDataItems} on the ODS host; records are grouped by {@code DataType} and {@code IPName}. Kept for
   * legacy estates and tests.
   */
  AGENT_CERTIFICATE,
  /**
   * The HTTP Data Collector API, <b>retired</b>: Microsoft's support for it ended on 2026-09-14. Each request is
   * signed with the shared key ({@code SharedKey}); records are grouped by {@code Log-Type}, which the service stores
   * in the table {@code <Log-Type>_CL}. Kept for legacy estates and tests.
   */
  DATA_COLLECTOR
}
