package io.loganalytics.sdk.impl.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The encoder's shortcut for plain ASCII strings writes exactly the bytes Jackson's {@code writeString} writes, for
 * every kind of string, and takes the shortcut only where no escape is needed.
 */
class RecordEncoderStringTest {
  /** Characters that need care: controls, quote, backslash, '?', DEL, non-ASCII, surrogates. */
  private static final char[] TRICKY = {
    0, 1, '\t', '\n', '\r', 0x1f, ' ', '!', '"', '#', '/', '?', '@', 'A', '\\', ']', '~', 0x7f, 0x80, 0xa0, 0xe9,
    0xff, 0x100, 0x7ff, 0x800, 0x2028, 0xfeff, 0xfffd, 0xffff, '\ud83d', '\ude00', '\ud800', '\udfff'
  };

  /** The JSON of one string value as {@code RecordEncoder.writeString} writes it, or the exception it throws. */
  private static String viaEncoder(String s) {
    return write(s, true);
  }

  /** The same through Jackson's {@code writeString}, the reference. */
  private static String viaJackson(String s) {
    return write(s, false);
  }

  private static String write(String s, boolean encoder) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordEncoder.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartArray();
      g.writeString("before"); // the value is written after a separator, as in a record
      if (encoder) {
        RecordEncoder.writeString(g, s);
      } else {
        g.writeString(s);
      }
      g.writeEndArray();
    } catch (IOException | RuntimeException e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
    // Latin-1 keeps every byte distinct in the comparison, even bytes that are not valid UTF-8.
    return new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
  }

  /** Shared by the tests: its thread's remembered values must never change what a later record holds. */
  private static final RecordEncoder ENCODER = new RecordEncoder(JsonLimits.sizeOnly(1_000_000));

  private static void assertSameAsJackson(String s) {
    assertThat(viaEncoder(s)).as("string of %d chars: %s", s.length(), escapeForMessage(s)).isEqualTo(viaJackson(s));
    // As a record's top-level value, where the shortcut is taken at any length and remembered per position.
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("v", s);
    String record;
    try {
      record = RecordFormat.json(ENCODER.encode("T", "", row));
    } catch (RuntimeException e) {
      record = "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
    try {
      assertThat(record).as("record with %s", escapeForMessage(s)).isEqualTo(viaJacksonObject(row));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String escapeForMessage(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(s.length(), 40); i++) {
      b.append(String.format("\\u%04x", (int) s.charAt(i)));
    }
    return b.toString();
  }

  @Test
  void everyTrickyCharacterAtEveryPositionOfAnEightByteWordGivesJacksonsBytes() {
    for (char c : TRICKY) {
      for (int length = 1; length <= 26; length++) {
        for (int at = 0; at < length; at++) {
          char[] chars = "abcdefghijklmnopqrstuvwxyz".substring(0, length).toCharArray();
          chars[at] = c;
          assertSameAsJackson(new String(chars));
        }
      }
    }
  }

  @Test
  void everyCharacterBelow0x300AloneAndInsideAsciiGivesJacksonsBytes() {
    for (char c = 0; c < 0x300; c++) {
      assertSameAsJackson(String.valueOf(c));
      assertSameAsJackson("order 42 " + c + " placed");
    }
  }

  @Test
  void emptyQuestionMarksSurrogatesAndLongStringsGiveJacksonsBytes() {
    List<String> cases = List.of("", "?", "??????????", "a?b", "what? where?", "\ud83d\ude00", "x\ud83d\ude00y",
        "\ud83d", "\ude00", "abc\ud83d", "\ude00abc", "abcdefgh\ud800?", "\ude00\ud83d", "caf\u00e9",
        "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
        "~~~~~~~~\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f");
    for (String s : cases) {
      assertSameAsJackson(s);
    }
    for (int n : new int[] {RecordEncoder.PLAIN_MAX_CHARS - 1, RecordEncoder.PLAIN_MAX_CHARS,
        RecordEncoder.PLAIN_MAX_CHARS + 1, 100_000}) {
      String plain = "0123456789abcdef ".repeat(n / 17 + 1).substring(0, n);
      assertSameAsJackson(plain);
      assertSameAsJackson(plain.substring(1) + "\"");
      assertSameAsJackson("\u00e9" + plain.substring(1));
      assertSameAsJackson(plain.substring(1) + "\ud83d");
    }
  }

  @Test
  void randomStringsOfTrickyAndPlainCharactersGiveJacksonsBytes() {
    SplittableRandom random = new SplittableRandom(13);
    for (int i = 0; i < 20_000; i++) {
      char[] chars = new char[random.nextInt(40)];
      boolean mostlyPlain = random.nextBoolean();
      for (int j = 0; j < chars.length; j++) {
        chars[j] = mostlyPlain && random.nextInt(20) != 0 ? (char) (0x20 + random.nextInt(0x5f))
            : TRICKY[random.nextInt(TRICKY.length)];
      }
      assertSameAsJackson(new String(chars));
    }
  }

  @Test
  void theShortcutIsTakenExactlyForPrintableAsciiWithoutQuoteOrBackslash() {
    byte[] plain = "order 42 placed by user-17? (yes) [main] com.example.Checkout ~".getBytes(StandardCharsets.UTF_8);
    assertThat(RecordEncoder.isPlain(new String(plain, StandardCharsets.US_ASCII), plain)).isTrue();
    assertThat(RecordEncoder.isPlain("", new byte[0])).isTrue();
    for (int c = 0; c < 0x100; c++) {
      boolean expected = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
      for (int at = 0; at < 17; at++) {
        byte[] b = "abcdefghijklmnopq".getBytes(StandardCharsets.US_ASCII);
        b[at] = (byte) c;
        assertThat(RecordEncoder.isPlain(new String(b, StandardCharsets.ISO_8859_1), b))
            .as("byte 0x%02x at %d", c, at).isEqualTo(expected);
      }
    }
    // A '?' byte from an unpaired surrogate is not the string's own '?'.
    String lone = "abcdefgh\ud800ijk";
    assertThat(RecordEncoder.isPlain(lone, lone.getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void aWholeRecordWithNestedStringsIsTheSameAsJacksonWritesIt() throws IOException {
    Map<String, Object> mdc = new LinkedHashMap<>();
    mdc.put("orderId", "A-42");
    mdc.put("note", "say \"hi\"\n\ud83d\ude00");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("Level", "INFO");
    row.put("Message", "order 42 placed by user-17");
    row.put("Odd", "tab\t\u00e9\\");
    row.put("Empty", "");
    row.put("Mdc", mdc);
    row.put("List", new ArrayList<>(List.of("x", "y\"")));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordEncoder.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("Level", "INFO");
      g.writeStringField("Message", "order 42 placed by user-17");
      g.writeStringField("Odd", "tab\t\u00e9\\");
      g.writeStringField("Empty", "");
      g.writeObjectFieldStart("Mdc");
      g.writeStringField("orderId", "A-42");
      g.writeStringField("note", "say \"hi\"\n\ud83d\ude00");
      g.writeEndObject();
      g.writeArrayFieldStart("List");
      g.writeString("x");
      g.writeString("y\"");
      g.writeEndArray();
      g.writeEndObject();
    }
    RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(200_000));
    for (int i = 0; i < 3; i++) { // again from the thread's cached names
      assertThat(RecordFormat.json(encoder.encode("T", "", row)))
          .isEqualTo(new String(out.toByteArray(), StandardCharsets.UTF_8));
    }
  }
  @Test
  void valuesRememberedPerPositionNeverLeakIntoALaterRecord() throws IOException {
    RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(200_000));
    String logger = "com.example.orders.Checkout";
    List<String> values = List.of(logger, new String(logger), "com.example.Other", "tab\there", "", "?",
        "\ud800", "x".repeat(300), "x".repeat(300), "caf\u00e9", logger);
    for (String first : values) {
      for (String second : values) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Logger", first);
        row.put("Thread", second);
        String expected = viaJacksonObject(row);
        String actual;
        try {
          actual = RecordFormat.json(encoder.encode("T", "", row));
        } catch (RuntimeException e) {
          actual = "threw " + e.getClass().getName() + ": " + e.getMessage();
        }
        assertThat(actual).as("%s then %s", escapeForMessage(first), escapeForMessage(second)).isEqualTo(expected);
      }
    }
  }

  @Test
  void instantsInTheSameSecondReuseTheDateButNotTheFraction() {
    RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(200_000));
    List<Instant> instants = List.of(Instant.ofEpochSecond(1_714_557_600L), Instant.ofEpochSecond(1_714_557_600L, 5),
        Instant.ofEpochSecond(1_714_557_600L, 123_000_000), Instant.ofEpochSecond(1_714_557_600L, 123_456_000),
        Instant.ofEpochSecond(1_714_557_601L, 999_999_999), Instant.ofEpochSecond(-1L, 1), Instant.ofEpochSecond(-1L),
        Instant.MAX, Instant.ofEpochSecond(1_714_557_601L), Instant.EPOCH);
    for (Instant a : instants) {
      for (Instant b : instants) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("TimeGenerated", a);
        row.put("Nested", Map.of("At", b));
        row.put("Again", a);
        assertThat(RecordFormat.json(encoder.encode("T", "", row))).isEqualTo("{\"TimeGenerated\":\"" + iso(a)
            + "\",\"Nested\":{\"At\":\"" + iso(b) + "\"},\"Again\":\"" + iso(a) + "\"}");
      }
    }
  }

  private static String iso(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  private static String viaJacksonObject(Map<String, Object> row) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RecordEncoder.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      for (Map.Entry<String, Object> e : row.entrySet()) {
        g.writeStringField(e.getKey(), (String) e.getValue());
      }
      g.writeEndObject();
    } catch (IOException | RuntimeException e) {
      return "threw " + e.getClass().getName() + ": " + e.getMessage();
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }
}
