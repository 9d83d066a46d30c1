package io.loganalytics.sdk.impl.json;

import static io.loganalytics.sdk.impl.testsupport.TestData.nestedJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.loganalytics.sdk.InvalidRecordException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Every kind of malformed record is an {@link InvalidRecordException} (not retryable) naming the field and what is
 * wrong, and no message echoes a record value.
 */
class RecordEncoderErrorsTest {
  private static final String SECRET = "hunter2-TopSecretValue";

  private final RecordEncoder lenient = new RecordEncoder(JsonLimits.sizeOnly(10_000));
  private final RecordEncoder strict = new RecordEncoder(JsonLimits.withColumnRules(100_000, 32 * 1024, 45, 3,
      Pattern.compile("[A-Za-z0-9_]+"), Set.of("TimeGenerated", "RawData")));

  private static InvalidRecordException refused(ThrowingCallable call) {
    InvalidRecordException e = catchThrowableOfType(InvalidRecordException.class, call);
    assertThat(e).as("InvalidRecordException").isNotNull();
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("TopSecret").doesNotContain("\n");
    return e;
  }

  @Test
  void unsupportedValueTypeNamesTheFieldAndTheTypeButNotTheValue() {
    Object value = new Object() {
      @Override
      public String toString() {
        return SECRET;
      }
    };
    InvalidRecordException e = refused(() -> lenient.encode("T", "", Map.of("payload", value)));
    assertThat(e.field()).isEqualTo("payload");
    assertThat(e.getMessage()).startsWith("payload: holds a value of type ").contains("cannot be written as JSON");
  }

  @Test
  void nonFiniteNumbersAreRefused() {
    assertThat(refused(() -> lenient.encode("T", "", Map.of("d", Double.POSITIVE_INFINITY))).getMessage())
        .isEqualTo("d: is Infinity, which JSON cannot hold (only finite numbers)");
    assertThat(refused(() -> lenient.encode("T", "", Map.of("f", Float.NaN))).field()).isEqualTo("f");
  }

  @Test
  void aNumberThatDoesNotPrintAsDecimalIsRefusedWithoutEchoingIt() {
    Number odd = new Number() {
      private static final long serialVersionUID = 1L;

      @Override
      public int intValue() {
        return 0;
      }

      @Override
      public long longValue() {
        return 0;
      }

      @Override
      public float floatValue() {
        return 0;
      }

      @Override
      public double doubleValue() {
        return 0;
      }

      @Override
      public String toString() {
        return SECRET;
      }
    };
    InvalidRecordException e = refused(() -> lenient.encode("T", "", Map.of("n", odd)));
    assertThat(e.field()).isEqualTo("n");
    assertThat(e.getMessage()).contains("does not print as a decimal number");
  }

  @Test
  void nestingDeeperThanTheLimitNamesTheTopLevelField() {
    Object deep = SECRET;
    for (int i = 0; i < RecordEncoder.MAX_DEPTH + 1; i++) {
      deep = Map.of("k", deep);
    }
    Object value = deep;
    InvalidRecordException e = refused(() -> lenient.encode("T", "", Map.of("tree", value)));
    assertThat(e.field()).isEqualTo("tree");
    assertThat(e.getMessage()).contains("nested more than 64 levels deep");
  }

  @Test
  void invalidFieldNamesAreNamedOnlyAsAShortPrintableExcerpt() {
    String longBad = "line1\nline2 " + "x".repeat(200);
    InvalidRecordException e = refused(() -> strict.encode("T", "", Map.of(longBad, 1)));
    assertThat(e.field()).hasSize(JsonLimits.EXCERPT_CHARS + 3).startsWith("line1?line2 ").endsWith("...");
    assertThat(e.getMessage()).contains("at most 45 characters long (it has 212)");

    InvalidRecordException chars = refused(() -> strict.encodeJson("T", "", "{\"a-b\":1}"));
    assertThat(chars.field()).isEqualTo("a-b");
    assertThat(chars.getMessage()).isEqualTo("a-b: field name may contain only letters, digits and '_'");
  }

  @Test
  void anEmptyFieldNameIsAProblemOfTheRecord() {
    InvalidRecordException e = refused(() -> strict.encode("T", "", Map.of("", 1)));
    assertThat(e.field()).isEqualTo("record");
    assertThat(e.getMessage()).contains("empty name");
  }

  @Test
  void reservedNamesAreRefusedWhateverTheirCase() {
    InvalidRecordException e = refused(() -> strict.encodeJson("T", "", "{\"timegenerated\":\"" + SECRET + "\"}"));
    assertThat(e.field()).isEqualTo("timegenerated");
    assertThat(e.getMessage()).contains("reserved by the service");
  }

  @Test
  void tooManyFieldsIsAProblemOfTheRecord() {
    Map<String, Object> r = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      r.put("f" + i, i);
    }
    assertThat(refused(() -> strict.encode("T", "", r)).getMessage())
        .isEqualTo("record: has more than 3 fields, the most a table can have");
    assertThat(refused(() -> strict.encodeJson("T", "", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}")).field())
        .isEqualTo("record");
  }

  @Test
  void jsonThatIsNotOneObjectSaysWhatItIsWithoutQuotingIt() {
    assertThat(refused(() -> lenient.encodeJson("T", "", null)).getMessage())
        .isEqualTo("record: is null; expected one JSON object");
    assertThat(refused(() -> lenient.encodeJson("T", "", "   ")).getMessage())
        .isEqualTo("record: must be one JSON object ({...}), but is empty");
    assertThat(refused(() -> lenient.encodeJson("T", "", "\"" + SECRET + "\"")).getMessage())
        .isEqualTo("record: must be one JSON object ({...}), but starts with a string");
    assertThat(refused(() -> lenient.encodeJson("T", "", "[1]")).getMessage())
        .isEqualTo("record: must be one JSON object ({...}), but starts with an array ([)");
    assertThat(refused(() -> lenient.encodeJson("T", "", "{}{\"" + SECRET + "\":1}")).getMessage())
        .contains("more follows after its end (at byte 2)");
  }

  @Test
  void syntaxErrorsGiveThePositionAndNeverTheRecordText() {
    InvalidRecordException token = refused(() -> lenient.encodeJson("T", "", "{\"password\":" + SECRET + "}"));
    assertThat(token.field()).isEqualTo("record");
    assertThat(token.getMessage()).startsWith("record: is not valid JSON: Unrecognized token: was expecting ")
        .endsWith("(line 1, column 13)").doesNotContain("hunter");
    assertThat(refused(() -> lenient.encodeJson("T", "", "{\"a\":tru}")).getMessage())
        .startsWith("record: is not valid JSON: Unrecognized token: ").doesNotContain("tru'");

    refused(() -> lenient.encodeJson("T", "", "{\"password\":\"" + SECRET));
    refused(() -> lenient.encodeJson("T", "", "{\"a\":1,\"" + SECRET + "\" 2}"));
    assertThat(refused(() -> lenient.encodeJson("T", "", "{\"a\":\"" + SECRET + "\n\"}")).getMessage())
        .contains("Illegal unquoted character").contains("line 1, column");
    assertThat(refused(() -> lenient.encodeJson("T", "", "{\"a\":1x}")).getMessage())
        .contains("Unexpected character ('x'"); // the one unexpected character helps to find the mistake
  }

  @Test
  void jsonNestedDeeperThanTheLimitIsAnInvalidRecordNamingTheLimit() {
    for (int levels : new int[] {1_001, 100_000}) {
      for (boolean arrays : new boolean[] {false, true}) {
        String json = nestedJson(levels, arrays);
        InvalidRecordException e = refused(() -> lenient.encodeJson("T", "", json));
        assertThat(e.field()).isEqualTo("record");
        assertThat(e.getMessage()).as(levels + (arrays ? " arrays" : " objects"))
            .isEqualTo("record: nests objects and arrays more than 1000 levels deep, the most a JSON record may have");
        assertThat(refused(() -> strict.encodeJson("T", "", json)).getMessage()).contains("1000 levels");
      }
    }
  }

  @Test
  void jsonNestedExactlyToTheLimitIsAccepted() {
    assertThat(lenient.encodeJson("T", "", nestedJson(RecordEncoder.MAX_JSON_DEPTH, true))).isNotEmpty();
    assertThat(new RecordEncoder(JsonLimits.sizeOnly(1_000_000))
        .encodeJson("T", "", nestedJson(RecordEncoder.MAX_JSON_DEPTH, false))).isNotEmpty();
  }

  @Test
  void aDeeplyNestedMapIsAnInvalidRecordNamingTheFieldAndTheLimit() {
    for (int levels : new int[] {1_001, 100_000}) {
      Map<String, Object> inner = new LinkedHashMap<>();
      Object deepest = inner;
      for (int i = 0; i < levels; i++) {
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("k", deepest);
        deepest = outer;
      }
      Object list = java.util.List.of();
      for (int i = 0; i < levels; i++) {
        list = java.util.List.of(list);
      }
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("deep", deepest);
      record.put("list", list);
      assertThat(refused(() -> lenient.encode("T", "", record)).getMessage())
          .isEqualTo("deep: is nested more than 64 levels deep (a map or list that contains itself?)");
      assertThat(refused(() -> lenient.encode("T", "", Map.of("list", record.get("list")))).getMessage())
          .isEqualTo("list: is nested more than 64 levels deep (a map or list that contains itself?)");
    }
  }
}
