package io.loganalytics.sdk.impl.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.RecordTooLargeException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RecordEncoderTest {
  private final RecordEncoder lenient = new RecordEncoder(JsonLimits.sizeOnly(10_000));
  private final RecordEncoder strict = new RecordEncoder(JsonLimits.withColumnRules(100_000, 32 * 1024, 45, 500,
      Pattern.compile("[A-Za-z0-9_]+"), Set.of("tenant", "TimeGenerated", "RawData")));

  @Test
  void writesEverySupportedValueType() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("s", "héllo \"q\"");
    r.put("i", 42);
    r.put("l", 1L << 40);
    r.put("d", 1.5);
    r.put("big", new BigDecimal("12345678901234567890.5"));
    r.put("b", true);
    r.put("n", null);
    r.put("instant", Instant.parse("2024-05-01T10:00:00Z"));
    r.put("odt", OffsetDateTime.parse("2024-05-01T10:00:00+02:00"));
    r.put("zdt", ZonedDateTime.of(2024, 5, 1, 10, 0, 0, 0, ZoneId.of("Europe/Paris")));
    r.put("date", LocalDate.of(2024, 5, 1));
    r.put("ldt", LocalDateTime.of(2024, 5, 1, 10, 0));
    r.put("nested", Map.of("k", List.of(1, "two")));
    r.put("arr", new Object[] {"x"});

    byte[] rec = lenient.encode("MyType", "", r);

    assertThat(RecordFormat.type(rec)).isEqualTo("MyType");
    assertThat(RecordFormat.ipName(rec)).isEmpty();
    assertThat(RecordFormat.json(rec)).isEqualTo("{\"s\":\"héllo \\\"q\\\"\",\"i\":42,\"l\":1099511627776,\"d\":1.5,"
        + "\"big\":12345678901234567890.5,\"b\":true,\"n\":null,\"instant\":\"2024-05-01T10:00:00Z\","
        + "\"odt\":\"2024-05-01T10:00:00+02:00\",\"zdt\":\"2024-05-01T10:00:00+02:00\",\"date\":\"2024-05-01\","
        + "\"ldt\":\"2024-05-01T10:00:00\","
        + "\"nested\":{\"k\":[1,\"two\"]},\"arr\":[\"x\"]}");
  }

  @Test
  void headerCarriesTypeAndIpName() {
    byte[] rec = lenient.encode("LINUX_SYSLOGS_BLOB", "LogManagement", Map.of("a", 1));

    assertThat(rec[0]).isEqualTo(RecordFormat.VERSION);
    assertThat(RecordFormat.headerLength(rec)).isEqualTo(3 + 18 + 13);
    assertThat(RecordFormat.type(rec)).isEqualTo("LINUX_SYSLOGS_BLOB");
    assertThat(RecordFormat.ipName(rec)).isEqualTo("LogManagement");
  }

  @Test
  void refusesUnsupportedValuesNamingTheField() {
    assertThatThrownBy(() -> lenient.encode("T", "", Map.of("when", new Object())))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("when: holds a value of type java.lang.Object")
        .satisfies(e -> assertThat(field(e)).isEqualTo("when"));
    assertThatThrownBy(() -> lenient.encode("T", "", Map.of("x", Double.NaN)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("x: is NaN")
        .satisfies(e -> assertThat(field(e)).isEqualTo("x"));
  }

  private static String field(Throwable e) {
    return ((InvalidRecordException) e).field();
  }

  @Test
  void refusesACycleInsteadOfOverflowingTheStack() {
    List<Object> self = new ArrayList<>();
    self.add(self);
    assertThatThrownBy(() -> lenient.encode("T", "", Map.of("loop", self)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("loop: is nested more than 64 levels deep");
  }

  @Test
  void storesAJsonObjectAsGivenWithoutSurroundingWhitespace() {
    String json = "  {\"a\" : 1, \"b\":[true, {\"c\":null}]}\n";
    byte[] rec = lenient.encodeJson("T", "", json);

    assertThat(RecordFormat.json(rec)).isEqualTo("{\"a\" : 1, \"b\":[true, {\"c\":null}]}");
  }

  @Test
  void refusesAnythingButExactlyOneJsonObject() {
    assertThatThrownBy(() -> lenient.encodeJson("T", "", "[1,2]"))
        .isInstanceOf(InvalidRecordException.class).hasMessageStartingWith("record:");
    assertThatThrownBy(() -> lenient.encodeJson("T", "", "{\"a\":1}{\"b\":2}"))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("more follows");
    assertThatThrownBy(() -> lenient.encodeJson("T", "", "{\"a\":1"))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> lenient.encodeJson("T", "", ""))
        .isInstanceOf(InvalidRecordException.class);
    assertThatThrownBy(() -> lenient.encodeJson("T", "", null))
        .isInstanceOf(InvalidRecordException.class);
  }

  @Test
  void refusesARecordThatCanNeverFitARequest() {
    String big = "x".repeat(20_000);
    assertThatThrownBy(() -> lenient.encode("T", "", Map.of("m", big)))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("10000");
    assertThatThrownBy(() -> lenient.encodeJson("T", "", "{\"m\":\"" + big + "\"}"))
        .isInstanceOf(RecordTooLargeException.class);
  }

  @Test
  void dataCollectorRulesRefuseBadColumnNamesAndOversizedValues() {
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("bad name", 1)))
        .isInstanceOf(InvalidRecordException.class).hasMessage("bad name: field name may contain only letters, "
            + "digits and '_'");
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("TimeGenerated", 1)))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("reserved");
    assertThatThrownBy(() -> strict.encodeJson("T", "", "{\"rawdata\":1}"))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("reserved");
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("a".repeat(46), 1)))
        .isInstanceOf(InvalidRecordException.class).hasMessageContaining("45");
    String value = "é".repeat(16 * 1024 + 1); // 32 KiB + 2 bytes of UTF-8
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("msg", value)))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'msg'").hasMessageContaining("32768");
    assertThatThrownBy(() -> strict.encodeJson("T", "", "{\"msg\":\"" + value + "\"}"))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'msg'");
    List<String> list = Arrays.asList(new String[8000]);
    assertThatThrownBy(() -> strict.encodeJson("T", "", "{\"arr\":" + list.toString().replace(" ", "") + "}"))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'arr'");
  }

  @Test
  void dataCollectorRulesAcceptAValueOfExactly32KiB() {
    String value = "a".repeat(32 * 1024);
    assertThat(RecordFormat.json(strict.encode("T", "", Map.of("msg", value)))).contains(value);
    assertThat(RecordFormat.json(strict.encodeJson("T", "", "{\"msg\":\"" + value + "\"}"))).contains(value);
  }

  @Test
  void valuesCheckedByClassFirstAreWrittenAsBeforeAndOtherCharSequencesStillAsStrings() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("sb", new StringBuilder("built \"q\""));
    r.put("b", false);
    r.put("nanos", Instant.ofEpochSecond(1_714_557_600L, 123_456_789));
    r.put("far", Instant.parse("+10000-01-01T00:00:00Z"));
    r.put("list", List.of(7L, true, new StringBuilder("x")));
    assertThat(RecordFormat.json(lenient.encode("T", "", r))).isEqualTo("{\"sb\":\"built \\\"q\\\"\",\"b\":false,"
        + "\"nanos\":\"2024-05-01T10:00:00.123456789Z\",\"far\":\"+10000-01-01T00:00:00Z\","
        + "\"list\":[7,true,\"x\"]}");
  }

  @Test
  void aStringIsMeasuredByItsUtf8AndAnyOtherValueByItsJson() {
    // 32 KiB of UTF-8 whose JSON is longer (every quote escaped): the service counts the string, so it fits.
    String quotes = "\"".repeat(32 * 1024);
    assertThat(RecordFormat.json(strict.encode("T", "", Map.of("msg", quotes)))).hasSize(2 * 32 * 1024 + 10);
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("msg", new StringBuilder("a".repeat(32 * 1024 + 1)))))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'msg'").hasMessageContaining("32769");
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("msg", quotes + "a")))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("32769");
    List<String> list = java.util.Collections.nCopies(3300, "abcdefgh"); // 11 bytes of JSON each
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("arr", list)))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("'arr'");
  }

  @Test
  void rejectsBytesThatAreNotInTheRecordFormat() {
    assertThatThrownBy(() -> RecordFormat.headerLength(new byte[] {9, 1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first byte 9");
    assertThatThrownBy(() -> RecordFormat.headerLength(new byte[] {1, 50, 65, 65}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt");
  }
}
