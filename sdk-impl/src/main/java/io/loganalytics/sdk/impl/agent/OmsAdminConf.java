package io.loganalytics.sdk.impl.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The legacy agent's {@code omsadmin.conf}: one {@code KEY=value} per line, in the order written, no quoting (it is
 * sourced by shell scripts). Lines starting with {@code #} and blank lines are ignored when read; unknown keys are
 * kept and written back. {@code DSC_ENDPOINT} has its parentheses backslash-escaped on disk, as omsadmin.sh wrote it
 * (PROTOCOL §B2 step 7); the value held here is unescaped.
 *
 * <p>No value can create a key: keys must be shell names ({@code [A-Za-z_][A-Za-z0-9_]*}) and values must not hold a
 * control character (line feed, carriage return, NUL, ...) or a Unicode line or paragraph separator; {@link #of} and
 * {@link #with} refuse anything else with an {@link IllegalArgumentException} naming the key, so a value a server
 * sent (an {@code <Endpoint>} with a line break and {@code URL_TLD=...}) never reaches the file. Immutable and
 * thread-safe.
 */
final class OmsAdminConf {
  static final String WORKSPACE_ID = "WORKSPACE_ID";
  static final String AGENT_GUID = "AGENT_GUID";
  static final String LOG_FACILITY = "LOG_FACILITY";
  static final String CERTIFICATE_UPDATE_ENDPOINT = "CERTIFICATE_UPDATE_ENDPOINT";
  static final String URL_TLD = "URL_TLD";
  static final String DSC_ENDPOINT = "DSC_ENDPOINT";
  static final String OMS_ENDPOINT = "OMS_ENDPOINT";
  static final String AZURE_RESOURCE_ID = "AZURE_RESOURCE_ID";
  static final String OMSCLOUD_ID = "OMSCLOUD_ID";
  static final String UUID = "UUID";

  private final Map<String, String> entries;

  private OmsAdminConf(Map<String, String> entries) {
    this.entries = Collections.unmodifiableMap(entries);
  }

  /**
   * A configuration of these entries, in their order.
   *
   * @throws IllegalArgumentException naming the key when a key is not a shell name or a value holds a control
   *     character or a line break
   */
  static OmsAdminConf of(Map<String, String> entries) {
    Map<String, String> m = new LinkedHashMap<>();
    entries.forEach((k, v) -> m.put(checkKey(k), checkValue(k, v == null ? "" : v)));
    return new OmsAdminConf(m);
  }

  /**
   * Refuses a key that is not a shell variable name.
   *
   * @return the key
   */
  static String checkKey(String key) {
    boolean ok = key != null && !key.isEmpty();
    for (int i = 0; ok && i < key.length(); i++) {
      char c = key.charAt(i);
      ok = c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9';
    }
    if (!ok) {
      throw new IllegalArgumentException("omsadmin.conf key " + printable(String.valueOf(key))
          + " is not a name of letters, digits and underscores");
    }
    return key;
  }

  /**
   * Refuses a value with a control character or a line break, which would start a new line (and a new key) in the
   * file, or confuse the shell scripts that source it.
   *
   * @return the value
   */
  static String checkValue(String key, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        throw new IllegalArgumentException("the value for " + key + " in omsadmin.conf holds a control character "
            + "or line break (" + String.format("U+%04X", (int) c) + " at index " + i + "); it is not written");
      }
    }
    return value;
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return sb.append(s.length() > 64 ? "...'" : "'").toString();
  }

  static OmsAdminConf parse(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
          || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      if (key.equals(DSC_ENDPOINT)) {
        value = value.replace("\\(", "(").replace("\\)", ")");
      }
      m.put(key, value);
    }
    return new OmsAdminConf(m);
  }

  String format() {
    StringBuilder sb = new StringBuilder();
    entries.forEach((k, v) -> {
      // Checked again at the last moment: whatever built this map, no value starts a line.
      String value = checkValue(k, k.equals(DSC_ENDPOINT) ? v.replace("(", "\\(").replace(")", "\\)") : v);
      sb.append(checkValue("a key", k)).append('=').append(value).append('\n');
    });
    return sb.toString();
  }

  Optional<String> get(String key) {
    String v = entries.get(key);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  Map<String, String> entries() {
    return entries;
  }

  /**
   * This configuration with one key set.
   *
   * @throws IllegalArgumentException naming the key when the key is not a shell name or the value holds a control
   *     character or a line break
   */
  OmsAdminConf with(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(entries);
    m.put(checkKey(key), checkValue(key, value == null ? "" : value));
    return new OmsAdminConf(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OmsAdminConf && ((OmsAdminConf) o).entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "OmsAdminConf" + entries;
  }
}
