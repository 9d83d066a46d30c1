package io.loganalytics.sdk.impl.json;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.SerializedString;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.RecordTooLargeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.Temporal;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns what {@code send} and {@code sendJson} receive into {@linkplain RecordFormat record bytes}, checking the
 * {@link JsonLimits} on the way so that a record that can never be sent is refused before it reaches the buffer.
 * Maps are written with Jackson's streaming generator, no intermediate tree; a JSON string is validated with the
 * streaming parser and stored as given (only the whitespace around the object is cut), never re-encoded.
 *
 * <p>Values a map may hold: {@link CharSequence}, {@link Number} (finite), {@link Boolean}, {@code null},
 * {@link Temporal} (ISO-8601: {@code Instant} as {@code 2024-05-01T10:00:00Z}, offset and zoned date-times with
 * their offset, local date-times, dates and times as such), {@link Date} (as an instant), {@link java.util.UUID},
 * enums (their name), {@link java.time.Duration} (ISO-8601), nested {@link Map}s (keys by {@code toString()}),
 * {@link Iterable}s and object arrays; nesting at most {@value #MAX_DEPTH} deep. Anything else is refused with an
 * {@link InvalidRecordException} naming the top-level field. A record's values are never echoed in a message (they
 * may be sensitive): messages name the field and say what is wrong; a field name appears only as a short excerpt,
 * and a JSON syntax error gives the position and quotes at most the one unexpected character.
 *
 * <p>Internal, not API. Thread-safe: the Jackson factory is shared; each calling thread keeps its own output buffer
 * and generator ({@link Encoding}) between records, a few kilobytes per thread (up to about 30 KB with the string
 * values it remembers).
 */
public final class RecordEncoder {
  /** The deepest nesting a map record may have; deeper usually means a cycle. */
  public static final int MAX_DEPTH = 64;

  /**
   * The deepest nesting of objects and arrays a JSON record ({@code sendJson}) may have, the record's own object
   * counting as the first level: deeper is refused with an {@link InvalidRecordException} naming the limit.
   */
  public static final int MAX_JSON_DEPTH = 1000;

  /** The most characters of a malformed JSON token the parser quotes (removed again by {@link #syntaxProblem}). */
  static final int ERROR_TOKEN_CHARS = 8;

  static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .errorReportConfiguration(ErrorReportConfiguration.builder()
          .maxErrorTokenLength(ERROR_TOKEN_CHARS)
          .maxRawContentLength(0)
          .build())
      .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
      .build();

  /** Sink and generator of this thread, reused while the records stay under {@link #RETAINED_BYTES}. */
  private static final int RETAINED_BYTES = 64 * 1024;

  private final JsonLimits limits;
  private final ThreadLocal<Encoding> encoding = ThreadLocal.withInitial(Encoding::new);

  /**
   * Creates an encoder.
   *
   * @param limits the limits records must respect
   */
  public RecordEncoder(JsonLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** @return the limits checked */
  public JsonLimits limits() {
    return limits;
  }

  /**
   * Encodes a map as a record.
   *
   * @param type the type (already validated by the caller)
   * @param ipName the IPName, empty for none (already validated)
   * @param record the fields
   * @return the record bytes
   * @throws InvalidRecordException naming the field when a value cannot be written (type not supported, not a
   *     finite number, nested too deeply) or a field name breaks a rule, or {@code record} when it has too many
   *     fields
   * @throws RecordTooLargeException when the record or one of its values is larger than the limits
   */
  public byte[] encode(String type, String ipName, Map<String, ?> record) {
    Objects.requireNonNull(record, "record");
    Encoding enc = encoding.get();
    ByteSink out = enc.out;
    JsonGenerator g = enc.generator;
    out.reset();
    enc.writeHeader(type, ipName);
    int jsonStart = out.size();
    boolean ok = false;
    try {
      g.writeStartObject();
      int fields = 0;
      for (Map.Entry<String, ?> e : record.entrySet()) {
        String name = Objects.toString(e.getKey());
        SerializedString known = enc.knownName(name, fields);
        if (known == null) {
          checkField(name, ++fields);
          enc.remember(name);
          g.writeFieldName(name);
        } else { // already accepted by these limits on this thread, and its quoted UTF-8 is ready
          checkFieldCount(++fields);
          g.writeFieldName(known);
        }
        long before = out.size() + g.getOutputBuffered();
        Object value = e.getValue();
        if (value instanceof String) {
          enc.writeString((String) value, fields - 1);
        } else {
          writeValue(g, name, value, 1, enc);
        }
        if (limits.maxFieldValueBytes() > 0) {
          long after = out.size() + g.getOutputBuffered();
          checkValueSize(name, e.getValue(), after - before - 1);
        }
        if (out.size() - jsonStart > limits.maxRecordJsonBytes()) {
          throw tooLarge(out.size() - jsonStart);
        }
      }
      g.writeEndObject();
      g.flush();
      ok = true;
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    } finally {
      if (!ok || out.capacity() > RETAINED_BYTES) {
        // A record that failed half-way leaves the generator inside it; a large one leaves a large buffer.
        encoding.remove();
      }
    }
    int jsonBytes = out.size() - jsonStart;
    if (jsonBytes > limits.maxRecordJsonBytes()) {
      throw tooLarge(jsonBytes);
    }
    return out.toByteArray();
  }

  /**
   * A sending thread's reusable output: the sink and a generator writing into it, kept between records so that
   * encoding a record allocates little more than its result (and a copy of each string value that needs no escape,
   * {@link RecordEncoder#writeString}). The generator writes one root-level object per record with no
   * separator; it is flushed after each record, so the sink then holds exactly that record.
   */
  private static final class Encoding {
    final ByteSink out = new ByteSink(1024);
    final JsonGenerator generator;
    /** Room for one ISO-8601 instant: the last one written, whose date and time to the second are reused. */
    private final byte[] instant = new byte[ISO_INSTANT_MAX_BYTES];
    private long instantSecond = Long.MIN_VALUE;
    /** The last type and IP name and their bytes: a thread usually sends one type, so they are encoded once. */
    private String type;
    private byte[] typeBytes;
    private String ipName;
    private byte[] ipNameBytes;
    /**
     * Top-level field names that passed {@link #checkField} on this thread, with their quoted UTF-8 (at most
     * {@value #MAX_NAMES}): an appender writes the same few names on every record, and Jackson then copies their
     * bytes instead of encoding and escaping the characters again. Only printable ASCII names without a quote or
     * backslash are kept, so the bytes are the same as {@code writeFieldName(String)} writes.
     */
    final Map<String, SerializedString> names = new HashMap<>();
    static final int MAX_NAMES = 64;
    /**
     * The name found at each position of the last records and its entry in {@link #names}: an appender adds the
     * same constant names in the same order, so comparing references usually replaces the map lookup.
     */
    private final String[] namesAt = new String[MAX_NAMES];
    private final SerializedString[] knownAt = new SerializedString[MAX_NAMES];

    /**
     * The quoted UTF-8 of a name in {@link #names}.
     *
     * @param position the field's position in its record, from 0
     * @return the name's bytes, or {@code null} when it has not passed {@link #checkField} on this thread yet
     */
    SerializedString knownName(String name, int position) {
      if (position < MAX_NAMES && namesAt[position] == name) {
        return knownAt[position];
      }
      SerializedString known = names.get(name);
      if (known != null && position < MAX_NAMES) {
        namesAt[position] = name;
        knownAt[position] = known;
      }
      return known;
    }

    /**
     * The top-level string value at each position of the last records, when it needed no escape, and its UTF-8:
     * an appender's level, logger and thread are usually the same {@code String} objects from record to record, so
     * comparing references replaces even the check for characters to escape.
     */
    private final String[] valuesAt = new String[MAX_NAMES];
    private final byte[][] valueBytesAt = new byte[MAX_NAMES][];
    /** The longest value kept in {@link #valuesAt}. */
    static final int MAX_KEPT_VALUE_CHARS = 256;

    /** Writes a top-level string value, the same bytes as {@link RecordEncoder#writeString}. */
    void writeString(String s, int position) throws IOException {
      if (position >= MAX_NAMES) {
        RecordEncoder.writeString(generator, s);
        return;
      }
      byte[] b;
      if (valuesAt[position] == s) {
        b = valueBytesAt[position];
      } else {
        b = plainBytes(s);
        if (b == null) {
          generator.writeString(s);
          return;
        }
        if (s.length() <= MAX_KEPT_VALUE_CHARS) {
          valuesAt[position] = s;
          valueBytesAt[position] = b;
        }
      }
      generator.writeRawUTF8String(b, 0, b.length);
    }

    /** Writes an instant as {@link #isoInstant(Instant)} does, without allocating. */
    void writeInstant(Instant t) throws IOException {
      long second = t.getEpochSecond();
      int n;
      if (second == instantSecond) { // the date and time up to the seconds are in place already
        n = isoFraction(t.getNano(), instant, ISO_SECONDS_BYTES);
      } else {
        n = isoInstant(t, instant);
        instantSecond = n > 0 ? second : Long.MIN_VALUE;
      }
      if (n > 0) {
        generator.writeRawUTF8String(instant, 0, n); // ASCII digits and separators: nothing to escape
      } else {
        generator.writeString(iso8601(t));
      }
    }

    void remember(String name) {
      if (names.size() >= MAX_NAMES) {
        return;
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
          return;
        }
      }
      names.put(name, new SerializedString(name));
    }

    void writeHeader(String type, String ipName) {
      if (!type.equals(this.type)) {
        this.typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        this.type = type;
      }
      if (!ipName.equals(this.ipName)) {
        this.ipNameBytes = ipName.getBytes(StandardCharsets.US_ASCII);
        this.ipName = ipName;
      }
      out.write(RecordFormat.VERSION);
      out.write(typeBytes.length);
      out.write(typeBytes, 0, typeBytes.length);
      out.write(ipNameBytes.length);
      out.write(ipNameBytes, 0, ipNameBytes.length);
    }

    Encoding() {
      try {
        generator = FACTORY.createGenerator(out, JsonEncoding.UTF8);
      } catch (IOException e) {
        throw new UncheckedIOException("creating a generator over memory failed", e);
      }
      generator.setRootValueSeparator(null);
    }
  }

  /**
   * Validates one JSON object and makes it a record, without re-encoding it.
   *
   * @param type the type (already validated)
   * @param ipName the IPName, empty for none (already validated)
   * @param jsonObject the JSON text
   * @return the record bytes
   * @throws InvalidRecordException naming {@code record} when the text is not exactly one JSON object or has too
   *     many fields, or naming the field when its name breaks a rule
   * @throws RecordTooLargeException when the record or one of its values is larger than the limits
   */
  public byte[] encodeJson(String type, String ipName, String jsonObject) {
    if (jsonObject == null) {
      throw new InvalidRecordException("record", "is null; expected one JSON object");
    }
    byte[] bytes = jsonObject.getBytes(StandardCharsets.UTF_8);
    int start;
    int end;
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidRecordException("record", "must be one JSON object ({...}), but "
            + (p.currentToken() == null ? "is empty" : "starts with " + describe(p.currentToken())));
      }
      start = (int) p.currentTokenLocation().getByteOffset();
      int fields = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        checkField(name, ++fields);
        JsonToken value = p.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          long from = p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          long to = p.currentLocation().getByteOffset();
          if (limits.maxFieldValueBytes() > 0 && to - from > limits.maxFieldValueBytes()) {
            throw fieldTooLarge(name, to - from);
          }
        } else if (value == JsonToken.VALUE_STRING && limits.maxFieldValueBytes() > 0) {
          String s = p.getText();
          checkStringSize(name, s);
        }
      }
      end = (int) p.currentLocation().getByteOffset();
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw new InvalidRecordException("record", "must be one JSON object, but more follows after its end (at "
            + "byte " + p.currentTokenLocation().getByteOffset() + ")");
      }
    } catch (StreamConstraintsException e) {
      // Thrown without a location; the message would quote Jackson's setting, the limit is ours.
      throw new InvalidRecordException("record", "nests objects and arrays more than " + MAX_JSON_DEPTH
          + " levels deep, the most a JSON record may have");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidRecordException("record", "is not valid JSON: " + syntaxProblem(e) + (at == null ? ""
          : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory failed", e);
    }
    int jsonBytes = end - start;
    if (jsonBytes > limits.maxRecordJsonBytes()) {
      throw tooLarge(jsonBytes);
    }
    return RecordFormat.build(type, ipName, bytes, start, jsonBytes);
  }

  /**
   * Checks a top-level field's name and the count of fields so far.
   *
   * @throws InvalidRecordException naming the field (as an excerpt) when its name breaks a rule, or {@code record}
   *     when there are too many fields
   */
  private void checkField(String name, int fields) {
    String problem = limits.checkFieldName(name);
    if (problem != null) {
      throw new InvalidRecordException(name.isEmpty() ? "record" : JsonLimits.excerpt(name), problem);
    }
    checkFieldCount(fields);
  }

  private void checkFieldCount(int fields) {
    String problem = limits.checkFieldCount(fields);
    if (problem != null) {
      throw new InvalidRecordException("record", problem);
    }
  }

  /**
   * Jackson's description of a syntax error without the record's text: the parser is configured never to include
   * the source and to cut a bad token after {@value #ERROR_TOKEN_CHARS} characters, and an unrecognized token
   * (perhaps an unquoted value) is left out entirely. What remains quotes at most the one unexpected character.
   */
  static String syntaxProblem(JsonProcessingException e) {
    return UNRECOGNIZED_TOKEN.matcher(String.valueOf(e.getOriginalMessage())).replaceFirst("Unrecognized token");
  }

  private static final Pattern UNRECOGNIZED_TOKEN = Pattern.compile("^Unrecognized token '.{0,"
      + (ERROR_TOKEN_CHARS + 3) + "}?'", Pattern.DOTALL);

  /** A token's kind in words; never its text (a value may be sensitive). */
  private static String describe(JsonToken t) {
    switch (t) {
      case START_ARRAY:
        return "an array ([)";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.name();
    }
  }

  /**
   * Checks a value against {@code maxFieldValueBytes}: a string by its UTF-8 length (what the service counts), any
   * other value by its JSON. A string's JSON (quotes, escapes) is always longer than its UTF-8, so a value whose JSON
   * fits needs no other check: the common case costs one comparison and no type check (a failed {@code instanceof}
   * of an interface scans the class's interfaces, a tenth of an appender row's encoding).
   */
  private void checkValueSize(String name, Object value, long jsonSpan) {
    if (jsonSpan <= limits.maxFieldValueBytes()) {
      return;
    }
    if (value instanceof CharSequence) {
      checkStringSize(name, value.toString());
    } else {
      throw fieldTooLarge(name, jsonSpan);
    }
  }

  private void checkStringSize(String name, String s) {
    int max = limits.maxFieldValueBytes();
    if ((long) s.length() * 3 <= max) {
      return; // even all three-byte characters would fit
    }
    long utf8 = utf8Length(s);
    if (utf8 > max) {
      throw fieldTooLarge(name, utf8);
    }
  }

  static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private RecordTooLargeException fieldTooLarge(String name, long bytes) {
    return new RecordTooLargeException("record field '" + JsonLimits.excerpt(name) + "' has " + bytes
        + " bytes; the service keeps at most " + limits.maxFieldValueBytes() + " bytes per field and would cut the rest, so the record is "
        + "refused: shorten or split the value");
  }

  private RecordTooLargeException tooLarge(long jsonBytes) {
    return new RecordTooLargeException("record has " + jsonBytes + " bytes of JSON (at least); one request may "
        + "carry at most " + limits.maxRecordJsonBytes() + " bytes for a record of this type (maxRequestBytes "
        + "minus the request envelope), so it could never be sent");
  }

  private static void writeValue(JsonGenerator g, String field, Object v, int depth, Encoding enc)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new InvalidRecordException(JsonLimits.excerpt(field), "is nested more than " + MAX_DEPTH
          + " levels deep (a map or list that contains itself?)");
    }
    // String, Boolean and Instant first: final classes, checked with one comparison each, none a CharSequence, so
    // the order changes no output. A failed instanceof of an interface (CharSequence) scans the value's class's
    // interfaces, which showed as a tenth of an appender row's encoding.
    if (v instanceof String) {
      writeString(g, (String) v);
    } else if (v == null) {
      g.writeNull();
    } else if (v instanceof Instant) {
      enc.writeInstant((Instant) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof CharSequence) {
      g.writeString(v.toString());
    } else if (v instanceof Number) {
      writeNumber(g, field, (Number) v);
    } else if (v instanceof Temporal) {
      g.writeString(iso8601((Temporal) v));
    } else if (v instanceof Date) {
      g.writeString(((Date) v).toInstant().toString());
    } else if (v instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, field, e.getValue(), depth + 1, enc);
      }
      g.writeEndObject();
    } else if (v instanceof Iterable) {
      g.writeStartArray();
      for (Object o : (Iterable<?>) v) {
        writeValue(g, field, o, depth + 1, enc);
      }
      g.writeEndArray();
    } else if (v instanceof Object[]) {
      g.writeStartArray();
      for (Object o : (Object[]) v) {
        writeValue(g, field, o, depth + 1, enc);
      }
      g.writeEndArray();
    } else if (v instanceof java.util.UUID || v instanceof java.time.Duration || v instanceof Character) {
      g.writeString(v.toString());
    } else if (v instanceof Enum) {
      g.writeString(((Enum<?>) v).name());
    } else {
      throw new InvalidRecordException(JsonLimits.excerpt(field), "holds a value of type "
          + v.getClass().getName() + ", which cannot be written as JSON; use a string, number, boolean, null, "
          + "date-time, map or list");
    }
  }

  /** The longest string {@link #writeString} checks for the shortcut (it copies the string's bytes once). */
  static final int PLAIN_MAX_CHARS = 8 * 1024;
  /** The shortest: below, copying the bytes costs more than Jackson's loop saves (measured, same JVM). */
  static final int PLAIN_MIN_CHARS = 16;

  /**
   * Writes a string value, the same bytes as {@link JsonGenerator#writeString(String)}: a string of printable ASCII
   * without a quote or backslash (what log lines, logger and thread names mostly are) is copied into the output as
   * its bytes, checked eight at a time, instead of character by character with Jackson's escaping; anything else
   * (control characters, non-ASCII, over {@value #PLAIN_MAX_CHARS} or under {@value #PLAIN_MIN_CHARS} characters)
   * goes to Jackson.
   */
  static void writeString(JsonGenerator g, String s) throws IOException {
    byte[] b = s.length() < PLAIN_MIN_CHARS ? null : plainBytes(s);
    if (b != null) {
      g.writeRawUTF8String(b, 0, b.length);
    } else {
      g.writeString(s);
    }
  }

  /** @return the bytes of a string that needs no escape in JSON, or {@code null} when it may need one */
  private static byte[] plainBytes(String s) {
    int n = s.length();
    if (n > PLAIN_MAX_CHARS) {
      return null;
    }
    // For a string of ASCII characters the JDK copies its bytes (vectorized); a longer array means non-ASCII.
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return b.length == n && isPlain(s, b) ? b : null;
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
      ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  /**
   * Whether the UTF-8 {@code b} of {@code s}, one byte per character, is printable ASCII without {@code "} or
   * {@code \}, so that JSON needs no escape in it. A {@code ?} may also stand for an unpaired surrogate (the JDK's
   * replacement when encoding), so it counts only where {@code s} has a {@code ?} too.
   */
  static boolean isPlain(String s, byte[] b) {
    int n = b.length;
    if (n < 8) {
      return isPlain(s, b, 0, n);
    }
    for (int i = 0; i < n; i += 8) {
      int at = Math.min(i, n - 8); // the last word overlaps the one before it rather than going byte by byte
      if (mayNeedEscape((long) LONGS.get(b, at)) && !isPlain(s, b, at, at + 8)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether one of eight bytes is below 0x20, at or above 0x80, a quote, a backslash or a question mark; may also
   * say so for a byte right after one of these (the byte check then decides exactly), never misses one.
   */
  private static boolean mayNeedEscape(long x) {
    long quote = x ^ (ONES * '"');
    long backslash = x ^ (ONES * '\\');
    long question = x ^ (ONES * '?');
    long m = (x - ONES * 0x20) | x | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)
        | ((question - ONES) & ~question);
    return (m & HIGH_BITS) != 0;
  }

  private static boolean isPlain(String s, byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c < 0x20 || c == '"' || c == '\\' || c == '?' && s.charAt(i) != '?') { // c < 0: not ASCII
        return false;
      }
    }
    return true;
  }

  private static void writeNumber(JsonGenerator g, String field, Number n) throws IOException {
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
      g.writeNumber(n.intValue());
    } else if (n instanceof Long) {
      g.writeNumber(n.longValue());
    } else if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new InvalidRecordException(JsonLimits.excerpt(field), "is " + d + ", which JSON cannot hold (only "
            + "finite numbers)");
      }
      if (n instanceof Float) {
        g.writeNumber(n.floatValue());
      } else {
        g.writeNumber(d);
      }
    } else if (n instanceof BigDecimal) {
      g.writeNumber((BigDecimal) n);
    } else if (n instanceof BigInteger) {
      g.writeNumber((BigInteger) n);
    } else {
      // AtomicLong, LongAdder and friends print as plain decimal numbers.
      String s = n.toString();
      try {
        g.writeNumber(new BigDecimal(s));
      } catch (NumberFormatException e) {
        throw new InvalidRecordException(JsonLimits.excerpt(field), "holds a " + n.getClass().getName()
            + " that does not print as a decimal number");
      }
    }
  }

  private static String iso8601(Temporal t) {
    // The JDK's toString() drops ":00" seconds (2024-05-01T10:00Z); the formatters always write them, which the
    // Data Collector's time-generated-field needs (YYYY-MM-DDThh:mm:ssZ).
    if (t instanceof Instant) {
      return isoInstant((Instant) t);
    }
    if (t instanceof OffsetDateTime || t instanceof ZonedDateTime) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t); // ISO-8601 has no zone id, only the offset
    }
    if (t instanceof LocalDateTime) {
      return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
    }
    if (t instanceof OffsetTime) {
      return DateTimeFormatter.ISO_OFFSET_TIME.format(t);
    }
    if (t instanceof LocalTime) {
      return DateTimeFormatter.ISO_LOCAL_TIME.format(t);
    }
    return t.toString(); // LocalDate, Year, YearMonth: already ISO-8601
  }

  private static final long MAX_FAST_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z

  /**
   * {@link DateTimeFormatter#ISO_INSTANT} without the formatter's generic machinery, for years 0000-9999 (others go
   * to the formatter): {@code uuuu-MM-ddTHH:mm:ss}, then 3, 6 or 9 fraction digits as the nanoseconds need, then
   * {@code Z}.
   */
  static String isoInstant(Instant t) {
    byte[] b = new byte[ISO_INSTANT_MAX_BYTES];
    int n = isoInstant(t, b);
    return n > 0 ? new String(b, 0, n, StandardCharsets.US_ASCII) : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** The longest {@link #isoInstant(Instant, byte[])}: {@code uuuu-MM-ddTHH:mm:ss.nnnnnnnnnZ}. */
  static final int ISO_INSTANT_MAX_BYTES = 30;

  /**
   * Writes {@link #isoInstant(Instant)} into {@code b} without allocating (the civil date from the epoch day by
   * H. Hinnant's {@code civil_from_days}).
   *
   * @return the bytes written, or -1 for a year outside 0000-9999
   */
  static int isoInstant(Instant t, byte[] b) {
    long seconds = t.getEpochSecond();
    if (seconds < -62_167_219_200L || seconds > MAX_FAST_SECONDS) { // before 0000-01-01 or after 9999
      return -1;
    }
    long days = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    long z = days + 719_468L;
    long era = Math.floorDiv(z, 146_097L);
    int dayOfEra = (int) (z - era * 146_097L);
    int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int mp = (5 * dayOfYear + 2) / 153;
    int day = dayOfYear - (153 * mp + 2) / 5 + 1;
    int month = mp < 10 ? mp + 3 : mp - 9;
    int year = (int) (yearOfEra + era * 400) + (month <= 2 ? 1 : 0);
    int nano = t.getNano();
    int n = 0;
    n = digits(b, n, year, 4);
    b[n++] = '-';
    n = digits(b, n, month, 2);
    b[n++] = '-';
    n = digits(b, n, day, 2);
    b[n++] = 'T';
    n = digits(b, n, secondOfDay / 3600, 2);
    b[n++] = ':';
    n = digits(b, n, secondOfDay / 60 % 60, 2);
    b[n++] = ':';
    n = digits(b, n, secondOfDay % 60, 2);
    return isoFraction(nano, b, n);
  }

  /** The bytes of {@code uuuu-MM-ddTHH:mm:ss}. */
  private static final int ISO_SECONDS_BYTES = 19;

  /** Writes an instant's fraction of a second (if any) and the {@code Z} at {@code n}; returns the new end. */
  private static int isoFraction(int nano, byte[] b, int n) {
    if (nano != 0) {
      b[n++] = '.';
      if (nano % 1_000_000 == 0) {
        n = digits(b, n, nano / 1_000_000, 3);
      } else if (nano % 1000 == 0) {
        n = digits(b, n, nano / 1000, 6);
      } else {
        n = digits(b, n, nano, 9);
      }
    }
    b[n++] = 'Z';
    return n;
  }

  private static int digits(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }

}
