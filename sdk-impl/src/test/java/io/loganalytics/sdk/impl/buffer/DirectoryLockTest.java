package io.loganalytics.sdk.impl.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.BufferException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DirectoryLock} on its own: one buffer per directory in a process, one process per directory. */
class DirectoryLockTest {
  @TempDir
  Path tmp;

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void createsTheDirectoryOwnerOnlyAndRefusesASecondClaimUntilReleased() throws Exception {
    Path dir = tmp.resolve("a/b/buffer");
    DirectoryLock first = DirectoryLock.acquire(dir, ChannelFactory.DEFAULT);
    assertThat(dir.resolve(DirectoryLock.FILE)).isRegularFile();
    if (posix(dir)) {
      assertThat(mode(dir)).isEqualTo("rwx------");
      assertThat(mode(dir.resolve(DirectoryLock.FILE))).isEqualTo("rw-------");
    }
    assertThatThrownBy(() -> DirectoryLock.acquire(dir, ChannelFactory.DEFAULT))
        .isInstanceOfSatisfying(BufferException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("already open in this process").hasMessageContaining(dir.toString());
    first.release();
    first.release(); // idempotent: a second release frees nothing another buffer holds
    DirectoryLock second = DirectoryLock.acquire(dir, ChannelFactory.DEFAULT);
    first.release();
    assertThatThrownBy(() -> DirectoryLock.acquire(dir, ChannelFactory.DEFAULT))
        .as("the first claim's late release did not free the second claim's directory")
        .hasMessageContaining("already open in this process");
    second.release();
  }

  @Test
  void theSameDirectoryReachedThroughALinkIsTheSameDirectory() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("real"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), dir); // the buffer runs where links exist (Linux)
    DirectoryLock held = DirectoryLock.acquire(dir, ChannelFactory.DEFAULT);
    try {
      assertThatThrownBy(() -> DirectoryLock.acquire(link, ChannelFactory.DEFAULT))
          .isInstanceOf(BufferException.class).hasMessageContaining("already open in this process");
    } finally {
      held.release();
    }
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsRefusedByName() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> DirectoryLock.acquire(file, ChannelFactory.DEFAULT))
        .isInstanceOfSatisfying(BufferException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining(file + " exists and is not a directory");
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void aClaimThatFailsHalfwayHoldsNothing() throws Exception {
    Path dir = tmp.resolve("buffer");
    ChannelFactory failing = (path, options, attrs) -> {
      throw new FileSystemException(path.toString(), null, "Read-only file system");
    };
    assertThatThrownBy(() -> DirectoryLock.acquire(dir, failing)).isInstanceOf(FileSystemException.class)
        .hasMessageContaining("Read-only file system");
    // The directory was entered in the held set before the lock file failed to open; it must have left it again.
    DirectoryLock later = DirectoryLock.acquire(dir, ChannelFactory.DEFAULT);
    later.release();
  }

  @Test
  void takesGroupAndOtherPermissionsAwayFromWhatIsThere() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("old"));
    assertThat(posix(dir)).as("POSIX permissions (the buffer's supported platforms have them)").isTrue();
    Path seg = Files.writeString(dir.resolve(Format.segmentName(0)), "x");
    Path q = Files.createDirectory(dir.resolve(Quarantine.DIR));
    Path copy = Files.writeString(q.resolve("copy"), "y");
    Files.setPosixFilePermissions(seg, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.setPosixFilePermissions(q, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    DirectoryLock d = DirectoryLock.acquire(dir, ChannelFactory.DEFAULT);
    try {
      for (Path p : List.of(dir, q)) {
        assertThat(mode(p)).as("%s", p).isEqualTo("rwx------");
      }
      for (Path p : List.of(seg, copy)) {
        assertThat(mode(p)).as("%s", p).isEqualTo("rw-------");
      }
    } finally {
      d.release();
    }
  }

  @Test
  void aDirectoryHeldByAnotherProcessIsRefusedUntilThatProcessLetsGo() throws Exception {
    Path dir = tmp.resolve("shared");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
        dir.toString()).redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
      assertThat(out.readLine()).isEqualTo("held");
      assertThatThrownBy(() -> DirectoryLock.acquire(dir, ChannelFactory.DEFAULT))
          .isInstanceOfSatisfying(BufferException.class, e -> assertThat(e.isRetryable()).isFalse())
          .hasMessageContaining("in use by another process");
      child.getOutputStream().close(); // the child releases and exits
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).isZero();
    DirectoryLock mine = DirectoryLock.acquire(dir, ChannelFactory.DEFAULT);
    mine.release();
  }

  /** The other process: holds the directory until its standard input ends. */
  static final class Holder {
    public static void main(String[] args) throws Exception {
      DirectoryLock d = DirectoryLock.acquire(Path.of(args[0]), ChannelFactory.DEFAULT);
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our input
      }
      d.release();
    }
  }
}
