package io.loganalytics.sdk.impl.buffer;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment file: the sequences from {@link #firstSeq} up to the next segment's first (for the newest, up to the
 * buffer's next sequence), framed as {@link Format} draws. A plain holder of a file's state.
 *
 * <p>Not thread-safe. Guarded by the buffer's lock ({@code FileDiskBuffer.lock}); {@link #channel} of the active
 * segment is also used, and {@link #sealed} read, by a force running under {@link SegmentLog#forceLock} without the
 * buffer's lock: in SYNC mode both are changed under both locks (in INTERVAL mode the force takes the channel under the
 * buffer's lock first, and a roll changes them under the buffer's lock only).
 */
final class Segment {
  final long firstSeq;
  final Path path;
  /** The end of the frames: where the next frame is written (active), or the readable end (sealed). */
  long size;
  /** The file's length on disk, counted against the capacity: {@link #size} plus any preallocated zeros. */
  long fileBytes;
  /** Of the active segment: the end of the frames known to be forced. */
  long durableSize;
  /** Open while the segment is active, or among the recently read ones. Guarded by both locks (see above). */
  FileChannel channel;
  /** No more writes or forces through this object: rolled, or closed with the buffer. Guarded by both locks. */
  boolean sealed;
  /** Sealed by {@code close()}: its writes are durable only as far as the final force covered them. */
  boolean sealedByClose;
  /** Deleted from the buffer: positions in it are stale. */
  boolean deleted;
  /** A copy of this file went to quarantine in this session (one copy per file and session is enough). */
  boolean copied;
  /** Payload bytes of its records that are not gone (exact for segments written in this session, else estimated). */
  long livePayload;

  Segment(long firstSeq, Path path, long size) {
    this.firstSeq = firstSeq;
    this.path = path;
    this.size = size;
    this.fileBytes = size;
  }


  @Override
  public String toString() {
    return path.getFileName().toString();
  }
}
