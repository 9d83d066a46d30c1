package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.WORKSPACE_ID;
import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.net.URI;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CloudEnvironmentTest {
  private static final String WS_UPPER = WORKSPACE_ID.toUpperCase(java.util.Locale.ROOT);

  // ---------------------------------------------------------------- known clouds

  static Stream<Arguments> knownDomains() {
    return Stream.of(
        arguments("opinsights.azure.com", CloudEnvironment.AZURE_CLOUD),
        arguments("OPINSIGHTS.AZURE.COM", CloudEnvironment.AZURE_CLOUD),
        arguments("opinsights.azure.com.", CloudEnvironment.AZURE_CLOUD),
        arguments("  opinsights.azure.com\n", CloudEnvironment.AZURE_CLOUD),
        arguments("opinsights.azure.us", CloudEnvironment.AZURE_US_GOVERNMENT),
        arguments("Opinsights.Azure.US.", CloudEnvironment.AZURE_US_GOVERNMENT),
        arguments("opinsights.azure.cn", CloudEnvironment.AZURE_CHINA_CLOUD),
        arguments("\topinsights.azure.cn.\t", CloudEnvironment.AZURE_CHINA_CLOUD));
  }

  @ParameterizedTest
  @MethodSource("knownDomains")
  void knownDomainGivesTheNamedCloud(String domain, CloudEnvironment expected) {
    assertThat(CloudEnvironment.fromDomain(domain)).isSameAs(expected);
    assertThat(CloudEnvironment.fromName(domain)).isSameAs(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "AZURE_CLOUD,         AzureCloud,        opinsights.azure.com",
      "AZURE_US_GOVERNMENT, AzureUSGovernment, opinsights.azure.us",
      "AZURE_CHINA_CLOUD,   AzureChinaCloud,   opinsights.azure.cn"})
  void namedCloudsHaveTheirNameDomainAndPort443(String constant, String name, String domain) throws Exception {
    CloudEnvironment cloud = (CloudEnvironment) CloudEnvironment.class.getField(constant).get(null);

    assertThat(cloud.name()).isEqualTo(name);
    assertThat(cloud.domain()).isEqualTo(domain);
    assertThat(cloud.port()).isEqualTo(443);
    assertThat(cloud).hasToString("CloudEnvironment{" + name + ", domain=" + domain + "}");
  }

  @ParameterizedTest
  @CsvSource({
      "AzureCloud,             AzureCloud",
      "azurecloud,             AzureCloud",
      "AZURECLOUD,             AzureCloud",
      "AzurePublicCloud,       AzureCloud",
      "public,                 AzureCloud",
      "PUBLIC,                 AzureCloud",
      "AzureUSGovernment,      AzureUSGovernment",
      "azureusgovernment,      AzureUSGovernment",
      "AzureUSGovernmentCloud, AzureUSGovernment",
      "usgov,                  AzureUSGovernment",
      "USGov,                  AzureUSGovernment",
      "AzureChinaCloud,        AzureChinaCloud",
      "AZURECHINACLOUD,        AzureChinaCloud",
      "china,                  AzureChinaCloud",
      "'  AzureCloud  ',       AzureCloud",
      "opinsights.azure.us,    AzureUSGovernment",
      "contoso.example.com,    Custom"})
  void nameOrAliasGivesTheCloudWhateverTheCase(String input, String expectedName) {
    assertThat(CloudEnvironment.fromName(input).name()).isEqualTo(expectedName);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Azure", "AzureGermanCloud", "usgovernment", "gov", "azure-cloud", "Azure Cloud"})
  void unknownCloudNameIsRejectedNamingTheField(String input) {
    ConfigurationException e = configurationError(() -> CloudEnvironment.fromName(input));

    assertThat(e.field()).isEqualTo("cloud");
    assertThat(e.getMessage()).contains("'" + input + "' is not a known cloud")
        .contains("AzureCloud", "AzureUSGovernment", "AzureChinaCloud", "opinsights.azure.com");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "\n"})
  void missingCloudNameIsRejected(String input) {
    assertThat(configurationError(() -> CloudEnvironment.fromName(input)).getMessage()).startsWith("cloud: is missing");
    assertThat(configurationError(() -> CloudEnvironment.fromName(null)).field()).isEqualTo("cloud");
  }

  // ---------------------------------------------------------------- custom domains

  @ParameterizedTest
  @CsvSource({
      "contoso.example.com,        contoso.example.com",
      "Contoso.Example.COM,        contoso.example.com",
      "contoso.example.com.,       contoso.example.com",
      "' emulator.test '\t,        emulator.test",
      "a.b,                        a.b",
      "xn--bcher-kva.example,      xn--bcher-kva.example",
      "emulator-1.internal.test.,  emulator-1.internal.test",
      "123.example,                123.example",
      "opinsights.azure.com.contoso.net, opinsights.azure.com.contoso.net",
      "opinsights.azure.de,        opinsights.azure.de"})
  void customDomainIsKeptVerbatimButLowercase(String input, String expected) {
    CloudEnvironment cloud = CloudEnvironment.fromDomain(input);

    assertThat(cloud.name()).isEqualTo("Custom");
    assertThat(cloud.domain()).isEqualTo(expected);
    assertThat(cloud.port()).isEqualTo(443);
    assertThat(cloud).isEqualTo(CloudEnvironment.fromDomain(expected))
        .hasSameHashCodeAs(CloudEnvironment.fromDomain(expected))
        .hasToString("CloudEnvironment{Custom, domain=" + expected + "}");
  }

  @Test
  void domainOfMaximumLengthIsAccepted() {
    String label63 = "a".repeat(63);
    String domain = label63 + "." + label63 + "." + label63 + "." + "b".repeat(61); // 253 characters

    assertThat(CloudEnvironment.fromDomain(domain).domain()).hasSize(253);
    assertThat(CloudEnvironment.fromDomain(domain + ".").domain()).hasSize(253);
  }

  static Stream<Arguments> invalidDomains() {
    String label63 = "a".repeat(63);
    return Stream.of(
        arguments(null, "is missing"),
        arguments("", "is missing"),
        arguments(" \t", "is missing"),
        arguments("https://opinsights.azure.com", "contains ':'; only letters, digits, hyphens and dots"),
        arguments("http://opinsights.azure.com", "(no scheme, port or path)"),
        arguments("opinsights.azure.com:443", "contains ':'"),
        arguments("opinsights.azure.com/", "contains '/'"),
        arguments("opinsights.azure.com/path", "contains '/'"),
        arguments("my_domain.example.com", "contains '_'"),
        arguments("exa mple.com", "contains ' '"),
        arguments("bücher.example", "contains 'ü'"),
        arguments("*.example.com", "contains '*'"),
        arguments("opinsights..azure.com", "has an empty label"),
        arguments(".opinsights.azure.com", "has an empty label"),
        arguments("opinsights.azure.com..", "has an empty label"),
        arguments("-bad.example.com", "the label '-bad' starts or ends with a hyphen"),
        arguments("bad-.example.com", "the label 'bad-' starts or ends with a hyphen"),
        arguments("example.-com", "starts or ends with a hyphen"),
        arguments("localhost", "not a DNS name with at least two labels"),
        arguments("localhost.", "not a DNS name with at least two labels"),
        arguments(".", "not a DNS name with at least two labels"),
        arguments("a".repeat(64) + ".example.com", "longer than 63 characters"),
        arguments(String.join(".", label63, label63, label63, "b".repeat(62)), "254 characters long"),
        arguments("10.0.0.1", "an IP address is not a cloud domain"),
        arguments("example.123", "numeric label"));
  }

  @ParameterizedTest
  @MethodSource("invalidDomains")
  void invalidDomainIsRejectedNamingTheFieldAndTheProblem(String input, String problem) {
    ConfigurationException e = configurationError(() -> CloudEnvironment.fromDomain(input));

    assertThat(e.field()).isEqualTo("domain");
    assertThat(e.getMessage()).contains(problem);
  }

  // ---------------------------------------------------------------- ports

  @Test
  void withPortMakesACustomCloudOnThatPortAndBackTo443RestoresTheName() {
    CloudEnvironment onEmulatorPort = CloudEnvironment.AZURE_US_GOVERNMENT.withPort(8443);

    assertThat(onEmulatorPort.port()).isEqualTo(8443);
    assertThat(onEmulatorPort.domain()).isEqualTo("opinsights.azure.us");
    assertThat(onEmulatorPort.name()).isEqualTo("Custom");
    assertThat(onEmulatorPort).isNotEqualTo(CloudEnvironment.AZURE_US_GOVERNMENT)
        .hasToString("CloudEnvironment{Custom, domain=opinsights.azure.us, port=8443}");

    CloudEnvironment back = onEmulatorPort.withPort(443);
    assertThat(back).isSameAs(CloudEnvironment.AZURE_US_GOVERNMENT);
    assertThat(back.name()).isEqualTo("AzureUSGovernment");
    assertThat(CloudEnvironment.fromDomain("emulator.test").withPort(9000).withPort(443))
        .isEqualTo(CloudEnvironment.fromDomain("emulator.test"))
        .extracting(CloudEnvironment::name).isEqualTo("Custom");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 80, 443, 8443, 65535})
  void withPortAcceptsEveryTcpPort(int port) {
    assertThat(CloudEnvironment.AZURE_CLOUD.withPort(port).port()).isEqualTo(port);
  }

  @ParameterizedTest
  @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 65536, Integer.MAX_VALUE})
  void withPortRejectsPortsOutsideTheTcpRange(int port) {
    ConfigurationException e = configurationError(() -> CloudEnvironment.AZURE_CLOUD.withPort(port));

    assertThat(e.field()).isEqualTo("port");
    assertThat(e.getMessage()).isEqualTo("port: " + port + " is outside 1..65535");
  }

  // ---------------------------------------------------------------- endpoints (PROTOCOL.md §B1)

  enum Endpoint {
    TOPOLOGY(CloudEnvironment::topologyRequestUri),
    TELEMETRY(CloudEnvironment::agentTelemetryUri),
    RENEW(CloudEnvironment::renewCertificateUri),
    ODS_UPLOAD(CloudEnvironment::odsUploadUri),
    DATA_COLLECTOR(CloudEnvironment::dataCollectorUri);

    final BiFunction<CloudEnvironment, String, URI> build;

    Endpoint(BiFunction<CloudEnvironment, String, URI> build) {
      this.build = build;
    }
  }

  static Stream<Arguments> endpoints() {
    String ws = WORKSPACE_ID;
    CloudEnvironment pub = CloudEnvironment.AZURE_CLOUD;
    CloudEnvironment gov = CloudEnvironment.AZURE_US_GOVERNMENT;
    CloudEnvironment cn = CloudEnvironment.AZURE_CHINA_CLOUD;
    CloudEnvironment custom = CloudEnvironment.fromDomain("Emulator.Test.");
    CloudEnvironment emulatorPort = CloudEnvironment.fromDomain("localtest.me").withPort(8443);
    CloudEnvironment publicOn8443 = pub.withPort(8443);
    return Stream.of(
        arguments(pub, Endpoint.TOPOLOGY,
            "https://" + ws + ".oms.opinsights.azure.com/AgentService.svc/LinuxAgentTopologyRequest"),
        arguments(pub, Endpoint.TELEMETRY,
            "https://" + ws + ".oms.opinsights.azure.com/AgentService.svc/AgentTelemetry"),
        arguments(pub, Endpoint.RENEW,
            "https://" + ws + ".oms.opinsights.azure.com/ConfigurationService.Svc/RenewCertificate"),
        arguments(pub, Endpoint.ODS_UPLOAD,
            "https://" + ws + ".ods.opinsights.azure.com/OperationalData.svc/PostJsonDataItems"),
        arguments(pub, Endpoint.DATA_COLLECTOR,
            "https://" + ws + ".ods.opinsights.azure.com/api/logs?api-version=2016-04-01"),
        arguments(gov, Endpoint.TOPOLOGY,
            "https://" + ws + ".oms.opinsights.azure.us/AgentService.svc/LinuxAgentTopologyRequest"),
        arguments(gov, Endpoint.TELEMETRY,
            "https://" + ws + ".oms.opinsights.azure.us/AgentService.svc/AgentTelemetry"),
        arguments(gov, Endpoint.RENEW,
            "https://" + ws + ".oms.opinsights.azure.us/ConfigurationService.Svc/RenewCertificate"),
        arguments(gov, Endpoint.ODS_UPLOAD,
            "https://" + ws + ".ods.opinsights.azure.us/OperationalData.svc/PostJsonDataItems"),
        arguments(gov, Endpoint.DATA_COLLECTOR,
            "https://" + ws + ".ods.opinsights.azure.us/api/logs?api-version=2016-04-01"),
        arguments(cn, Endpoint.TOPOLOGY,
            "https://" + ws + ".oms.opinsights.azure.cn/AgentService.svc/LinuxAgentTopologyRequest"),
        arguments(cn, Endpoint.TELEMETRY,
            "https://" + ws + ".oms.opinsights.azure.cn/AgentService.svc/AgentTelemetry"),
        arguments(cn, Endpoint.RENEW,
            "https://" + ws + ".oms.opinsights.azure.cn/ConfigurationService.Svc/RenewCertificate"),
        arguments(cn, Endpoint.ODS_UPLOAD,
            "https://" + ws + ".ods.opinsights.azure.cn/OperationalData.svc/PostJsonDataItems"),
        arguments(cn, Endpoint.DATA_COLLECTOR,
            "https://" + ws + ".ods.opinsights.azure.cn/api/logs?api-version=2016-04-01"),
        arguments(custom, Endpoint.TOPOLOGY,
            "https://" + ws + ".oms.emulator.test/AgentService.svc/LinuxAgentTopologyRequest"),
        arguments(custom, Endpoint.ODS_UPLOAD,
            "https://" + ws + ".ods.emulator.test/OperationalData.svc/PostJsonDataItems"),
        arguments(custom, Endpoint.DATA_COLLECTOR,
            "https://" + ws + ".ods.emulator.test/api/logs?api-version=2016-04-01"),
        arguments(emulatorPort, Endpoint.TOPOLOGY,
            "https://" + ws + ".oms.localtest.me:8443/AgentService.svc/LinuxAgentTopologyRequest"),
        arguments(emulatorPort, Endpoint.TELEMETRY,
            "https://" + ws + ".oms.localtest.me:8443/AgentService.svc/AgentTelemetry"),
        arguments(emulatorPort, Endpoint.RENEW,
            "https://" + ws + ".oms.localtest.me:8443/ConfigurationService.Svc/RenewCertificate"),
        arguments(emulatorPort, Endpoint.ODS_UPLOAD,
            "https://" + ws + ".ods.localtest.me:8443/OperationalData.svc/PostJsonDataItems"),
        arguments(emulatorPort, Endpoint.DATA_COLLECTOR,
            "https://" + ws + ".ods.localtest.me:8443/api/logs?api-version=2016-04-01"),
        arguments(publicOn8443, Endpoint.DATA_COLLECTOR,
            "https://" + ws + ".ods.opinsights.azure.com:8443/api/logs?api-version=2016-04-01"),
        arguments(pub.withPort(1), Endpoint.ODS_UPLOAD,
            "https://" + ws + ".ods.opinsights.azure.com:1/OperationalData.svc/PostJsonDataItems"),
        arguments(gov.withPort(8443).withPort(443), Endpoint.TOPOLOGY,
            "https://" + ws + ".oms.opinsights.azure.us/AgentService.svc/LinuxAgentTopologyRequest"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("endpoints")
  void buildsEachEndpointOfTheProtocolForAWorkspace(CloudEnvironment cloud, Endpoint endpoint, String expected) {
    URI uri = endpoint.build.apply(cloud, WS_UPPER);

    assertThat(uri.toString()).isEqualTo(expected);
    assertThat(uri.getScheme()).isEqualTo("https");
    assertThat(uri.getHost()).startsWith(WORKSPACE_ID + ".o");
    assertThat(uri.getPort()).isEqualTo(cloud.port() == 443 ? -1 : cloud.port());
    assertThat(endpoint.build.apply(cloud, " " + WORKSPACE_ID + "\n")).isEqualTo(uri);
  }

  @ParameterizedTest
  @CsvSource({
      "opinsights.azure.com, 01234567-89ab-cdef-0123-456789abcdef.oms.opinsights.azure.com, "
          + "01234567-89ab-cdef-0123-456789abcdef.ods.opinsights.azure.com",
      "opinsights.azure.us,  01234567-89ab-cdef-0123-456789abcdef.oms.opinsights.azure.us, "
          + "01234567-89ab-cdef-0123-456789abcdef.ods.opinsights.azure.us",
      "opinsights.azure.cn,  01234567-89ab-cdef-0123-456789abcdef.oms.opinsights.azure.cn, "
          + "01234567-89ab-cdef-0123-456789abcdef.ods.opinsights.azure.cn"})
  void hostsAreWorkspaceThenServiceThenDomain(String domain, String oms, String ods) {
    CloudEnvironment cloud = CloudEnvironment.fromDomain(domain);

    assertThat(cloud.omsHost(WS_UPPER)).isEqualTo(oms);
    assertThat(cloud.odsHost(WS_UPPER)).isEqualTo(ods);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not-a-guid", "01234567-89ab-cdef-0123-456789abcdef.evil.com"})
  void endpointsRefuseAWorkspaceThatIsNotAGuid(String workspace) {
    for (Endpoint endpoint : Endpoint.values()) {
      ConfigurationException e =
          configurationError(() -> endpoint.build.apply(CloudEnvironment.AZURE_CLOUD, workspace));
      assertThat(e.field()).isEqualTo("workspaceId");
    }
  }

  @Test
  void equalityIsDomainAndPort() {
    CloudEnvironment a = CloudEnvironment.fromDomain("emulator.test").withPort(8443);
    CloudEnvironment b = CloudEnvironment.fromName("EMULATOR.test.").withPort(8443);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(b.withPort(8444)).isNotEqualTo(CloudEnvironment.fromDomain("emulator.test"));
    assertThat(CloudEnvironment.AZURE_CLOUD).isNotEqualTo(CloudEnvironment.AZURE_US_GOVERNMENT).isNotEqualTo(null)
        .isNotEqualTo("opinsights.azure.com");
    assertThat(CloudEnvironment.DATA_COLLECTOR_API_VERSION).isEqualTo("2016-04-01");
  }
}
