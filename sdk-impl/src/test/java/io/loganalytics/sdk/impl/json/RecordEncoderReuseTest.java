package io.loganalytics.sdk.impl.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.RecordTooLargeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The encoder's per-thread reuse of its generator and buffer, and its fast ISO-8601 writing of instants. */
class RecordEncoderReuseTest {
  private final RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(200_000));
  private final RecordEncoder strict = new RecordEncoder(JsonLimits.withColumnRules(100_000, 32 * 1024, 45, 500,
      Pattern.compile("[A-Za-z0-9_]+"), Set.of("RawData")));

  private static String json(byte[] record) {
    return RecordFormat.json(record);
  }

  @Test
  void consecutiveRecordsOnOneThreadEachHoldOnlyTheirOwnJson() {
    assertThat(json(encoder.encode("T", "", Map.of("a", 1)))).isEqualTo("{\"a\":1}");
    assertThat(json(encoder.encode("T", "ip", Map.of("b", "x")))).isEqualTo("{\"b\":\"x\"}");
    assertThat(RecordFormat.ipName(encoder.encode("T", "ip", Map.of("b", "x")))).isEqualTo("ip");
  }

  @Test
  void aRecordRefusedHalfWayLeavesNothingInTheNextRecord() {
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("ok", "first field written");
    bad.put("bad", new Object());
    assertThatThrownBy(() -> encoder.encode("T", "", bad)).isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("bad: ");
    Map<String, Object> badName = new LinkedHashMap<>();
    badName.put("fine", 1);
    badName.put("RawData", 2);
    assertThatThrownBy(() -> strict.encode("T", "", badName)).isInstanceOf(InvalidRecordException.class);
    assertThatThrownBy(() -> strict.encode("T", "", Map.of("m", "x".repeat(40_000))))
        .isInstanceOf(RecordTooLargeException.class);

    assertThat(json(encoder.encode("T", "", Map.of("n", 2)))).isEqualTo("{\"n\":2}");
    assertThat(json(strict.encode("T", "", Map.of("n", 3)))).isEqualTo("{\"n\":3}");
  }

  @Test
  void aFieldNameWrittenAgainFromTheThreadsCacheGivesTheSameBytes() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("TimeGenerated", Instant.parse("2024-05-01T10:00:00Z"));
    r.put("say \"hi\"", 1);
    r.put("back\\slash", 2);
    r.put("tab\there", 3);
    r.put("caf\u00e9 \uD83D\uDE00", 4);
    for (int i = 0; i < 100; i++) { // more names than the thread remembers
      r.put("f" + i, i);
    }
    String first = json(encoder.encode("T", "", r));
    assertThat(first).startsWith("{\"TimeGenerated\":\"2024-05-01T10:00:00Z\",\"say \\\"hi\\\"\":1,"
        + "\"back\\\\slash\":2,\"tab\\there\":3,\"caf\u00e9 \\uD83D\\uDE00\":4,\"f0\":0,");
    assertThat(first).endsWith(",\"f99\":99}");
    assertThat(json(encoder.encode("T", "", r))).isEqualTo(first);
    assertThat(json(encoder.encode("T", "", r))).isEqualTo(first);
  }

  @Test
  void theFieldCountLimitHoldsForRememberedNames() {
    RecordEncoder fewFields = new RecordEncoder(JsonLimits.withColumnRules(100_000, 32 * 1024, 45, 3,
        Pattern.compile("[A-Za-z0-9_]+"), Set.of()));
    Map<String, Object> three = new LinkedHashMap<>();
    three.put("a", 1);
    three.put("b", 2);
    three.put("c", 3);
    assertThat(json(fewFields.encode("T", "", three))).isEqualTo("{\"a\":1,\"b\":2,\"c\":3}");
    Map<String, Object> four = new LinkedHashMap<>(three);
    four.put("d", 4);
    assertThatThrownBy(() -> fewFields.encode("T", "", four)).isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("record: ");
    Map<String, Object> fourKnown = new LinkedHashMap<>();
    fourKnown.put("d", 4);
    fourKnown.put("a", 1);
    fourKnown.put("b", 2);
    fourKnown.put("c", 3);
    assertThat(json(fewFields.encode("T", "", Map.of("d", 4)))).isEqualTo("{\"d\":4}");
    assertThatThrownBy(() -> fewFields.encode("T", "", fourKnown)).isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("record: ");
  }

  @Test
  void rememberedFieldNamesNeverLetABadNameThrough() {
    JsonLimits limits = JsonLimits.withColumnRules(100_000, 32 * 1024, 45, 5000,
        Pattern.compile("[A-Za-z0-9_]+"), Set.of("RawData"));
    // Fill the memory of accepted names past its bound, each name checked and accepted.
    for (int i = 0; i < JsonLimits.MAX_REMEMBERED_NAMES + 10; i++) {
      assertThat(limits.checkFieldName("Column" + i)).isNull();
      assertThat(limits.checkFieldName("Column" + i)).isNull();
    }
    // Bad names are still refused, every time, whether the memory is full or not.
    for (int round = 0; round < 3; round++) {
      assertThat(limits.checkFieldName("has space")).contains("only letters, digits and '_'");
      assertThat(limits.checkFieldName("rawdata")).contains("reserved");
      assertThat(limits.checkFieldName("x".repeat(46))).contains("at most 45 characters");
      assertThat(limits.checkFieldName("")).contains("empty name");
    }
    RecordEncoder e = new RecordEncoder(limits);
    assertThat(json(e.encode("T", "", Map.of("Column1", 1)))).isEqualTo("{\"Column1\":1}");
    assertThatThrownBy(() -> e.encode("T", "", Map.of("Column-1", 1))).isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("Column-1");
  }

  @Test
  void aLargeRecordThenASmallOneAreBothComplete() {
    String big = "y".repeat(150_000);
    assertThat(json(encoder.encode("T", "", Map.of("big", big)))).isEqualTo("{\"big\":\"" + big + "\"}");
    assertThat(json(encoder.encode("T", "", Map.of("s", true)))).isEqualTo("{\"s\":true}");
  }

  @Test
  void threadsEncodingAtOnceNeverMixTheirRecords() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        Callable<Boolean> task = () -> {
          for (int i = 0; i < 2_000; i++) {
            String expected = "{\"t\":" + thread + ",\"i\":" + i + "}";
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("t", thread);
            r.put("i", i);
            if (!json(encoder.encode("T", "", r)).equals(expected)) {
              return false;
            }
          }
          return true;
        };
        results.add(pool.submit(task));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writesInstantsExactlyAsTheIsoInstantFormatter() {
    List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2024-05-01T10:00:00Z"),
        Instant.parse("2024-02-29T23:59:59.999999999Z"), Instant.parse("2024-05-01T10:00:00.120Z"),
        Instant.parse("2024-05-01T10:00:00.000120Z"), Instant.parse("2024-05-01T10:00:00.000000120Z"),
        Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.5Z"),
        Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX,
        Instant.parse("1969-12-31T23:59:59.001Z")));
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      instants.add(Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L),
          random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000)));
    }
    for (Instant t : instants) {
      assertThat(RecordEncoder.isoInstant(t)).as("%s", t).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
    }
    assertThat(json(encoder.encode("T", "", Map.of("at", Instant.parse("2024-05-01T10:00:00Z")))))
        .isEqualTo("{\"at\":\"2024-05-01T10:00:00Z\"}");
  }
}
