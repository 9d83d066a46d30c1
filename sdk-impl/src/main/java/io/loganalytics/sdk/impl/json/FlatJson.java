package io.loganalytics.sdk.impl.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes small, flat JSON objects: token answers of Microsoft Entra ID and managed identity endpoints, and
 * the header and claims of a JWT client assertion. Only the top level is kept: string, number and boolean members
 * (numbers as {@code Long} or {@code Double}), arrays of scalars as {@code List}s; nested objects are skipped.
 *
 * <p>Internal, not API (Jackson stays in this package). Stateless and thread-safe.
 */
public final class FlatJson {
  /** The most bytes read from an answer; a token answer is a few kilobytes. */
  public static final int MAX_BYTES = 256 * 1024;

  private FlatJson() {}

  /**
   * Parses a JSON object's top-level members.
   *
   * @param json the bytes, UTF-8
   * @return the members in order, or empty when the bytes are not a JSON object (or longer than {@link #MAX_BYTES})
   */
  public static Optional<Map<String, Object>> parseObject(byte[] json) {
    if (json == null || json.length == 0 || json.length > MAX_BYTES) {
      return Optional.empty();
    }
    try (JsonParser p = RecordEncoder.FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      Map<String, Object> out = new LinkedHashMap<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.START_ARRAY) {
          List<Object> list = new ArrayList<>();
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e == JsonToken.START_OBJECT || e == JsonToken.START_ARRAY) {
              p.skipChildren();
            } else {
              list.add(scalar(p, e));
            }
          }
          out.put(name, List.copyOf(list));
        } else if (v == JsonToken.START_OBJECT) {
          p.skipChildren();
        } else {
          Object s = scalar(p, v);
          if (s != null) {
            out.put(name, s);
          }
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return Optional.empty();
      }
      return Optional.of(out);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Object scalar(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.INT || p.getNumberType() == JsonParser.NumberType.LONG
            ? (Object) p.getLongValue() : (Object) p.getText();
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

  /**
   * Writes a flat JSON object.
   *
   * @param members the members: {@code String}, {@code Number} or {@code Boolean} values
   * @return the UTF-8 bytes
   */
  public static byte[] write(Map<String, ?> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = RecordEncoder.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      for (Map.Entry<String, ?> e : members.entrySet()) {
        Object v = e.getValue();
        if (v instanceof Long || v instanceof Integer) {
          g.writeNumberField(e.getKey(), ((Number) v).longValue());
        } else if (v instanceof Boolean) {
          g.writeBooleanField(e.getKey(), (Boolean) v);
        } else {
          g.writeStringField(e.getKey(), String.valueOf(v));
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }
}
