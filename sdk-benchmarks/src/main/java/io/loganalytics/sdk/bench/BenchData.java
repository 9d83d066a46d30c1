package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Syslog-like records of about 300 bytes of JSON each, generated once with a fixed seed. */
final class BenchData {
  static final String DATA_TYPE = "LINUX_SYSLOGS_BLOB";
  static final String IP_NAME = "LogManagement";
  private static final String WORDS = "session opened closed for user root alice bob by uid connection from port "
      + "accepted publickey disconnect received failed password invalid kernel audit cron job started finished ";

  private BenchData() {}

  static List<Map<String, Object>> records(int count) {
    SplittableRandom random = new SplittableRandom(42);
    String[] words = WORDS.split(" ");
    List<Map<String, Object>> out = new ArrayList<>(count);
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    for (int i = 0; i < count; i++) {
      StringBuilder message = new StringBuilder();
      while (message.length() < 137) {
        message.append(words[random.nextInt(words.length)]).append(' ');
        if (random.nextInt(4) == 0) {
          message.append(random.nextInt(100_000)).append(' ');
        }
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("Timestamp", t.plusMillis(i * 7L));
      r.put("Host", "host-" + (i % 16));
      r.put("HostIP", "10.0." + (i % 8) + "." + (i % 250));
      r.put("ident", "sshd");
      r.put("Facility", "auth");
      r.put("Severity", random.nextInt(8) == 0 ? "warning" : "info");
      r.put("ProcessId", 1000 + random.nextInt(30_000));
      r.put("Message", message.toString().strip());
      out.add(r);
    }
    return out;
  }

  /** @return the average JSON size of the records, to check they are about 300 bytes */
  static double averageJsonBytes(List<Map<String, Object>> records) {
    RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(1 << 20));
    long n = 0;
    for (Map<String, Object> r : records) {
      byte[] rec = encoder.encode(DATA_TYPE, IP_NAME, r);
      n += rec.length - (3 + DATA_TYPE.length() + IP_NAME.length());
    }
    return (double) n / records.size();
  }
}
