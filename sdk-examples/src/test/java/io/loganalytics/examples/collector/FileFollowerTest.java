package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every poll is made by the test: no waiting in real time. */
class FileFollowerTest {
  @TempDir Path dir;

  @Test
  void startsAtTheEndByDefaultAndReturnsOnlyNewLines() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "old 1\nold 2\n");
    try (FileFollower f = new FileFollower(log, false)) {
      assertThat(f.poll()).isEmpty();
      append(log, "new 1\nnew 2\n");

      assertThat(f.poll()).containsExactly("new 1", "new 2");
      assertThat(f.poll()).isEmpty();
    }
  }

  @Test
  void fromStartReadsWhatIsThere() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "a\r\nb\n");
    try (FileFollower f = new FileFollower(log, true)) {
      assertThat(f.poll()).containsExactly("a", "b");
    }
  }

  @Test
  void holdsAPartialLineUntilItsNewlineArrives() throws IOException {
    Path log = dir.resolve("app.log");
    try (FileFollower f = new FileFollower(log, true)) {
      append(log, "hal");
      assertThat(f.poll()).isEmpty();
      append(log, "f a line\nnext");
      assertThat(f.poll()).containsExactly("half a line");
      append(log, "\n");
      assertThat(f.poll()).containsExactly("next");
    }
  }

  @Test
  void waitsForAMissingFileThenReadsItWhole() throws IOException {
    Path log = dir.resolve("later.log");
    try (FileFollower f = new FileFollower(log, false)) {
      assertThat(f.poll()).isEmpty();
      append(log, "first\n");

      assertThat(f.poll()).containsExactly("first");
    }
  }

  @Test
  void followsRotationByRenameAndNewFile() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "");
    try (FileFollower f = new FileFollower(log, false)) {
      append(log, "before rotation\n");
      assertThat(f.poll()).containsExactly("before rotation");

      append(log, "written just before the rename\nunterminated tail");
      Files.move(log, dir.resolve("app.log.1"));
      append(dir.resolve("app.log.1"), "\nlate write to the old file\n"); // the app has not reopened yet
      assertThat(f.poll()).containsExactly("written just before the rename", "unterminated tail",
          "late write to the old file");

      append(log, "in the new file\n");
      assertThat(f.poll()).containsExactly("in the new file");
    }
  }

  @Test
  void rotationWithTheNewFileAlreadyWrittenReadsBothInOrder() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "");
    try (FileFollower f = new FileFollower(log, false)) {
      append(log, "old last\n");
      Files.move(log, dir.resolve("app.log.1"));
      append(log, "new first\n");

      assertThat(f.poll()).containsExactly("old last", "new first");
    }
  }

  @Test
  void followsCopyTruncate() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "");
    try (FileFollower f = new FileFollower(log, false)) {
      append(log, "line one that is long\nline two that is long\n");
      assertThat(f.poll()).hasSize(2);

      Files.copy(log, dir.resolve("app.log.1"));
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      append(log, "after truncate\n");

      assertThat(f.poll()).containsExactly("after truncate");
      append(log, "more\n");
      assertThat(f.poll()).containsExactly("more");
    }
  }

  @Test
  void cutsOverlongLines() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "x".repeat(FileFollower.MAX_LINE + 10) + "\n");
    try (FileFollower f = new FileFollower(log, true)) {
      assertThat(f.poll()).extracting(String::length).containsExactly(FileFollower.MAX_LINE, 10);
    }
  }

  @Test
  void decodesUtf8() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "grüße ✓\n");
    try (FileFollower f = new FileFollower(log, true)) {
      assertThat(f.poll()).containsExactly("grüße ✓");
    }
  }

  @Test
  void reportsThePositionAfterEachLine() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "ab\r\ncde\n");
    try (FileFollower f = new FileFollower(log, true)) {
      assertThat(f.pollLines()).extracting(l -> l.position().offset()).containsExactly(4L, 8L);
    }
  }

  @Test
  void resumesAtASavedPositionOfTheSameFile() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "a\nb\n");
    FileFollower.Position p;
    try (FileFollower f = new FileFollower(log, true)) {
      p = f.pollLines().get(0).position();
    }
    append(log, "c\n");
    try (FileFollower f = new FileFollower(log, false, p)) {
      assertThat(f.poll()).containsExactly("b", "c");
    }
  }

  @Test
  void ignoresASavedPositionBeyondTheEndOfAShorterFile() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "a long first line\n");
    FileFollower.Position p;
    try (FileFollower f = new FileFollower(log, true)) {
      p = f.pollLines().get(0).position();
    }
    try (FileChannel c = FileChannel.open(log, StandardOpenOption.WRITE)) {
      c.truncate(0); // copytruncate while stopped
    }
    append(log, "new\n");
    try (FileFollower f = new FileFollower(log, true, p)) {
      assertThat(f.poll()).containsExactly("new");
    }
  }

  @Test
  void ignoresASavedPositionOfAnotherFile() throws IOException {
    Path log = dir.resolve("app.log");
    append(log, "0123456789\n");
    try (FileFollower f = new FileFollower(log, true, new FileFollower.Position("another file", 5))) {
      assertThat(f.poll()).containsExactly("0123456789");
    }
  }

  static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
