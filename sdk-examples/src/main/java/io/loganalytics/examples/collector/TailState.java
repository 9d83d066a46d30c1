package io.loganalytics.examples.collector;

import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * The saved position of {@code tail} for one followed file: {@code tail-<hash of the absolute path>.position} in
 * the state directory, holding the path (for people), the file's identity and the offset just after the last line
 * the client accepted. Written whole to a temporary file (mode 0600 where the file system has POSIX permissions)
 * and renamed over the old one, so a reader or a crash never leaves half a file. Holds no secret.
 *
 * <p>Stateless; thread-safe (two collectors following the same file with the same state directory are not
 * supported: the last writer wins).
 */
final class TailState {
  static final String PATH = "path";
  static final String FILE_KEY = "fileKey";
  static final String OFFSET = "offset";

  private TailState() {}

  /**
   * @param stateDir the state directory
   * @param followed the followed file
   * @return the state file for it
   */
  static Path file(Path stateDir, Path followed) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(followed.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return stateDir.resolve("tail-" + HexFormat.of().formatHex(digest, 0, 8) + ".position");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JVM", e);
    }
  }

  /**
   * Reads a saved position.
   *
   * @param stateDir the state directory
   * @param followed the followed file
   * @return the position, empty when none was saved or the file is not one this class wrote
   * @throws IOException when the file exists but cannot be read
   */
  static Optional<FileFollower.Position> read(Path stateDir, Path followed) throws IOException {
    Path f = file(stateDir, followed);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(f)) {
      p.load(in);
    }
    String key = p.getProperty(FILE_KEY);
    String offset = p.getProperty(OFFSET);
    if (key == null || offset == null) {
      return Optional.empty();
    }
    try {
      long o = Long.parseLong(offset);
      return o < 0 ? Optional.empty() : Optional.of(new FileFollower.Position(key, o));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Saves a position atomically.
   *
   * @param stateDir the state directory (created when missing)
   * @param followed the followed file
   * @param position how far the client has accepted lines
   * @throws IOException when it cannot be written
   */
  static void write(Path stateDir, Path followed, FileFollower.Position position) throws IOException {
    Properties p = new Properties();
    p.setProperty(PATH, followed.toAbsolutePath().normalize().toString());
    p.setProperty(FILE_KEY, position.fileKey());
    p.setProperty(OFFSET, Long.toString(position.offset()));
    Files.createDirectories(stateDir);
    // Owner-only temporary file, written, forced, renamed over the old one, directory forced: a crash leaves the
    // old position or the new one, never a torn file.
    AtomicFile.of(file(stateDir, followed)).write(out -> p.store(out,
        "tail position: written by the collector after the lines up to offset were accepted"));
  }
}
