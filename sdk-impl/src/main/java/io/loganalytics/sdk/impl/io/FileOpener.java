package io.loganalytics.sdk.impl.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * Opens file channels. The stores take one so that tests can substitute channels that fail at a chosen write or
 * force, or behave like a full disk or a read-only file system. Implementations must be thread-safe. Internal: not
 * API.
 */
@FunctionalInterface
public interface FileOpener {
  /** The real file system. */
  FileOpener DEFAULT = FileChannel::open;

  /**
   * Opens a channel.
   *
   * @param path the file or directory
   * @param options how to open it
   * @param attrs the attributes of a file it creates (its permissions)
   * @return the channel
   * @throws IOException when it cannot be opened
   */
  FileChannel open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException;

  /**
   * Opens a channel that creates no file, or creates it with the default attributes.
   *
   * @param path the file or directory
   * @param options how to open it
   * @return the channel
   * @throws IOException when it cannot be opened
   */
  default FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
    return open(path, options, new FileAttribute<?>[0]);
  }
}
