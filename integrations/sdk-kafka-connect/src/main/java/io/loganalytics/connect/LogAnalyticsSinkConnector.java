package io.loganalytics.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A Kafka Connect sink that delivers topic records to Azure Log Analytics (Logs Ingestion API or the retired Data
 * Collector API) at least once: offsets are committed only after the service acknowledged the records (see
 * {@link LogAnalyticsSinkTask}). Scale out by raising {@code tasks.max} (at most the partition count) and adding
 * workers; the consumer group spreads partitions over tasks.
 *
 * <p>{@link #validate} adds the cross-field checks of {@link LogAnalyticsSinkConfig} (transport versus credentials,
 * GUIDs, DCR id, table names) to the per-key validators, so the REST validate endpoint names the offending key.
 */
public class LogAnalyticsSinkConnector extends SinkConnector {
  private Map<String, String> props;

  @Override
  public String version() {
    return Version.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    new LogAnalyticsSinkConfig(props); // fails the connector at once with the key named
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return LogAnalyticsSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> out = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      out.add(props);
    }
    return out;
  }

  @Override
  public void stop() {
    // Nothing to release: tasks own the uploaders.
  }

  @Override
  public ConfigDef config() {
    return LogAnalyticsSinkConfig.CONFIG_DEF;
  }

  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    boolean perKeyErrors = config.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
    if (!perKeyErrors) {
      try {
        new LogAnalyticsSinkConfig(connectorConfigs);
      } catch (ConfigException e) {
        String key = keyOf(e.getMessage());
        for (ConfigValue v : config.configValues()) {
          if (v.name().equals(key)) {
            v.addErrorMessage(e.getMessage());
            return config;
          }
        }
        config.configValues().stream().filter(v -> v.name().equals(LogAnalyticsSinkConfig.TRANSPORT))
            .findFirst().ifPresent(v -> v.addErrorMessage(e.getMessage()));
      }
    }
    return config;
  }

  /** The key a {@link ConfigException} message names ("Invalid value x for configuration KEY: ..."). */
  private static String keyOf(String message) {
    String marker = "for configuration ";
    int i = message == null ? -1 : message.indexOf(marker);
    if (i < 0) {
      return "";
    }
    int end = message.indexOf(':', i + marker.length());
    return message.substring(i + marker.length(), end < 0 ? message.length() : end).strip();
  }
}
