package io.loganalytics.examples.collector;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.ProxyConfig;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the common options into a {@link LogAnalyticsClientBuilder}, using only the public API, and names the
 * record type. The destination is chosen by the options:
 *
 * <ul>
 *   <li>{@code --endpoint URL --dcr ID --stream NAME}: the Logs Ingestion path, with the Entra ID credential from the
 *       environment ({@link EntraCredential#fromEnvironment(Map)}; {@code --tenant} and {@code --client-id} may
 *       replace {@code AZURE_TENANT_ID} and {@code AZURE_CLIENT_ID}, a secret only comes from the environment);
 *   <li>{@code --log-type NAME} with {@code -w} and the key: the Data Collector path;
 *   <li>otherwise the agent path, with the identity in {@code --state-dir}; {@code -w} and the key there let the
 *       client onboard when the state directory is still empty.
 * </ul>
 *
 * <p>What an agent operator expects is read when no option says otherwise: the cloud from {@code URL_TLD} of the
 * state directory's {@code omsadmin.conf} (saved by {@code onboard -d}), the workspace from its
 * {@code WORKSPACE_ID}, the shared key from {@value Commands#SHARED_KEY_ENV}, and the proxy from the state
 * directory's {@code proxy.conf}, the agent's {@code proxy.conf}, then {@code https_proxy}/{@code no_proxy}; the
 * proxy password from {@value Commands#PROXY_PASSWORD_ENV} or {@code --proxy-password-file}.
 *
 * <p>Errors are {@link UsageException}s naming the option as the user wrote it; {@link ConfigurationException}s of
 * the API are translated to the option they came from. No secret is taken from the command line, where every user
 * sees it: {@code -s KEY} and a password in {@code -p} are refused with the alternatives ({@code -s @FILE}, the
 * environment, {@code --proxy-password-file}). Not thread-safe.
 */
final class ClientSetup {
  /** The environment variable that may hold the shared key instead of {@code -s}. */
  static final String SHARED_KEY_ENV = Commands.SHARED_KEY_ENV;

  static final Pattern DATA_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,99}");
  static final Pattern LOG_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");
  /** A stream of a DCR: Custom-Table_CL, Microsoft-Table; optionally another DCR's id and a slash before it. */
  static final Pattern STREAM = Pattern.compile("(?:dcr-[0-9a-fA-F]{32}/)?(?:Custom|Microsoft)-[A-Za-z0-9_]{1,250}");
  private static final List<String> INGESTION_OPTIONS = List.of("endpoint", "dcr", "stream", "cloud", "tenant",
      "client-id");

  /** The destinations a command line can name. */
  enum Destination { LOGS_INGESTION, DATA_COLLECTOR, AGENT }

  private final ParsedArgs args;
  private final CliContext ctx;
  private final CollectorListener listener;
  private Map<String, String> conf;

  ClientSetup(ParsedArgs args, CliContext ctx) {
    this.args = args;
    this.ctx = ctx;
    this.listener = new CollectorListener(ctx.clock);
  }

  /** @return the listener {@link #applyCommon} installs on every builder */
  CollectorListener listener() {
    return listener;
  }

  /** @return the destination the options select */
  Destination destination() {
    for (String o : INGESTION_OPTIONS) {
      if (args.has(o)) {
        return Destination.LOGS_INGESTION;
      }
    }
    return args.has("log-type") ? Destination.DATA_COLLECTOR : Destination.AGENT;
  }

  /** @return whether the options select the Data Collector path */
  boolean dataCollector() {
    return destination() == Destination.DATA_COLLECTOR;
  }

  /**
   * The record type: the {@code --stream} on the Logs Ingestion path, the {@code --log-type} on the Data Collector
   * path, else {@code --data-type} or the default.
   *
   * @param defaultDataType the data type when {@code --data-type} is absent, or {@code null} when it is required
   * @return the type to pass to {@link LogAnalyticsClient#send}
   */
  String recordType(String defaultDataType) {
    Destination d = destination();
    if (d == Destination.LOGS_INGESTION) {
      for (String agentOnly : List.of("log-type", "data-type", "ip-name", "workspace-id", "shared-key", "domain")) {
        if (args.has(agentOnly)) {
          throw new UsageException(args.name(agentOnly), "cannot be combined with the Logs Ingestion options "
              + "(--endpoint, --dcr, --stream" + (agentOnly.equals("domain") ? "; the cloud is --cloud" : "") + ")");
        }
      }
      String stream = args.value("stream").orElseThrow(() -> new UsageException(args.name("stream"), "is required with "
          + "--endpoint and --dcr (the DCR's stream, such as Custom-MyTable_CL)"));
      if (!STREAM.matcher(stream.strip()).matches()) {
        throw new UsageException(args.name("stream"), "'" + ParsedArgs.printable(stream) + "' is not a stream name: "
            + "Custom-<table> for a custom table (such as Custom-MyTable_CL) or Microsoft-<table>");
      }
      return stream.strip();
    }
    if (d == Destination.DATA_COLLECTOR) {
      if (args.has("data-type")) {
        throw new UsageException(args.name("data-type"), "cannot be combined with " + args.name("log-type")
            + " (--data-type is the agent path, --log-type the Data Collector path)");
      }
      String logType = args.required("log-type");
      if (!LOG_TYPE.matcher(logType).matches()) {
        throw new UsageException(args.name("log-type"), "'" + ParsedArgs.printable(logType)
            + "' must be a letter followed by up to 99 letters, digits or '_'");
      }
      return logType;
    }
    String dataType = args.value("data-type").orElse(defaultDataType);
    if (dataType == null) {
      throw new UsageException("--data-type", "is required (or --endpoint, --dcr and --stream for the Logs "
          + "Ingestion path, or --log-type with -w for the Data Collector path)");
    }
    if (!DATA_TYPE.matcher(dataType).matches()) {
      throw new UsageException(args.name("data-type"), "'" + ParsedArgs.printable(dataType)
          + "' must be a letter followed by up to 99 letters, digits, '_' or '.'");
    }
    return dataType;
  }

  /** @return the state directory: {@code --state-dir} or {@code ~/.loganalytics/state} */
  Path stateDirectory() {
    return args.path("state-dir").orElse(ctx.home.resolve(".loganalytics").resolve("state"));
  }

  /** @return the buffer directory: {@code --buffer-dir} or {@code ~/.loganalytics/buffer} */
  Path bufferDirectory() {
    return args.path("buffer-dir").orElse(ctx.home.resolve(".loganalytics").resolve("buffer"));
  }

  /** @return the state directory's {@code omsadmin.conf}, empty when there is none */
  Map<String, String> agentConf() {
    if (conf == null) {
      try {
        conf = AgentState.config(stateDirectory());
      } catch (IOException e) {
        throw new UsageException(args.name("state-dir"), "cannot read omsadmin.conf: " + e.getMessage());
      }
    }
    return conf;
  }

  /**
   * The credentials from {@code -w} (or the state directory's {@code WORKSPACE_ID}) and {@code -s} (or
   * {@value #SHARED_KEY_ENV}).
   *
   * @param required whether they must be given
   * @return the credentials, if given
   */
  Optional<WorkspaceCredentials> credentials(boolean required) {
    Optional<String> given = args.value("workspace-id");
    Optional<String> fromState = destination() == Destination.AGENT
        ? Optional.ofNullable(agentConf().get("WORKSPACE_ID")).filter(v -> !v.isBlank()) : Optional.empty();
    Optional<String> id = given.or(() -> fromState);
    Optional<String> flagKey = args.value("shared-key").map(this::keyFromFile);
    Optional<String> key = flagKey.or(() -> Optional.ofNullable(ctx.env.get(SHARED_KEY_ENV)).filter(v -> !v.isBlank()));
    // Only what was asked for explicitly (-w, -s, or required) makes a missing half an error: an exported key alone
    // must not break the agent path of an onboarded state directory.
    boolean explicit = required || given.isPresent() || flagKey.isPresent();
    if (!explicit && (id.isEmpty() || key.isEmpty())) {
      return Optional.empty();
    }
    if (id.isEmpty()) {
      throw new UsageException(args.name("workspace-id"), "is required");
    }
    if (key.isEmpty()) {
      throw new UsageException(args.name("shared-key"), "is required (or set " + SHARED_KEY_ENV + ")");
    }
    try {
      WorkspaceCredentials.validateWorkspaceId(id.get());
    } catch (ConfigurationException e) {
      throw new UsageException(given.isPresent() ? args.name("workspace-id") : "--state-dir",
          (given.isPresent() ? "" : "WORKSPACE_ID of omsadmin.conf: ") + problem(e));
    }
    WorkspaceCredentials c;
    try {
      c = WorkspaceCredentials.of(id.get().strip(), key.get().strip());
    } catch (ConfigurationException e) {
      // The API's messages never contain the key; still, only the problem text is shown.
      throw new UsageException(flagKey.isPresent() ? args.name("shared-key") : SHARED_KEY_ENV, problem(e));
    }
    return Optional.of(c);
  }

  /**
   * {@code -s @FILE}: the key from the first line of FILE. A key itself on the command line is refused: every user
   * of the machine sees it in the process list.
   */
  private String keyFromFile(String value) {
    if (!value.startsWith("@") || value.length() < 2) {
      throw new UsageException(args.name("shared-key"), "a key on the command line is visible to every user (ps): "
          + "export " + SHARED_KEY_ENV + ", or give " + args.name("shared-key") + " @FILE with the key in FILE");
    }
    Path file;
    try {
      file = Path.of(value.substring(1));
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException(args.name("shared-key"), "@FILE is not a valid path");
    }
    try {
      String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
      if (first.isEmpty()) {
        throw new UsageException(args.name("shared-key"), "'" + file + "' is empty");
      }
      return first;
    } catch (IOException e) {
      throw new UsageException(args.name("shared-key"), "'" + file + "' is not a readable file");
    }
  }

  /**
   * A builder for the chosen path with every common option applied. Nothing is built or contacted yet.
   *
   * @param recordTypeDefault see {@link #recordType}; the type is validated here too
   * @return the builder
   */
  LogAnalyticsClientBuilder builder(String recordTypeDefault) {
    recordType(recordTypeDefault);
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder();
    switch (destination()) {
      case LOGS_INGESTION -> logsIngestion(b);
      case DATA_COLLECTOR -> {
        if (args.has("ip-name")) {
          throw new UsageException(args.name("ip-name"), "is for the agent path only; it cannot be combined with "
              + args.name("log-type"));
        }
        b.transport(Transport.DATA_COLLECTOR);
        credentials(true).ifPresent(b::credentials);
      }
      default -> {
        b.transport(Transport.AGENT_CERTIFICATE).stateDirectory(stateDirectory());
        credentials(false).ifPresent(b::credentials);
        args.value("ip-name").ifPresent(ip -> {
          try {
            b.ipName(ip);
          } catch (ConfigurationException e) {
            throw new UsageException(args.name("ip-name"), problem(e));
          }
        });
      }
    }
    return applyCommon(b);
  }

  private void logsIngestion(LogAnalyticsClientBuilder b) {
    String endpointText = args.value("endpoint").orElseThrow(() -> new UsageException(args.name("endpoint"),
        "is required with --dcr and --stream (the data collection endpoint's logs ingestion URL)"));
    String dcr = args.value("dcr").orElseThrow(() -> new UsageException(args.name("dcr"), "is required with --endpoint "
        + "(the DCR's immutableId, dcr- and 32 hex digits)"));
    URI endpoint;
    try {
      endpoint = new URI(endpointText.strip());
    } catch (URISyntaxException e) {
      throw new UsageException(args.name("endpoint"), "'" + ParsedArgs.printable(endpointText) + "' is not a URL");
    }
    try {
      b.logsIngestion(endpoint, dcr);
    } catch (ConfigurationException e) {
      String option = "dataCollectionRuleId".equals(e.field()) ? "dcr" : "endpoint";
      throw new UsageException(args.name(option), problem(e));
    }
    args.value("cloud").ifPresent(c -> {
      try {
        CloudEnvironment cloud = CloudEnvironment.fromName(c);
        if (c.contains(".")) {
          throw new ConfigurationException("cloud", "'" + c + "' is a domain; expected AzureCloud, "
              + "AzureUSGovernment or AzureChinaCloud");
        }
        b.cloud(cloud);
      } catch (ConfigurationException e) {
        throw new UsageException(args.name("cloud"), problem(e));
      }
    });
    b.entraCredential(entraCredential());
  }

  /**
   * The Entra ID credential: the environment as azure-identity's DefaultAzureCredential reads it, with
   * {@code --tenant} and {@code --client-id} in place of their variables.
   *
   * @return the credential
   */
  EntraCredential entraCredential() {
    Map<String, String> env = new HashMap<>(ctx.env);
    args.value("tenant").ifPresent(t -> env.put("AZURE_TENANT_ID", t));
    args.value("client-id").ifPresent(c -> env.put("AZURE_CLIENT_ID", c));
    try {
      return EntraCredential.fromEnvironment(env);
    } catch (ConfigurationException e) {
      String f = e.field();
      // fromEnvironment names the variable; the value may have come from the option that replaced it.
      boolean tenant = "AZURE_TENANT_ID".equals(f) || "tenantId".equals(f);
      boolean client = "AZURE_CLIENT_ID".equals(f) || "clientId".equals(f);
      String option = tenant && args.value("tenant").isPresent() ? args.name("tenant")
          : client && args.value("client-id").isPresent() ? args.name("client-id") : f;
      throw new UsageException(option, problem(e));
    }
  }

  /**
   * Applies {@code --buffer-dir}, {@code --ca-file}, the cloud and the proxy to a builder.
   *
   * @param b the builder
   * @return the same builder
   */
  LogAnalyticsClientBuilder applyCommon(LogAnalyticsClientBuilder b) {
    b.bufferDirectory(bufferDirectory());
    b.listener(listener);
    caFile().ifPresent(b::trustCertificates);
    if (destination() != Destination.LOGS_INGESTION) {
      cloud().ifPresent(b::cloud);
    }
    proxy().ifPresent(b::proxy);
    return ctx.customizer.apply(b);
  }

  /** @return the cloud: {@code -d}, else {@code URL_TLD} of the state directory's omsadmin.conf, else none */
  Optional<CloudEnvironment> cloud() {
    Optional<String> d = args.value("domain");
    if (d.isPresent()) {
      try {
        return Optional.of(CloudEnvironment.fromDomain(d.get()));
      } catch (ConfigurationException e) {
        throw new UsageException(args.name("domain"), problem(e));
      }
    }
    String tld = agentConf().get("URL_TLD");
    if (tld == null || tld.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(CloudEnvironment.fromDomain(tld));
    } catch (ConfigurationException e) {
      throw new UsageException(args.name("state-dir"), "URL_TLD of omsadmin.conf: " + problem(e));
    }
  }

  /**
   * The proxy: {@code -p}; else {@code proxy.conf} in the state directory; else the agent's {@code proxy.conf};
   * else {@code https_proxy}. {@code no_proxy} applies to all of them; the password may come from
   * {@value Commands#PROXY_PASSWORD_ENV} or {@code --proxy-password-file} when the proxy names only a user.
   *
   * @return the proxy, or empty for direct connections
   */
  Optional<ProxyConfig> proxy() {
    Optional<ProxyConfig> proxy;
    String source;
    Optional<String> flag = args.value("proxy");
    if (flag.isPresent()) {
      source = args.name("proxy");
      if (userOnly(flag.get()) == null && flag.get().lastIndexOf('@') > 0) {
        // user:password@host: refused without parsing further, so that nothing of it is echoed.
        throw new UsageException(source, "a password on the command line is visible to every user (ps): give "
            + "user@host and export " + Commands.PROXY_PASSWORD_ENV + " or use --proxy-password-file FILE");
      }
      proxy = Optional.of(parseProxy(source, flag.get()));
    } else {
      proxy = Optional.empty();
      source = null;
      List<Path> files = new ArrayList<>();
      files.add(stateDirectory().resolve("proxy.conf"));
      files.addAll(ctx.agentProxyFiles);
      for (Path f : files) {
        if (Files.exists(f)) {
          source = f.toString();
          try {
            proxy = readProxyFile(f);
          } catch (ConfigurationException e) {
            throw new UsageException(f.toString(), problem(e));
          }
          break;
        }
      }
      if (source == null) {
        try {
          proxy = ProxyConfig.fromEnvironment(ctx.env);
          source = "https_proxy";
        } catch (ConfigurationException e) {
          throw new UsageException(e.field(), problem(e));
        }
      }
    }
    if (proxy.isEmpty()) {
      return proxy;
    }
    ProxyConfig p = proxy.get();
    if (p.noProxy().isEmpty()) {
      String noProxy = Optional.ofNullable(ctx.env.get("no_proxy")).orElse(ctx.env.get("NO_PROXY"));
      if (noProxy != null && !noProxy.isBlank()) {
        p = p.withNoProxy(Arrays.stream(noProxy.split("[,\\s]+")).filter(x -> !x.isBlank()).toList());
      }
    }
    return Optional.of(p);
  }

  private Optional<ProxyConfig> readProxyFile(Path f) {
    String content;
    try {
      content = Files.readString(f, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UsageException(f.toString(), "cannot read: " + e.getClass().getSimpleName());
    }
    if (content.startsWith("\uFEFF")) {
      content = content.substring(1);
    }
    if (content.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(parseProxy(f.toString(), content));
  }

  /** Parses a proxy string; {@code user@host} (no password) takes the password from the environment or a file. */
  private ProxyConfig parseProxy(String source, String text) {
    String[] userOnly = userOnly(text);
    try {
      if (userOnly == null) {
        ProxyConfig p = ProxyConfig.parse(text);
        if (!p.hasCredentials()) {
          proxyPassword().ifPresent(pw -> {
            if (args.has("proxy-password-file")) {
              throw new UsageException(args.name("proxy-password-file"), "the proxy names no user; write "
                  + "user@host in " + source);
            }
          });
        }
        return p;
      }
      ProxyConfig p = ProxyConfig.parse(userOnly[0] + userOnly[2]);
      String password = proxyPassword().orElseThrow(() -> new UsageException(source, "names the user '"
          + ParsedArgs.printable(userOnly[1]) + "' but no password: export " + Commands.PROXY_PASSWORD_ENV
          + " or use --proxy-password-file FILE"));
      return p.withCredentials(userOnly[1], password);
    } catch (ConfigurationException e) {
      // The API never puts the password in its messages.
      throw new UsageException(source, problem(e));
    }
  }

  /** For {@code [scheme://]user@host[:port]} (no ':' before the '@'): {scheme, user, host}; else null. */
  static String[] userOnly(String text) {
    String t = text.strip();
    int schemeEnd = t.indexOf("://");
    String scheme = "";
    if (schemeEnd > 0 && t.substring(0, schemeEnd).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      scheme = t.substring(0, schemeEnd + 3);
      t = t.substring(schemeEnd + 3);
    }
    int at = t.lastIndexOf('@');
    if (at <= 0 || t.substring(0, at).indexOf(':') >= 0) {
      return null;
    }
    return new String[] {scheme, t.substring(0, at), t.substring(at + 1)};
  }

  /** @return the proxy password from {@code --proxy-password-file} or {@value Commands#PROXY_PASSWORD_ENV} */
  Optional<String> proxyPassword() {
    Optional<Path> file = args.path("proxy-password-file");
    if (file.isPresent()) {
      try {
        String content = Files.readString(file.get(), StandardCharsets.UTF_8);
        String first = content.lines().findFirst().orElse("").strip();
        if (first.isEmpty()) {
          throw new UsageException(args.name("proxy-password-file"), "'" + file.get() + "' is empty");
        }
        return Optional.of(first);
      } catch (IOException e) {
        throw new UsageException(args.name("proxy-password-file"), "'" + file.get() + "' is not a readable file");
      }
    }
    return Optional.ofNullable(ctx.env.get(Commands.PROXY_PASSWORD_ENV)).filter(v -> !v.isEmpty());
  }

  /** @return {@code --ca-file}, checked to be a readable file */
  Optional<Path> caFile() {
    Optional<Path> ca = args.path("ca-file");
    ca.ifPresent(p -> {
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new UsageException(args.name("ca-file"), "'" + p + "' is not a readable file");
      }
    });
    return ca;
  }

  /**
   * A line describing where records go, for the summary and {@code status}; no secret.
   *
   * @param b the builder
   * @return such as {@code logs ingestion https://x.ingest.monitor.azure.com dcr-... stream Custom-T_CL (AzureCloud)}
   */
  static String target(LogAnalyticsClientBuilder b) {
    return switch (b.transport()) {
      case LOGS_INGESTION -> "logs ingestion " + b.logsIngestionEndpoint().map(Object::toString).orElse("?") + " "
          + b.dataCollectionRuleId().orElse("?") + " (" + b.cloud().name() + ")";
      case DATA_COLLECTOR -> "data collector " + b.credentials().map(c -> b.cloud().dataCollectorUri(c.workspaceId())
          .getHost()).orElse("?") + " (" + b.cloud().name() + ")";
      default -> "agent " + b.stateDirectory().map(Object::toString).orElse("?") + " (" + b.cloud().name() + ", "
          + b.cloud().domain() + ")";
    };
  }

  /**
   * The option behind a field name of the API's {@link ConfigurationException}s.
   *
   * @param field the API's field name, such as {@code stateDirectory} or {@code proxy.port}
   * @return the option, such as {@code --state-dir} or {@code -p}; the field itself when no option matches
   */
  static String optionFor(String field) {
    String f = field == null ? "" : field;
    if (f.startsWith("proxy")) {
      return "-p";
    }
    switch (f) {
      case "logsIngestionEndpoint":
        return "--endpoint";
      case "dataCollectionRuleId":
        return "--dcr";
      case "tenantId":
        return "--tenant";
      case "clientId":
        return "--client-id";
      case "workspaceId":
      case "credentials":
        return "-w";
      case "sharedKey":
      case "primaryKey":
      case "secondaryKey":
        return "-s";
      case "domain":
      case "cloud":
        return "-d";
      case "stateDirectory":
        return "--state-dir";
      case "bufferDirectory":
      case "bufferOptions":
        return "--buffer-dir";
      case "pemFile":
      case "trustCertificates":
      case "trustedCertificates":
        return "--ca-file";
      case "ipName":
        return "--ip-name";
      default:
        return f;
    }
  }

  /** The API's message without its field prefix (the option name replaces it). */
  static String problem(ConfigurationException e) {
    String m = e.getMessage();
    String prefix = e.field() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
