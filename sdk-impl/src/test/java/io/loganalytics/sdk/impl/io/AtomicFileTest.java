package io.loganalytics.sdk.impl.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  @TempDir
  Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void replacesTheContentOwnerOnlyAndLeavesNoTemporaryFile() throws IOException {
    AtomicFile f = AtomicFile.of(dir.resolve("state"));
    f.write("one".getBytes(UTF_8));
    f.write(out -> out.write("two".getBytes(UTF_8)));

    assertThat(f.read(100)).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("two"));
    assertThat(mode(f.path())).isEqualTo("rw-------");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void aLeftoverTemporaryFileWithWidePermissionsIsReplacedNotReused() throws IOException {
    AtomicFile f = AtomicFile.of(dir.resolve("state"));
    Files.writeString(f.tempPath(), "partial and world-readable");
    Files.setPosixFilePermissions(f.tempPath(), PosixFilePermissions.fromString("rw-rw-rw-"));

    f.write("new".getBytes(UTF_8));

    assertThat(mode(f.path())).isEqualTo("rw-------");
    assertThat(Files.readString(f.path())).isEqualTo("new");
    assertThat(f.tempPath()).doesNotExist();
  }

  @Test
  void aLinkPlantedAtTheTemporaryNameIsNeverWrittenThrough() throws IOException {
    Path victim = Files.writeString(dir.resolve("victim"), "precious");
    AtomicFile f = AtomicFile.of(dir.resolve("state"));
    Files.createSymbolicLink(f.tempPath(), victim);

    f.write("new".getBytes(UTF_8));

    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(Files.isSymbolicLink(f.path())).isFalse();
    assertThat(Files.readString(f.path())).isEqualTo("new");
  }

  @Test
  void aLinkAtTheFileIsReplacedByTheFileAndNeverReadThrough() throws IOException {
    Path victim = Files.writeString(dir.resolve("victim"), "precious");
    AtomicFile f = AtomicFile.of(dir.resolve("state"));
    Files.createSymbolicLink(f.path(), victim);

    assertThatThrownBy(() -> f.read(100)).isInstanceOf(IOException.class);
    f.write("new".getBytes(UTF_8));

    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(Files.isSymbolicLink(f.path())).isFalse();
    assertThat(f.read(100)).hasValueSatisfying(b -> assertThat(new String(b, UTF_8)).isEqualTo("new"));
  }

  @Test
  void aFailedForceKeepsTheOldContentAndRemovesTheTemporaryFile() throws IOException {
    AtomicFile good = AtomicFile.of(dir.resolve("state"));
    good.write("old".getBytes(UTF_8));
    FileOpener failingForce = (path, options, attrs) -> new ForwardingChannel(FileChannel.open(path, options, attrs)) {
      @Override
      public void force(boolean metaData) throws IOException {
        throw new IOException("injected: no space left on device");
      }
    };

    assertThatThrownBy(() -> AtomicFile.of(dir.resolve("state"), failingForce).write("new".getBytes(UTF_8)))
        .hasMessageContaining("no space left");

    assertThat(Files.readString(good.path())).isEqualTo("old");
    assertThat(names()).containsExactly("state");
  }

  @Test
  void aFileReadableByAllIsWritten0644WhateverItWasBefore() throws IOException {
    Path p = Files.writeString(dir.resolve("conf"), "old");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
    AtomicFile f = AtomicFile.of(p).readableByAll();

    f.write("new".getBytes(UTF_8));

    assertThat(mode(p)).isEqualTo("rw-r--r--");
    assertThat(Files.readString(p)).isEqualTo("new");
    assertThat(names()).containsExactly("conf");
    AtomicFile.of(p).write("secret".getBytes(UTF_8));
    assertThat(mode(p)).as("the default stays owner only").isEqualTo("rw-------");
  }

  @Test
  void replaceRenamesOverTheTargetAndFailsOnAMissingSource() throws IOException {
    Path from = Files.writeString(dir.resolve("a.new"), "new");
    Path to = Files.writeString(dir.resolve("a"), "old");

    AtomicFile.replace(from, to);

    assertThat(Files.readString(to)).isEqualTo("new");
    assertThat(names()).containsExactly("a");
    assertThatThrownBy(() -> AtomicFile.replace(from, to)).isInstanceOf(NoSuchFileException.class);
    assertThat(Files.readString(to)).isEqualTo("new");
  }

  @Test
  void readsNothingWhenMissingAndRefusesAFileLargerThanExpected() throws IOException {
    AtomicFile f = AtomicFile.of(dir.resolve("state"));
    assertThat(f.read(10)).isEmpty();
    f.write(ByteBuffer.wrap(new byte[11]));
    assertThatThrownBy(() -> f.read(10)).isInstanceOf(IOException.class).hasMessageContaining("11 bytes");
  }

  @Test
  void createsDirectoriesOwnerOnlyAndRefusesAFileInTheWay() throws IOException {
    Path nested = dir.resolve("a/b");
    AtomicFile.createOwnerOnlyDirectory(nested);
    AtomicFile.createOwnerOnlyDirectory(nested);
    assertThat(mode(nested)).isEqualTo("rwx------");
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> AtomicFile.createOwnerOnlyDirectory(file))
        .isInstanceOf(FileAlreadyExistsException.class);
  }
}
