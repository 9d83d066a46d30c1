package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered segments of a buffer, the newest of which (the active one) takes appends: creating, rolling, writing,
 * cutting back and deleting segment files, finding the segment of a sequence, and a bounded set of open read
 * channels. Every file is opened without following symbolic links.
 *
 * <p>Deferred rolls (INTERVAL mode, {@link #rollDeferred}): a roll runs no force on the appending thread. The next
 * segment is made from a spare, an empty {@code spare-N.tmp} file the flusher thread created ahead of need
 * ({@link #prepareSpare}); a roll writes the header into it and renames it to the segment's name. The sealed segment
 * hands its write channel to a {@link Pending} in {@link #unforcedSealed}; the flusher forces those
 * segments together with the active one, and the directory (for the renames), before it counts anything durable
 * ({@link #forceDeferred}). What a crash can leave: a spare (a temporary file, deleted on open; it never holds
 * records), a sealed segment with a torn tail (its lost records are reported as damage when read), a renamed segment
 * whose header never reached the disk ({@link LogLoader} rewrites it from the name when the segment is above the
 * durable end).
 *
 * <p>SYNC rolls ({@link #takeSpare}) also take a spare, made by the same thread but preallocated to the segment size:
 * the appending thread forces the old segment (its records are waiting for that force), writes the header into the
 * spare and renames it, and neither creates, fills nor forces a file. The rename is made durable by the next force
 * of the new segment ({@link #forceSync}, the group-commit leader, or {@link #forceActive}), which forces the
 * directory too before any record of that segment counts durable. A crash before that force can leave the spare
 * under its temporary name (deleted on open; no append in it had returned) or under the segment's name with or
 * without its header (a header lost above the durable end is rewritten on open, as after an INTERVAL roll).
 *
 * <p>Not thread-safe: guarded by the buffer's lock. {@link #forceLock} (after the buffer's lock in the lock order,
 * or taken alone) serializes a force, which runs without the buffer's lock, with closing the channel it forces: in
 * SYNC mode with sealing the active segment; in INTERVAL mode a roll takes no {@link #forceLock} (the flusher takes
 * the channels it forces under the buffer's lock first), and the channels of {@link Pending} segments, and those
 * {@link #retired} by deleting such a segment, are closed only under {@link #forceLock}, so no thread closing them
 * waits for a force.
 */
final class SegmentLog {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);
  /** How many sealed segments may keep a read channel open at once (file descriptors). */
  static final int MAX_READ_CHANNELS = 4;
  static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  static final Set<OpenOption> READ_WRITE = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
      LinkOption.NOFOLLOW_LINKS);

  private final Path dir;
  private final ChannelFactory channels;
  private final Clock clock;
  private final int segmentBytes;
  /** Whether new segments are written full of zeros up front (SYNC: forces then change no file metadata). */
  private final boolean preallocate;

  /** Serializes forces with sealing the forced segment. See the class comment. */
  final ReentrantLock forceLock = new ReentrantLock();

  final List<Segment> segments = new ArrayList<>();
  Segment active;
  /** The sequence the next append gets. */
  long nextSeq;
  /** The sum of the segment file sizes. */
  long totalBytes;
  /** INTERVAL: sealed segments that no force covered yet, oldest first. Guarded by the buffer's lock. */
  final List<Pending> unforcedSealed = new ArrayList<>();
  /**
   * INTERVAL: write channels of {@link Pending} segments deleted before their force, to close under
   * {@link #forceLock}. Guarded by the buffer's lock.
   */
  final List<FileChannel> retired = new ArrayList<>();

  /** A sealed segment (INTERVAL) and its write channel, until a force covers it. */
  static final class Pending {
    final Segment segment;
    final FileChannel channel;
    /** Forced, and its channel closed. Guarded by {@link SegmentLog#forceLock}. */
    boolean forced;

    Pending(Segment segment, FileChannel channel) {
      this.segment = segment;
      this.channel = channel;
    }
  }
  /** INTERVAL: a rename of a spare to a segment name that no force of the directory covered yet. Buffer's lock. */
  boolean directoryUnforced;
  /** SYNC: spares renamed to segment names by {@link #takeSpare}, counted. Guarded by the buffer's lock. */
  long renames;
  /** SYNC: {@link #renames} covered by a directory force. Guarded by {@link #forceLock}. */
  private long renamesForced;
  /** The spare the next roll takes, or null. Guarded by the buffer's lock. */
  private Spare spare;
  private final AtomicLong spareNumbers = new AtomicLong();

  /** An empty temporary file, opened for writing, ready to become the next segment. */
  static final class Spare {
    final Path path;
    final FileChannel channel;

    Spare(Path path, FileChannel channel) {
      this.path = path;
      this.channel = channel;
    }
  }

  /** Sealed segments with an open read channel, most recently used first; at most {@link #MAX_READ_CHANNELS}. */
  private final ArrayDeque<Segment> readChannels = new ArrayDeque<>();

  SegmentLog(Path dir, ChannelFactory channels, Clock clock, int segmentBytes, boolean preallocate) {
    this.dir = dir;
    this.channels = channels;
    this.clock = clock;
    this.segmentBytes = segmentBytes;
    this.preallocate = preallocate;
  }

  Path dir() {
    return dir;
  }

  /** @return the index of the segment holding {@code seq}: the last one whose first sequence is not above it */
  int indexOf(long seq) {
    int lo = 0;
    int hi = segments.size() - 1;
    int idx = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (segments.get(mid).firstSeq <= seq) {
        idx = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return idx;
  }

  /** @return the end (exclusive) of the sequences of segment {@code index} */
  long endSeq(int index) {
    return index + 1 < segments.size() ? segments.get(index + 1).firstSeq : nextSeq;
  }

  /** @return the end (exclusive) of the sequences of {@code s} */
  long endSeq(Segment s) {
    return endSeq(segments.indexOf(s));
  }

  /**
   * Creates a segment file: {@code NAME.tmp} written (the header, and zeros up to the segment size when
   * preallocating), forced, renamed atomically, the directory forced. Opens it for writing.
   *
   * @param firstSeq its first sequence
   * @return the new segment, not yet in the list
   * @throws IOException when it cannot be created
   */
  Segment create(long firstSeq) throws IOException {
    Path path = dir.resolve(Format.segmentName(firstSeq));
    AtomicFile.of(path, channels).writeChannel(ch -> {
      ByteBuffer header = Format.segmentHeader(firstSeq, clock.millis());
      long p = 0;
      while (header.hasRemaining()) {
        p += ch.write(header, p);
      }
      if (preallocate) {
        Format.writeZeros(ch, p, segmentBytes);
      }
    });
    Segment s = new Segment(firstSeq, path, Format.SEGMENT_HEADER_BYTES);
    s.fileBytes = preallocate ? segmentBytes : Format.SEGMENT_HEADER_BYTES;
    s.durableSize = s.size;
    s.channel = channels.open(path, READ_WRITE);
    return s;
  }

  /** @return whether a spare is ready for the next roll. Buffer's lock held. */
  boolean hasSpare() {
    return spare != null;
  }

  /**
   * Creates a spare: a temporary file (SYNC: filled with zeros up to the segment size, as {@link #create} does),
   * forced, the directory forced (so its creation costs the next roll nothing). Runs on the sync thread, without the
   * buffer's lock; {@link #installSpare} hands it over.
   *
   * @return the spare
   * @throws IOException when it cannot be created
   */
  Spare prepareSpare() throws IOException {
    Spare s = newSpare();
    try {
      if (preallocate) {
        Format.writeZeros(s.channel, 0, segmentBytes);
      }
      s.channel.force(true);
      AtomicFile.forceDirectory(dir, channels);
    } catch (IOException e) {
      discard(s);
      throw e;
    }
    return s;
  }

  private Spare newSpare() throws IOException {
    Path path = dir.resolve("spare-" + spareNumbers.incrementAndGet() + Format.TEMP_SUFFIX);
    FileChannel ch = channels.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS), AtomicFile.ownerOnlyFile(dir));
    return new Spare(path, ch);
  }

  /**
   * Makes {@code s} the spare the next roll takes; discards it when one is there already or {@code keep} is false.
   * Buffer's lock held.
   */
  void installSpare(Spare s, boolean keep) {
    if (spare == null && keep) {
      spare = s;
    } else {
      discard(s);
    }
  }

  /** Closes and deletes the spare (on close). Buffer's lock held. */
  void discardSpare() {
    if (spare != null) {
      discard(spare);
      spare = null;
    }
  }

  private void discard(Spare s) {
    closeQuietly(s.channel);
    try {
      Files.deleteIfExists(s.path);
    } catch (IOException e) {
      LOG.debug("Buffer {}: could not delete {}: {}", dir, s.path, FileDiskBuffer.describe(e));
    }
  }

  /**
   * SYNC: makes the next segment from the spare, if one is ready: writes the header into it (not forced: the next
   * force of the segment covers it, the file being preallocated) and renames it to the segment's name. The rename is
   * durable only once the directory is forced: {@link #forceSync} and {@link #forceActive} do that before any record
   * of the new segment counts durable. Buffer's lock held; the caller forced the active segment and seals it.
   *
   * @return the new segment, not yet in the list, or null when no spare is ready (the caller {@link #create}s one)
   * @throws IOException when the spare cannot be made the segment (it is discarded; nothing else changed)
   */
  Segment takeSpare() throws IOException {
    Spare sp = spare;
    if (sp == null) {
      return null;
    }
    spare = null;
    Segment next = segmentFrom(sp);
    renames++;
    next.fileBytes = preallocate ? segmentBytes : Format.SEGMENT_HEADER_BYTES;
    return next;
  }

  /**
   * Makes the spare the segment starting at {@link #nextSeq}: writes the header into it (not forced) and renames it
   * to the segment's name (the directory not forced).
   *
   * @return the segment, its channel the spare's, not yet in the list
   * @throws IOException when the spare cannot be made the segment (it is discarded then)
   */
  private Segment segmentFrom(Spare sp) throws IOException {
    long firstSeq = nextSeq;
    Path path = dir.resolve(Format.segmentName(firstSeq));
    try {
      ByteBuffer header = Format.segmentHeader(firstSeq, clock.millis());
      long p = 0;
      while (header.hasRemaining()) {
        p += sp.channel.write(header, p);
      }
      Files.move(sp.path, path, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      discard(sp);
      throw e;
    }
    Segment next = new Segment(firstSeq, path, Format.SEGMENT_HEADER_BYTES);
    next.durableSize = Format.SEGMENT_HEADER_BYTES;
    next.channel = sp.channel;
    return next;
  }

  /**
   * SYNC: forces {@code seg} unless a roll sealed it meanwhile (the roll forced it), then the directory when a rename
   * up to {@code renamesSeen} is not yet covered by a directory force. Under {@link #forceLock}, without the buffer's
   * lock (the group-commit leader).
   *
   * @param seg the segment the round wrote to
   * @param renamesSeen {@link #renames} when the round was taken, under the buffer's lock
   * @throws IOException when a force fails
   */
  void forceSync(Segment seg, long renamesSeen) throws IOException {
    forceLock.lock();
    try {
      if (!seg.sealed) {
        seg.channel.force(false);
      }
      forceDirectoryUpTo(renamesSeen);
    } finally {
      forceLock.unlock();
    }
  }

  /** Forces the directory if a rename up to {@code renamesSeen} is not covered yet. {@link #forceLock} held. */
  private void forceDirectoryUpTo(long renamesSeen) throws IOException {
    if (renamesForced < renamesSeen) {
      AtomicFile.forceDirectory(dir, channels);
      renamesForced = renamesSeen;
    }
  }

  /**
   * A roll without a force (INTERVAL): makes the next segment from the spare (or, when none is ready, from an empty
   * temporary file created here), seals the active one without forcing it (it joins {@link #unforcedSealed}) and
   * makes the new segment active. The header is written and the spare renamed without a force: the flusher forces
   * both, with the sealed segment, before it counts their records durable. Takes no {@link #forceLock}: a roll never
   * waits for a force in progress. Buffer's lock held, nothing staged.
   *
   * @throws IOException when the next segment cannot be made (nothing changed then)
   */
  void rollDeferred() throws IOException {
    Spare sp = spare;
    spare = null;
    if (sp == null) {
      sp = newSpare();
    }
    Segment next = segmentFrom(sp);
    directoryUnforced = true;
    Segment old = active;
    old.sealed = true;
    unforcedSealed.add(new Pending(old, old.channel));
    old.channel = null;
    addActive(next);
  }

  /**
   * Forces (INTERVAL) the sealed segments {@code sealed} not forced yet, then {@code active} (the active segment's
   * write channel when the caller looked; a roll may have sealed it since), then the directory when
   * {@code directory}; closes {@code toClose} (channels {@link #retired} before). Under {@link #forceLock}, without the
   * buffer's lock: the caller took every argument under the buffer's lock. A sealed segment whose force succeeded is
   * marked {@link Pending#forced} and its channel closed; the caller drops it from {@link #unforcedSealed}.
   *
   * @throws IOException when a force fails (those forced before stay forced)
   */
  void forceDeferred(List<Pending> sealed, FileChannel active, boolean directory, List<FileChannel> toClose)
      throws IOException {
    forceLock.lock();
    try {
      for (Pending p : sealed) {
        forcePending(p);
      }
      if (active != null) {
        active.force(false);
      }
      if (directory) {
        AtomicFile.forceDirectory(dir, channels);
      }
    } finally {
      for (FileChannel ch : toClose) {
        closeQuietly(ch);
      }
      forceLock.unlock();
    }
  }

  private static void forcePending(Pending p) throws IOException {
    if (!p.forced) {
      p.channel.force(false);
      p.forced = true;
      closeQuietly(p.channel);
    }
  }

  /** @return the channels retired since the last call (to close under {@link #forceLock}). Buffer's lock held. */
  List<FileChannel> takeRetired() {
    if (retired.isEmpty()) {
      return List.of();
    }
    List<FileChannel> r = new ArrayList<>(retired);
    retired.clear();
    return r;
  }

  /**
   * Forces every sealed segment not yet forced, and the directory when a rename needs it, and closes the retired
   * channels (close). Buffer's lock held.
   *
   * @throws IOException when a force fails
   */
  void forceAllDeferred() throws IOException {
    forceLock.lock();
    try {
      for (Pending p : unforcedSealed) {
        forcePending(p);
      }
      if (directoryUnforced) {
        AtomicFile.forceDirectory(dir, channels);
        directoryUnforced = false;
      }
    } finally {
      for (FileChannel ch : retired) {
        closeQuietly(ch);
      }
      retired.clear();
      unforcedSealed.removeIf(p -> p.forced);
      forceLock.unlock();
    }
  }

  /** Adds a segment created by {@link #create} as the new active one; the old active one must be sealed. */
  void addActive(Segment s) {
    segments.add(s);
    active = s;
    totalBytes += s.fileBytes;
  }

  /**
   * Seals the active segment, which must be forced already: cuts its unused zeros off (not forced: if a crash undoes
   * the cut, the zeros read as its end), closes its channel.
   */
  void seal(Segment old) {
    if (old.fileBytes > old.size && old.channel != null) {
      try {
        old.channel.truncate(old.size);
        totalBytes -= old.fileBytes - old.size;
        old.fileBytes = old.size;
      } catch (IOException e) {
        LOG.debug("Buffer {}: could not cut the zeros off {}: {}", dir, old, FileDiskBuffer.describe(e));
      }
    }
    forceLock.lock();
    try {
      old.sealed = true;
      closeQuietly(old.channel);
      old.channel = null;
    } finally {
      forceLock.unlock();
    }
  }

  /**
   * Forces the active segment (under {@link #forceLock}), reopening its channel if an interrupt closed it, and the
   * directory when a rename of a spare ({@link #takeSpare}) is not yet covered by a directory force. Buffer's lock
   * held.
   *
   * @throws IOException when the force fails
   */
  void forceActive() throws IOException {
    forceLock.lock();
    try {
      reopenActiveIfClosed();
      active.channel.force(false);
      forceDirectoryUpTo(renames);
    } finally {
      forceLock.unlock();
    }
  }

  /**
   * Writes frames at the end of the active segment. On failure the file is cut back to where it was.
   *
   * @param frames the frame bytes; consumed
   * @throws IOException when the write fails (the segment is then as before)
   */
  void write(ByteBuffer frames) throws IOException {
    long pos = active.size;
    int bytes = frames.remaining();
    try {
      reopenActiveIfClosed();
      long p = pos;
      while (frames.hasRemaining()) {
        p += active.channel.write(frames, p);
      }
    } catch (IOException e) {
      try {
        cutActive(pos);
      } catch (IOException t) {
        e.addSuppressed(t);
      }
      throw e;
    }
    long end = pos + bytes;
    if (end > active.fileBytes) {
      totalBytes += end - active.fileBytes;
      active.fileBytes = end;
    }
    active.size = end;
  }

  /**
   * Cuts the active segment's file back to {@code keep} bytes, dropping what was written after (its preallocated
   * zeros too: the segment then grows with its appends).
   */
  void cutActive(long keep) throws IOException {
    active.channel.truncate(keep);
    if (active.fileBytes > keep) {
      totalBytes -= active.fileBytes - keep;
      active.fileBytes = keep;
    }
  }

  /**
   * Reopens the active segment's channel when it was closed under us: a thread interrupted during file I/O closes
   * the channel it used ({@link java.nio.channels.ClosedByInterruptException}).
   */
  void reopenActiveIfClosed() throws IOException {
    if (!active.sealed && (active.channel == null || !active.channel.isOpen())) {
      active.channel = channels.open(active.path, READ_WRITE);
    }
  }

  /**
   * The channel to read {@code s} through. Sealed segments keep their read channel open only while among the
   * {@link #MAX_READ_CHANNELS} most recently read ones, so a large backlog holds a bounded number of descriptors. The
   * caller uses the channel before it asks for another one (the least recently used one is closed then).
   */
  FileChannel channelFor(Segment s) throws IOException {
    if (s == active) {
      if (s.channel == null || !s.channel.isOpen()) {
        s.channel = channels.open(s.path, READ_WRITE);
      }
      return s.channel;
    }
    if (s.channel == null || !s.channel.isOpen()) {
      s.channel = channels.open(s.path, READ);
    }
    if (readChannels.peekFirst() != s) {
      readChannels.remove(s);
      readChannels.addFirst(s);
      while (readChannels.size() > MAX_READ_CHANNELS) {
        Segment old = readChannels.removeLast();
        closeQuietly(old.channel);
        old.channel = null;
      }
    }
    return s.channel;
  }

  /** Closes the read channel of a sealed segment that was read to its end. */
  void closeReadChannel(Segment s) {
    if (s != active && s.channel != null) {
      closeQuietly(s.channel);
      s.channel = null;
    }
    readChannels.remove(s);
  }

  /**
   * Deletes a segment from the list and the disk. A file that cannot be deleted is logged; it is below the gone
   * sequences, so the next open deletes it.
   */
  void delete(Segment s) {
    remove(s);
    deleteFile(s.path);
  }

  /**
   * Takes a segment out of the list (its bytes no longer count in {@link #totalBytes}) and closes its channels, but
   * leaves its file on disk: a {@code DROP_OLDEST} eviction deletes it later, once its drop is journaled
   * ({@link Evictions}).
   */
  void remove(Segment s) {
    segments.remove(s);
    s.deleted = true;
    for (int i = 0; i < unforcedSealed.size(); i++) {
      if (unforcedSealed.get(i).segment == s) {
        // Deleted before its force: nothing of it needs to reach the disk. A force may be using the channel right
        // now: it is closed later, under forceLock, so this thread does not wait for that force.
        retired.add(unforcedSealed.remove(i).channel);
        break;
      }
    }
    closeQuietly(s.channel);
    s.channel = null;
    readChannels.remove(s);
    totalBytes -= s.fileBytes;
  }

  /**
   * Deletes a segment's file. A file that cannot be deleted is logged; it is below the gone sequences, so the next
   * open deletes it. Needs no lock (the segment is out of the list already).
   */
  void deleteFile(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not delete {}: {}", dir, path.getFileName(), FileDiskBuffer.describe(e));
    }
  }

  /** Closes every channel (on close). */
  void closeAll() {
    forceLock.lock();
    try {
      for (Segment s : segments) {
        if (!s.sealed) {
          s.sealed = true;
          s.sealedByClose = true;
        }
        closeQuietly(s.channel);
        s.channel = null;
      }
      for (Pending p : unforcedSealed) {
        closeQuietly(p.channel);
      }
      unforcedSealed.clear();
      for (FileChannel ch : retired) {
        closeQuietly(ch);
      }
      retired.clear();
      readChannels.clear();
    } finally {
      forceLock.unlock();
    }
  }

  static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("closing a buffer file failed: {}", e.toString());
      }
    }
  }
}
