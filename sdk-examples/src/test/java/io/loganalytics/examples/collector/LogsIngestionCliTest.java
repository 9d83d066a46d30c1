package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.Transport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Logs Ingestion options of send, tail and syslog: builder wiring, bad input, and the failures to fix. */
class LogsIngestionCliTest {
  static final String DCE = "https://my-dce-ab12.eastus-1.ingest.monitor.azure.com";
  static final String DCR = "dcr-00112233445566778899aabbccddeeff";
  static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  static final String CLIENT = "11111111-2222-3333-4444-555555555555";
  static final String SECRET = "very~secret~client~value";
  static final Map<String, String> ENV = Map.of("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
      "AZURE_CLIENT_SECRET", SECRET);

  @TempDir Path dir;

  String[] li(String command, String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of(command));
    a.addAll(List.of(extra));
    a.addAll(List.of("--state-dir", dir.resolve("s").toString(), "--buffer-dir", dir.resolve("b").toString()));
    return a.toArray(String[]::new);
  }

  @Test
  void sendWiresEndpointDcrStreamCloudAndTheEnvironmentCredential() {
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(dir).client(client).env(ENV).stdin("{\"a\":1}\n");

    Cli.Result r = cli.run(li("send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-MyTable_CL", "--cloud",
        "AzureUSGovernment"));

    assertThat(r.exit()).as(r.err()).isZero();
    var b = cli.lastBuilder.get();
    assertThat(b.transport()).isEqualTo(Transport.LOGS_INGESTION);
    assertThat(b.logsIngestionEndpoint()).map(Object::toString).contains(DCE);
    assertThat(b.dataCollectionRuleId()).contains(DCR);
    assertThat(b.cloud().name()).isEqualTo("AzureUSGovernment");
    EntraCredential c = b.entraCredential().orElseThrow();
    assertThat(c.kind()).isEqualTo(EntraCredential.Kind.CLIENT_SECRET);
    assertThat(c.tenantId()).contains(TENANT);
    assertThat(client.records()).extracting(RecordingClient.Sent::type).containsExactly("Custom-MyTable_CL");
    assertThat(r.out() + r.err()).doesNotContain(SECRET);
  }

  @Test
  void tenantAndClientIdFlagsReplaceTheirVariablesAndWithoutAnyVariableItIsManagedIdentity() {
    Cli flags = new Cli(dir).client(new RecordingClient()).env(Map.of("AZURE_CLIENT_SECRET", SECRET)).stdin("{}");
    Cli none = new Cli(dir).client(new RecordingClient()).stdin("{}");

    flags.run(li("send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL", "--tenant", TENANT,
        "--client-id", CLIENT));
    none.run(li("send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL"));

    EntraCredential f = flags.lastBuilder.get().entraCredential().orElseThrow();
    assertThat(f.kind()).isEqualTo(EntraCredential.Kind.CLIENT_SECRET);
    assertThat(f.clientId()).contains(CLIENT);
    assertThat(none.lastBuilder.get().entraCredential().orElseThrow().kind())
        .isEqualTo(EntraCredential.Kind.MANAGED_IDENTITY_IMDS);
  }

  @Test
  void syslogAndTailTakeTheStreamAsTheirRecordType() throws Exception {
    Path log = dir.resolve("app.log");
    java.nio.file.Files.writeString(log, "one\n");
    RecordingClient client = new RecordingClient();
    Cli tail = new Cli(dir).client(client).env(ENV);
    tail.stop.countDown();

    Cli.Result r = tail.run(li("tail", log.toString(), "--from-start", "--endpoint", DCE, "--dcr", DCR,
        "--stream", "Custom-AppLog_CL"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(client.records()).extracting(RecordingClient.Sent::type).containsExactly("Custom-AppLog_CL");
    assertThat(tail.lastBuilder.get().transport()).isEqualTo(Transport.LOGS_INGESTION);
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        bad("--dcr", "is required with --endpoint", "send", "--endpoint", DCE, "--stream", "Custom-T_CL"),
        bad("--endpoint", "is required with --dcr", "send", "--dcr", DCR, "--stream", "Custom-T_CL"),
        bad("--stream", "is required", "send", "--endpoint", DCE, "--dcr", DCR),
        bad("--stream", "is not a stream name", "send", "--endpoint", DCE, "--dcr", DCR, "--stream", "MyTable"),
        bad("--dcr", "is not a DCR immutable id", "send", "--endpoint", DCE, "--dcr", "my-dcr", "--stream",
            "Custom-T_CL"),
        bad("--endpoint", "must be an https URL", "send", "--endpoint", "http://dce.example", "--dcr", DCR,
            "--stream", "Custom-T_CL"),
        bad("--endpoint", "is not a URL", "send", "--endpoint", "https://bad host", "--dcr", DCR, "--stream",
            "Custom-T_CL"),
        bad("--cloud", "", "send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL", "--cloud", "Mars"),
        bad("-d", "cannot be combined with the Logs Ingestion options", "send", "--endpoint", DCE, "--dcr", DCR,
            "--stream", "Custom-T_CL", "-d", "opinsights.azure.us"),
        bad("--data-type", "cannot be combined", "tail", "x.log", "--endpoint", DCE, "--dcr", DCR, "--stream",
            "Custom-T_CL", "--data-type", "T"),
        bad("--tenant", "", "send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL", "--tenant",
            "not a tenant!", "--client-id", CLIENT),
        bad("--client-secret", "unknown option for 'send'", "send", "--endpoint", DCE, "--dcr", DCR, "--stream",
            "Custom-T_CL", "--client-secret", SECRET));
  }

  private static Arguments bad(String field, String problem, String... args) {
    return Arguments.of(Arrays.asList(args), field, problem);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("badInput")
  void badInputIsOneLineNamingTheOptionWithoutTheSecret(List<String> args, String field, String problem) {
    Cli.Result r = new Cli(dir).env(Map.of("AZURE_CLIENT_SECRET", SECRET)).run(args.toArray(String[]::new));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: " + field + ": ").contains(problem).doesNotContain(SECRET);
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(new AuthenticationException("Logs Ingestion refused the token (HTTP 403 OperationFailed): The "
            + "authentication token provided does not have access to ingest data for the data collection rule", 403,
            "OperationFailed", null, null, true, null), "error: --dcr: access denied (HTTP 403) to " + DCR
            + ": assign the role 'Monitoring Metrics Publisher'"),
        Arguments.of(new AuthenticationException("Entra ID token request failed (HTTP 401 invalid_client): "
            + "AADSTS7000215: Invalid client secret provided.", 401, "invalid_client", null, null, false, null),
            "error: AZURE_CLIENT_SECRET: Entra ID refused the client secret"),
        Arguments.of(new AuthenticationException("Entra ID token request failed (HTTP 400): AADSTS90002: Tenant "
            + "not found.", 400, "invalid_request", null, null, false, null), "error: AZURE_TENANT_ID (--tenant): "));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("refusals")
  void aRefusedCredentialEndsTheRunWithOneLineSayingWhatToFix(AuthenticationException refusal, String line) {
    Cli cli = new Cli(dir).env(ENV).clock(ticking()).factory(b -> new StuckClient(b.listener(),
        l -> l.onAuthenticationFailure(refusal))).stdin("{}\n{}\n{}\n");

    Cli.Result r = cli.run(li("send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith(line);
    assertThat(r.out() + r.err()).doesNotContain(SECRET);
  }

  @Test
  void anUnknownDcrOrStreamSeenByTheUploaderEndsWithOneLineSayingWhatToFix() {
    Cli cli = new Cli(dir).env(ENV).clock(ticking()).factory(b -> new StuckClient(b.listener(),
        l -> l.onRetryScheduled("c1", 1, java.time.Duration.ofSeconds(1), "HTTP 404 Not Found"))).stdin("{}\n");

    Cli.Result r = cli.run(li("send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL", "--timeout", "3"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("still buffered 1").contains("last error").contains("HTTP 404");
    assertThat(r.errLines()).containsExactly("error: --dcr/--stream: not found (HTTP 404): check that --dcr " + DCR
        + " is the DCR's immutableId, that --stream Custom-T_CL is declared in its streamDeclarations, and that "
        + "--endpoint is the endpoint of that DCR");
  }

  @Test
  void aPassingNetworkErrorOnTheLogsIngestionPathGetsNoHint() {
    Cli cli = new Cli(dir).env(ENV).clock(ticking()).factory(b -> new StuckClient(b.listener(),
        l -> l.onRetryScheduled("c1", 1, java.time.Duration.ofSeconds(1), "connection reset"))).stdin("{}\n");

    Cli.Result r = cli.run(li("send", "--endpoint", DCE, "--dcr", DCR, "--stream", "Custom-T_CL", "--timeout", "3"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("last error").contains("connection reset");
  }

  @Test
  void hintsForUnknownDcrOrStreamAndOtherwiseNothing() {
    assertThat(IngestionHints.hint(404, "Not Found", DCR, "Custom-T_CL")).hasValueSatisfying(h -> assertThat(h)
        .startsWith("--dcr/--stream: not found (HTTP 404)").contains(DCR).contains("Custom-T_CL")
        .contains("streamDeclarations"));
    assertThat(IngestionHints.hint(0, "upload failed: HTTP 404 Not Found", null, null)).isPresent();
    assertThat(IngestionHints.hint(0, "1 records dropped (rejected): the Logs Ingestion endpoint https://x does not "
        + "know DCR dcr-1 or its stream Custom-T_CL", null, null)).hasValueSatisfying(h -> assertThat(h)
        .startsWith("--dcr/--stream: not found"));
    assertThat(IngestionHints.hint(0, "AADSTS700016: Application with identifier 'x' was not found", null, null))
        .hasValueSatisfying(h -> assertThat(h).startsWith("AZURE_CLIENT_ID"));
    assertThat(IngestionHints.hint(503, "Service Unavailable", DCR, "Custom-T_CL")).isEmpty();
    assertThat(IngestionHints.hint(0, "connection reset", DCR, "Custom-T_CL")).isEmpty();
  }

  static Clock ticking() {
    return new Clock() {
      private Instant now = Instant.parse("2026-11-25T10:00:00Z");

      @Override
      public synchronized Instant instant() {
        now = now.plusSeconds(1);
        return now;
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }
}
