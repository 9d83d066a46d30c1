package io.loganalytics.sdk.impl.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The legacy agent's {@code omsadmin.conf}: one {@code KEY=value} per line, in the order written, no quoting (it is
 * sourced by shell scripts). Lines starting with {@code #} and blank lines are ignored when read; unknown keys are
 * kept and written back. {@code DSC_ENDPOINT} has its parentheses backslash-escaped on disk, as omsadmin.sh wrote it
 * (PROTOCOL §B2 step 7); the value held here is unescaped. Immutable and thread-safe.
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

  static OmsAdminConf of(Map<String, String> entries) {
    return new OmsAdminConf(new LinkedHashMap<>(entries));
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
      String value = k.equals(DSC_ENDPOINT) ? v.replace("(", "\\(").replace(")", "\\)") : v;
      sb.append(k).append('=').append(value).append('\n');
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

  OmsAdminConf with(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(entries);
    m.put(key, value == null ? "" : value);
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
