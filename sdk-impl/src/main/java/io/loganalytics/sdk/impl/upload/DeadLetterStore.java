package io.loganalytics.sdk.impl.upload;

import io.loganalytics.sdk.impl.io.AtomicFile;
import io.loganalytics.sdk.impl.json.DeadLetterWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Writes given-up records to the dead-letter directory: one file per give-up (a chunk whose requests are given up
 * separately gets several),
 * {@code chunk-<firstSequence, 20 digits>-<chunkId>.json}, in the format of {@link DeadLetterWriter}.
 *
 * <p><b>Atomic:</b> the file is written through {@link AtomicFile}: as {@code .<name>.tmp}, forced to disk, renamed
 * into place with an atomic move, the directory forced, so the directory never shows a partial file under its final
 * name (a crash leaves at most a {@code .tmp} file, which can be deleted). A second give-up of the same chunk gets a
 * {@code -2}, {@code -3}... suffix instead of replacing the first file. The files hold log records, so on a POSIX
 * file system they are created readable by their owner only (0600), in a directory created 0700, whatever the umask,
 * and never written through a symbolic link. Thread-safe (each call writes its own file; two calls racing for the
 * same chunk's name are not expected: a chunk is given up by the one uploader thread).
 */
final class DeadLetterStore {
  private final Path directory;

  DeadLetterStore(Path directory) {
    this.directory = directory;
  }

  Path write(String chunkId, long firstSequence, Instant at, List<DeadLetterWriter.Entry> entries)
      throws IOException {
    AtomicFile.createOwnerOnlyDirectory(directory);
    String base = String.format(Locale.ROOT, "chunk-%020d-%s", firstSequence, chunkId);
    Path target = directory.resolve(base + ".json");
    for (int n = 2; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
      target = directory.resolve(base + "-" + n + ".json");
    }
    AtomicFile.of(target).write(out -> DeadLetterWriter.write(out, chunkId, firstSequence, at, entries));
    return target;
  }
}
