package io.loganalytics.examples.collector;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.ProxyConfig;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.WorkspaceCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the common options into a {@link LogAnalyticsClientBuilder}, using only the public API, and names the
 * record type. The destination is chosen by the options:
 *
 * <ul>
 *   <li>{@code --log-type NAME} with {@code -w} and {@code -s}: the Data Collector path;
 *   <li>otherwise the agent path, with the identity in {@code --state-dir}; {@code -w}/{@code -s} there let the
 *       client onboard when the state directory is still empty.
 * </ul>
 *
 * <p>Errors are {@link UsageException}s naming the option as the user wrote it; {@link ConfigurationException}s of
 * the API are translated to the option they came from. Stateless apart from the parsed arguments; not thread-safe.
 */
final class ClientSetup {
  /** The environment variable that may hold the shared key instead of {@code -s}. */
  static final String SHARED_KEY_ENV = "LOGANALYTICS_SHARED_KEY";

  private static final Pattern DATA_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.]{0,99}");
  private static final Pattern LOG_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,99}");

  private final ParsedArgs args;
  private final CliContext ctx;

  ClientSetup(ParsedArgs args, CliContext ctx) {
    this.args = args;
    this.ctx = ctx;
  }

  /** @return whether the options select the Data Collector path */
  boolean dataCollector() {
    return args.has("log-type");
  }

  /**
   * The record type: the {@code --log-type} on the Data Collector path, else {@code --data-type} or the default.
   *
   * @param defaultDataType the data type when {@code --data-type} is absent, or {@code null} when it is required
   * @return the type to pass to {@link LogAnalyticsClient#send}
   */
  String recordType(String defaultDataType) {
    if (dataCollector()) {
      if (args.has("data-type")) {
        throw new UsageException(args.name("data-type"), "cannot be combined with " + args.name("log-type")
            + " (--data-type is the agent path, --log-type the Data Collector path)");
      }
      String logType = args.required("log-type");
      if (!LOG_TYPE.matcher(logType).matches()) {
        throw new UsageException(args.name("log-type"), "'" + ArgParser.printable(logType)
            + "' must be a letter followed by up to 99 letters, digits or '_'");
      }
      return logType;
    }
    String dataType = args.value("data-type").orElse(defaultDataType);
    if (dataType == null) {
      throw new UsageException("--data-type", "is required (or --log-type with -w and -s for the Data Collector "
          + "path)");
    }
    if (!DATA_TYPE.matcher(dataType).matches()) {
      throw new UsageException(args.name("data-type"), "'" + ArgParser.printable(dataType)
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

  /**
   * The credentials from {@code -w} and {@code -s} (or {@value #SHARED_KEY_ENV}).
   *
   * @param required whether they must be given
   * @return the credentials, if given
   */
  Optional<WorkspaceCredentials> credentials(boolean required) {
    Optional<String> id = args.value("workspace-id");
    Optional<String> key = args.value("shared-key").or(() -> Optional.ofNullable(ctx.env.get(SHARED_KEY_ENV)));
    if (id.isEmpty() && key.isEmpty() && !required) {
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
      throw new UsageException(args.name("workspace-id"), problem(e));
    }
    try {
      return Optional.of(WorkspaceCredentials.of(id.get().strip(), key.get().strip()));
    } catch (ConfigurationException e) {
      // The API's messages never contain the key; still, only the problem text is shown.
      throw new UsageException(args.name("shared-key"), problem(e));
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
    if (dataCollector()) {
      if (args.has("ip-name")) {
        throw new UsageException(args.name("ip-name"), "is for the agent path only; it cannot be combined with "
            + args.name("log-type"));
      }
      b.transport(Transport.DATA_COLLECTOR);
      credentials(true).ifPresent(b::credentials);
    } else {
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
    return applyCommon(b);
  }

  /**
   * Applies {@code --buffer-dir}, {@code --ca-file}, {@code -d} and {@code -p} to a builder.
   *
   * @param b the builder
   * @return the same builder
   */
  LogAnalyticsClientBuilder applyCommon(LogAnalyticsClientBuilder b) {
    b.bufferDirectory(bufferDirectory());
    caFile().ifPresent(b::trustCertificates);
    args.value("domain").ifPresent(d -> {
      try {
        b.cloud(CloudEnvironment.fromDomain(d));
      } catch (ConfigurationException e) {
        throw new UsageException(args.name("domain"), problem(e));
      }
    });
    args.value("proxy").ifPresent(p -> {
      try {
        b.proxy(ProxyConfig.parse(p));
      } catch (ConfigurationException e) {
        throw new UsageException(args.name("proxy"), problem(e));
      }
    });
    return ctx.customizer.apply(b);
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
