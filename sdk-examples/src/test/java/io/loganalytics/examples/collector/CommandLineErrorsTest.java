package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandLineErrorsTest {
  static final String WS = "0b2e5d1c-4a6f-4c1e-9b8d-2f3a4b5c6d7e";
  static final String KEY = Base64.getEncoder().encodeToString("secret-key-material-0123456789-abcdefghijklmnopq"
      .getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  @TempDir Path home;

  static Stream<Arguments> badInput() {
    return Stream.of(
        bad("command", "is missing"),
        bad("command", "'frobnicate' is not one of", "frobnicate"),
        bad("--port", "'abc' is not a whole number", "syslog", "--port", "abc"),
        bad("--port", "0 is outside 1..65535", "syslog", "--port", "0"),
        bad("--port", "needs a value", "syslog", "--port"),
        bad("--port", "given more than once", "syslog", "--port", "1", "--port", "2"),
        bad("--bogus", "unknown option for 'syslog'", "syslog", "--bogus"),
        bad("-x", "unknown option for 'send'", "send", "-x", "1"),
        bad("--tcp", "takes no value", "syslog", "--tcp=yes"),
        bad("--bind", "is not an IP address", "syslog", "--bind", "300.1.2.3"),
        bad("--data-type", "is required", "send"),
        bad("--data-type", "must be a letter", "send", "--data-type", "1bad"),
        bad("-w", "is required", "send", "--log-type", "MyApp"),
        bad("-s", "is required", "send", "--log-type", "MyApp", "-w", WS),
        bad("-w", "", "send", "--log-type", "MyApp", "-w", "not-a-guid", "-s", "@KEYFILE"),
        bad("-s", "", "send", "--log-type", "MyApp", "-w", WS, "-s", "@BADKEYFILE"),
        bad("--log-type", "must be a letter", "send", "--log-type", "My-App", "-w", WS, "-s", "@KEYFILE"),
        bad("--data-type", "cannot be combined with --log-type", "send", "--log-type", "MyApp", "--data-type",
            "X", "-w", WS, "-s", "@KEYFILE"),
        bad("--ip-name", "is for the agent path only", "send", "--log-type", "MyApp", "-w", WS, "-s", "@KEYFILE",
            "--ip-name", "Security"),
        bad("--ip-name", "must be a letter", "send", "--data-type", "T", "--ip-name", "9x"),
        bad("-d", "", "send", "--data-type", "T", "-d", "not a domain"),
        bad("-p", "", "send", "--data-type", "T", "-p", "ftp://proxy:8080"),
        bad("--file", "is not a readable file", "send", "--data-type", "T", "--file", "/no/such/file"),
        bad("--ca-file", "is not a readable file", "send", "--data-type", "T", "--ca-file", "/no/such.pem"),
        bad("--timeout", "is outside", "send", "--data-type", "T", "--timeout", "0"),
        bad("FILE", "is required", "tail", "--data-type", "T"),
        bad("argument 2", "unexpected; 'tail' takes only FILE", "tail", "a.log", "extra", "--data-type", "T"),
        bad("argument 1", "unexpected; 'onboard' takes no arguments", "onboard", "-w", WS, KEY),
        bad("--format", "'xml' is not text or json", "tail", "a.log", "--data-type", "T", "--format", "xml"),
        bad("--poll-ms", "is outside", "tail", "a.log", "--data-type", "T", "--poll-ms", "1"),
        bad("--buffer-dir", "is not a directory", "verify-buffer", "--buffer-dir", "/no/such/dir"),
        bad("-w", "is required", "onboard", "-s", "@KEYFILE"),
        bad("--records", "is outside", "demo", "--records", "-5"));
  }

  private static Arguments bad(String field, String problem, String... args) {
    return Arguments.of(Arrays.asList(args), field, problem);
  }

  /** The arguments with @KEYFILE and @BADKEYFILE replaced by files holding the key and a malformed one. */
  String[] withKeyFiles(java.util.List<String> args) throws java.io.IOException {
    java.nio.file.Files.writeString(home.resolve("key"), KEY + "\n");
    java.nio.file.Files.writeString(home.resolve("bad-key"), "%%%not base64%%%\n");
    return args.stream().map(a -> a.equals("@KEYFILE") ? "@" + home.resolve("key")
        : a.equals("@BADKEYFILE") ? "@" + home.resolve("bad-key") : a).toArray(String[]::new);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("badInput")
  void badInputExitsWithStatus2AndOneLineNamingTheField(java.util.List<String> args, String field, String problem)
      throws Exception {
    Cli.Result r = new Cli(home).run(withKeyFiles(args));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: " + field + ": ").contains(problem);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void errorsNeverEchoTheSharedKey(java.util.List<String> args, String field, String problem) throws Exception {
    Cli.Result r = new Cli(home).run(withKeyFiles(args));

    assertThat(r.err()).doesNotContain(KEY).doesNotContain("%%%not base64%%%");
  }

  @Test
  void sharedKeyFromTheEnvironmentIsUsedAndNeverPrinted() {
    Cli.Result r = new Cli(home).env(java.util.Map.of(ClientSetup.SHARED_KEY_ENV, "%%%not base64%%%"))
        .run("send", "--log-type", "MyApp", "-w", WS);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: LOGANALYTICS_SHARED_KEY: ").doesNotContain("%%%not base64%%%");
  }

  @Test
  void aKeyOrProxyPasswordOnTheCommandLineIsRefusedWithTheAlternativesAndNeverEchoed() {
    Cli.Result key = new Cli(home).run("send", "--log-type", "MyApp", "-w", WS, "-s", KEY);
    Cli.Result longKey = new Cli(home).run("onboard", "-w", WS, "--shared-key=" + KEY);
    Cli.Result password = new Cli(home).run("send", "--data-type", "T", "-p", "http://alice:pw-s3cret@proxy:3128");

    assertThat(key.exit()).isEqualTo(2);
    assertThat(key.errLines()).containsExactly("error: -s: a key on the command line is visible to every user (ps): "
        + "export LOGANALYTICS_SHARED_KEY, or give -s @FILE with the key in FILE");
    assertThat(longKey.exit()).isEqualTo(2);
    assertThat(longKey.err()).startsWith("error: --shared-key: a key on the command line");
    assertThat(password.exit()).isEqualTo(2);
    assertThat(password.errLines()).containsExactly("error: -p: a password on the command line is visible to every "
        + "user (ps): give user@host and export LOGANALYTICS_PROXY_PASSWORD or use --proxy-password-file FILE");
    assertThat(key.err() + longKey.err() + password.err()).doesNotContain(KEY).doesNotContain("pw-s3cret");
  }

  @Test
  void aKeyFileIsReadAndAMissingOneNamed() throws Exception {
    java.nio.file.Files.writeString(home.resolve("key"), KEY + "\n");
    RecordingClient client = new RecordingClient();
    Cli cli = new Cli(home).client(client).stdin("{}\n");

    Cli.Result ok = cli.run("send", "--log-type", "MyApp", "-w", WS, "-s", "@" + home.resolve("key"),
        "--buffer-dir", home.resolve("b").toString());
    Cli.Result missing = new Cli(home).run("send", "--log-type", "MyApp", "-w", WS, "-s", "@" + home.resolve("nope"));

    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.err()).isEmpty();
    assertThat(cli.lastBuilder.get().credentials()).map(c -> c.workspaceId()).contains(WS);
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).startsWith("error: -s: '" + home.resolve("nope") + "' is not a readable file");
  }

  @Test
  void configurationFieldsOfTheApiAreNamedAsTheOptionsBehindThem() {
    assertThat(ClientSetup.optionFor("stateDirectory")).isEqualTo("--state-dir");
    assertThat(ClientSetup.optionFor("proxy.port")).isEqualTo("-p");
    assertThat(ClientSetup.optionFor("credentials")).isEqualTo("-w");
    assertThat(ClientSetup.optionFor("sharedKey")).isEqualTo("-s");
    assertThat(ClientSetup.optionFor("pemFile")).isEqualTo("--ca-file");
    assertThat(ClientSetup.optionFor("somethingElse")).isEqualTo("somethingElse");
  }

  @Test
  void longOptionSpellingIsNamedAsTyped() throws Exception {
    Cli.Result r = new Cli(home).run(withKeyFiles(java.util.List.of("send", "--log-type", "MyApp", "--workspace-id",
        "nope", "-s", "@KEYFILE")));

    assertThat(r.err()).startsWith("error: --workspace-id: ");
  }

  @Test
  void globalHelpListsEveryCommandExitCodesAndEnvironmentAndExitsZero() {
    Cli.Result r = new Cli(home).run("--help");

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    for (String c : Commands.commandNames()) {
      assertThat(r.out()).contains("  " + c + " ");
    }
    assertThat(r.out()).contains("Exit status:").contains("  130 ").contains("  143 ").contains("  2 ")
        .contains("LOGANALYTICS_SHARED_KEY").contains("LOGANALYTICS_PROXY_PASSWORD").contains("https_proxy");
  }

  @Test
  void everyCommandHasHelpWithTheCommonOptionsExitCodesAndEnvironment() {
    for (String c : Commands.commandNames()) {
      Cli.Result r = new Cli(home).run(c, "--help");

      assertThat(r.exit()).as(c).isZero();
      assertThat(r.out()).as(c).contains("Usage: java -jar loganalytics-collector.jar " + c)
          .contains("--state-dir=DIR").contains("--buffer-dir=DIR").contains("--ca-file=PEM").contains("--help")
          .contains("--version").contains("Exit status:").contains("143").contains("LOGANALYTICS_SHARED_KEY");
    }
  }

  @Test
  void versionNamesTheSdkVersionAtTopLevelAndOnEveryCommand() {
    Cli.Result top = new Cli(home).run("--version");
    Cli.Result sub = new Cli(home).run("send", "--version");

    assertThat(top.exit()).isZero();
    assertThat(top.out()).startsWith("loganalytics-collector 0.").contains("Log Analytics SDK for Java 0.");
    assertThat(sub.out()).isEqualTo(top.out());
  }

  @Test
  void helpWinsOverOtherwiseBadArguments() {
    Cli.Result r = new Cli(home).run("syslog", "--port", "nope", "-h");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--port=PORT").contains("--tcp");
  }

  @Test
  void agentFlagsKeepTheirShortNames() {
    var onboard = Commands.commandLine("onboard").getCommandSpec();

    assertThat(onboard.findOption("-w").longestName()).isEqualTo("--workspace-id");
    assertThat(onboard.findOption("-s").longestName()).isEqualTo("--shared-key");
    assertThat(onboard.findOption("-d").longestName()).isEqualTo("--domain");
    assertThat(onboard.findOption("-p").longestName()).isEqualTo("--proxy");
  }

  @Test
  void optionsMayBeWrittenWithEqualsAndAfterPositionals() {
    var cl = Commands.commandLine("tail");
    ParsedArgs a = ParsedArgs.of(cl.parseArgs("--data-type=APP_LOG", "--poll-ms", "50", "--", "-odd-name.log"));

    assertThat(a.required("data-type")).isEqualTo("APP_LOG");
    assertThat(a.intValue("poll-ms", 1000, 10, 60000)).isEqualTo(50);
    assertThat(a.positionals()).containsExactly("-odd-name.log");
  }
}
