package io.loganalytics.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrationSettingsTest {
  private static final String KEY = "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXktc2VjcmV0LWtleQ==";

  @TempDir Path tmp;

  private IntegrationSettings dataCollector(Map<String, String> variables) {
    IntegrationSettings s = new IntegrationSettings(variables::get);
    s.setTransport("data_collector");
    s.setWorkspaceId("00000000-0000-0000-0000-000000000001");
    s.setStream("AppLogs");
    s.setBufferDirectory(tmp.resolve("buffer").toString());
    return s;
  }

  private static void assertField(Runnable r, String field) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(ConfigurationException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void defaultsSpeakLogsIngestionWithANonBlockingBuffer() {
    IntegrationSettings s = new IntegrationSettings(n -> null);
    s.setBufferDirectory(tmp.toString());
    assertThat(s.transport()).isEqualTo(Transport.LOGS_INGESTION);
    assertThat(s.timeColumn()).isEqualTo("TimeGenerated");
    assertThat(s.maxFieldBytes()).isEqualTo(32_000);
    assertThat(s.flushTimeout()).isEqualTo(Duration.ofSeconds(5));
    BufferOptions o = s.bufferOptions();
    assertThat(o.overflowPolicy()).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(o.durability()).as("a log call never waits for an fsync").isEqualTo(Durability.INTERVAL);
    assertThat(o.blockTimeout()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void eachMissingOrInvalidSettingIsNamed() {
    IntegrationSettings s = new IntegrationSettings(n -> null);
    assertField(s::stream, "stream");
    s.setStream("Custom-App_CL");
    s.setBufferDirectory(tmp.toString());
    assertField(() -> s.buildClient(LogAnalyticsListener.NONE), "endpoint");
    s.setEndpoint("http://insecure.example");
    s.setDcr("dcr-00112233445566778899aabbccddeeff");
    assertField(() -> s.buildClient(LogAnalyticsListener.NONE), "logsIngestionEndpoint");
    s.setEndpoint("https://dce.example");
    s.setDcr("my-rule");
    assertField(() -> s.buildClient(LogAnalyticsListener.NONE), "dcr");
    s.setDcr("dcr-00112233445566778899aabbccddeeff");
    s.setClientId("00000000-0000-0000-0000-000000000002");
    assertField(() -> s.buildClient(LogAnalyticsListener.NONE), "tenantId");
    s.setTransport("kafka");
    assertField(s::transport, "transport");
    s.setTransport("LOGS_INGESTION");
    s.setTimeColumn("Time-Generated");
    assertField(s::timeColumn, "timeColumn");
    s.setTimeColumn(null);
    s.setMaxFieldBytes("10");
    assertField(s::maxFieldBytes, "maxFieldBytes");
  }

  @Test
  void bufferSettingsAreCheckedAndBlockIsBoundedToOneSecond() {
    IntegrationSettings s = dataCollector(Map.of());
    s.setCapacity("64KB");
    s.setOverflowPolicy("block");
    s.setBlockTimeout("250ms");
    s.setDurability("sync");
    BufferOptions o = s.bufferOptions();
    assertThat(o.capacityBytes()).isEqualTo(65_536);
    assertThat(o.segmentBytes()).isEqualTo(8192);
    assertThat(o.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
    s.setCapacity("256MB");
    assertThat(s.bufferOptions().segmentBytes()).as("an eighth").isEqualTo(32 << 20);
    s.setCapacity("10GB");
    assertThat(s.bufferOptions().segmentBytes()).as("at most 64 MiB").isEqualTo(64 << 20);
    s.setCapacity("64KB");
    assertThat(o.blockTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(o.durability()).isEqualTo(Durability.SYNC);

    s.setBlockTimeout("5s");
    assertThatThrownBy(s::bufferOptions).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("blockTimeout").hasMessageContaining("1000 ms");
    s.setBlockTimeout("100ms");
    s.setCapacity("1KB");
    assertField(s::bufferOptions, "capacity");
    s.setCapacity("lots");
    assertField(s::bufferOptions, "capacity");
    s.setCapacity("10MB");
    s.setOverflowPolicy("drop_newest");
    assertField(s::bufferOptions, "overflowPolicy");
    s.setOverflowPolicy("REJECT_NEW");
    s.setDurability("never");
    assertField(s::bufferOptions, "durability");
    s.setBufferDirectory(" ");
    assertField(s::bufferOptions, "bufferDirectory");
  }

  @Test
  void secretsComeFromTheNamedVariableAndNeverShow() {
    IntegrationSettings s = dataCollector(Map.of("MY_KEY", KEY));
    s.setSharedKeyVariable("MISSING_KEY");
    assertThatThrownBy(() -> s.buildClient(LogAnalyticsListener.NONE)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sharedKeyVariable").hasMessageContaining("MISSING_KEY");
    s.setSharedKeyVariable(null);
    assertField(() -> s.buildClient(LogAnalyticsListener.NONE), "sharedKey");
    s.setSharedKey(KEY);
    s.setClientSecret("client-secret-value");
    assertThat(s.toString()).doesNotContain(KEY).doesNotContain("client-secret-value").contains("<set>");
  }

  @Test
  void customizerErrorsNameTheClass() {
    IntegrationSettings s = dataCollector(Map.of("K", KEY));
    s.setSharedKeyVariable("K");
    s.setCustomizer("com.example.Missing");
    assertThatThrownBy(() -> s.buildClient(LogAnalyticsListener.NONE)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("customizer").hasMessageContaining("com.example.Missing");
    s.setCustomizer(String.class.getName());
    assertThatThrownBy(() -> s.buildClient(LogAnalyticsListener.NONE)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("does not implement");
  }
}
