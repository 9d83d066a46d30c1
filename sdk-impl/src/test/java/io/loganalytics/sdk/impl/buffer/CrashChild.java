package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link CrashTest} kills: opens a SYNC buffer, prints {@code open}, then appends records as fast as it
 * can (single appends, and every tenth time a batch of five) and prints the id of every record whose append
 * returned, one per line, until it is killed.
 */
final class CrashChild {
  private CrashChild() {}

  static byte[] record(long id) {
    String s = "id=" + id + ";" + "p".repeat((int) (id % 97));
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static long idOf(byte[] record) {
    String s = new String(record, StandardCharsets.UTF_8);
    return Long.parseLong(s.substring(3, s.indexOf(';')));
  }

  static BufferOptions options(Path dir) {
    return BufferOptions.builder(dir).segmentBytes(16 * 1024).capacityBytes(50_000_000).build();
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long id = Long.parseLong(args[1]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    FileDiskBuffer buffer = FileDiskBuffer.open(options(dir), LogAnalyticsListener.NONE);
    out.println("open");
    out.flush();
    for (long n = 0; ; n++) {
      if (n % 10 == 9) {
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          batch.add(record(id + i));
        }
        buffer.appendAll(batch);
        for (int i = 0; i < 5; i++) {
          out.println(id++);
        }
      } else {
        buffer.append(record(id));
        out.println(id++);
      }
      out.flush();
    }
  }
}
