package io.loganalytics.sdk.impl.cert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Bouncy Castle stays in {@code impl.cert} and OkHttp in {@code impl.http} (CONVENTIONS: one place per library). */
class ThirdPartyPlacementTest {
  static final Path MAIN = Path.of("src/main/java/io/loganalytics/sdk");

  static List<Path> importing(String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
        try {
          return Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("import " + prefix)
              || l.startsWith("import static " + prefix));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).collect(Collectors.toList());
    }
  }

  @Test
  void bouncyCastleIsUsedOnlyInTheCertificatePackage() throws IOException {
    assertThat(importing("org.bouncycastle")).isNotEmpty()
        .allSatisfy(p -> assertThat(MAIN.relativize(p).toString()).startsWith("impl/cert/"));
  }

  @Test
  void okHttpIsUsedOnlyInTheHttpPackage() throws IOException {
    assertThat(importing("okhttp3")).isNotEmpty()
        .allSatisfy(p -> assertThat(MAIN.relativize(p).toString()).startsWith("impl/http/"));
  }
}
