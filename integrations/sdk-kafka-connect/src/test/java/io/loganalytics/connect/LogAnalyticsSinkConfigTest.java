package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class LogAnalyticsSinkConfigTest {
  private static final String SECRET = "c3VwZXItc2VjcmV0LWtleQ==";

  private static Map<String, String> dataCollector() {
    Map<String, String> m = new HashMap<>();
    m.put("loganalytics.transport", "data_collector");
    m.put("loganalytics.workspace.id", "7b3c5c44-8f3b-4f3e-9a43-0c6f2b1e5d11");
    m.put("loganalytics.shared.key", SECRET);
    return m;
  }

  private static Map<String, String> logsIngestion() {
    Map<String, String> m = new HashMap<>();
    m.put("loganalytics.dce.endpoint", "https://my-dce.westeurope-1.ingest.monitor.azure.com");
    m.put("loganalytics.dcr.immutable.id", "dcr-0123456789abcdef0123456789abcdef");
    m.put("loganalytics.tenant.id", "contoso.onmicrosoft.com");
    m.put("loganalytics.client.id", "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f");
    m.put("loganalytics.client.secret", SECRET);
    return m;
  }

  private static Map<String, List<String>> errors(Map<String, String> props) {
    Config c = new LogAnalyticsSinkConnector().validate(props);
    return c.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void acceptsBothTransportsAndMapsTopicsToTables() {
    LogAnalyticsSinkConfig dc = new LogAnalyticsSinkConfig(Map.of("loganalytics.transport", "DATA_COLLECTOR",
        "loganalytics.workspace.id", "7b3c5c44-8f3b-4f3e-9a43-0c6f2b1e5d11", "loganalytics.shared.key", SECRET,
        "loganalytics.table.mapping", "logs.syslog:Syslog, app:Custom-App_CL"));
    assertThat(dc.tableFor("logs.syslog")).isEqualTo("Syslog");
    assertThat(dc.tableFor("app")).isEqualTo("Custom-App_CL");
    assertThat(dc.tableFor("web-access.v2")).isEqualTo("web_access_v2");
    assertThat(dc.tableFor("9lives")).isEqualTo("T9lives");
    assertThat(dc.onInvalid()).isEqualTo(LogAnalyticsSinkConfig.Behavior.DLQ);
    assertThat(dc.onGiveUp()).isEqualTo(LogAnalyticsSinkConfig.Behavior.FAIL);
    assertThat(new LogAnalyticsSinkConfig(logsIngestion()).transport().name()).isEqualTo("LOGS_INGESTION");
  }

  @Test
  void crossFieldErrorsNameTheKey() {
    Map<String, String> noKey = dataCollector();
    noKey.remove("loganalytics.shared.key");
    assertThat(errors(noKey)).containsOnlyKeys("loganalytics.shared.key");

    Map<String, String> badWs = dataCollector();
    badWs.put("loganalytics.workspace.id", "nope");
    assertThat(errors(badWs).get("loganalytics.workspace.id").get(0)).contains("nope").contains("GUID");

    Map<String, String> badDcr = logsIngestion();
    badDcr.put("loganalytics.dcr.immutable.id", "dcr-xyz");
    assertThat(errors(badDcr)).containsKey("loganalytics.dcr.immutable.id");

    Map<String, String> httpDce = logsIngestion();
    httpDce.put("loganalytics.dce.endpoint", "http://plain.example.com");
    assertThat(errors(httpDce).get("loganalytics.dce.endpoint").get(0)).contains("https");

    Map<String, String> authority = logsIngestion();
    authority.put("loganalytics.authority.host", "http://login.example.com");
    assertThat(errors(authority)).containsKey("loganalytics.authority.host");

    Map<String, String> audience = logsIngestion();
    audience.put("loganalytics.ingestion.audience", "monitor.example.com");
    assertThat(errors(audience).get("loganalytics.ingestion.audience").get(0)).contains("monitor.example.com")
        .contains("https");
    audience.put("loganalytics.ingestion.audience", "https://monitor.example.com");
    assertThat(new LogAnalyticsSinkConfig(audience).clientBuilder().cloud().ingestionAudience())
        .isEqualTo("https://monitor.example.com");

    Map<String, String> badClient = logsIngestion();
    badClient.put("loganalytics.client.id", "my-app");
    assertThat(errors(badClient).get("loganalytics.client.id").get(0)).contains("my-app").contains("GUID");
    Map<String, String> badTenant = logsIngestion();
    badTenant.put("loganalytics.tenant.id", "not a tenant");
    assertThat(errors(badTenant)).containsOnlyKeys("loganalytics.tenant.id");
    Map<String, String> blankSecret = logsIngestion();
    blankSecret.put("loganalytics.client.secret", " ");
    assertThat(errors(blankSecret)).containsOnlyKeys("loganalytics.client.secret");

    Map<String, String> noSecret = logsIngestion();
    noSecret.remove("loganalytics.client.secret");
    assertThat(errors(noSecret)).containsOnlyKeys("loganalytics.client.secret");
  }

  @Test
  void perKeyValidatorsRefuseBadValues() {
    Map<String, String> bad = dataCollector();
    bad.put("loganalytics.transport", "CARRIER_PIGEON");
    bad.put("batch.max.records", "0");
    bad.put("behavior.on.invalid.record", "ignore");
    assertThat(errors(bad)).containsKeys("loganalytics.transport", "batch.max.records",
        "behavior.on.invalid.record");

    Map<String, String> mapping = dataCollector();
    mapping.put("loganalytics.table.mapping", "logs:Bad Table");
    assertThatThrownBy(() -> new LogAnalyticsSinkConfig(mapping)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("loganalytics.table.mapping").hasMessageContaining("Bad Table");
    mapping.put("loganalytics.table.mapping", "logs:A,logs:B");
    assertThatThrownBy(() -> new LogAnalyticsSinkConfig(mapping)).hasMessageContaining("mapped twice");

    Map<String, String> backoff = dataCollector();
    backoff.put("retry.initial.backoff.ms", "5000");
    backoff.put("retry.max.backoff.ms", "100");
    assertThat(errors(backoff)).containsKey("retry.max.backoff.ms");
  }

  @Test
  void secretsAreHiddenInTheConfigAndItsErrors() {
    LogAnalyticsSinkConfig c = new LogAnalyticsSinkConfig(dataCollector());
    assertThat(c.toString()).doesNotContain(SECRET);
    assertThat(c.values().toString()).doesNotContain(SECRET);
    Map<String, String> bad = dataCollector();
    bad.put("loganalytics.workspace.id", "nope");
    assertThat(errors(bad).toString()).doesNotContain(SECRET);
  }
}
