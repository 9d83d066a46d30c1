package io.loganalytics.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP proxy the SDK tunnels its TLS connections through with {@code CONNECT}, optionally with Basic
 * authentication, and the hosts that bypass it.
 *
 * <p>{@link #parse(String)} takes the legacy agent's grammar, {@code [http://|https://][user:password@]host[:port]},
 * and is tolerant where the agent broke its users: surrounding whitespace and newlines are ignored, a trailing
 * {@code /} is accepted, an IPv6 literal may be given in brackets ({@code [::1]:3128}), an anonymous proxy needs no
 * dummy credentials, and the user and password may be percent-encoded ({@code p%40ss} for {@code p@ss}; UTF-8). The
 * user information ends at the <em>last</em> {@code @}, so a password may also hold {@code @}, {@code :} and
 * {@code /} as they are. <strong>A missing port means 80</strong>, as in the agent's
 * data path (its onboarding through curl used 1080). Whatever the scheme, the proxy is spoken to in plain HTTP and
 * the TLS session to Azure runs inside the tunnel, as the agent did.
 *
 * <p>A proxy string without scheme whose host is a single word and that has a port, such as {@code admin:12345},
 * is refused as ambiguous: it is as likely a forgotten {@code user:password} without host as a host named
 * {@code admin}. Write {@code http://admin:12345} for the latter.
 *
 * <p><b>Keeping the password off the command line.</b> A password in a proxy string shows in {@code ps} and shell
 * history when passed as an argument. {@link #withCredentialsFromFile(String, Path)} reads it from a file and
 * {@link #withCredentialsFromEnvironment(String, Map)} from the {@value #PASSWORD_VARIABLE} variable;
 * {@link #fromEnvironment(Map)} and {@link #parseWithPasswordFrom(String, Map)} take it from that variable when the
 * proxy string names a user without a password ({@code http://user@proxy:3128}).
 *
 * <p>The password is a secret: {@link #toString()} never shows it, nor does any exception message. The proxy
 * credentials are sent to the proxy only, never to the service.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProxyConfig {
  /** The port used when a proxy string names none. */
  public static final int DEFAULT_PORT = 80;

  /** The environment variable a proxy password can come from, instead of the proxy string or a command line. */
  public static final String PASSWORD_VARIABLE = "LOGANALYTICS_PROXY_PASSWORD";

  /** Where the legacy agent keeps its proxy setting. */
  public static final Path AGENT_PROXY_CONF = Path.of("/etc/opt/microsoft/omsagent/proxy.conf");

  /** The agent's older location, read when {@link #AGENT_PROXY_CONF} is absent. */
  public static final Path AGENT_LEGACY_PROXY_CONF = Path.of("/etc/opt/microsoft/omsagent/conf/proxy.conf");

  private final String host;
  private final int port;
  private final String username;
  private final String password;
  private final List<String> noProxy;

  private ProxyConfig(String host, int port, String username, String password, List<String> noProxy) {
    this.host = host;
    this.port = port;
    this.username = username;
    this.password = password;
    this.noProxy = noProxy;
  }

  /**
   * A proxy without authentication.
   *
   * @param host a host name or IP address (an IPv6 address with or without brackets)
   * @param port 1 to 65535
   * @return the proxy
   * @throws ConfigurationException naming {@code proxy.host} or {@code proxy.port}
   */
  public static ProxyConfig of(String host, int port) {
    return new ProxyConfig(validateHost(host), validatePort(port), null, null, List.of());
  }

  /**
   * Parses the agent's proxy grammar, {@code [http://|https://][user:password@]host[:port]}.
   *
   * @param proxy the proxy string
   * @return the proxy
   * @throws ConfigurationException naming the part that is wrong ({@code proxy.scheme}, {@code proxy.password},
   *     {@code proxy.host}, {@code proxy.port}); the password is never part of the message
   */
  public static ProxyConfig parse(String proxy) {
    return parse(proxy, null);
  }

  /**
   * Parses the agent's proxy grammar as {@link #parse(String)} does, except that a user without a password
   * ({@code http://user@proxy:3128}) takes the password from the {@value #PASSWORD_VARIABLE} variable. A string
   * with both user and password keeps its own.
   *
   * @param proxy the proxy string
   * @param environment the variables, usually {@code System.getenv()}
   * @return the proxy
   * @throws ConfigurationException as {@link #parse(String)}, and naming {@code proxy.password} when the string names
   *     a user without a password and {@value #PASSWORD_VARIABLE} is not set or empty
   */
  public static ProxyConfig parseWithPasswordFrom(String proxy, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    return parse(proxy, environment);
  }

  private static ProxyConfig parse(String proxy, Map<String, String> passwordEnvironment) {
    if (proxy == null || proxy.isBlank()) {
      throw new ConfigurationException("proxy", "is empty; expected [http://|https://][user:password@]host[:port]");
    }
    String s = proxy.strip();
    int schemeEnd = s.indexOf("://");
    boolean hasScheme = false;
    // Only a scheme-shaped prefix is a scheme, so that a password holding "://" is not taken for one.
    if (schemeEnd == 0 || (schemeEnd > 0 && isSchemeToken(s.substring(0, schemeEnd)))) {
      hasScheme = true;
      String scheme = s.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new ConfigurationException("proxy.scheme", (scheme.isEmpty() ? "is empty" : "'" + safeScheme(scheme)
            + "' is not supported") + "; use http:// or https:// (the proxy is always spoken to with HTTP CONNECT)");
      }
      s = s.substring(schemeEnd + 3);
    }
    // The user information ends at the last '@': a password may hold '@', ':' and '/' unencoded.
    String user = null;
    String pass = null;
    int at = s.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = s.substring(0, at);
      s = s.substring(at + 1);
      int colon = userInfo.indexOf(':');
      if (colon < 0 && passwordEnvironment == null) {
        throw new ConfigurationException("proxy.password", "is missing: a user was given without a password "
            + "(expected user:password@host; an anonymous proxy needs neither; or give the password in "
            + PASSWORD_VARIABLE + ")");
      }
      user = percentDecode("proxy.username", colon < 0 ? userInfo : userInfo.substring(0, colon));
      pass = colon < 0 ? passwordVariable(passwordEnvironment)
          : percentDecode("proxy.password", userInfo.substring(colon + 1));
      if (user.isEmpty()) {
        throw new ConfigurationException("proxy.username", "is empty (expected user:password@host)");
      }
      if (user.indexOf(':') >= 0) {
        throw new ConfigurationException("proxy.username", "contains ':' (written %3A), which Basic authentication "
            + "cannot carry in a user name");
      }
      if (pass.isEmpty()) {
        throw new ConfigurationException("proxy.password", "is empty (expected user:password@host)");
      }
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.indexOf('/') >= 0) {
      throw new ConfigurationException("proxy", "has a path after the host; expected "
          + "[http://|https://][user:password@]host[:port]");
    }
    String hostPart;
    String portPart = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new ConfigurationException("proxy.host", "has an IPv6 literal without its closing ']'");
      }
      hostPart = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new ConfigurationException("proxy.host", "has unexpected characters after the IPv6 literal "
              + "(expected [address]:port)");
        }
        portPart = rest.substring(1);
      }
      if (hostPart.indexOf(':') < 0) {
        throw new ConfigurationException("proxy.host", "'[" + hostPart + "]' is not an IPv6 address; write a host "
            + "name or an IPv4 address without brackets");
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
        throw new ConfigurationException("proxy.host", "looks like an IPv6 address without brackets; write it as "
            + "[address]:port");
      }
      hostPart = colon >= 0 ? s.substring(0, colon) : s;
      portPart = colon >= 0 ? s.substring(colon + 1) : null;
      if (!hasScheme && at < 0 && portPart != null && !hostPart.isEmpty() && hostPart.indexOf('.') < 0
          && !hostPart.equalsIgnoreCase("localhost")) {
        // "admin:12345" is as likely user:password without a host: never guess, and never echo what follows ':'.
        throw new ConfigurationException("proxy", "'" + safeWord(hostPart) + ":...' is ambiguous: a one-word host "
            + "with a port and no scheme may be a user:password without host. Write http://" + safeWord(hostPart)
            + ":PORT for a proxy host of that name, or user:password@host[:port]");
      }
    }
    String host = validateHost(hostPart);
    int port = DEFAULT_PORT;
    if (portPart != null) {
      if (portPart.isEmpty()) {
        throw new ConfigurationException("proxy.port", "is empty after '" + host + ":'; give a port number "
            + "(1..65535) or leave out the ':' for the default " + DEFAULT_PORT);
      }
      if (portPart.length() > 5 || !portPart.chars().allMatch(c -> c >= '0' && c <= '9')) {
        // Without user information, "user:password" lands here; then the text is a password: never echo it.
        throw new ConfigurationException("proxy.port", at >= 0
            ? "'" + portPart + "' is not a port number (1..65535)"
            : "the text after '" + host + ":' is not a port number (1..65535); if it is user:password, add "
                + "@host[:port] after it");
      }
      port = validatePort(Integer.parseInt(portPart));
    }
    return new ProxyConfig(host, port, user, pass, List.of());
  }

  /** A word of a proxy string fit to quote: a host-name-like token of sensible length, else a placeholder. */
  private static String safeWord(String w) {
    return w.length() <= 64 && w.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-'
        || c == '_')) ? w : "(host)";
  }

  /** The password from {@value #PASSWORD_VARIABLE}, or a {@link ConfigurationException} naming the variable. */
  private static String passwordVariable(Map<String, String> environment) {
    String value = environment.get(PASSWORD_VARIABLE);
    if (value == null || value.isEmpty()) {
      throw new ConfigurationException("proxy.password", "is missing: the proxy names a user without a password, "
          + "and " + PASSWORD_VARIABLE + " is " + (value == null ? "not set" : "empty"));
    }
    return checkPassword(PASSWORD_VARIABLE, value);
  }

  /** Refuses line breaks and other control characters in a password (they never belong in Basic credentials). */
  private static String checkPassword(String source, String password) {
    for (int i = 0; i < password.length(); i++) {
      if (Character.isISOControl(password.charAt(i))) {
        throw new ConfigurationException("proxy.password", "from " + source + " holds a control character or line "
            + "break at position " + (i + 1) + "; only the password itself may be given");
      }
    }
    return password;
  }

  /** RFC 3986: {@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )}. */
  private static boolean isSchemeToken(String s) {
    if (s.isEmpty() || !isAsciiLetter(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Reads a proxy from a file in the agent's {@code proxy.conf} format: one proxy string in UTF-8, with or without
   * a trailing newline (and a leading byte-order mark).
   *
   * @param file the file
   * @return the proxy, or empty when the file does not exist or holds only whitespace (a direct connection)
   * @throws ConfigurationException naming {@code proxy} (with the file name) when the content is invalid or the
   *     file cannot be read
   */
  public static Optional<ProxyConfig> fromFile(Path file) {
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ConfigurationException("proxy", "cannot read " + file + ": " + e.getClass().getSimpleName(), e);
    }
    if (content.startsWith("\uFEFF")) {
      content = content.substring(1); // a byte-order mark left by some editors
    }
    if (content.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(content));
    } catch (ConfigurationException e) {
      throw new ConfigurationException(e.field(), "in " + file + ": " + e.getMessage().substring(
          e.field().length() + 2), e);
    }
  }

  /**
   * Reads the legacy agent's proxy setting: {@link #AGENT_PROXY_CONF}, or {@link #AGENT_LEGACY_PROXY_CONF} when the
   * first is absent.
   *
   * @return the proxy, or empty when neither file exists
   * @throws ConfigurationException when the file exists but is invalid
   */
  public static Optional<ProxyConfig> fromAgentConfiguration() {
    if (Files.exists(AGENT_PROXY_CONF)) {
      return fromFile(AGENT_PROXY_CONF);
    }
    return fromFile(AGENT_LEGACY_PROXY_CONF);
  }

  /**
   * Reads a proxy from environment variables as curl does for HTTPS: {@code https_proxy}, else {@code HTTPS_PROXY};
   * and the bypass list from {@code no_proxy}, else {@code NO_PROXY}. When the proxy names a user without a password
   * ({@code http://user@proxy:3128}), the password comes from {@value #PASSWORD_VARIABLE}.
   *
   * @param environment the variables, usually {@code System.getenv()}
   * @return the proxy with its bypass list, or empty when no proxy variable is set
   * @throws ConfigurationException naming {@code https_proxy} when the variable is invalid
   */
  public static Optional<ProxyConfig> fromEnvironment(Map<String, String> environment) {
    String name = "https_proxy";
    String value = environment.get(name);
    if (value == null || value.isBlank()) {
      name = "HTTPS_PROXY";
      value = environment.get(name);
    }
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    ProxyConfig proxy;
    try {
      proxy = parse(value, environment);
    } catch (ConfigurationException e) {
      throw new ConfigurationException(name, e.getMessage(), e);
    }
    String noProxy = environment.get("no_proxy");
    if (noProxy == null || noProxy.isBlank()) {
      noProxy = environment.get("NO_PROXY");
    }
    if (noProxy != null && !noProxy.isBlank()) {
      List<String> entries = new ArrayList<>();
      for (String entry : noProxy.split("[,\\s]+")) {
        if (!entry.isBlank()) {
          entries.add(entry);
        }
      }
      proxy = proxy.withNoProxy(entries);
    }
    return Optional.of(proxy);
  }

  /**
   * The same proxy with Basic credentials.
   *
   * @param username the user, not empty
   * @param password the password, not empty; a secret
   * @return a new proxy
   * @throws ConfigurationException naming {@code proxy.username} or {@code proxy.password}
   */
  public ProxyConfig withCredentials(String username, String password) {
    if (username == null || username.isEmpty() || username.indexOf(':') >= 0) {
      throw new ConfigurationException("proxy.username", "must be non-empty and contain no ':'");
    }
    if (password == null || password.isEmpty()) {
      throw new ConfigurationException("proxy.password", "is missing or empty");
    }
    return new ProxyConfig(host, port, username, password, noProxy);
  }

  /**
   * The same proxy with Basic credentials whose password is read from a file, so that it appears neither on a
   * command line nor in the environment. The file holds the password in UTF-8 (a leading byte-order mark and one
   * trailing line break are ignored, nothing else is trimmed); it should be readable by its owner only.
   *
   * @param username the user, not empty
   * @param passwordFile the file holding the password
   * @return a new proxy
   * @throws ConfigurationException naming {@code proxy.passwordFile} when the file cannot be read, or
   *     {@code proxy.password} when it is empty or holds more than one line or a control character; the message
   *     names the file, never its content
   */
  public ProxyConfig withCredentialsFromFile(String username, Path passwordFile) {
    Objects.requireNonNull(passwordFile, "passwordFile");
    String content;
    try {
      content = new String(Files.readAllBytes(passwordFile), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigurationException("proxy.passwordFile", "cannot read " + passwordFile + ": "
          + e.getClass().getSimpleName(), e);
    }
    if (content.startsWith("\uFEFF")) {
      content = content.substring(1);
    }
    if (content.endsWith("\r\n")) {
      content = content.substring(0, content.length() - 2);
    } else if (content.endsWith("\n")) {
      content = content.substring(0, content.length() - 1);
    }
    if (content.isEmpty()) {
      throw new ConfigurationException("proxy.password", "is empty in " + passwordFile);
    }
    return withCredentials(username, checkPassword(passwordFile.toString(), content));
  }

  /**
   * The same proxy with Basic credentials whose password is the value of {@value #PASSWORD_VARIABLE}.
   *
   * @param username the user, not empty
   * @param environment the variables, usually {@code System.getenv()}
   * @return a new proxy
   * @throws ConfigurationException naming {@code proxy.password} when the variable is not set, is empty or holds a
   *     control character
   */
  public ProxyConfig withCredentialsFromEnvironment(String username, Map<String, String> environment) {
    return withCredentials(username, passwordVariable(Objects.requireNonNull(environment, "environment")));
  }

  /**
   * The same proxy with a bypass list, in the {@code no_proxy} style: {@code *} bypasses every host;
   * {@code example.com} and {@code .example.com} bypass that domain and its subdomains; an IP address bypasses
   * itself. A {@code :port} suffix on an entry is ignored, and so is a trailing dot. Address ranges (CIDR) are not
   * understood.
   *
   * @param hosts the entries
   * @return a new proxy
   */
  public ProxyConfig withNoProxy(List<String> hosts) {
    List<String> normalized = new ArrayList<>();
    for (String h : hosts) {
      String e = Objects.requireNonNull(h, "noProxy entry").strip().toLowerCase(Locale.ROOT);
      if (e.startsWith("[")) {
        int close = e.indexOf(']');
        e = close > 0 ? e.substring(1, close) : e;
      } else if (e.indexOf(':') == e.lastIndexOf(':') && e.indexOf(':') >= 0) {
        e = e.substring(0, e.indexOf(':'));
      }
      if (e.startsWith("*.")) {
        e = e.substring(1);
      }
      if (e.length() > 1 && e.endsWith(".")) {
        e = e.substring(0, e.length() - 1); // a fully qualified name: "example.com." is "example.com"
      }
      if (!e.isEmpty()) {
        normalized.add(e);
      }
    }
    return new ProxyConfig(host, port, username, password, Collections.unmodifiableList(normalized));
  }

  /**
   * Whether connections to a host go direct rather than through this proxy, according to the bypass list.
   *
   * @param targetHost the host to connect to
   * @return {@code true} to bypass the proxy
   */
  public boolean bypasses(String targetHost) {
    String h = Objects.requireNonNull(targetHost, "targetHost").strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.length() > 1 && h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    for (String e : noProxy) {
      if (e.equals("*") || h.equals(e)) {
        return true;
      }
      String suffix = e.startsWith(".") ? e : "." + e;
      if (h.endsWith(suffix) || h.equals(suffix.substring(1))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The proxy host: a name, an IPv4 address, or an IPv6 address without brackets.
   *
   * @return the host
   */
  public String host() {
    return host;
  }

  /**
   * The proxy port, {@value #DEFAULT_PORT} when none was given.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The proxy user.
   *
   * @return the user, or empty for an anonymous proxy
   */
  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  /**
   * Whether Basic credentials are configured.
   *
   * @return {@code true} when a user and password are set
   */
  public boolean hasCredentials() {
    return username != null;
  }

  /**
   * The bypass list, normalized.
   *
   * @return the entries, unmodifiable
   */
  public List<String> noProxy() {
    return noProxy;
  }

  /**
   * The value of the {@code Proxy-Authorization} header for these credentials, {@code Basic base64(user:password)}.
   * This is a secret: send it to the proxy only, never log it.
   *
   * @return the header value, or empty when the proxy is anonymous
   */
  public Optional<String> proxyAuthorization() {
    if (username == null) {
      return Optional.empty();
    }
    return Optional.of("Basic " + Base64.getEncoder().encodeToString(
        (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  private static String safeScheme(String scheme) {
    return scheme.length() <= 16 && scheme.chars().allMatch(Character::isLetterOrDigit) ? scheme : "(unrecognized)";
  }

  private static int validatePort(int port) {
    if (port < 1 || port > 65535) {
      throw new ConfigurationException("proxy.port", port + " is outside 1..65535");
    }
    return port;
  }

  private static String validateHost(String host) {
    if (host == null || host.isBlank()) {
      throw new ConfigurationException("proxy.host", "is empty (expected a host name or an IP address)");
    }
    String h = host.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.indexOf(':') >= 0) {
      return validateIpv6(h);
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_';
      if (!ok) {
        throw new ConfigurationException("proxy.host", "'" + h + "' contains '" + c + "', which no host name has");
      }
    }
    return h.toLowerCase(Locale.ROOT);
  }

  /** An IPv6 literal: hexadecimal digits, ':' and '.' (an embedded IPv4), then optionally {@code %zone}. */
  private static String validateIpv6(String h) {
    int zone = h.indexOf('%');
    String address = zone >= 0 ? h.substring(0, zone) : h;
    String zoneId = zone >= 0 ? h.substring(zone + 1) : "";
    boolean ok = address.indexOf(':') != address.lastIndexOf(':') && (zone < 0 || !zoneId.isEmpty());
    for (int i = 0; ok && i < address.length(); i++) {
      char c = address.charAt(i);
      ok = Character.digit(c, 16) >= 0 || c == ':' || c == '.';
    }
    for (int i = 0; ok && i < zoneId.length(); i++) {
      char c = zoneId.charAt(i);
      ok = Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_';
    }
    if (!ok) {
      throw new ConfigurationException("proxy.host", "'" + h + "' is neither a host name nor an IPv6 address (give "
          + "the port separately, and an IPv6 address as [address]:port in a proxy string)");
    }
    return h.toLowerCase(Locale.ROOT);
  }

  /**
   * Decodes {@code %XX} escapes as UTF-8 bytes. Literal text is copied as whole runs, so characters outside the BMP
   * (surrogate pairs) survive; decoded bytes that are not UTF-8 are refused rather than replaced.
   */
  private static String percentDecode(String field, String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < s.length()) {
      int percent = s.indexOf('%', i);
      int runEnd = percent < 0 ? s.length() : percent;
      byte[] literal = s.substring(i, runEnd).getBytes(StandardCharsets.UTF_8);
      out.write(literal, 0, literal.length);
      if (percent < 0) {
        break;
      }
      int hi = percent + 1 < s.length() ? Character.digit(s.charAt(percent + 1), 16) : -1;
      int lo = percent + 2 < s.length() ? Character.digit(s.charAt(percent + 2), 16) : -1;
      if (hi < 0 || lo < 0) {
        throw new ConfigurationException(field, "has a '%' at position " + (percent + 1)
            + " not followed by two hexadecimal digits (write a literal % as %25)");
      }
      out.write(hi * 16 + lo);
      i = percent + 3;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigurationException(field, "is not valid UTF-8 once its %-escapes are decoded");
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProxyConfig)) {
      return false;
    }
    ProxyConfig that = (ProxyConfig) o;
    return port == that.port && host.equals(that.host) && Objects.equals(username, that.username)
        && Objects.equals(password, that.password) && noProxy.equals(that.noProxy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, username, noProxy);
  }

  /** Shows host, port, user and bypass list; the password appears as {@code OBFUSCATED}. */
  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return "ProxyConfig{" + (username == null ? "" : username + ":OBFUSCATED@") + h + ":" + port
        + (noProxy.isEmpty() ? "" : ", noProxy=" + noProxy) + "}";
  }
}
