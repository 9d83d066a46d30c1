package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim of one buffer on its directory: the directory is created owner-only if missing, {@value #FILE} in it is
 * locked with {@link FileChannel#tryLock()} (one process per directory), and the directory's real path is entered in
 * a set of this JVM's held directories (one buffer per directory in the process: the file lock is the process's, and
 * a second channel on the lock file, once closed, would drop it). Taking it also removes group and other permissions
 * from the directory and its files (buffered records are log data, see {@link OwnerOnly}).
 *
 * <p>Thread-safety: the set of held directories is thread-safe, so buffers of any threads may take directories at
 * once. An instance is not thread-safe: its owner ({@code FileDiskBuffer}) takes it while opening and releases it
 * while closing, both under the buffer's lock. {@link #release} may be called more than once.
 */
final class DirectoryLock {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);
  /** The lock file's name in the buffer directory. */
  static final String FILE = "buffer.lock";

  /** Real paths of the directories held by buffers of this JVM. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private Path heldKey;
  private FileChannel channel;
  private FileLock fileLock;

  private DirectoryLock(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates the directory if missing and takes it for one buffer.
   *
   * @param dir the buffer directory
   * @param channels opens the lock file
   * @return the claim, to {@link #release} when the buffer closes
   * @throws BufferException (not retryable) when something other than a directory is there, or the directory is held
   *     by another buffer of this process or by another process; nothing is held then
   * @throws IOException when the directory or its lock file cannot be created or opened; nothing is held then
   */
  static DirectoryLock acquire(Path dir, ChannelFactory channels) throws IOException {
    DirectoryLock d = new DirectoryLock(dir);
    try {
      d.take(channels);
    } catch (IOException | RuntimeException e) {
      d.release();
      throw e;
    }
    return d;
  }

  private void take(ChannelFactory channels) throws IOException {
    try {
      AtomicFile.createOwnerOnlyDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new BufferException(dir, "buffer directory " + dir + " exists and is not a directory", false, e);
    }
    Path key = dir.toRealPath();
    if (!HELD.add(key)) {
      throw new BufferException(dir, "buffer directory " + dir + " is already open in this process", false, null);
    }
    heldKey = key;
    channel = channels.open(dir.resolve(FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), AtomicFile.ownerOnlyFile(dir));
    try {
      fileLock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      throw new BufferException(dir, "buffer directory " + dir + " is already open in this process", false, e);
    }
    if (fileLock == null) {
      throw new BufferException(dir, "buffer directory " + dir + " is in use by another process", false, null);
    }
    restrictPermissions();
  }

  /** Takes group and other permissions away from the directory and its files (buffered records are log data). */
  private void restrictPermissions() {
    try {
      int changed = new OwnerOnly(dir).restrictTree(dir);
      if (changed > 0) {
        LOG.info("Buffer {}: removed group and other permissions from {} files and directories (buffered records"
            + " are log data, readable by the owner only)", dir, changed);
      }
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not remove group and other permissions from its files: {}", dir,
          FileDiskBuffer.describe(e));
    }
  }

  /** Releases the file lock, closes the lock file and lets the directory be taken again. Idempotent. */
  void release() {
    try {
      if (fileLock != null) {
        fileLock.release();
      }
    } catch (IOException e) {
      LOG.debug("Buffer {}: releasing the lock failed: {}", dir, FileDiskBuffer.describe(e));
    }
    fileLock = null;
    SegmentLog.closeQuietly(channel);
    channel = null;
    if (heldKey != null) {
      HELD.remove(heldKey);
      heldKey = null;
    }
  }
}
