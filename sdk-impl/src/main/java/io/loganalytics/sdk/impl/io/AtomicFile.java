package io.loganalytics.sdk.impl.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A small file replaced as a whole, atomically and durably, and readable by its owner only: the content is written
 * to {@code .NAME.tmp} (hidden; created anew, mode 0600 where the file system has POSIX permissions, whatever the
 * umask, or 0644 for a file made {@link #readableByAll()}), forced to disk, renamed over {@code NAME} in one atomic
 * step, and then the directory is forced so that the rename survives a power cut. A crash leaves the old file or the new one, never a mix; at most a {@code .NAME.tmp} is left
 * behind, which the next write replaces. Reading and writing never follow a symbolic link at {@code NAME} or
 * {@code .NAME.tmp} ({@link LinkOption#NOFOLLOW_LINKS}): a link planted there makes the call fail instead of writing
 * through it. The directory itself may be reached through links.
 *
 * <p>Thread-safety: an instance holds only its path and opener. Writes of the same file must not run at once (they
 * share the temporary file); callers serialize them. Internal: not API.
 */
public final class AtomicFile {
  /** Suffix of the temporary file a write goes through. */
  public static final String TEMP_SUFFIX = ".tmp";

  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC_FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
      LinkOption.NOFOLLOW_LINKS);
  private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

  /** Writes the content of a file. */
  @FunctionalInterface
  public interface ContentWriter {
    /**
     * Writes the content.
     *
     * @param out where to write it; closing it is not needed
     * @throws IOException when writing fails
     */
    void writeTo(OutputStream out) throws IOException;
  }

  private final Path path;
  private final FileOpener opener;
  private final Set<PosixFilePermission> mode;

  private AtomicFile(Path path, FileOpener opener, Set<PosixFilePermission> mode) {
    this.path = Objects.requireNonNull(path, "path");
    this.opener = Objects.requireNonNull(opener, "opener");
    this.mode = mode;
  }

  /**
   * A file on the real file system.
   *
   * @param path the file
   * @return the atomic file
   */
  public static AtomicFile of(Path path) {
    return new AtomicFile(path, FileOpener.DEFAULT, FILE_MODE);
  }

  /**
   * A file whose channels come from {@code opener} (tests inject failures through it).
   *
   * @param path the file
   * @param opener opens its channels
   * @return the atomic file
   */
  public static AtomicFile of(Path path, FileOpener opener) {
    return new AtomicFile(path, opener, FILE_MODE);
  }

  /**
   * The same file, written with mode 0644 (readable by everyone, writable by its owner) instead of 0600, for content
   * that is no secret and that other tools read (a configuration file, a certificate).
   *
   * @return the atomic file
   */
  public AtomicFile readableByAll() {
    return new AtomicFile(path, opener, PUBLIC_FILE_MODE);
  }

  /** @return the file */
  public Path path() {
    return path;
  }

  /** @return the temporary file a write goes through: {@code .NAME.tmp} */
  public Path tempPath() {
    return path.resolveSibling("." + path.getFileName() + TEMP_SUFFIX);
  }

  /**
   * Replaces the file with {@code content}.
   *
   * @param content the new content
   * @throws IOException when it cannot be written; the file then holds its old content
   */
  public void write(byte[] content) throws IOException {
    write(ByteBuffer.wrap(content));
  }

  /**
   * Replaces the file with the remaining bytes of {@code content}.
   *
   * @param content the new content; its position ends at its limit
   * @throws IOException when it cannot be written; the file then holds its old content
   */
  public void write(ByteBuffer content) throws IOException {
    writeChannel(ch -> {
      long p = 0;
      while (content.hasRemaining()) {
        p += ch.write(content, p);
      }
    });
  }

  /**
   * Replaces the file with what {@code writer} writes.
   *
   * @param writer writes the new content
   * @throws IOException when it cannot be written; the file then holds its old content
   */
  public void write(ContentWriter writer) throws IOException {
    writeChannel(ch -> {
      OutputStream out = Channels.newOutputStream(ch);
      writer.writeTo(out);
      out.flush();
    });
  }

  /** Writes the content of a file through its channel. */
  @FunctionalInterface
  public interface ChannelContent {
    /**
     * Writes the content, from position 0.
     *
     * @param ch the new file's channel; not to be closed or forced (that is done after)
     * @throws IOException when writing fails
     */
    void writeTo(FileChannel ch) throws IOException;
  }

  /**
   * Replaces the file with what {@code body} writes to its channel.
   *
   * @param body writes the new content
   * @throws IOException when it cannot be written; the file then holds its old content
   */
  public void writeChannel(ChannelContent body) throws IOException {
    Path tmp = tempPath();
    // A leftover temporary file (or a link planted there) is removed, never written through: CREATE_NEW with
    // NOFOLLOW_LINKS then fails if anything reappears at that name.
    Files.deleteIfExists(tmp);
    try (FileChannel ch = opener.open(tmp, CREATE_NEW, fileMode(tmp, mode))) {
      exactMode(tmp, mode);
      body.writeTo(ch);
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp, e);
      throw e;
    }
    try {
      replace(tmp, path);
    } catch (IOException e) {
      deleteQuietly(tmp, e);
      throw e;
    }
    forceDirectory(parent(path), opener);
  }

  /**
   * Renames {@code from} over {@code to} in one atomic step (replacing it), for a caller that commits several files
   * written with {@link #write} under other names. The directory is not forced: call {@link #forceDirectory} after
   * the last rename.
   *
   * @param from the file to rename
   * @param to its new name
   * @throws IOException when it cannot be renamed, or the file system cannot rename atomically (the message says so)
   */
  public static void replace(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + to + " cannot rename atomically", e);
    }
  }

  /**
   * Reads the whole file, without following a link.
   *
   * @param maxBytes the largest size accepted
   * @return the content, or empty when there is no file
   * @throws IOException when it cannot be read, is a link, or is larger than {@code maxBytes} (the message says so)
   */
  public Optional<byte[]> read(int maxBytes) throws IOException {
    try (FileChannel ch = opener.open(path, READ)) {
      long size = ch.size();
      if (size > maxBytes) {
        throw new IOException(path + " is " + size + " bytes, larger than the " + maxBytes + " expected");
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      long p = 0;
      while (b.hasRemaining()) {
        int n = ch.read(b, p);
        if (n < 0) {
          break;
        }
        p += n;
      }
      byte[] out = new byte[b.position()];
      b.flip().get(out);
      return Optional.of(out);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      throw e;
    } catch (IOException e) {
      // Such as "Too many levels of symbolic links" (a link there), which does not name the file.
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Forces a directory to disk, so that a rename or a new file in it survives a power cut. On a file system without
   * POSIX permissions (Windows), where a directory cannot be opened and a rename is made durable by the file
   * system's own journal, a directory that cannot be opened is skipped.
   *
   * @param dir the directory
   * @param opener opens it
   * @throws IOException when it cannot be opened (on a POSIX file system) or forced
   */
  public static void forceDirectory(Path dir, FileOpener opener) throws IOException {
    FileChannel d;
    try {
      d = opener.open(dir, Set.of(StandardOpenOption.READ));
    } catch (IOException e) {
      if (posix(dir)) {
        throw e;
      }
      return;
    }
    try (d) {
      d.force(true);
    }
  }

  /**
   * Creates a directory readable by its owner only (0700 where the file system has POSIX permissions, whatever the
   * umask), with its missing parents (those get the default permissions); an existing directory is left as it is.
   *
   * @param dir the directory
   * @throws FileAlreadyExistsException when something other than a directory is there
   * @throws IOException when it cannot be created
   */
  public static void createOwnerOnlyDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(dir, posix(dir)
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY_MODE)} : new FileAttribute<?>[0]);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      return;
    }
    exactMode(dir, DIRECTORY_MODE);
  }

  /**
   * The attributes to create a file readable by its owner only with (0600), or none where the file system has no
   * POSIX permissions.
   *
   * @param anyPathOnTheFileSystem a path of the file system the file is created on
   * @return the attributes
   */
  public static FileAttribute<?>[] ownerOnlyFile(Path anyPathOnTheFileSystem) {
    return fileMode(anyPathOnTheFileSystem, FILE_MODE);
  }

  private static FileAttribute<?>[] fileMode(Path anyPathOnTheFileSystem, Set<PosixFilePermission> mode) {
    return posix(anyPathOnTheFileSystem)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The umask may take bits away from the creation mode; set it exactly (without following a link). */
  private static void exactMode(Path p, Set<PosixFilePermission> mode) throws IOException {
    if (!posix(p)) {
      return;
    }
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view != null && !view.readAttributes().permissions().equals(mode)) {
      view.setPermissions(mode);
    }
  }

  private static Path parent(Path p) {
    Path parent = p.toAbsolutePath().getParent();
    if (parent == null) {
      throw new IllegalArgumentException(p + " has no parent directory");
    }
    return parent;
  }

  private static void deleteQuietly(Path p, Exception cause) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return "AtomicFile{" + path + (mode == FILE_MODE ? "" : ", readable by all") + "}";
  }
}
