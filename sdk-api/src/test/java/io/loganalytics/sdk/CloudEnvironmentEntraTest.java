package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per cloud, the Entra authority host, the token endpoint and the Logs Ingestion audience and scope
 * (LOGS-INGESTION §1 "Authorization" and §2a), and the custom authority and audience.
 */
class CloudEnvironmentEntraTest {
  private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

  @ParameterizedTest
  @CsvSource({
      "AzureCloud,        https://login.microsoftonline.com/, https://monitor.azure.com",
      "AzureUSGovernment, https://login.microsoftonline.us/,  https://monitor.azure.us",
      "AzureChinaCloud,   https://login.chinacloudapi.cn/,    https://monitor.azure.cn"})
  void eachCloudHasItsAuthorityAndIngestionScope(String name, String authority, String audience) {
    CloudEnvironment cloud = CloudEnvironment.fromName(name);

    assertThat(cloud.authorityHost()).isEqualTo(URI.create(authority));
    assertThat(cloud.tokenEndpoint(TENANT)).isEqualTo(URI.create(authority + TENANT + "/oauth2/v2.0/token"));
    assertThat(cloud.ingestionAudience()).isEqualTo(audience);
    // The form Azure's own SDKs send (resource URI with its trailing slash, then /.default).
    assertThat(cloud.ingestionScope()).isEqualTo(audience + "//.default");
  }

  @Test
  void theScopesAreExactlyTheDocumentedStrings() {
    assertThat(CloudEnvironment.AZURE_CLOUD.ingestionScope()).isEqualTo("https://monitor.azure.com//.default");
    assertThat(CloudEnvironment.AZURE_US_GOVERNMENT.ingestionScope()).isEqualTo("https://monitor.azure.us//.default");
    assertThat(CloudEnvironment.AZURE_CHINA_CLOUD.ingestionScope()).isEqualTo("https://monitor.azure.cn//.default");
  }

  @ParameterizedTest
  @CsvSource({
      "opinsights.contoso.us,   https://login.microsoftonline.us/,  https://monitor.azure.us",
      "opinsights.contoso.cn,   https://login.chinacloudapi.cn/,    https://monitor.azure.cn",
      "emulator.test,           https://login.microsoftonline.com/, https://monitor.azure.com"})
  void aCustomDomainTakesTheSovereignCloudOfItsSuffix(String domain, String authority, String audience) {
    CloudEnvironment cloud = CloudEnvironment.fromDomain(domain);

    assertThat(cloud.authorityHost()).isEqualTo(URI.create(authority));
    assertThat(cloud.ingestionAudience()).isEqualTo(audience);
  }

  @Test
  void portChangesKeepTheAuthorityAndAudience() {
    CloudEnvironment cloud = CloudEnvironment.AZURE_US_GOVERNMENT.withPort(8443);

    assertThat(cloud.authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.us/"));
    assertThat(cloud.ingestionScope()).isEqualTo("https://monitor.azure.us//.default");
  }

  @Test
  void aCustomAuthorityAndAudienceAreUsedAndNormalised() {
    CloudEnvironment cloud = CloudEnvironment.AZURE_CLOUD
        .withAuthorityHost(URI.create("https://login.private.example:8443"))
        .withIngestionAudience("https://monitor.private.example//");

    assertThat(cloud.name()).isEqualTo("Custom");
    assertThat(cloud.authorityHost()).isEqualTo(URI.create("https://login.private.example:8443/"));
    assertThat(cloud.tokenEndpoint(TENANT))
        .isEqualTo(URI.create("https://login.private.example:8443/" + TENANT + "/oauth2/v2.0/token"));
    assertThat(cloud.ingestionAudience()).isEqualTo("https://monitor.private.example");
    assertThat(cloud.ingestionScope()).isEqualTo("https://monitor.private.example//.default");
    // Only the overridden part changes.
    assertThat(CloudEnvironment.AZURE_CHINA_CLOUD.withIngestionAudience("https://monitor.private.example")
        .authorityHost()).isEqualTo(URI.create("https://login.chinacloudapi.cn/"));
    assertThat(CloudEnvironment.AZURE_CHINA_CLOUD.withAuthorityHost(URI.create("https://login.private.example/"))
        .ingestionAudience()).isEqualTo("https://monitor.azure.cn");
    assertThat(cloud).isNotEqualTo(CloudEnvironment.AZURE_CLOUD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://login.microsoftonline.com/", "https://user:pw@login.example/",
      "https://login.example/?x=1", "https://login.example/#f", "login.microsoftonline.com"})
  void anAuthorityThatIsNotAPlainHttpsUrlIsRefusedNamingTheField(String bad) {
    ConfigurationException e = configurationError(() -> CloudEnvironment.AZURE_CLOUD.withAuthorityHost(URI.create(bad)));

    assertThat(e.field()).isEqualTo("authorityHost");
    assertThat(e.getMessage()).doesNotContain("pw@");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://monitor.azure.com", "monitor.azure.com", "", " ", "https://"})
  void anAudienceThatIsNotAnHttpsUrlIsRefusedNamingTheField(String bad) {
    assertThat(configurationError(() -> CloudEnvironment.AZURE_CLOUD.withIngestionAudience(bad)).field())
        .isEqualTo("ingestionAudience");
    assertThat(configurationError(() -> CloudEnvironment.AZURE_CLOUD.withIngestionAudience(null)).field())
        .isEqualTo("ingestionAudience");
  }
}
