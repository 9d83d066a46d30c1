package io.loganalytics.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's first {@code ```java} block is the compiled {@link QuickStart} region between its
 * {@code README-SNIPPET-START} and {@code README-SNIPPET-END} markers (indentation aside): when one changes, the
 * other must follow, or the build fails here.
 */
class ReadmeSnippetTest {
  static final Path SOURCE = Path.of("src/main/java/io/loganalytics/examples/QuickStart.java");
  static final Path README = Path.of("../README.md");

  @Test
  void readmesFirstJavaBlockIsTheCompiledQuickStart() throws IOException {
    List<String> snippet = snippet();
    String expected = String.join("\n", snippet);
    if (!Files.isRegularFile(README)) {
      fail(README.toAbsolutePath().normalize() + " is missing; its first ```java block must be the QuickStart "
          + "snippet:\n```java\n" + expected + "\n```");
    }
    List<String> block = firstJavaBlock(Files.readAllLines(README, StandardCharsets.UTF_8));
    if (block == null) {
      fail("README.md has no ```java block yet; its first one must be the QuickStart snippet (" + SOURCE
          + "):\n```java\n" + expected + "\n```");
    }
    assertThat(String.join("\n", dedent(block)))
        .as("README.md's first ```java block drifted from %s (copy the region between the README-SNIPPET "
            + "markers)", SOURCE)
        .isEqualTo(expected);
  }

  @Test
  void quickStartHasExactlyOneMarkedRegion() throws IOException {
    String source = Files.readString(SOURCE, StandardCharsets.UTF_8);

    assertThat(source.split("README-SNIPPET-START", -1)).hasSize(2);
    assertThat(source.split("README-SNIPPET-END", -1)).hasSize(2);
    assertThat(snippet()).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain("README-SNIPPET"));
  }

  @Test
  void dedentRemovesTheCommonIndentationOnly() {
    assertThat(dedent(List.of("    a", "      b", "", "    c  "))).containsExactly("a", "  b", "", "c");
  }

  static List<String> snippet() throws IOException {
    List<String> lines = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("// README-SNIPPET-START")) {
        start = i;
      } else if (lines.get(i).strip().equals("// README-SNIPPET-END")) {
        end = i;
      }
    }
    assertThat(start).as("README-SNIPPET-START marker in %s", SOURCE).isNotNegative();
    assertThat(end).as("README-SNIPPET-END marker after the start in %s", SOURCE).isGreaterThan(start);
    return dedent(lines.subList(start + 1, end));
  }

  static List<String> firstJavaBlock(List<String> readme) {
    for (int i = 0; i < readme.size(); i++) {
      if (readme.get(i).strip().equals("```java")) {
        List<String> block = new ArrayList<>();
        for (int j = i + 1; j < readme.size() && !readme.get(j).strip().equals("```"); j++) {
          block.add(readme.get(j));
        }
        return block;
      }
    }
    return null;
  }

  static List<String> dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      out.add(l.isBlank() ? "" : l.substring(indent).stripTrailing());
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }
}
