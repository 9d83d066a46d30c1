package io.loganalytics.examples.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The file of {@code run --config FILE}: several inputs (files to tail, syslog listeners) sending to one or several
 * destinations (workspaces, transports), each destination with its own buffer directory, in one process. JSON:
 *
 * <pre>{@code
 * {
 *   "stateDir": "/var/lib/loganalytics/state",
 *   "destinations": {
 *     "main": {"transport": "logs-ingestion", "endpoint": "https://...", "dcr": "dcr-...",
 *              "bufferDir": "/var/lib/loganalytics/buffer-main"},
 *     "legacy": {"transport": "agent", "stateDir": "/etc/opt/microsoft/omsagent/<ws>", "bufferDir": "..."}
 *   },
 *   "inputs": [
 *     {"type": "tail", "file": "/var/log/app.log", "format": "json",
 *      "to": {"main": "Custom-App_CL", "legacy": "APP_BLOB"}},
 *     {"type": "syslog", "protocol": "udp", "port": 25224, "to": {"main": "Custom-Syslog_CL"}}
 *   ]
 * }
 * }</pre>
 *
 * <p>Every problem is a {@link UsageException} naming the key by its path ({@code inputs[1].to.main},
 * {@code destinations.main.endpoint}). Secrets are never read from the file: the shared key comes from the variable
 * named by {@code sharedKeyEnv} (default {@value Commands#SHARED_KEY_ENV}), Entra ID from the {@code AZURE_*}
 * variables, the proxy password from {@value Commands#PROXY_PASSWORD_ENV} or {@code proxyPasswordFile}. Immutable
 * once read; thread-safe.
 */
final class RunConfig {
  /** One destination: its name, transport, and option values keyed by the command-line option's long name. */
  record Destination(String name, String transport, Map<String, String> options, String sharedKeyEnv) {
    /** @return the key path of an option, such as {@code destinations.main.bufferDir} */
    String path(String option) {
      return "destinations." + name + "." + DEST_KEYS.entrySet().stream().filter(e -> e.getValue().equals(option))
          .map(Map.Entry::getKey).findFirst().orElse(option);
    }
  }

  /** One input: its key path ({@code inputs[0]}), type, settings, and record type per destination. */
  record Input(String path, String type, Map<String, Object> settings, Map<String, String> to) {}

  static final Set<String> TRANSPORTS = Set.of("logs-ingestion", "agent", "data-collector");
  /** Config key to option long name, for destinations. */
  static final Map<String, String> DEST_KEYS = destKeys();
  private static final Set<String> LI_ONLY = Set.of("endpoint", "dcr", "cloud", "tenant", "clientId");
  private static final Set<String> LEGACY_ONLY = Set.of("workspaceId", "domain", "sharedKeyEnv");
  private static final Set<String> SECRET_KEYS = Set.of("sharedKey", "clientSecret", "proxyPassword", "password",
      "secret", "key");
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Map<String, Set<String>> INPUT_KEYS = Map.of(
      "tail", Set.of("type", "file", "format", "fromStart", "pollMs", "to"),
      "syslog", Set.of("type", "protocol", "port", "bind", "idleTimeout", "maxConnections", "to"));

  final String stateDir;
  final Map<String, Destination> destinations;
  final List<Input> inputs;

  private RunConfig(String stateDir, Map<String, Destination> destinations, List<Input> inputs) {
    this.stateDir = stateDir;
    this.destinations = destinations;
    this.inputs = inputs;
  }

  private static Map<String, String> destKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("transport", "transport");
    m.put("bufferDir", "buffer-dir");
    m.put("stateDir", "state-dir");
    m.put("caFile", "ca-file");
    m.put("proxy", "proxy");
    m.put("proxyPasswordFile", "proxy-password-file");
    m.put("endpoint", "endpoint");
    m.put("dcr", "dcr");
    m.put("cloud", "cloud");
    m.put("tenant", "tenant");
    m.put("clientId", "client-id");
    m.put("workspaceId", "workspace-id");
    m.put("domain", "domain");
    m.put("ipName", "ip-name");
    m.put("sharedKeyEnv", "sharedKeyEnv");
    return Map.copyOf(m);
  }

  /**
   * Parses and checks a configuration.
   *
   * @param json the file's content
   * @return the configuration
   * @throws UsageException naming the key at fault
   */
  static RunConfig parse(String json) {
    Object root;
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      root = read(p);
      if (p.nextToken() != null) {
        throw new UsageException("config", "holds more than one JSON value");
      }
    } catch (JsonProcessingException e) {
      throw new UsageException("config", "is not valid JSON: " + String.valueOf(e.getOriginalMessage()).split("\n")[0]
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> top = object("config", root);
    allowed("", top, Set.of("stateDir", "destinations", "inputs"));
    String stateDir = top.containsKey("stateDir") ? string("stateDir", top.get("stateDir")) : null;
    Map<String, Object> dests = object("destinations", required("", top, "destinations"));
    if (dests.isEmpty()) {
      throw new UsageException("destinations", "is empty; name at least one destination");
    }
    Map<String, Destination> destinations = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : dests.entrySet()) {
      destinations.put(e.getKey(), destination(e.getKey(), e.getValue()));
    }
    List<Object> in = list("inputs", required("", top, "inputs"));
    if (in.isEmpty()) {
      throw new UsageException("inputs", "is empty; give at least one input (tail or syslog)");
    }
    List<Input> inputs = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      inputs.add(input("inputs[" + i + "]", in.get(i), destinations.keySet()));
    }
    for (String d : destinations.keySet()) {
      if (inputs.stream().noneMatch(i -> i.to().containsKey(d))) {
        throw new UsageException("destinations." + d, "no input sends to it (add it to an input's \"to\")");
      }
    }
    return new RunConfig(stateDir, Collections.unmodifiableMap(destinations), List.copyOf(inputs));
  }

  private static Destination destination(String name, Object value) {
    String path = "destinations." + name;
    if (!NAME.matcher(name).matches()) {
      throw new UsageException(path, "a destination's name must be a letter followed by up to 63 letters, digits, "
          + "'_' or '-'");
    }
    Map<String, Object> d = object(path, value);
    for (String k : d.keySet()) {
      if (SECRET_KEYS.contains(k)) {
        throw new UsageException(path + "." + k, "secrets are not read from the config file: use "
            + Commands.SHARED_KEY_ENV + " (or the variable named by sharedKeyEnv), AZURE_CLIENT_SECRET, or "
            + Commands.PROXY_PASSWORD_ENV + " / proxyPasswordFile");
      }
    }
    allowed(path + ".", d, DEST_KEYS.keySet());
    String transport = string(path + ".transport", required(path + ".", d, "transport"));
    if (!TRANSPORTS.contains(transport)) {
      throw new UsageException(path + ".transport", "'" + ParsedArgs.printable(transport) + "' is not one of "
          + "logs-ingestion, agent, data-collector");
    }
    required(path + ".", d, "bufferDir");
    Map<String, String> options = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : d.entrySet()) {
      String key = e.getKey();
      if (key.equals("transport") || key.equals("sharedKeyEnv")) {
        continue;
      }
      if (transport.equals("logs-ingestion") && LEGACY_ONLY.contains(key)) {
        throw new UsageException(path + "." + key, "is for the agent and data-collector transports, not "
            + "logs-ingestion");
      }
      if (!transport.equals("logs-ingestion") && LI_ONLY.contains(key)) {
        throw new UsageException(path + "." + key, "is for the logs-ingestion transport, not " + transport);
      }
      if (key.equals("ipName") && !transport.equals("agent")) {
        throw new UsageException(path + "." + key, "is for the agent transport only");
      }
      options.put(DEST_KEYS.get(key), string(path + "." + key, e.getValue()));
    }
    String keyEnv = Commands.SHARED_KEY_ENV;
    if (d.containsKey("sharedKeyEnv")) {
      if (transport.equals("logs-ingestion")) {
        throw new UsageException(path + ".sharedKeyEnv", "is for the agent and data-collector transports");
      }
      keyEnv = string(path + ".sharedKeyEnv", d.get("sharedKeyEnv"));
      if (!ENV_NAME.matcher(keyEnv).matches()) {
        throw new UsageException(path + ".sharedKeyEnv", "must name an environment variable (letters, digits, _)");
      }
    }
    if (transport.equals("logs-ingestion")) {
      required(path + ".", d, "endpoint");
      required(path + ".", d, "dcr");
    }
    if (transport.equals("data-collector")) {
      required(path + ".", d, "workspaceId");
    }
    return new Destination(name, transport, Map.copyOf(options), keyEnv);
  }

  private static Input input(String path, Object value, Set<String> destinations) {
    Map<String, Object> m = object(path, value);
    String type = string(path + ".type", required(path + ".", m, "type"));
    Set<String> keys = INPUT_KEYS.get(type);
    if (keys == null) {
      throw new UsageException(path + ".type", "'" + ParsedArgs.printable(type) + "' is not one of tail, syslog");
    }
    allowed(path + ".", m, keys);
    Map<String, Object> to = object(path + ".to", required(path + ".", m, "to"));
    if (to.isEmpty()) {
      throw new UsageException(path + ".to", "is empty; map at least one destination to its record type");
    }
    Map<String, String> types = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : to.entrySet()) {
      if (!destinations.contains(e.getKey())) {
        throw new UsageException(path + ".to." + e.getKey(), "names no destination; known: "
            + String.join(", ", destinations));
      }
      types.put(e.getKey(), string(path + ".to." + e.getKey(), e.getValue()));
    }
    if (type.equals("tail")) {
      string(path + ".file", required(path + ".", m, "file"));
      if (m.containsKey("format")) {
        String f = string(path + ".format", m.get("format"));
        if (!f.equals("text") && !f.equals("json")) {
          throw new UsageException(path + ".format", "'" + ParsedArgs.printable(f) + "' is not text or json");
        }
      }
      if (m.containsKey("fromStart") && !(m.get("fromStart") instanceof Boolean)) {
        throw new UsageException(path + ".fromStart", "must be true or false");
      }
      integer(path, m, "pollMs", 10, 3_600_000);
    } else {
      if (m.containsKey("protocol")) {
        String p = string(path + ".protocol", m.get("protocol"));
        if (!p.equals("udp") && !p.equals("tcp")) {
          throw new UsageException(path + ".protocol", "'" + ParsedArgs.printable(p) + "' is not udp or tcp");
        }
      }
      integer(path, m, "port", 1, 65535);
      integer(path, m, "idleTimeout", 1, 86_400);
      integer(path, m, "maxConnections", 1, 10_000);
      if (m.containsKey("bind")) {
        string(path + ".bind", m.get("bind"));
      }
    }
    return new Input(path, type, Collections.unmodifiableMap(m), Collections.unmodifiableMap(types));
  }

  /** An integer setting in range, or the default when absent. */
  static int integer(String path, Map<String, Object> m, String key, int min, int max) {
    Object v = m.get(key);
    if (v == null) {
      return -1;
    }
    if (!(v instanceof Long n)) {
      throw new UsageException(path + "." + key, "must be a whole number");
    }
    if (n < min || n > max) {
      throw new UsageException(path + "." + key, n + " is outside " + min + ".." + max);
    }
    return n.intValue();
  }

  private static void allowed(String prefix, Map<String, Object> m, Set<String> keys) {
    for (String k : m.keySet()) {
      if (!keys.contains(k)) {
        throw new UsageException(prefix + k, "unknown key; expected one of " + String.join(", ",
            keys.stream().sorted().toList()));
      }
    }
  }

  private static Object required(String prefix, Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      throw new UsageException(prefix + key, "is required");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String path, Object v) {
    if (!(v instanceof Map)) {
      throw new UsageException(path, "must be a JSON object ({...})");
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(String path, Object v) {
    if (!(v instanceof List)) {
      throw new UsageException(path, "must be a JSON array ([...])");
    }
    return (List<Object>) v;
  }

  private static String string(String path, Object v) {
    if (!(v instanceof String s) || s.isBlank()) {
      throw new UsageException(path, "must be a non-empty string");
    }
    return s.strip();
  }

  /** Reads one JSON value into maps (in key order), lists, strings, longs, doubles, booleans and null. */
  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new UsageException("config", "is empty");
    }
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          if (m.containsKey(name)) {
            throw new UsageException(name, "appears twice in one object");
          }
          m.put(name, read(p));
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(read(p));
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? (Object) p.getDoubleValue() : p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }
}
