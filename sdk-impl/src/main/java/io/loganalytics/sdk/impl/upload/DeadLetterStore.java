package io.loganalytics.sdk.impl.upload;

import io.loganalytics.sdk.impl.json.DeadLetterWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes given-up records to the dead-letter directory: one file per give-up (a chunk whose requests are given up
 * separately gets several),
 * {@code chunk-<firstSequence, 20 digits>-<chunkId>.json}, in the format of {@link DeadLetterWriter}.
 *
 * <p><b>Atomic:</b> the file is written as {@code .<name>.tmp}, forced to disk, then renamed into place with an
 * atomic move, so the directory never shows a partial file under its final name (a crash leaves at most a
 * {@code .tmp} file, which can be deleted). A second give-up of the same chunk gets a {@code -2}, {@code -3}...
 * suffix instead of replacing the first file. The files hold log records, so on a POSIX file system they are
 * created readable by their owner only (0600), whatever the umask. Thread-safe (each call writes its own file).
 */
final class DeadLetterStore {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final Path directory;

  DeadLetterStore(Path directory) {
    this.directory = directory;
  }

  Path write(String chunkId, long firstSequence, Instant at, List<DeadLetterWriter.Entry> entries)
      throws IOException {
    Files.createDirectories(directory);
    String base = String.format(Locale.ROOT, "chunk-%020d-%s", firstSequence, chunkId);
    Path target = directory.resolve(base + ".json");
    for (int n = 2; Files.exists(target); n++) {
      target = directory.resolve(base + "-" + n + ".json");
    }
    Path tmp = directory.resolve("." + target.getFileName() + ".tmp");
    FileAttribute<?>[] attrs = POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING), attrs)) {
      if (POSIX) {
        // Also when a leftover temporary file existed with other permissions.
        Files.setPosixFilePermissions(tmp, OWNER_ONLY);
      }
      OutputStream os = Channels.newOutputStream(ch);
      DeadLetterWriter.write(os, chunkId, firstSequence, at, entries);
      os.flush();
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }
}
