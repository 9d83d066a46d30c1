package io.loganalytics.opentelemetry;

import io.loganalytics.integration.IntegrationSettings;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.logs.ConfigurableLogRecordExporterProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;

/**
 * The autoconfigure provider of {@link LogAnalyticsLogRecordExporter}: {@code otel.logs.exporter=loganalytics}
 * ({@code OTEL_LOGS_EXPORTER=loganalytics}). Its settings are read from {@link ConfigProperties} under
 * {@code otel.exporter.loganalytics.} (environment variables {@code OTEL_EXPORTER_LOGANALYTICS_...}):
 *
 * <ul>
 *   <li>{@code endpoint}, {@code dcr}, {@code stream}: the Logs Ingestion target (the default transport);
 *   <li>{@code tenant.id}, {@code client.id}, {@code client.secret} (better: {@code client.secret.variable}, the
 *       name of the environment variable holding it): an app registration's secret; without them the
 *       {@code AZURE_*} environment or a managed identity;
 *   <li>{@code transport} ({@code LOGS_INGESTION} or {@code DATA_COLLECTOR}), {@code workspace.id},
 *       {@code shared.key} or {@code shared.key.variable}: the retired Data Collector API;
 *   <li>{@code buffer.directory} (required), {@code buffer.capacity}, {@code buffer.overflow.policy},
 *       {@code buffer.block.timeout}, {@code buffer.durability};
 *   <li>{@code cloud}, {@code trust.certificates}, {@code flush.timeout}, {@code time.column},
 *       {@code max.field.bytes}, {@code customizer}.
 * </ul>
 * Each has the meaning and default of {@link IntegrationSettings}.
 */
public final class LogAnalyticsLogRecordExporterProvider implements ConfigurableLogRecordExporterProvider {
  /** The prefix of every property. */
  public static final String PREFIX = "otel.exporter.loganalytics.";

  /** Loaded by the {@link java.util.ServiceLoader}. */
  public LogAnalyticsLogRecordExporterProvider() {}

  @Override
  public String getName() {
    return "loganalytics";
  }

  @Override
  public LogRecordExporter createExporter(ConfigProperties config) {
    IntegrationSettings s = new IntegrationSettings();
    s.setTransport(config.getString(PREFIX + "transport"));
    s.setEndpoint(config.getString(PREFIX + "endpoint"));
    s.setDcr(config.getString(PREFIX + "dcr"));
    s.setStream(config.getString(PREFIX + "stream"));
    s.setTenantId(config.getString(PREFIX + "tenant.id"));
    s.setClientId(config.getString(PREFIX + "client.id"));
    s.setClientSecret(config.getString(PREFIX + "client.secret"));
    s.setClientSecretVariable(config.getString(PREFIX + "client.secret.variable"));
    s.setWorkspaceId(config.getString(PREFIX + "workspace.id"));
    s.setSharedKey(config.getString(PREFIX + "shared.key"));
    s.setSharedKeyVariable(config.getString(PREFIX + "shared.key.variable"));
    s.setCloud(config.getString(PREFIX + "cloud"));
    s.setBufferDirectory(config.getString(PREFIX + "buffer.directory"));
    s.setCapacity(config.getString(PREFIX + "buffer.capacity"));
    s.setOverflowPolicy(config.getString(PREFIX + "buffer.overflow.policy"));
    s.setBlockTimeout(config.getString(PREFIX + "buffer.block.timeout"));
    s.setDurability(config.getString(PREFIX + "buffer.durability"));
    s.setTrustCertificates(config.getString(PREFIX + "trust.certificates"));
    s.setFlushTimeout(config.getString(PREFIX + "flush.timeout"));
    s.setTimeColumn(config.getString(PREFIX + "time.column"));
    s.setMaxFieldBytes(config.getString(PREFIX + "max.field.bytes"));
    s.setCustomizer(config.getString(PREFIX + "customizer"));
    return LogAnalyticsLogRecordExporter.create(s);
  }
}
