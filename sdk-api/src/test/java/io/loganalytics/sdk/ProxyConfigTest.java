package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.assertContainsNoSecret;
import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyConfigTest {
  /** A distinctive password: no 8-character run of it may appear in any message or toString. */
  private static final String SECRET = "S3cr3tPassw0rd";

  @TempDir Path dir;

  // ---------------------------------------------------------------- valid proxy strings

  static Stream<Arguments> validProxies() {
    return Stream.of(
        // input, host, port, user (null = anonymous), password
        arguments("proxy.example.com", "proxy.example.com", 80, null, null),
        arguments("proxy.example.com:3128", "proxy.example.com", 3128, null, null),
        arguments("http://proxy.example.com:3128", "proxy.example.com", 3128, null, null),
        arguments("https://proxy.example.com:3128", "proxy.example.com", 3128, null, null),
        arguments("HTTP://Proxy.Example.COM:3128", "proxy.example.com", 3128, null, null),
        arguments("hTTpS://proxy.example.com", "proxy.example.com", 80, null, null),
        // OMS-Agent-for-Linux#1302: a trailing '/'
        arguments("http://proxy.example.com:3128/", "proxy.example.com", 3128, null, null),
        arguments("http://proxy.example.com:3128//", "proxy.example.com", 3128, null, null),
        arguments("http://proxy.example.com/", "proxy.example.com", 80, null, null),
        // OMS-Agent-for-Linux#588: a trailing newline; whitespace around
        arguments("http://proxy.example.com:3128\n", "proxy.example.com", 3128, null, null),
        arguments("  http://proxy.example.com:3128 \r\n", "proxy.example.com", 3128, null, null),
        arguments("\thttp://user:pass@proxy.example.com:3128/\n", "proxy.example.com", 3128, "user", "pass"),
        // PR #432: an anonymous proxy needs no dummy credentials; with credentials, with and without scheme
        arguments("http://user:pass@proxy.example.com:3128", "proxy.example.com", 3128, "user", "pass"),
        arguments("https://user:pass@proxy.example.com:3128", "proxy.example.com", 3128, "user", "pass"),
        arguments("user:pass@proxy.example.com:3128", "proxy.example.com", 3128, "user", "pass"),
        arguments("http://user:pass@proxy.example.com", "proxy.example.com", 80, "user", "pass"),
        // IP addresses
        arguments("http://10.0.0.5:8080", "10.0.0.5", 8080, null, null),
        arguments("10.0.0.5", "10.0.0.5", 80, null, null),
        arguments("http://[::1]:3128", "::1", 3128, null, null),
        arguments("http://[::1]", "::1", 80, null, null),
        arguments("[2001:db8::7]:8080", "2001:db8::7", 8080, null, null),
        arguments("http://user:pass@[2001:DB8::7]:8080/", "2001:db8::7", 8080, "user", "pass"),
        arguments("http://[::ffff:10.0.0.5]:3128", "::ffff:10.0.0.5", 3128, null, null),
        arguments("http://[fe80::1%eth0]:3128", "fe80::1%eth0", 3128, null, null),
        // percent-encoded user and password
        arguments("http://user:p%40ss@proxy:3128", "proxy", 3128, "user", "p@ss"),
        arguments("http://user:p%3Ass@proxy", "proxy", 80, "user", "p:ss"),
        arguments("http://user:p%3ass@proxy", "proxy", 80, "user", "p:ss"),
        arguments("http://us%65r:pass@proxy", "proxy", 80, "user", "pass"),
        arguments("http://CORP%5Calice:pass@proxy", "proxy", 80, "CORP\\alice", "pass"),
        arguments("http://user:100%25@proxy", "proxy", 80, "user", "100%"),
        arguments("http://user:open%20sesame@proxy", "proxy", 80, "user", "open sesame"),
        arguments("http://user:%E2%82%AC%F0%9F%98%80@proxy", "proxy", 80, "user", "€😀"),
        // non-ASCII, including characters outside the BMP (surrogate pairs), next to an escape
        arguments("http://😀user:pä😀%21@proxy", "proxy", 80, "😀user", "pä😀!"),
        arguments("http://user:𝄞%40𝄞@proxy", "proxy", 80, "user", "𝄞@𝄞"),
        // '@', ':' and '/' inside the password, unencoded
        arguments("http://user:p@ss@proxy:3128", "proxy", 3128, "user", "p@ss"),
        arguments("http://user:p@ss:w/rd@proxy:3128/", "proxy", 3128, "user", "p@ss:w/rd"),
        arguments("http://user:a://b@proxy", "proxy", 80, "user", "a://b"),
        arguments("user:a://b@proxy", "proxy", 80, "user", "a://b"),
        // ports and names at the edges
        arguments("http://proxy_1.corp.local:3128", "proxy_1.corp.local", 3128, null, null),
        arguments("http://proxy:1", "proxy", 1, null, null),
        arguments("http://proxy:65535", "proxy", 65535, null, null),
        arguments("http://proxy:0080", "proxy", 80, null, null));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("validProxies")
  void parsesTheAgentGrammarTolerantly(String input, String host, int port, String user, String password) {
    ProxyConfig proxy = ProxyConfig.parse(input);

    assertThat(proxy.host()).isEqualTo(host);
    assertThat(proxy.port()).isEqualTo(port);
    assertThat(proxy.username()).isEqualTo(Optional.ofNullable(user));
    assertThat(proxy.hasCredentials()).isEqualTo(user != null);
    assertThat(proxy.proxyAuthorization()).isEqualTo(Optional.ofNullable(user).map(u -> "Basic "
        + Base64.getEncoder().encodeToString((u + ":" + password).getBytes(StandardCharsets.UTF_8))));
    assertThat(proxy.noProxy()).isEmpty();
    if (password != null && password.length() >= 8) {
      assertContainsNoSecret(proxy.toString(), password);
    }
  }

  @Test
  void missingPortMeansEighty() {
    assertThat(ProxyConfig.DEFAULT_PORT).isEqualTo(80);
    assertThat(ProxyConfig.parse("https://proxy").port()).isEqualTo(80);
  }

  // ---------------------------------------------------------------- invalid proxy strings

  static Stream<Arguments> invalidProxies() {
    return Stream.of(
        // input, field, what the message says
        arguments(null, "proxy", "is empty; expected [http://|https://][user:password@]host[:port]"),
        arguments("", "proxy", "is empty"),
        arguments(" \n", "proxy", "is empty"),
        arguments("socks5://proxy:1080", "proxy.scheme", "'socks5' is not supported; use http:// or https://"),
        arguments("SOCKS5H://proxy", "proxy.scheme", "'socks5h' is not supported"),
        arguments("ftp://proxy:21", "proxy.scheme", "'ftp' is not supported"),
        arguments("://proxy:3128", "proxy.scheme", "is empty; use http:// or https://"),
        arguments("http://user@proxy:3128", "proxy.password", "a user was given without a password"),
        arguments("http://user:@proxy", "proxy.password", "is empty (expected user:password@host)"),
        arguments("http://:pass@proxy", "proxy.username", "is empty (expected user:password@host)"),
        arguments("http://us%3Aer:pass@proxy", "proxy.username", "contains ':' (written %3A)"),
        arguments("http://", "proxy.host", "is empty (expected a host name or an IP address)"),
        arguments("http://:3128", "proxy.host", "is empty"),
        arguments("http://user:pass@:3128", "proxy.host", "is empty"),
        arguments("http://user:pass@", "proxy.host", "is empty"),
        arguments("http://user:pass@/", "proxy.host", "is empty"),
        arguments("http://proxy:0", "proxy.port", "0 is outside 1..65535"),
        arguments("http://proxy:65536", "proxy.port", "65536 is outside 1..65535"),
        arguments("http://proxy:99999", "proxy.port", "99999 is outside 1..65535"),
        arguments("http://proxy:123456", "proxy.port", "is not a port number (1..65535)"),
        arguments("http://proxy:abc", "proxy.port", "the text after 'proxy:' is not a port number"),
        arguments("http://user:pass@proxy:abc", "proxy.port", "'abc' is not a port number (1..65535)"),
        arguments("http://proxy:-1", "proxy.port", "is not a port number"),
        arguments("http://proxy:", "proxy.port", "is empty after 'proxy:'"),
        arguments("http://[::1]:", "proxy.port", "is empty after '::1:'"),
        arguments("http://::1:3128", "proxy.host", "looks like an IPv6 address without brackets; write it as "
            + "[address]:port"),
        arguments("2001:db8::7", "proxy.host", "IPv6 address without brackets"),
        arguments("http://[::1", "proxy.host", "without its closing ']'"),
        arguments("http://[::1]3128", "proxy.host", "unexpected characters after the IPv6 literal"),
        arguments("http://[proxy]:3128", "proxy.host", "'[proxy]' is not an IPv6 address"),
        arguments("http://[]:3128", "proxy.host", "'[]' is not an IPv6 address"),
        arguments("http://[zz::1]:80", "proxy.host", "neither a host name nor an IPv6 address"),
        arguments("http://user:p%4@proxy", "proxy.password", "'%' at position 2 not followed by two hexadecimal"),
        arguments("http://user:p%zz@proxy", "proxy.password", "write a literal % as %25"),
        arguments("http://user:pass%@proxy", "proxy.password", "'%' at position 5"),
        arguments("http://us%g1er:pass@proxy", "proxy.username", "'%' at position 3"),
        arguments("http://user:%FF%FE@proxy", "proxy.password", "is not valid UTF-8 once its %-escapes are decoded"),
        arguments("http://user:%C3@proxy", "proxy.password", "is not valid UTF-8"),
        arguments("http://proxy:3128/path", "proxy", "has a path after the host"),
        arguments("http://proxy/path/", "proxy", "has a path after the host"),
        arguments("http://pro xy:3128", "proxy.host", "'pro xy' contains ' ', which no host name has"),
        arguments("http://proxy#frag", "proxy.host", "contains '#'"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidProxies")
  void rejectsMalformedProxyNamingTheField(String input, String field, String problem) {
    ConfigurationException e = configurationError(() -> ProxyConfig.parse(input));

    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).startsWith(field + ": ").contains(problem);
  }

  // ---------------------------------------------------------------- the password never shows

  static Stream<String> malformedWithSecret() {
    String p = SECRET;
    return Stream.of(
        "http://user:" + p + "@host:99999",
        "http://user:" + p + "@host:0",
        "http://user:" + p + "@host:abc",
        "http://user:" + p + "@host:",
        "http://user:" + p + "@",
        "http://user:" + p + "@:3128",
        "http://user:" + p + "@host/path",
        "http://user:" + p + "@host:3128/x/",
        "http://user:" + p + "@[::1",
        "http://user:" + p + "@[::1]x",
        "http://user:" + p + "@[host]:1",
        "http://user:" + p + "@::1:3128",
        "http://user:" + p + "@ho st",
        "http://user:" + p + "%zz@host",
        "http://user:" + p + "%FF@host",
        "http://user:" + p + "%@host",
        "http://us%3Aer:" + p + "@host",
        "http://:" + p + "@host",
        "socks5://user:" + p + "@host:1080",
        "ftp://user:" + p + "@host",
        "://user:" + p + "@host",
        // the host forgotten: the password lands where a port or host would be
        "http://user:" + p,
        "user:" + p,
        "http://user:" + p + "/",
        "http://user:" + p + ":3128",
        "user:" + p + "://host",
        "http://user:" + p + " @host:99999");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("malformedWithSecret")
  void noMessageEverContainsThePassword(String input) throws IOException {
    assertContainsNoSecret(configurationError(() -> ProxyConfig.parse(input)), SECRET);

    Path file = Files.writeString(dir.resolve("proxy.conf"), input + "\n");
    ConfigurationException fromFile = configurationError(() -> ProxyConfig.fromFile(file));
    assertContainsNoSecret(fromFile, SECRET);
    assertThat(fromFile.getMessage()).contains(file.toString());

    ConfigurationException fromEnv = configurationError(() -> ProxyConfig.fromEnvironment(Map.of("https_proxy",
        input)));
    assertContainsNoSecret(fromEnv, SECRET);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://user:" + SECRET + "@proxy:3128", "user:" + SECRET + "@[::1]",
      "http://user:S3cr3t%50assw0rd@proxy"})
  void toStringObfuscatesThePassword(String input) {
    ProxyConfig proxy = ProxyConfig.parse(input).withNoProxy(List.of("localhost"));

    assertThat(proxy.toString()).contains("user:OBFUSCATED@");
    assertContainsNoSecret(proxy.toString(), SECRET);
    assertContainsNoSecret(proxy.withCredentials("alice", SECRET).toString(), SECRET);
    assertThat(proxy.proxyAuthorization()).hasValueSatisfying(v -> assertContainsNoSecret(v, SECRET));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "http://user:pw@proxy.example.com:3128 | ProxyConfig{user:OBFUSCATED@proxy.example.com:3128}",
      "proxy.example.com                     | ProxyConfig{proxy.example.com:80}",
      "http://[::1]:3128                     | ProxyConfig{[::1]:3128}"})
  void toStringShowsHostPortAndUser(String input, String expected) {
    assertThat(ProxyConfig.parse(input)).hasToString(expected);
    assertThat(ProxyConfig.parse(input).withNoProxy(List.of("a.b"))).hasToString(
        expected.substring(0, expected.length() - 1) + ", noProxy=[a.b]}");
  }

  // ---------------------------------------------------------------- Proxy-Authorization

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // RFC 7617 section 2 and 2.1 examples
      "http://Aladdin:open%20sesame@proxy | Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
      "http://Aladdin:open sesame@proxy   | Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
      "http://test:123%C2%A3@proxy        | Basic dGVzdDoxMjPCow==",
      "http://test:123£@proxy             | Basic dGVzdDoxMjPCow==",
      "http://user:p%40ss@proxy           | Basic dXNlcjpwQHNz",
      "http://user:p@ss@proxy             | Basic dXNlcjpwQHNz",
      "http://u😀:pä😀%21@proxy            | Basic dfCfmIA6cMOk8J+YgCE="})
  void proxyAuthorizationIsBasicOverUtf8(String input, String expected) {
    assertThat(ProxyConfig.parse(input).proxyAuthorization()).hasValue(expected);
  }

  @Test
  void anonymousProxyHasNoAuthorization() {
    ProxyConfig proxy = ProxyConfig.parse("http://proxy:3128");

    assertThat(proxy.proxyAuthorization()).isEmpty();
    assertThat(proxy.hasCredentials()).isFalse();
    assertThat(proxy.username()).isEmpty();
    assertThat(proxy.withCredentials("alice", "pw").proxyAuthorization()).hasValue("Basic YWxpY2U6cHc=");
  }

  // ---------------------------------------------------------------- of and withCredentials

  @ParameterizedTest
  @CsvSource({"proxy,3128,proxy", "Proxy.Example,1,proxy.example", "[::1],80,::1", "::1,65535,::1",
      "10.0.0.5,8080,10.0.0.5", "'  proxy  ',80,proxy"})
  void ofTakesHostAndPortSeparately(String host, int port, String expectedHost) {
    ProxyConfig proxy = ProxyConfig.of(host, port);

    assertThat(proxy.host()).isEqualTo(expectedHost);
    assertThat(proxy.port()).isEqualTo(port);
    assertThat(proxy.hasCredentials()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "NULL,80,proxy.host,is empty", "'',80,proxy.host,is empty", "proxy:3128,80,proxy.host,give the port separately",
      "pro xy,80,proxy.host,contains ' '", "proxy,0,proxy.port,0 is outside 1..65535",
      "proxy,65536,proxy.port,65536 is outside"})
  void ofRejectsBadHostOrPort(String host, int port, String field, String problem) {
    ConfigurationException e = configurationError(() -> ProxyConfig.of(host, port));

    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).contains(problem);
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "NULL,pw,proxy.username", "'',pw,proxy.username", "a:b,pw,proxy.username",
      "alice,NULL,proxy.password", "alice,'',proxy.password"})
  void withCredentialsRejectsMissingParts(String user, String password, String field) {
    assertThat(configurationError(() -> ProxyConfig.of("proxy", 80).withCredentials(user, password)).field())
        .isEqualTo(field);
  }

  @Test
  void equalityCoversEveryPartIncludingThePassword() {
    ProxyConfig a = ProxyConfig.parse("http://u:p@proxy:3128");

    assertThat(a).isEqualTo(ProxyConfig.parse("u:p@PROXY:3128/\n"))
        .hasSameHashCodeAs(ProxyConfig.parse("u:p@proxy:3128"));
    assertThat(a).isNotEqualTo(ProxyConfig.parse("http://u:q@proxy:3128"))
        .isNotEqualTo(ProxyConfig.parse("http://v:p@proxy:3128"))
        .isNotEqualTo(ProxyConfig.parse("http://u:p@proxy:3129"))
        .isNotEqualTo(ProxyConfig.parse("http://u:p@proxy2:3128"))
        .isNotEqualTo(a.withNoProxy(List.of("x.y")))
        .isNotEqualTo(null);
  }

  // ---------------------------------------------------------------- fromFile

  @Test
  void missingFileMeansDirectConnection() {
    assertThat(ProxyConfig.fromFile(dir.resolve("absent.conf"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "  \r\n\t\n", "\uFEFF", "\uFEFF\n"})
  void blankFileMeansDirectConnection(String content) throws IOException {
    Path file = Files.writeString(dir.resolve("proxy.conf"), content);

    assertThat(ProxyConfig.fromFile(file)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://user:pw@proxy:3128", "http://user:pw@proxy:3128\n", "http://user:pw@proxy:3128\r\n",
      "\n  http://user:pw@proxy:3128/  \n\n", "\uFEFFhttp://user:pw@proxy:3128\n"})
  void fileWithTrailingNewlineIsRead(String content) throws IOException {
    Path file = Files.writeString(dir.resolve("proxy.conf"), content);

    assertThat(ProxyConfig.fromFile(file)).hasValue(ProxyConfig.parse("http://user:pw@proxy:3128"));
  }

  @Test
  void invalidFileNamesTheFileAndTheField() throws IOException {
    Path file = Files.writeString(dir.resolve("proxy.conf"), "socks5://proxy:1080\n");

    ConfigurationException e = configurationError(() -> ProxyConfig.fromFile(file));

    assertThat(e.field()).isEqualTo("proxy.scheme");
    assertThat(e.getMessage()).isEqualTo("proxy.scheme: in " + file + ": 'socks5' is not supported; use http:// or "
        + "https:// (the proxy is always spoken to with HTTP CONNECT)");
    assertThat(e.getCause()).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void unreadableFileIsAnErrorNamingIt() throws IOException {
    Path directory = Files.createDirectory(dir.resolve("proxy.conf"));

    ConfigurationException e = configurationError(() -> ProxyConfig.fromFile(directory));

    assertThat(e.field()).isEqualTo("proxy");
    assertThat(e.getMessage()).contains("cannot read " + directory);
    assertThat(e.getCause()).isInstanceOf(IOException.class);
  }

  @Test
  void agentLocationsAreTheLegacyOnes() {
    assertThat(ProxyConfig.AGENT_PROXY_CONF).isEqualTo(Path.of("/etc/opt/microsoft/omsagent/proxy.conf"));
    assertThat(ProxyConfig.AGENT_LEGACY_PROXY_CONF).isEqualTo(Path.of("/etc/opt/microsoft/omsagent/conf/proxy.conf"));
  }

  // ---------------------------------------------------------------- fromEnvironment

  static Stream<Arguments> environments() {
    return Stream.of(
        // variables as k=v;k=v, expected proxy (or NONE), expected no_proxy list as a;b
        arguments("", "NONE", ""),
        arguments("http_proxy=http://plain:3128", "NONE", ""),
        arguments("https_proxy=http://lower:1;HTTPS_PROXY=http://upper:2", "lower:1", ""),
        arguments("HTTPS_PROXY=http://upper:2", "upper:2", ""),
        arguments("https_proxy= ;HTTPS_PROXY=http://upper:2", "upper:2", ""),
        arguments("https_proxy=http://lower:1\n", "lower:1", ""),
        arguments("https_proxy=http://p:1;no_proxy=a.com;NO_PROXY=b.com", "p:1", "a.com"),
        arguments("https_proxy=http://p:1;NO_PROXY=b.com", "p:1", "b.com"),
        arguments("https_proxy=http://p:1;no_proxy= ;NO_PROXY=b.com", "p:1", "b.com"),
        arguments("https_proxy=http://p:1;no_proxy=localhost,127.0.0.1, .corp.local ,*.internal,[::1]:8080,"
            + "host:443,,Example.COM.", "p:1", "localhost;127.0.0.1;.corp.local;.internal;::1;host;example.com"),
        arguments("https_proxy=http://p:1;no_proxy=a.com b.com\tc.com", "p:1", "a.com;b.com;c.com"),
        arguments("https_proxy=http://p:1;no_proxy=*", "p:1", "*"),
        arguments("no_proxy=a.com", "NONE", ""));
  }

  @ParameterizedTest
  @MethodSource("environments")
  void readsProxyAndBypassListFromTheEnvironmentAsCurlDoes(String variables, String expected, String noProxy) {
    Optional<ProxyConfig> proxy = ProxyConfig.fromEnvironment(env(variables));

    if (expected.equals("NONE")) {
      assertThat(proxy).isEmpty();
      return;
    }
    assertThat(proxy).hasValueSatisfying(p -> {
      assertThat(p.host() + ":" + p.port()).isEqualTo(expected);
      assertThat(p.noProxy()).containsExactlyElementsOf(noProxy.isEmpty() ? List.of() : List.of(noProxy.split(";")));
    });
  }

  @ParameterizedTest
  @CsvSource({"https_proxy,socks5://p:1,proxy.scheme", "HTTPS_PROXY,http://p:0,proxy.port"})
  void invalidVariableIsNamedInTheError(String variable, String value, String innerField) {
    ConfigurationException e = configurationError(() -> ProxyConfig.fromEnvironment(Map.of(variable, value)));

    assertThat(e.field()).isEqualTo(variable);
    assertThat(e.getMessage()).startsWith(variable + ": " + innerField + ": ");
  }

  private static Map<String, String> env(String spec) {
    Map<String, String> env = new HashMap<>();
    for (String pair : spec.split(";")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        env.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return env;
  }

  // ---------------------------------------------------------------- bypasses

  @ParameterizedTest
  @CsvSource({
      // no_proxy entries (';'-separated), target host, bypassed?
      "*,                        ws.ods.opinsights.azure.com, true",
      "*,                        10.0.0.1,                    true",
      "example.com,              example.com,                 true",
      "example.com,              EXAMPLE.com,                 true",
      "example.com,              api.example.com,             true",
      "example.com,              a.b.example.com,             true",
      "example.com,              notexample.com,              false",
      "example.com,              example.com.evil.net,        false",
      "example.com,              example.org,                 false",
      ".example.com,             api.example.com,             true",
      ".example.com,             example.com,                 true",
      ".example.com,             badexample.com,              false",
      "*.example.com,            api.example.com,             true",
      "*.example.com,            example.com,                 true",
      "example.com.,             api.example.com,             true",
      "example.com,              api.example.com.,            true",
      "example.com:8443,         example.com,                 true",
      "10.0.0.1,                 10.0.0.1,                    true",
      "10.0.0.1,                 110.0.0.1,                   false",
      "10.0.0.1,                 10.0.0.10,                   false",
      "::1,                      ::1,                         true",
      "::1,                      [::1],                       true",
      "[::1]:8080,               ::1,                         true",
      "[2001:DB8::7],            2001:db8::7,                 true",
      "localhost;.corp.local,    ws.ods.opinsights.azure.com, false",
      "localhost;.corp.local,    build.corp.local,            true",
      "localhost;.corp.local,    localhost,                   true"})
  void bypassesFollowsNoProxySemantics(String entries, String target, boolean expected) {
    ProxyConfig proxy = ProxyConfig.of("proxy", 3128).withNoProxy(Arrays.asList(entries.split(";")));

    assertThat(proxy.bypasses(target)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"example.com", "*"})
  void noBypassListBypassesNothing(String target) {
    ProxyConfig proxy = ProxyConfig.parse("http://proxy:3128");
    if (target == null) {
      org.assertj.core.api.Assertions.assertThatNullPointerException().isThrownBy(() -> proxy.bypasses(null));
      return;
    }
    assertThat(proxy.bypasses(target)).isFalse();
  }

  // ---------------------------------------------------------------- ambiguity and passwords kept off the command line

  @Test
  void anAllDigitUserPasswordWithoutHostIsRefusedWithoutEchoingThePassword() {
    ConfigurationException e = configurationError(() -> ProxyConfig.parse("admin:12345"));

    assertThat(e.field()).isEqualTo("proxy");
    assertThat(e.getMessage()).startsWith("proxy: 'admin:...' is ambiguous")
        .contains("http://admin:PORT", "user:password@host[:port]").doesNotContain("12345");
    assertThat(configurationError(() -> ProxyConfig.parse(" squid:3128\n")).getMessage()).contains("ambiguous");
    assertThat(configurationError(() -> ProxyConfig.fromEnvironment(Map.of("https_proxy", "admin:98765")))
        .getMessage()).startsWith("https_proxy: proxy: 'admin:...' is ambiguous").doesNotContain("98765");
    // Unambiguous forms of the same host and port are still taken.
    assertThat(ProxyConfig.parse("http://admin:12345").port()).isEqualTo(12345);
    assertThat(ProxyConfig.parse("localhost:3128").host()).isEqualTo("localhost");
    assertThat(ProxyConfig.parse("proxy.corp:3128").port()).isEqualTo(3128);
    assertThat(ProxyConfig.parse("u:12345@proxy:3128").port()).isEqualTo(3128);
  }

  @Test
  void thePasswordCanComeFromAFileAndNeverShows() throws IOException {
    Path file = Files.writeString(dir.resolve("proxy-password"), "\uFEFF" + SECRET + "\n");

    ProxyConfig proxy = ProxyConfig.parse("http://proxy.corp:3128").withCredentialsFromFile("alice", file);

    assertThat(proxy.username()).hasValue("alice");
    assertThat(proxy.proxyAuthorization()).hasValue("Basic " + Base64.getEncoder().encodeToString(
        ("alice:" + SECRET).getBytes(StandardCharsets.UTF_8)));
    assertThat(proxy).isEqualTo(ProxyConfig.parse("http://alice:" + SECRET + "@proxy.corp:3128"));
    assertContainsNoSecret(proxy.toString(), SECRET);
    assertThat(proxy.toString()).contains("alice:OBFUSCATED@proxy.corp:3128");
  }

  @Test
  void aBadPasswordFileIsRefusedNamingTheFileNeverItsContent() throws IOException {
    ProxyConfig proxy = ProxyConfig.parse("http://proxy.corp:3128");
    Path missing = dir.resolve("absent");
    ConfigurationException e = configurationError(() -> proxy.withCredentialsFromFile("alice", missing));
    assertThat(e.field()).isEqualTo("proxy.passwordFile");
    assertThat(e.getMessage()).contains(missing.toString(), "NoSuchFileException");

    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThat(configurationError(() -> proxy.withCredentialsFromFile("alice", empty)).getMessage())
        .isEqualTo("proxy.password: is empty in " + empty);

    Path twoLines = Files.writeString(dir.resolve("two"), SECRET + "\nsecond line\n");
    ConfigurationException multi = configurationError(() -> proxy.withCredentialsFromFile("alice", twoLines));
    assertThat(multi.field()).isEqualTo("proxy.password");
    assertThat(multi.getMessage()).contains(twoLines.toString(), "line break");
    assertContainsNoSecret(multi, SECRET);
  }

  @Test
  void thePasswordCanComeFromTheEnvironment() {
    Map<String, String> env = Map.of(ProxyConfig.PASSWORD_VARIABLE, SECRET,
        "https_proxy", "http://bob@proxy.corp:3128", "no_proxy", "localhost");

    assertThat(ProxyConfig.PASSWORD_VARIABLE).isEqualTo("LOGANALYTICS_PROXY_PASSWORD");
    ProxyConfig fromVariables = ProxyConfig.fromEnvironment(env).orElseThrow();
    assertThat(fromVariables.withNoProxy(List.of()))
        .isEqualTo(ProxyConfig.parse("http://bob:" + SECRET + "@proxy.corp:3128"));
    assertThat(fromVariables.noProxy()).containsExactly("localhost");
    assertThat(ProxyConfig.parseWithPasswordFrom("bob@proxy.corp:3128", env))
        .isEqualTo(ProxyConfig.parse("bob:" + SECRET + "@proxy.corp:3128"));
    assertThat(ProxyConfig.parseWithPasswordFrom("bob:own@proxy.corp", env).proxyAuthorization())
        .as("a password in the string is kept").hasValue("Basic " + Base64.getEncoder().encodeToString(
            "bob:own".getBytes(StandardCharsets.UTF_8)));
    assertThat(ProxyConfig.of("proxy.corp", 3128).withCredentialsFromEnvironment("bob", env))
        .isEqualTo(ProxyConfig.parse("http://bob:" + SECRET + "@proxy.corp:3128"));
    assertContainsNoSecret(fromVariables.toString(), SECRET);
  }

  @Test
  void aMissingPasswordVariableIsNamed() {
    ConfigurationException e = configurationError(() -> ProxyConfig.fromEnvironment(
        Map.of("https_proxy", "http://bob@proxy.corp:3128")));
    assertThat(e.field()).isEqualTo("https_proxy");
    assertThat(e.getMessage()).contains("names a user without a password", "LOGANALYTICS_PROXY_PASSWORD is not set");
    assertThat(configurationError(() -> ProxyConfig.of("p", 1).withCredentialsFromEnvironment("bob",
        Map.of(ProxyConfig.PASSWORD_VARIABLE, ""))).getMessage()).contains("LOGANALYTICS_PROXY_PASSWORD is empty");
    assertThat(configurationError(() -> ProxyConfig.parse("http://bob@proxy.corp:3128")).getMessage())
        .contains("a user was given without a password", "LOGANALYTICS_PROXY_PASSWORD");
  }
}
