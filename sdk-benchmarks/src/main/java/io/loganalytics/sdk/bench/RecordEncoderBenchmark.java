package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one row shaped like the Logback appender's ({@code TimeGenerated}, {@code Level}, {@code Logger},
 * {@code Thread}, {@code Message}, {@code Mdc}) with the Logs Ingestion column rules, on the calling thread: the part
 * of an appender's event that the logging thread pays when it encodes. The baseline is building the same row
 * ({@code rowOnly}), so the difference is the encoder's own cost.
 *
 * <p>Plain ASCII strings written as bytes, repeated top-level strings and an instant's date remembered per thread
 * (branch logback5), jars before and after run back to back twice on the shared 2-core machine (load average 1.2 to
 * 2.4; {@code -wi 3 -i 5 -w 2s -r 2s -f 1}): {@code rowEncoded} 965 and 903 ns before, 967 and 999 ns after
 * ({@code rowOnly} 173 to 178 ns in all four), errors of 20 to 80%: the noise was larger than the change, so these
 * runs show no difference either way (measured before strings under 16 characters were handed back to Jackson's
 * own loop, which is cheaper for them). Re-run on a quiet machine before quoting a gain.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@State(Scope.Thread)
public class RecordEncoderBenchmark {
  private final RecordEncoder encoder = new RecordEncoder(JsonLimits.withColumnRules(1_000_000, 32 * 1024, 45, 500,
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*"), Set.of("RawData")));
  private final Map<String, String> mdc = Map.of("orderId", "A-42", "tenant", "contoso");
  private long counter;

  private Map<String, Object> row() {
    Map<String, Object> row = new LinkedHashMap<>(16);
    row.put("TimeGenerated", Instant.ofEpochSecond(1_714_557_600L, counter * 1_000_000L % 1_000_000_000L));
    row.put("Level", "INFO");
    row.put("Logger", "com.example.orders.Checkout");
    row.put("Thread", "main");
    row.put("Message", "order " + counter++ + " placed by user-17");
    row.put("Mdc", mdc);
    return row;
  }

  /**
   * The row alone.
   *
   * @return the row
   */
  @Benchmark
  public Map<String, Object> rowOnly() {
    return row();
  }

  /**
   * The row, encoded.
   *
   * @return the record bytes
   */
  @Benchmark
  public byte[] rowEncoded() {
    return encoder.encode("Custom-MyApp_CL", "", row());
  }
}
