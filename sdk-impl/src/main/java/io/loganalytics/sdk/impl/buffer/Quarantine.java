package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Set;

/**
 * The {@code quarantine/} folder of a buffer: copies of damaged files, kept for inspection and never read again
 * (the live file stays, so its valid records stay readable), or files that are not segments at all moved out of the
 * way. Created 0700; copies are created 0600 without following links. Names are {@code NAME.MILLIS.N}.
 *
 * <p>Not thread-safe: used under the buffer's lock (or during open).
 */
final class Quarantine {
  static final String DIR = "quarantine";
  private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
      LinkOption.NOFOLLOW_LINKS);

  private final Path dir;
  private final ChannelFactory channels;
  private final Clock clock;

  Quarantine(Path bufferDir, ChannelFactory channels, Clock clock) {
    this.dir = bufferDir.resolve(DIR);
    this.channels = channels;
    this.clock = clock;
  }

  /**
   * Copies a file into quarantine.
   *
   * @param from the damaged file's channel
   * @param original its path (for the name)
   * @return the copy
   * @throws IOException when it cannot be copied
   */
  Path copy(FileChannel from, Path original) throws IOException {
    AtomicFile.createOwnerOnlyDirectory(dir);
    for (int n = 0; ; n++) {
      Path target = target(original, n);
      try (FileChannel to = channels.open(target, CREATE_NEW, AtomicFile.ownerOnlyFile(target))) {
        long size = from.size();
        long p = 0;
        while (p < size) {
          long k = from.transferTo(p, size - p, to);
          if (k <= 0) {
            break;
          }
          p += k;
        }
        return target;
      } catch (FileAlreadyExistsException e) {
        // a copy of the same file in the same millisecond: try the next number
      }
    }
  }

  /**
   * Copies a whole file (by path, without following a link) into quarantine.
   *
   * @param original the file
   * @return the copy
   * @throws IOException when it cannot be copied
   */
  Path copy(Path original) throws IOException {
    try (FileChannel ch = channels.open(original, SegmentLog.READ)) {
      return copy(ch, original);
    }
  }

  /**
   * Moves a file (or a link, which is not followed) into quarantine.
   *
   * @param original the file
   * @return where it is now
   * @throws IOException when it cannot be moved
   */
  Path move(Path original) throws IOException {
    AtomicFile.createOwnerOnlyDirectory(dir);
    for (int n = 0; ; n++) {
      Path target = target(original, n);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Files.move(original, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    }
  }

  private Path target(Path original, int n) {
    return dir.resolve(original.getFileName() + "." + clock.millis() + "." + n);
  }
}
