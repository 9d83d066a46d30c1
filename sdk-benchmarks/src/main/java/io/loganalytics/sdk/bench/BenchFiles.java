package io.loganalytics.sdk.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories for benchmarks. */
final class BenchFiles {
  private BenchFiles() {}

  static Path tempDir(String prefix) {
    try {
      String base = System.getProperty("bench.dir");
      return base == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Path.of(base), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A 300-byte record of printable bytes. */
  static byte[] record300() {
    byte[] r = new byte[300];
    for (int i = 0; i < r.length; i++) {
      r[i] = (byte) ('a' + i % 26);
    }
    return r;
  }
}
