package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.ProxyConfig;
import io.loganalytics.sdk.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent operator expects without saying it: the cloud and workspace saved by onboard, the exported key on
 * every path, the proxy from the state directory, the agent's proxy.conf or https_proxy, the proxy password from the
 * environment or a file, and a reason when records stay buffered.
 */
class OperatorDefaultsTest {
  static final String WS = CommandLineErrorsTest.WS;
  static final String KEY = CommandLineErrorsTest.KEY;

  @TempDir Path dir;

  Path state() {
    return dir.resolve("state");
  }

  String[] send(String... extra) {
    java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("send", "--state-dir", state().toString(),
        "--buffer-dir", dir.resolve("buf").toString()));
    a.addAll(java.util.List.of(extra));
    return a.toArray(String[]::new);
  }

  void omsadmin(String content) throws Exception {
    Files.createDirectories(state());
    Files.writeString(state().resolve("omsadmin.conf"), content);
  }

  @Test
  void theExportedKeyDoesNotBreakTheAgentPathOfAStateWithoutWorkspace() {
    Cli cli = new Cli(dir).client(new RecordingClient()).env(Map.of(ClientSetup.SHARED_KEY_ENV, KEY)).stdin("{}\n");

    Cli.Result r = cli.run(send("--data-type", "MY_BLOB"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(cli.lastBuilder.get().transport()).isEqualTo(Transport.AGENT_CERTIFICATE);
    assertThat(cli.lastBuilder.get().credentials()).isEmpty();
  }

  @Test
  void theExportedKeyAndTheSavedWorkspaceAndCloudAreUsedOnTheAgentPath() throws Exception {
    omsadmin("WORKSPACE_ID=" + WS + "\nURL_TLD=opinsights.azure.us\n");
    Cli cli = new Cli(dir).client(new RecordingClient()).env(Map.of(ClientSetup.SHARED_KEY_ENV, KEY)).stdin("{}\n");

    Cli.Result r = cli.run(send("--data-type", "MY_BLOB"));

    assertThat(r.exit()).as(r.err()).isZero();
    var b = cli.lastBuilder.get();
    assertThat(b.credentials()).map(c -> c.workspaceId()).contains(WS);
    assertThat(b.cloud().domain()).isEqualTo("opinsights.azure.us");
    assertThat(r.out() + r.err()).doesNotContain(KEY);
  }

  @Test
  void theSavedCloudIsUsedOnTheDataCollectorPathTooAndDashDWins() throws Exception {
    omsadmin("URL_TLD=opinsights.azure.cn\n");
    Cli saved = new Cli(dir).client(new RecordingClient()).env(Map.of(ClientSetup.SHARED_KEY_ENV, KEY)).stdin("{}");
    Cli flag = new Cli(dir).client(new RecordingClient()).env(Map.of(ClientSetup.SHARED_KEY_ENV, KEY)).stdin("{}");

    assertThat(saved.run(send("-w", WS, "--log-type", "App")).exit()).isZero();
    assertThat(flag.run(send("-w", WS, "--log-type", "App", "-d", "opinsights.azure.us")).exit()).isZero();

    assertThat(saved.lastBuilder.get().cloud().domain()).isEqualTo("opinsights.azure.cn");
    assertThat(flag.lastBuilder.get().cloud().domain()).isEqualTo("opinsights.azure.us");
  }

  @Test
  void aCorruptSavedCloudNamesTheStateDirectory() throws Exception {
    omsadmin("URL_TLD=evil.example/../x\n");

    Cli.Result r = new Cli(dir).client(new RecordingClient()).stdin("{}").run(send("--data-type", "T"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: --state-dir: URL_TLD of omsadmin.conf: ");
  }

  @Test
  void theProxyComesFromTheStateDirectoryThenTheAgentThenTheEnvironment() throws Exception {
    Files.createDirectories(state());
    Path agentConf = dir.resolve("agent-proxy.conf");
    Files.writeString(agentConf, "http://agent-proxy.example:3128\n");
    Map<String, String> env = Map.of("https_proxy", "http://env-proxy.example:8080", "no_proxy",
        "localhost,.internal.example");

    Cli fromEnv = new Cli(dir).client(new RecordingClient()).env(env).stdin("{}");
    fromEnv.run(send("--data-type", "T"));
    Cli fromAgent = new Cli(dir).client(new RecordingClient()).env(env).agentProxyFiles(agentConf).stdin("{}");
    fromAgent.run(send("--data-type", "T"));
    Files.writeString(state().resolve("proxy.conf"), "state-proxy.example:9000");
    Cli fromState = new Cli(dir).client(new RecordingClient()).env(env).agentProxyFiles(agentConf).stdin("{}");
    fromState.run(send("--data-type", "T"));
    Cli fromFlag = new Cli(dir).client(new RecordingClient()).env(env).agentProxyFiles(agentConf).stdin("{}");
    fromFlag.run(send("--data-type", "T", "-p", "flag-proxy.example:1"));

    assertThat(fromEnv.lastBuilder.get().proxy()).map(ProxyConfig::host).contains("env-proxy.example");
    assertThat(fromEnv.lastBuilder.get().proxy().orElseThrow().noProxy()).contains("localhost", ".internal.example");
    assertThat(fromAgent.lastBuilder.get().proxy()).map(ProxyConfig::host).contains("agent-proxy.example");
    assertThat(fromAgent.lastBuilder.get().proxy().orElseThrow().bypasses("x.internal.example")).isTrue();
    assertThat(fromState.lastBuilder.get().proxy()).map(ProxyConfig::host).contains("state-proxy.example");
    assertThat(fromFlag.lastBuilder.get().proxy()).map(ProxyConfig::host).contains("flag-proxy.example");
  }

  @Test
  void noProxyAnywhereMeansDirect() {
    Cli cli = new Cli(dir).client(new RecordingClient()).stdin("{}");

    cli.run(send("--data-type", "T"));

    assertThat(cli.lastBuilder.get().proxy()).isEmpty();
  }

  @Test
  void theProxyPasswordComesFromTheEnvironmentOrAFileAndIsNeverPrinted() throws Exception {
    Path pw = dir.resolve("proxy-password");
    Files.writeString(pw, "file-s3cret\n");
    Cli env = new Cli(dir).client(new RecordingClient()).env(Map.of(Commands.PROXY_PASSWORD_ENV, "env-s3cret"))
        .stdin("{}");
    Cli file = new Cli(dir).client(new RecordingClient()).stdin("{}");

    Cli.Result r1 = env.run(send("--data-type", "T", "-p", "http://alice@proxy.example:3128"));
    Cli.Result r2 = file.run(send("--data-type", "T", "-p", "bob@proxy.example:3128", "--proxy-password-file",
        pw.toString()));

    assertThat(r1.exit()).as(r1.err()).isZero();
    assertThat(r2.exit()).as(r2.err()).isZero();
    assertThat(r1.err() + r2.err()).isEmpty();
    assertThat(env.lastBuilder.get().proxy().orElseThrow().username()).contains("alice");
    assertThat(env.lastBuilder.get().proxy().orElseThrow().proxyAuthorization()).contains("Basic "
        + basic("alice:env-s3cret"));
    assertThat(file.lastBuilder.get().proxy().orElseThrow().proxyAuthorization()).contains("Basic "
        + basic("bob:file-s3cret"));
  }

  static String basic(String userPass) {
    return java.util.Base64.getEncoder().encodeToString(userPass.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aProxyUserWithoutAnyPasswordIsAUsageErrorNamingTheWaysToGiveIt() {
    Cli.Result r = new Cli(dir).client(new RecordingClient()).stdin("{}").run(send("--data-type", "T", "-p",
        "alice@proxy.example:3128"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: -p: names the user 'alice' but no password: export "
        + "LOGANALYTICS_PROXY_PASSWORD or use --proxy-password-file FILE");
  }

  @Test
  void anEmptyPasswordFileIsNamed() throws Exception {
    Path pw = dir.resolve("empty");
    Files.writeString(pw, "\n");

    Cli.Result r = new Cli(dir).client(new RecordingClient()).stdin("{}").run(send("--data-type", "T", "-p",
        "alice@proxy.example:3128", "--proxy-password-file", pw.toString()));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --proxy-password-file: ").contains("is empty");
  }

  @Test
  void aBadProxyConfInTheStateDirectoryIsNamed() throws Exception {
    Files.createDirectories(state());
    Files.writeString(state().resolve("proxy.conf"), "ftp://proxy.example:21");

    Cli.Result r = new Cli(dir).client(new RecordingClient()).stdin("{}").run(send("--data-type", "T"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: " + state().resolve("proxy.conf") + ": ");
  }

  @Test
  void recordsLeftBufferedComeWithTheLastErrorInTheSummaryAndInStatus() {
    Clock ticking = new Clock() {
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
    Cli cli = new Cli(dir).clock(ticking).factory(b -> new StuckClient(b.listener(),
        l -> l.onRetryScheduled("c1", 1, java.time.Duration.ofSeconds(2), "connect to 127.0.0.1:9 failed: "
            + "Connection refused"))).stdin("{}\n{}\n");

    Cli.Result r = cli.run(send("--data-type", "T", "--timeout", "5"));
    Cli.Result status = new Cli(dir).run("status", "--state-dir", state().toString(), "--buffer-dir",
        dir.resolve("none").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("still buffered 2 (sent by the next run on this buffer)")
        .contains("; last error 2026-11-25T10:00:").contains("connect to 127.0.0.1:9 failed: Connection refused");
    assertThat(status.out()).contains("last error       2026-11-25T10:00:")
        .contains("Connection refused");
  }
}
