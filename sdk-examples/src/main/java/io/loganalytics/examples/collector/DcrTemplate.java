package io.loganalytics.examples.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Infers a custom table and a data collection rule from sample records, as the portal's "create a table from a
 * sample" does: one column per top-level field, typed {@code string}, {@code int}, {@code long}, {@code real},
 * {@code boolean}, {@code datetime} or {@code dynamic} (objects and arrays); a field seen with several types takes
 * the wider one ({@code int} then {@code long} then {@code real}; {@code datetime} with {@code string} is
 * {@code string}; anything else mixed is {@code dynamic}); a field that was only ever {@code null} is
 * {@code string}.
 *
 * <p>{@code TimeGenerated}, which every table needs: a {@code TimeGenerated} datetime field in the samples is kept;
 * otherwise the first datetime field is copied into it by the DCR's {@code transformKql}
 * ({@code source | extend TimeGenerated = todatetime(['time'])}); with none, the ingestion time
 * ({@code now()}). Fields whose names a table cannot hold (a table's columns are letters, digits and {@code _},
 * starting with a letter) are renamed in the table and by the transformation.
 *
 * <p>Pure: {@link #infer} reads lines, {@link #render} writes JSON. Not thread-safe (one instance per template).
 */
final class DcrTemplate {
  /** The Log Analytics limit of columns per table. */
  static final int MAX_COLUMNS = 500;
  static final Pattern TABLE_STREAM = Pattern.compile("Custom-([A-Za-z][A-Za-z0-9_]{0,44}_CL)");
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,499}");
  private static final JsonFactory JSON = new JsonFactory();

  /** A problem with one sample line; the line number is 1-based. */
  static final class SampleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SampleException(long line, String problem) {
      super("line " + line + ": " + problem);
    }
  }

  private final Map<String, String> types = new LinkedHashMap<>();
  private long records;

  /**
   * Reads one sample line (a JSON object); blank lines are skipped.
   *
   * @param lineNo its 1-based number, for errors
   * @param line the line
   * @throws SampleException when it is not one JSON object, or the table would have too many columns
   */
  void add(long lineNo, String line) {
    if (line.isBlank()) {
      return;
    }
    Map<String, String> seen = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new SampleException(lineNo, "is not a JSON object ({...})");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        String type = switch (v) {
          case VALUE_STRING -> isDateTime(p.getText()) ? "datetime" : "string";
          case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.INT ? "int"
              : p.getNumberType() == JsonParser.NumberType.LONG ? "long" : "real";
          case VALUE_NUMBER_FLOAT -> "real";
          case VALUE_TRUE, VALUE_FALSE -> "boolean";
          case START_OBJECT, START_ARRAY -> {
            p.skipChildren();
            yield "dynamic";
          }
          default -> null;
        };
        if (seen.containsKey(name)) {
          throw new SampleException(lineNo, "field '" + ParsedArgs.printable(name) + "' appears twice");
        }
        seen.put(name, type);
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new SampleException(lineNo, "is not a single JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new SampleException(lineNo, "is not valid JSON (" + String.valueOf(e.getOriginalMessage()).split("\n")[0]
          + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, String> e : seen.entrySet()) {
      if (!types.containsKey(e.getKey()) && types.size() >= MAX_COLUMNS) {
        throw new SampleException(lineNo, "more than " + MAX_COLUMNS + " fields; a table holds at most "
            + MAX_COLUMNS + " columns");
      }
      types.merge(e.getKey(), e.getValue() == null ? "null" : e.getValue(), DcrTemplate::wider);
    }
    records++;
  }

  /** @return the records read */
  long records() {
    return records;
  }

  /** @return the inferred columns of the samples, by field name, in first-seen order */
  Map<String, String> columns() {
    Map<String, String> out = new LinkedHashMap<>();
    types.forEach((k, v) -> out.put(k, v.equals("null") ? "string" : v));
    return out;
  }

  static String wider(String a, String b) {
    if (a.equals(b) || b.equals("null")) {
      return a;
    }
    if (a.equals("null")) {
      return b;
    }
    List<String> numeric = List.of("int", "long", "real");
    if (numeric.contains(a) && numeric.contains(b)) {
      return numeric.get(Math.max(numeric.indexOf(a), numeric.indexOf(b)));
    }
    if ((a.equals("datetime") && b.equals("string")) || (a.equals("string") && b.equals("datetime"))) {
      return "string";
    }
    return "dynamic";
  }

  static boolean isDateTime(String s) {
    if (s.length() < 10 || s.length() > 40 || !Character.isDigit(s.charAt(0))) {
      return false;
    }
    try {
      OffsetDateTime.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      try {
        LocalDateTime.parse(s);
        return true;
      } catch (DateTimeParseException e2) {
        return false;
      }
    }
  }

  /** A name a table column can have: invalid characters become '_', and a leading non-letter gets a prefix. */
  static String columnName(String field) {
    if (COLUMN.matcher(field).matches()) {
      return field;
    }
    String s = field.replaceAll("[^A-Za-z0-9_]", "_");
    if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
      s = "f_" + s;
    }
    return s.length() > 500 ? s.substring(0, 500) : s;
  }

  /**
   * The transformation from the stream to the table.
   *
   * @return the KQL
   */
  String transformKql() {
    Map<String, String> cols = columns();
    StringBuilder kql = new StringBuilder("source");
    List<String> renames = new ArrayList<>();
    for (String field : cols.keySet()) {
      if (field.equals("TimeGenerated") && !"datetime".equals(cols.get(field))) {
        renames.add("TimeGenerated_original = ['TimeGenerated']");
      } else if (!columnName(field).equals(field)) {
        renames.add(columnName(field) + " = ['" + kqlString(field) + "']");
      }
    }
    if (!renames.isEmpty()) {
      kql.append(" | project-rename ").append(String.join(", ", renames));
    }
    if (!"datetime".equals(cols.get("TimeGenerated"))) {
      String time = cols.entrySet().stream().filter(e -> e.getValue().equals("datetime")
          && !e.getKey().equals("TimeGenerated")).map(Map.Entry::getKey).findFirst().orElse(null);
      kql.append(time == null ? " | extend TimeGenerated = now()"
          : " | extend TimeGenerated = todatetime(['" + kqlString(columnName(time)) + "'])");
    }
    return kql.toString();
  }

  private static String kqlString(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }

  /**
   * The table and the DCR, ready to deploy (after replacing the two placeholders when they are not given).
   *
   * @param stream the stream, {@code Custom-<table>_CL}
   * @param location the DCR's Azure region
   * @param workspaceResourceId the destination workspace's resource id
   * @return pretty-printed JSON with {@code table} and {@code dataCollectionRule}
   */
  String render(String stream, String location, String workspaceResourceId) {
    var m = TABLE_STREAM.matcher(stream);
    if (!m.matches()) {
      throw new IllegalArgumentException("stream");
    }
    String table = m.group(1);
    Map<String, String> cols = columns();
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter());
      g.writeStartObject();
      g.writeStringField("_comment", "Inferred by dcr-template from " + records + " sample records. Deploy the table "
          + "first (PUT .../workspaces/<ws>/tables/" + table + "?api-version=2022-10-01 with 'table'), then the DCR "
          + "(PUT .../dataCollectionRules/<name>?api-version=2023-03-11 with 'dataCollectionRule'), then give the "
          + "sender the role 'Monitoring Metrics Publisher' on the DCR.");
      g.writeObjectFieldStart("table");
      g.writeObjectFieldStart("properties");
      g.writeObjectFieldStart("schema");
      g.writeStringField("name", table);
      g.writeArrayFieldStart("columns");
      column(g, "TimeGenerated", "datetime");
      for (Map.Entry<String, String> e : cols.entrySet()) {
        if (e.getKey().equals("TimeGenerated")) {
          if (!e.getValue().equals("datetime")) {
            column(g, "TimeGenerated_original", e.getValue());
          }
          continue;
        }
        column(g, columnName(e.getKey()), e.getValue());
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.writeObjectFieldStart("dataCollectionRule");
      g.writeStringField("location", location);
      g.writeStringField("kind", "Direct");
      g.writeObjectFieldStart("properties");
      g.writeObjectFieldStart("streamDeclarations");
      g.writeObjectFieldStart(stream);
      g.writeArrayFieldStart("columns");
      for (Map.Entry<String, String> e : cols.entrySet()) {
        column(g, e.getKey(), e.getValue());
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeObjectFieldStart("destinations");
      g.writeArrayFieldStart("logAnalytics");
      g.writeStartObject();
      g.writeStringField("workspaceResourceId", workspaceResourceId);
      g.writeStringField("name", "workspace");
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeArrayFieldStart("dataFlows");
      g.writeStartObject();
      g.writeArrayFieldStart("streams");
      g.writeString(stream);
      g.writeEndArray();
      g.writeArrayFieldStart("destinations");
      g.writeString("workspace");
      g.writeEndArray();
      g.writeStringField("transformKql", transformKql());
      g.writeStringField("outputStream", stream);
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString() + System.lineSeparator();
  }

  private static void column(JsonGenerator g, String name, String type) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("type", type);
    g.writeEndObject();
  }

  /** @return the table of a Data Collector Log-Type: {@code X_CL} */
  static String tableOf(String logType) {
    return logType + "_CL";
  }
}
