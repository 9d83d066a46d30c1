package io.loganalytics.sdk.impl.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a small JSON object, such as a token endpoint's answer, into a map of its scalar members as text: strings
 * as they are, numbers and booleans in their JSON spelling. Members of nested objects are named with dots
 * ({@code error.code}); arrays and {@code null} are skipped. Internal, not API. Stateless and thread-safe.
 *
 * <p>Failures never quote the input (it may hold a token): they say where the JSON broke, not what it said.
 */
public final class FlatJsonObject {
  private static final int MAX_DEPTH = 8;
  private static final int MAX_MEMBERS = 256;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  private FlatJsonObject() {}

  /**
   * Parses the object.
   *
   * @param json UTF-8 JSON whose top level is an object
   * @return the scalar members, in order, unmodifiable
   * @throws IllegalArgumentException when the bytes are not one JSON object, are nested too deeply or hold too many
   *     members; the message never shows the input
   */
  public static Map<String, String> parse(byte[] json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Map<String, String> out = new LinkedHashMap<>();
      readObject(p, "", out);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the JSON object");
      }
      return Collections.unmodifiableMap(out);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable JSON");
    }
  }

  private static void readObject(JsonParser p, String prefix, Map<String, String> out) throws IOException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      if (t != JsonToken.FIELD_NAME) {
        throw new IllegalArgumentException("malformed JSON object");
      }
      String name = prefix + p.currentName();
      JsonToken v = p.nextToken();
      if (v == null) {
        throw new IllegalArgumentException("truncated JSON");
      }
      switch (v) {
        case START_OBJECT:
          readObject(p, name + ".", out);
          break;
        case START_ARRAY:
          p.skipChildren();
          break;
        case VALUE_NULL:
          break;
        default:
          if (out.size() >= MAX_MEMBERS) {
            throw new IllegalArgumentException("more than " + MAX_MEMBERS + " members");
          }
          out.put(name, p.getText());
      }
    }
  }
}
