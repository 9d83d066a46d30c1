package io.loganalytics.sdk.impl.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps third-party libraries where CONVENTIONS.md puts them, for the upload pipeline's packages: Jackson only in
 * {@code impl.json}, OkHttp only in {@code impl.http}, Bouncy Castle only in {@code impl.cert}.
 */
class UploadPipelineDependenciesTest {
  private static final Path MAIN = Path.of("src/main/java/io/loganalytics/sdk/impl");

  private static List<Path> sources(String pkg) throws IOException {
    try (Stream<Path> s = Files.walk(MAIN.resolve(pkg))) {
      return s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
    }
  }

  private static List<String> offenders(List<Path> files, String importPrefix) throws IOException {
    List<String> out = new java.util.ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        if (line.startsWith("import " + importPrefix) || line.startsWith("import static " + importPrefix)) {
          out.add(f.getFileName() + ": " + line);
        }
      }
    }
    return out;
  }

  @Test
  void jacksonOkHttpAndBouncyCastleStayInTheirPackages() throws IOException {
    for (String pkg : List.of("upload", "transport", "client")) {
      List<Path> files = sources(pkg);
      assertThat(files).isNotEmpty();
      assertThat(offenders(files, "com.fasterxml.")).as(pkg).isEmpty();
      assertThat(offenders(files, "okhttp3.")).as(pkg).isEmpty();
      assertThat(offenders(files, "org.bouncycastle.")).as(pkg).isEmpty();
    }
    List<Path> json = sources("json");
    assertThat(offenders(json, "okhttp3.")).isEmpty();
    assertThat(offenders(json, "org.bouncycastle.")).isEmpty();
  }
}
