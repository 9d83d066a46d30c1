package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's Logs Ingestion settings: endpoint and DCR checks that name the field and never echo a password. */
class LogsIngestionBuilderTest {
  private static final String DCR = "dcr-0123456789abcdef0123456789abcdef";

  @Test
  void theEndpointLosesItsTrailingSlashAndTheDcrIdIsLowercased() {
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder()
        .logsIngestion(URI.create("https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com/"), DCR.toUpperCase()
            .replace("DCR-", "dcr-"));

    assertThat(b.logsIngestionEndpoint()).contains(URI.create("https://my-dce-5kyl.eastus-1.ingest.monitor.azure.com"));
    assertThat(b.dataCollectionRuleId()).contains(DCR);
    assertThat(b.transport()).isEqualTo(Transport.LOGS_INGESTION);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://dce.example", "https://dce.example/dataCollectionRules", "https://dce.example?x=1",
      "https://dce.example/#f", "dce.example"})
  void anEndpointThatIsNotAPlainHttpsHostIsRefusedNamingTheField(String endpoint) {
    ConfigurationException e = configurationError(() -> LogAnalyticsClient.builder()
        .logsIngestion(URI.create(endpoint), DCR));

    assertThat(e.field()).isEqualTo("logsIngestionEndpoint");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://user:S3cr3t@dce.example", "http://user:S3cr3t@dce.example/path"})
  void anEndpointWithUserInformationIsRefusedWithoutEchoingIt(String endpoint) {
    ConfigurationException e = configurationError(() -> LogAnalyticsClient.builder()
        .logsIngestion(URI.create(endpoint), DCR));

    assertThat(e.field()).isEqualTo("logsIngestionEndpoint");
    assertThat(e.getMessage()).contains("user information").doesNotContain("S3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "my-dcr", "dcr-0123", "dcr-0123456789abcdef0123456789abcdeg",
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.Insights/dataCollectionRules/my-dcr"})
  void aDcrIdThatIsNotAnImmutableIdIsRefusedNamingTheField(String dcr) {
    ConfigurationException e = configurationError(() -> LogAnalyticsClient.builder()
        .logsIngestion(URI.create("https://dce.example"), dcr));

    assertThat(e.field()).isEqualTo("dataCollectionRuleId");
    assertThat(e.getMessage()).contains("immutable");
  }

  @Test
  void requestsAboveOneMebibyteAreRefusedForLogsIngestionOnly() {
    EntraCredential credential = EntraCredential.managedIdentity();
    LogAnalyticsClientBuilder li = LogAnalyticsClient.builder().logsIngestion(URI.create("https://dce.example"), DCR)
        .entraCredential(credential).bufferDirectory(java.nio.file.Path.of("buf"))
        .maxRequestBytes(LogAnalyticsClientBuilder.LOGS_INGESTION_MAX_REQUEST_BYTES + 1);

    ConfigurationException e = configurationError(li::buildUploader);
    assertThat(e.field()).isEqualTo("maxRequestBytes");
    assertThat(e.getMessage()).contains("1048576");
  }
}
