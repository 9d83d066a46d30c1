package io.loganalytics.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and checks the JSON bodies of both upload paths with Jackson's streaming parser (duplicate keys are an
 * error).
 *
 * <p>Data Collector bodies (PROTOCOL §B5d) must be an array of objects; property names only letters, digits and
 * {@code _}, at most {@value #MAX_NAME_LENGTH} characters, not one of the reserved names {@code tenant},
 * {@code TimeGenerated}, {@code RawData} (compared without case); at most {@value #MAX_COLUMNS} distinct property
 * names per request; no string value longer than {@value #MAX_FIELD_BYTES} bytes in UTF-8. The real service
 * truncates longer values silently; the emulator rejects them ({@code 400 InvalidDataFormat}) so that tests notice
 * data that would be cut. Nested values are accepted (the service stores them as JSON text).
 *
 * <p>ODS bodies (PROTOCOL §B5a) must be an object with exactly {@code DataType} and {@code IPName} (non-empty
 * strings) and {@code DataItems} (an array of objects, whose values are not restricted).
 *
 * <p>Stateless and thread-safe.
 */
final class JsonBodies {
  static final int MAX_FIELD_BYTES = 32 * 1024;
  static final int MAX_NAME_LENGTH = 45;
  static final int MAX_COLUMNS = 500;
  private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9_]+");
  private static final Set<String> RESERVED = Set.of("tenant", "timegenerated", "rawdata");
  private static final String DATA_FORMAT = "InvalidDataFormat";

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
      .build();

  /** The envelope of a {@code PostJsonDataItems} request. */
  static final class OdsEnvelope {
    final String dataType;
    final String ipName;
    final List<Map<String, Object>> items;

    OdsEnvelope(String dataType, String ipName, List<Map<String, Object>> items) {
      this.dataType = dataType;
      this.ipName = ipName;
      this.items = items;
    }
  }

  private JsonBodies() {}

  /** Parses and checks a Data Collector body; a violation is a 400 {@code InvalidDataFormat} rejection. */
  static List<Map<String, Object>> parseDataCollector(byte[] body) {
    Object value = parseDocument(body, DATA_FORMAT);
    if (!(value instanceof List)) {
      throw new Rejection(400, DATA_FORMAT, "the body is a JSON " + kind(value) + "; expected an array of objects");
    }
    List<?> array = (List<?>) value;
    List<Map<String, Object>> records = new ArrayList<>(array.size());
    Set<String> columns = new LinkedHashSet<>();
    for (int i = 0; i < array.size(); i++) {
      Object element = array.get(i);
      if (!(element instanceof Map)) {
        throw new Rejection(400, DATA_FORMAT, "element " + i + " of the array is a JSON " + kind(element)
            + "; expected an object");
      }
      Map<String, Object> record = asRecord(element);
      for (Map.Entry<String, Object> field : record.entrySet()) {
        checkField(i, field.getKey(), field.getValue());
        columns.add(field.getKey());
      }
      records.add(record);
    }
    if (columns.size() > MAX_COLUMNS) {
      throw new Rejection(400, DATA_FORMAT, "the records have " + columns.size() + " distinct properties; at most "
          + MAX_COLUMNS + " columns are allowed");
    }
    return records;
  }

  /**
   * Parses a Logs Ingestion body: a JSON array of objects (possibly empty); any property names, nested values
   * allowed. A violation is a 400 rejection with code {@code InvalidPayload}.
   */
  static List<Map<String, Object>> parseArrayOfObjects(byte[] body) {
    Object value = parseDocument(body, "InvalidPayload");
    if (!(value instanceof List)) {
      throw new Rejection(400, "InvalidPayload", "the body is a JSON " + kind(value) + "; expected an array of "
          + "objects");
    }
    List<?> array = (List<?>) value;
    List<Map<String, Object>> records = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object element = array.get(i);
      if (!(element instanceof Map)) {
        throw new Rejection(400, "InvalidPayload", "element " + i + " of the array is a JSON " + kind(element)
            + "; expected an object");
      }
      records.add(asRecord(element));
    }
    return records;
  }

  private static void checkField(int index, String name, Object value) {
    String where = "record " + index + ", property '" + TopologyXml.abbreviate(name) + "'";
    if (!PROPERTY_NAME.matcher(name).matches()) {
      throw new Rejection(400, DATA_FORMAT, where + ": property names may use only letters, digits and _");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new Rejection(400, DATA_FORMAT, where + ": the name is " + name.length() + " characters; at most "
          + MAX_NAME_LENGTH + " are allowed");
    }
    if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
      throw new Rejection(400, DATA_FORMAT, where + ": the name is reserved (tenant, TimeGenerated, RawData)");
    }
    if (value instanceof String) {
      int bytes = ((String) value).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_FIELD_BYTES) {
        throw new Rejection(400, DATA_FORMAT, where + ": the value is " + bytes + " bytes; the limit is "
            + MAX_FIELD_BYTES + " bytes (32 KB), the service would truncate it");
      }
    }
  }

  /** Parses and checks an ODS envelope; a violation is a 400 {@code InvalidRequestFormat} rejection. */
  static OdsEnvelope parseOds(byte[] body) {
    String code = "InvalidRequestFormat";
    Object value = parseDocument(body, code);
    if (!(value instanceof Map)) {
      throw new Rejection(400, code, "the body is a JSON " + kind(value)
          + "; expected an object with DataType, IPName and DataItems");
    }
    Map<String, Object> envelope = asRecord(value);
    for (String key : envelope.keySet()) {
      if (!key.equals("DataType") && !key.equals("IPName") && !key.equals("DataItems")) {
        throw new Rejection(400, code, "the envelope has the unexpected property '" + TopologyXml.abbreviate(key)
            + "'; expected only DataType, IPName and DataItems");
      }
    }
    String dataType = requireString(envelope, "DataType", code);
    String ipName = requireString(envelope, "IPName", code);
    Object items = envelope.get("DataItems");
    if (!(items instanceof List)) {
      throw new Rejection(400, code, "DataItems is " + (items == null ? "missing" : "a JSON " + kind(items))
          + "; expected an array of objects");
    }
    List<?> array = (List<?>) items;
    List<Map<String, Object>> records = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.get(i) instanceof Map)) {
        throw new Rejection(400, code, "DataItems[" + i + "] is a JSON " + kind(array.get(i))
            + "; expected an object");
      }
      records.add(asRecord(array.get(i)));
    }
    return new OdsEnvelope(dataType, ipName, records);
  }

  private static String requireString(Map<String, Object> envelope, String key, String code) {
    Object v = envelope.get(key);
    if (!(v instanceof String) || ((String) v).isBlank()) {
      throw new Rejection(400, code, key + " is " + (v == null ? "missing" : v instanceof String ? "empty"
          : "a JSON " + kind(v)) + "; expected a non-empty string");
    }
    return (String) v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asRecord(Object value) {
    return (Map<String, Object>) value;
  }

  private static Object parseDocument(byte[] body, String code) {
    if (body.length == 0) {
      throw new Rejection(400, code, "the body is empty");
    }
    try (JsonParser parser = FACTORY.createParser(body)) {
      JsonToken first = parser.nextToken();
      Object value = read(parser, first);
      if (parser.nextToken() != null) {
        throw new Rejection(400, code, "the body has content after the JSON value");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new Rejection(400, code, "the body is not valid JSON: "
          + TopologyXml.abbreviate(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new Rejection(400, code, "the body cannot be read: " + TopologyXml.abbreviate(e.toString()));
    }
  }

  private static Object read(JsonParser parser, JsonToken token) throws IOException {
    if (token == null) {
      throw new Rejection(400, DATA_FORMAT, "the body ends before a JSON value");
    }
    switch (token) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          map.put(name, read(parser, parser.nextToken()));
        }
        return Collections.unmodifiableMap(map);
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          list.add(read(parser, t));
        }
        return Collections.unmodifiableList(list);
      }
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT: {
        BigInteger big = parser.getBigIntegerValue();
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
      }
      case VALUE_NUMBER_FLOAT: {
        double d = parser.getDoubleValue();
        return Double.isInfinite(d) ? (Object) parser.getDecimalValue() : (Object) d;
      }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected JSON token " + token);
    }
  }

  private static String kind(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map) {
      return "object";
    }
    if (value instanceof List) {
      return "array";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof BigDecimal || value instanceof Number) {
      return "number";
    }
    return value.getClass().getSimpleName();
  }
}
