package io.loganalytics.sdk.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each third-party library lives in one package of sdk-impl (CONVENTIONS.md, rule 2): OkHttp in {@code impl.http},
 * Bouncy Castle in {@code impl.cert}, Jackson in {@code impl.json}. The test reads the constant pool of every
 * compiled main class (a class that refers to a type has its internal name there) and fails on a reference from
 * another package.
 */
class ThirdPartyPlacementTest {
  private static final Path CLASSES = Path.of("target", "classes");

  private static final Map<String, String> HOME = Map.of(
      "okhttp3/", "io/loganalytics/sdk/impl/http/",
      "okio/", "io/loganalytics/sdk/impl/http/",
      "org/bouncycastle/", "io/loganalytics/sdk/impl/cert/",
      "com/fasterxml/jackson/", "io/loganalytics/sdk/impl/json/");

  @Test
  void thirdPartyLibrariesAreUsedOnlyFromTheirOwnPackage() throws IOException {
    assertThat(CLASSES).isDirectory();
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CLASSES)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String className = CLASSES.relativize(file).toString().replace('\\', '/');
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        HOME.forEach((library, home) -> {
          if (text.contains(library) && !className.startsWith(home)) {
            violations.add(className + " refers to " + library + " outside " + home);
          }
        });
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void theScanSeesTheLibrariesWhereTheyBelong() throws IOException {
    // Guards the test above against passing because it reads nothing: the HTTP package must show OkHttp.
    boolean found = false;
    Path http = CLASSES.resolve("io/loganalytics/sdk/impl/http");
    if (Files.isDirectory(http)) {
      try (Stream<Path> files = Files.list(http)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          found |= new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("okhttp3/");
        }
      }
    }
    assertThat(found).as("some class in impl.http uses OkHttp").isTrue();
  }
}
