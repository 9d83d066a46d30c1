package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.PRIMARY_KEY;
import static io.loganalytics.sdk.TestSupport.WORKSPACE_ID;
import static io.loganalytics.sdk.TestSupport.assertContainsNoSecret;
import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogAnalyticsClientBuilderTest {
  private static final WorkspaceCredentials CREDENTIALS = WorkspaceCredentials.of(WORKSPACE_ID, PRIMARY_KEY);
  private static final java.net.URI DCE = java.net.URI.create("https://my-dce-ab12.eastus-1.ingest.monitor.azure.com");
  private static final String DCR = "dcr-000a00a000a00000a000000aa000a0aa";
  private static final EntraCredential ENTRA = EntraCredential.clientSecret("00000000-0000-0000-0000-000000000001",
      "00000000-0000-0000-0000-000000000002", "not-a-real-secret");

  @Test
  void defaultsAreDocumented() {
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder();

    assertThat(b.transport()).isEqualTo(Transport.LOGS_INGESTION);
    assertThat(b.logsIngestionEndpoint()).isEmpty();
    assertThat(b.dataCollectionRuleId()).isEmpty();
    assertThat(b.entraCredential()).isEmpty();
    assertThat(b.tokenProvider()).isEmpty();
    assertThat(b.cloud()).isSameAs(CloudEnvironment.AZURE_CLOUD);
    assertThat(b.proxy()).isEmpty();
    assertThat(b.retryPolicy()).isSameAs(RetryPolicy.defaults());
    assertThat(b.listener()).isSameAs(LogAnalyticsListener.NONE);
    assertThat(b.ipName()).isEqualTo("LogManagement");
    assertThat(b.maxRequestBytes()).isEqualTo(1_000_000);
    assertThat(b.certificateValidity()).isEqualTo(Duration.ofDays(90));
    assertThat(b.renewalWindow()).isEqualTo(Duration.ofDays(30));
    assertThat(b.trustedCertificates()).isEmpty();
    assertThat(b.clock()).isEqualTo(Clock.systemUTC());
    assertThat(b.credentials()).isEmpty();
    assertThat(b.stateDirectory()).isEmpty();
    assertThat(b.bufferOptions()).isNull();
    assertThat(b.azureResourceId()).isEmpty();
    assertThat(b.timeGeneratedField()).isEmpty();
    assertThat(LogAnalyticsClientBuilder.MAX_REQUEST_BYTES_LIMIT).isEqualTo(30 * 1024 * 1024);
  }

  // ---------------------------------------------------------------- build(): required and consistent settings

  static Stream<Arguments> incompleteConfigurations() {
    return Stream.of(
        // what is configured, the field build() names, what it says
        arguments("nothing", cfg(b -> b), "bufferDirectory", "is required: the client keeps records on disk"),
        arguments("credentials and state, no buffer",
            cfg(b -> b.credentials(CREDENTIALS).stateDirectory(Path.of("state"))), "bufferDirectory", "is required"),
        arguments("Data Collector without credentials",
            cfg(b -> b.transport(Transport.DATA_COLLECTOR).bufferDirectory(Path.of("buf"))), "credentials",
            "are required for the Data Collector transport"),
        arguments("Logs Ingestion without endpoint",
            cfg(b -> b.entraCredential(ENTRA).bufferDirectory(Path.of("buf"))), "logsIngestionEndpoint",
            "is required for the Logs Ingestion transport (the default)"),
        arguments("Logs Ingestion without credential",
            cfg(b -> b.logsIngestion(DCE, DCR).bufferDirectory(Path.of("buf"))), "entraCredential",
            "is required for the Logs Ingestion transport"),
        arguments("Logs Ingestion with requests above 1 MiB",
            cfg(b -> li(b).maxRequestBytes(1024 * 1024 + 1)), "maxRequestBytes",
            "1048577 is above the Logs Ingestion API's limit of 1048576 bytes"),
        arguments("agent without state directory",
            cfg(b -> b.transport(Transport.AGENT_CERTIFICATE).credentials(CREDENTIALS)
                .bufferDirectory(Path.of("buf"))), "stateDirectory",
            "is required for the agent transport"),
        arguments("renewal window equal to validity",
            cfg(b -> agent(b).renewalWindow(Duration.ofDays(90))), "renewalWindow",
            "PT2160H must be shorter than certificateValidity PT2160H"),
        arguments("renewal window longer than validity",
            cfg(b -> agent(b).renewalWindow(Duration.ofDays(100))), "renewalWindow", "must be shorter than"),
        arguments("validity shortened below the default window",
            cfg(b -> agent(b).certificateValidity(Duration.ofDays(10))), "renewalWindow",
            "PT720H must be shorter than certificateValidity PT240H"));
  }

  private static Function<LogAnalyticsClientBuilder, LogAnalyticsClientBuilder> cfg(
      Function<LogAnalyticsClientBuilder, LogAnalyticsClientBuilder> f) {
    return f;
  }

  private static LogAnalyticsClientBuilder agent(LogAnalyticsClientBuilder b) {
    return b.transport(Transport.AGENT_CERTIFICATE).credentials(CREDENTIALS).bufferDirectory(Path.of("buf"))
        .stateDirectory(Path.of("state"));
  }

  private static LogAnalyticsClientBuilder li(LogAnalyticsClientBuilder b) {
    return b.logsIngestion(DCE, DCR).entraCredential(ENTRA).bufferDirectory(Path.of("buf"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("incompleteConfigurations")
  void buildNamesTheMissingOrInconsistentSetting(String label,
      Function<LogAnalyticsClientBuilder, LogAnalyticsClientBuilder> configure, String field, String problem) {
    LogAnalyticsClientBuilder builder = configure.apply(LogAnalyticsClient.builder());

    ConfigurationException e = configurationError(builder::build);

    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).startsWith(field + ": ").contains(problem);
    assertContainsNoSecret(e, PRIMARY_KEY);
  }

  static Stream<Arguments> completeConfigurations() {
    return Stream.of(
        arguments("agent", cfg(LogAnalyticsClientBuilderTest::agent)),
        arguments("Logs Ingestion", cfg(LogAnalyticsClientBuilderTest::li)),
        arguments("Logs Ingestion, own token provider, 1 MiB requests", cfg(b -> li(b).tokenProvider(
            scope -> AccessToken.of("t", java.time.Instant.EPOCH)).maxRequestBytes(1024 * 1024))),
        arguments("agent already onboarded, no credentials",
            cfg(b -> b.transport(Transport.AGENT_CERTIFICATE).bufferDirectory(Path.of("buf"))
                .stateDirectory(Path.of("state")))),
        arguments("Data Collector", cfg(b -> b.transport(Transport.DATA_COLLECTOR).credentials(CREDENTIALS)
            .bufferOptions(BufferOptions.builder(Path.of("buf")).overflowPolicy(OverflowPolicy.BLOCK).build()))),
        arguments("shortest validity and window", cfg(b -> agent(b).certificateValidity(Duration.ofDays(1))
            .renewalWindow(Duration.ofHours(23)))),
        arguments("everything set", cfg(b -> agent(b).cloud(CloudEnvironment.AZURE_US_GOVERNMENT.withPort(8443))
            .proxy(ProxyConfig.parse("http://u:p@proxy:3128")).retryPolicy(RetryPolicy.builder().maxRetries(3).build())
            .ipName("Security").maxRequestBytes(LogAnalyticsClientBuilder.MAX_REQUEST_BYTES_LIMIT)
            .trustCertificates(Path.of("ca.pem")).clock(Clock.systemDefaultZone())
            .azureResourceId("/subscriptions/0/resourceGroups/rg").timeGeneratedField("EventTime"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("completeConfigurations")
  void validBuildWithoutAnImplementationNamesTheArtifactToAdd(String label,
      Function<LogAnalyticsClientBuilder, LogAnalyticsClientBuilder> configure) {
    LogAnalyticsClientBuilder builder = configure.apply(LogAnalyticsClient.builder());

    assertThatIllegalStateException().isThrownBy(builder::build)
        .withMessageContaining("io.loganalytics:loganalytics-sdk-impl")
        .withMessageContaining("No Log Analytics SDK implementation found on the class path");
  }

  // ---------------------------------------------------------------- setters validate at once

  static Stream<Arguments> invalidSetterValues() {
    String id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";
    return Stream.of(
        arguments("buffer.directory", set(b -> b.bufferDirectory(null)), "is missing"),
        arguments("maxRequestBytes", set(b -> b.maxRequestBytes(1023)), "1023 is outside 1024..31457280"),
        arguments("maxRequestBytes", set(b -> b.maxRequestBytes(31_457_281)), "the service's limit is 30 MB"),
        arguments("maxRequestBytes", set(b -> b.maxRequestBytes(0)), "0 is outside"),
        arguments("maxRequestBytes", set(b -> b.maxRequestBytes(-1)), "-1 is outside"),
        arguments("certificateValidity", set(b -> b.certificateValidity(null)), "at least 1 day, was null"),
        arguments("certificateValidity", set(b -> b.certificateValidity(Duration.ofHours(23))), "was PT23H"),
        arguments("renewalWindow", set(b -> b.renewalWindow(null)), "must be positive, was null"),
        arguments("renewalWindow", set(b -> b.renewalWindow(Duration.ZERO)), "was PT0S"),
        arguments("renewalWindow", set(b -> b.renewalWindow(Duration.ofDays(-1))), "was PT-24H"),
        arguments("ipName", set(b -> b.ipName(null)), "is missing; expected a name such as LogManagement"),
        arguments("ipName", set(b -> b.ipName("")), "is missing"),
        arguments("ipName", set(b -> b.ipName("1Security")), "'1Security' must be a letter followed by"),
        arguments("ipName", set(b -> b.ipName("Log Management")), "must be a letter"),
        arguments("ipName", set(b -> b.ipName("Log-Management")), "must be a letter"),
        arguments("ipName", set(b -> b.ipName("_Security")), "must be a letter"),
        arguments("ipName", set(b -> b.ipName("A" + "b".repeat(100))), "up to 99"),
        arguments("azureResourceId", set(b -> b.azureResourceId("subscriptions/0/resourceGroups/rg")),
            "must start with /subscriptions/<subscription id>"),
        arguments("azureResourceId", set(b -> b.azureResourceId("/resourceGroups/rg")), "must start with"),
        arguments("azureResourceId", set(b -> b.azureResourceId("/subscriptions/")), "must start with"),
        arguments("azureResourceId", set(b -> b.azureResourceId("/subscriptions//resourceGroups/rg")),
            "must start with"),
        arguments("azureResourceId", set(b -> b.azureResourceId("")), "must start with"),
        arguments("azureResourceId", set(b -> b.azureResourceId("/subscriptions/0/resourceGroups/r\u00e9sum\u00e9")),
            "non-ASCII character U+00E9 at position 34"),
        arguments("azureResourceId", set(b -> b.azureResourceId(id + "\r\nX-Injected: 1")),
            "contains whitespace or a control character at position 70; it is sent as a header value"),
        arguments("azureResourceId", set(b -> b.azureResourceId(" " + id)), "at position 1"),
        arguments("azureResourceId", set(b -> b.azureResourceId(id + "\n")), "control character"),
        arguments("timeGeneratedField", set(b -> b.timeGeneratedField("")), "'' is not a valid field name"),
        arguments("timeGeneratedField", set(b -> b.timeGeneratedField("1time")), "is not a valid field name"),
        arguments("timeGeneratedField", set(b -> b.timeGeneratedField("event-time")), "is not a valid field"),
        arguments("timeGeneratedField", set(b -> b.timeGeneratedField("event time")), "is not a valid field"),
        arguments("timeGeneratedField", set(b -> b.timeGeneratedField("t".repeat(46))), "is not a valid field"));
  }

  private static Consumer<LogAnalyticsClientBuilder> set(Consumer<LogAnalyticsClientBuilder> c) {
    return c;
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("invalidSetterValues")
  void setterRefusesInvalidValueNamingTheField(String field, Consumer<LogAnalyticsClientBuilder> setter,
      String problem) {
    LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder();

    ConfigurationException e = configurationError(() -> setter.accept(builder));

    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).startsWith(field + ": ").contains(problem);
    assertThat(builder.ipName()).as("a refused value changes nothing").isEqualTo("LogManagement");
    assertThat(builder.maxRequestBytes()).isEqualTo(1_000_000);
    assertThat(builder.azureResourceId()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"LogManagement", "Security", "A", "a_b.c", "Updates.2"})
  void ipNameAcceptsServiceNames(String ipName) {
    assertThat(LogAnalyticsClient.builder().ipName(ipName).ipName()).isEqualTo(ipName);
    assertThat(LogAnalyticsClient.builder().ipName("A" + "b".repeat(99)).ipName()).hasSize(100);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
      + "Microsoft.Compute/virtualMachines/vm", "/subscriptions/abc", "/Subscriptions/abc/resourcegroups/rg"})
  void azureResourceIdAcceptsArmIds(String id) {
    LogAnalyticsClientBuilder builder = LogAnalyticsClient.builder().azureResourceId("/subscriptions/x");

    assertThat(builder.azureResourceId(id).azureResourceId()).isEqualTo(java.util.Optional.ofNullable(id));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"TimeGenerated", "_t", "EventTime_2", "t23456789012345678901234567890123456789012345"})
  void timeGeneratedFieldAcceptsFieldNames(String field) {
    assertThat(LogAnalyticsClient.builder().timeGeneratedField(field).timeGeneratedField())
        .isEqualTo(java.util.Optional.ofNullable(field));
  }

  @ParameterizedTest
  @ValueSource(ints = {1024, 1_000_000, 31_457_280})
  void maxRequestBytesAcceptsTheRange(int bytes) {
    assertThat(LogAnalyticsClient.builder().maxRequestBytes(bytes).maxRequestBytes()).isEqualTo(bytes);
  }

  @Test
  void requiredObjectsRefuseNull() {
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder();

    assertThatThrownBy(() -> b.credentials(null)).isInstanceOf(NullPointerException.class).hasMessage("credentials");
    assertThatThrownBy(() -> b.cloud(null)).hasMessage("cloud");
    assertThatThrownBy(() -> b.transport(null)).hasMessage("transport");
    assertThatThrownBy(() -> b.bufferOptions(null)).hasMessage("bufferOptions");
    assertThatThrownBy(() -> b.retryPolicy(null)).hasMessage("retryPolicy");
    assertThatThrownBy(() -> b.listener(null)).hasMessage("listener");
    assertThatThrownBy(() -> b.stateDirectory(null)).hasMessage("stateDirectory");
    assertThatThrownBy(() -> b.trustCertificates(null)).hasMessage("pemFile");
    assertThatThrownBy(() -> b.hostResolver(null)).hasMessage("hostResolver");
    assertThatThrownBy(() -> b.clock(null)).hasMessage("clock");
  }

  @Test
  void accessorsReflectTheSettingsAndTrustedCertificatesAreACopy() {
    ProxyConfig proxy = ProxyConfig.parse("http://proxy:3128");
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder().credentials(CREDENTIALS).proxy(proxy)
        .bufferDirectory(Path.of("buf")).stateDirectory(Path.of("state")).trustCertificates(Path.of("a.pem"))
        .trustCertificates(Path.of("b.pem"));

    assertThat(b.credentials()).containsSame(CREDENTIALS);
    assertThat(b.proxy()).containsSame(proxy);
    assertThat(b.bufferOptions()).isEqualTo(BufferOptions.builder(Path.of("buf")).build());
    assertThat(b.stateDirectory()).contains(Path.of("state"));
    assertThat(b.trustedCertificates()).containsExactly(Path.of("a.pem"), Path.of("b.pem"));
    assertThatThrownBy(() -> b.trustedCertificates().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThat(b.proxy(null).proxy()).isEmpty();
  }
}
