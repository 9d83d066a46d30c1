package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.impl.io.FileOpener;
import java.nio.channels.FileChannel;

/**
 * Opens the file channels of a {@link FileDiskBuffer}: segments, temporary files, the acknowledgement state, the lock
 * file and the directory itself (to force renames). Tests substitute a factory whose channels fail at a chosen write
 * or force, or behave like a full disk or a read-only file system. Implementations must be thread-safe.
 */
@FunctionalInterface
interface ChannelFactory extends FileOpener {
  /** The real file system. */
  ChannelFactory DEFAULT = FileChannel::open;
}
