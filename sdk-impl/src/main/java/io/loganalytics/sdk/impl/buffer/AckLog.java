package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durable record of what is gone and what is owed, kept in {@code ack.state} ({@link Format} draws the bytes):
 * the sequences acknowledged or dropped ({@link #acks}), the durable end (every sequence below it was forced once,
 * so a record below it that is neither gone nor readable was lost to damage), and a journal of drop reports not yet
 * delivered to the listener. A drop is journaled before the segment that held the records is deleted; it leaves the
 * journal once its report was delivered; a report owed when the process dies is delivered after the restart. A
 * crash between the delivery and the next write of the file (one force) delivers it again after the restart.
 *
 * <p>The file is written in place (format version 3, see {@link Format}) through a channel kept open: one slot holds
 * the newest forced state, and every write goes to the other one (the scratch slot) with one positional write; a
 * forced write ({@link FileChannel#force force(false)}, an {@code fdatasync}: the file's size never changes) then
 * makes the scratch slot the durable one. A crash in the middle of a write leaves the durable slot, which opening
 * then takes. Most acknowledgements are written without a force ({@link Snapshot#lazy()}): repeated unforced writes
 * all go to the scratch slot, never over the durable one, and {@link #forceWritten} (the sync thread, right after)
 * forces them; a power cut can so undo only what was written since the last force (duplicates, never loss). A
 * state that changes the drop journal is forced before {@link #persist} returns, and segments are deleted only below
 * {@link #forcedFrontier()}. The first write after an older version or a damaged file, and
 * a state that no longer fits a slot, replace the whole file through {@link AtomicFile} with a slot size that fits
 * twice the state, so the drop journal and the intervals may grow without bound (up to
 * {@link Format#MAX_ACK_BYTES}).
 *
 * <p>Thread-safety: the in-memory state is guarded by the buffer's lock. Writes of the file go through versioned
 * {@link Snapshot}s taken under that lock and are serialized by {@link #writeLock}, which comes after the buffer's
 * lock in the lock order (it is taken under it, or alone, never the other way round). A snapshot holds everything in
 * memory at the time it was taken, including acknowledgements being written, so a write is skipped when a later
 * snapshot was written already.
 */
final class AckLog {
  /** A drop whose report was not yet delivered. Guarded by the buffer's lock. */
  static final class Drop {
    final long id;
    final DropReason reason;
    final long firstSeq;
    final long endSeq;
    final long records;
    final long bytes;
    final String detail;
    /** For records of an outstanding chunk: the chunk (reported if released, forgotten if acknowledged). */
    BufferChunk chunk;

    Drop(long id, DropReason reason, long firstSeq, long endSeq, long records, long bytes, String detail,
        BufferChunk chunk) {
      this.id = id;
      this.reason = reason;
      this.firstSeq = firstSeq;
      this.endSeq = endSeq;
      this.records = records;
      this.bytes = bytes;
      this.detail = detail;
      this.chunk = chunk;
    }

    Format.DropRecord record() {
      return new Format.DropRecord(reason, chunk != null, firstSeq, endSeq, records, bytes);
    }
  }

  /** A change not yet applied: sequences to mark gone, drops to journal, drops to forget. */
  static final class Change {
    final List<long[]> gone = new ArrayList<>();
    final List<Drop> added = new ArrayList<>();
    /** Ids of journaled drops to forget (held by a chunk being acknowledged). */
    final Set<Long> forgotten = new HashSet<>();
    /** {chunk first sequence, from, to}: records of outstanding chunks to mark lost when applied. */
    final List<long[]> marks = new ArrayList<>();
  }

  /** The bytes of the state at one moment. */
  static final class Snapshot {
    final long version;
    final ByteBuffer bytes;
    /** The frontier it holds. */
    final long frontier;
    /**
     * Whether {@link #persist} forces it before returning (the default); false for an acknowledgement that forgets
     * no drop ({@link #lazy()}): it is forced in the background ({@link #forceWritten}).
     */
    boolean force = true;

    Snapshot(long version, ByteBuffer bytes, long frontier) {
      this.version = version;
      this.bytes = bytes;
      this.frontier = frontier;
    }

    /** @return this snapshot, written without a force of its own */
    Snapshot lazy() {
      force = false;
      return this;
    }
  }

  private final AtomicFile file;
  /** Sequences acknowledged or dropped. */
  final AckState acks = new AckState();
  /** Ranges of chunks whose acknowledgement is being written: in every snapshot until they are applied or fail. */
  private final List<long[]> acknowledging = new ArrayList<>();
  private final LinkedHashMap<Long, Drop> drops = new LinkedHashMap<>();
  private long nextDropId = 1;
  /** The durable end read from the file (or raised since); -1 when unknown. */
  long durableEnd = -1;
  /**
   * Whether every range missing from the segments must be gone: true when the state was written by this version
   * (which journals every drop before deleting a segment) or the directory is new; false after version 1 or a damaged
   * file, whose missing ranges below the first segment are taken as gone, as version 1 did.
   */
  boolean strict;
  private long version;

  /** Serializes writes of the file. See the class comment. */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** The version of the last snapshot written. Guarded by {@link #writeLock}. */
  private long writtenVersion;
  private final ChannelFactory channels;
  /** The slot size of the version 3 file on disk; 0 when there is none (the next write replaces the whole file). */
  private int slotBytes;
  /**
   * The slot holding the newest forced state (0 = A, 1 = B); every in-place write goes to the other one, the scratch
   * slot, so that a torn or lost write leaves this one. Guarded by {@link #writeLock}.
   */
  private int durableSlot;
  /** Whether the scratch slot holds a newer state no force covered yet. Guarded by {@link #writeLock}. */
  private boolean scratchUnforced;
  /** The version of the newest state forced. Guarded by {@link #writeLock}. */
  private long forcedVersion;
  /** The frontier of the newest state written. Guarded by {@link #writeLock}. */
  private long writtenFrontier;
  /**
   * The frontier of the newest state forced: segments below it may be deleted (an acknowledgement not yet forced must
   * not delete a segment, or a power cut would leave a state older than the segments). Written under
   * {@link #writeLock}; read under the buffer's lock.
   */
  private volatile long forcedFrontier;
  /** The write sequence number of the last slot written (or read). Guarded by {@link #writeLock}. */
  private long writeSeq;
  /** Open on the version 3 file while the buffer is; null before the first write or after a failure. */
  private FileChannel channel;
  /** Set by {@link #close()}. Guarded by {@link #writeLock}. */
  private boolean closed;

  AckLog(Path dir, ChannelFactory channels) {
    this.file = AtomicFile.of(dir.resolve(AckState.FILE), channels);
    this.channels = channels;
  }

  /**
   * Reads the file.
   *
   * @return what it holds, or empty when there is none
   * @throws Format.CorruptStateException when it is damaged
   * @throws IOException when it cannot be read or has a version this code does not read
   */
  Optional<Format.AckFile> read() throws IOException {
    Optional<byte[]> bytes = file.read(Format.MAX_ACK_BYTES);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    Format.AckFile f = Format.decodeAck(bytes.get());
    writeLock.lock();
    try {
      if (f.slots() != null) {
        slotBytes = f.slots().slotBytes();
        writeSeq = f.slots().sequence();
        // The other slot holds an older state, or was skipped: either way the next write keeps the one read.
        durableSlot = f.slots().current();
      }
      forcedFrontier = f.acks().frontier;
      writtenFrontier = forcedFrontier;
    } finally {
      writeLock.unlock();
    }
    return Optional.of(f);
  }

  Path path() {
    return file.path();
  }

  /**
   * Journals a drop (it takes effect once the change is applied).
   *
   * @return the drop
   */
  Drop newDrop(DropReason reason, long firstSeq, long endSeq, long records, long bytes, String detail,
      BufferChunk chunk) {
    return new Drop(nextDropId++, reason, firstSeq, endSeq, records, bytes, detail, chunk);
  }

  /** @return the drops not yet delivered */
  Collection<Drop> drops() {
    return drops.values();
  }

  /**
   * A snapshot of the state with {@code change} applied (the live state is not changed).
   *
   * @param durableSeq every sequence below it is forced now
   * @param change what is about to change, or {@code null}
   * @return the snapshot to {@link #persist}
   */
  Snapshot snapshot(long durableSeq, Change change) {
    AckState copy = acks.copy();
    for (long[] r : acknowledging) {
      copy.remove(r[0], r[1]);
    }
    List<Format.DropRecord> records = new ArrayList<>();
    for (Drop d : drops.values()) {
      if (change == null || !change.forgotten.contains(d.id)) {
        records.add(d.record());
      }
    }
    if (change != null) {
      for (long[] r : change.gone) {
        copy.remove(r[0], r[1]);
      }
      for (Drop d : change.added) {
        records.add(d.record());
      }
    }
    durableEnd = Math.max(durableEnd, durableSeq);
    return new Snapshot(++version, Format.encodeAck(copy, durableEnd, records), copy.frontier);
  }

  /**
   * Writes a snapshot, unless a later one was written already.
   *
   * @throws IOException when it cannot be written; the file then holds the previous state
   */
  void persist(Snapshot s) throws IOException {
    writeLock.lock();
    try {
      if (writtenVersion >= s.version) {
        if (s.force && forcedVersion < s.version) {
          // A later state, written without a force, holds this one: forced now, unless its force failed (then
          // nothing forced holds this state, and the caller must not go on as if it did).
          if (!scratchUnforced) {
            throw new IOException("could not force " + AckState.FILE + ": a force of a later state failed");
          }
          forceWritten();
        }
        return;
      }
      boolean forced = write(s.bytes.duplicate(), s.force);
      writtenVersion = s.version;
      writtenFrontier = s.frontier;
      if (forced) {
        forcedVersion = s.version;
        forcedFrontier = Math.max(forcedFrontier, s.frontier);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Forces the state written without a force, if any (the sync thread, soon after such a write; a roll or a reclaim
   * that needs it). A failure is thrown; the next write covers that state again.
   *
   * @throws IOException when the force fails
   */
  void forceWritten() throws IOException {
    writeLock.lock();
    try {
      if (!scratchUnforced) {
        return;
      }
      // Whatever happens, the scratch slot is written whole again before its next force (a failed fsync may have
      // marked its pages clean).
      scratchUnforced = false;
      if (channel == null || !channel.isOpen()) {
        channel = channels.open(file.path(), SegmentLog.READ_WRITE); // closed by close() or an interrupt meanwhile
      }
      try {
        channel.force(false);
      } finally {
        if (closed) {
          closeChannel();
        }
      }
      durableSlot = 1 - durableSlot;
      forcedVersion = writtenVersion;
      forcedFrontier = Math.max(forcedFrontier, writtenFrontier);
    } finally {
      writeLock.unlock();
    }
  }

  /** @return whether a state was written without a force and is not forced yet */
  boolean unforced() {
    writeLock.lock();
    try {
      return scratchUnforced;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * @return the frontier of the newest state forced: a segment may be deleted once its end is not above it
   */
  long forcedFrontier() {
    return forcedFrontier;
  }

  /**
   * Writes a slot image: in place into the scratch slot when it fits (forced when {@code force}), else as a whole new
   * file (always forced). {@link #writeLock} held.
   *
   * @return whether it was forced
   */
  private boolean write(ByteBuffer image, boolean force) throws IOException {
    if (slotBytes == 0 || image.remaining() > slotBytes) {
      replace(image);
      return true;
    }
    long seq = ++writeSeq;
    Format.sealAckSlot(image, seq);
    int scratch = 1 - durableSlot;
    long p = Format.ACK_HEADER_BLOCK + (long) scratch * slotBytes;
    if (channel == null || !channel.isOpen()) {
      // Opened lazily; reopened after an interrupt closed it (ClosedByInterruptException).
      channel = channels.open(file.path(), SegmentLog.READ_WRITE);
    }
    scratchUnforced = false; // torn if this write fails: the durable slot holds the state then
    try {
      while (image.hasRemaining()) {
        p += channel.write(image, p);
      }
      if (force) {
        channel.force(false);
        // Only now: after a failure the next write goes to the same slot again, never over the durable one.
        durableSlot = scratch;
      } else {
        scratchUnforced = true;
      }
    } finally {
      if (closed) {
        closeChannel(); // a write racing close(): no channel outlives the buffer
      }
    }
    return force;
  }

  /** Replaces the whole file (version 3, both slots holding {@code image}) through {@link AtomicFile}. */
  private void replace(ByteBuffer image) throws IOException {
    int size = Math.max(slotBytes, Format.ackSlotBytesFor(image.remaining()));
    long seq = writeSeq + 2;
    closeChannel();
    file.write(Format.ackFileV3(size, image, seq));
    slotBytes = size;
    writeSeq = seq;
    durableSlot = 0; // slot A holds it with the larger sequence; the next write goes to B
    scratchUnforced = false;
  }

  /** Closes the file's channel (on close of the buffer); a later write opens and closes its own. */
  void close() {
    writeLock.lock();
    try {
      closed = true;
      closeChannel();
    } finally {
      writeLock.unlock();
    }
  }

  private void closeChannel() {
    SegmentLog.closeQuietly(channel);
    channel = null;
  }

  /** @return whether the calling thread is writing the file (events must wait) */
  boolean isWriting() {
    return writeLock.isHeldByCurrentThread();
  }

  /** Applies a change whose snapshot was written. */
  void apply(Change c) {
    for (long[] r : c.gone) {
      acks.remove(r[0], r[1]);
    }
    for (Drop d : c.added) {
      drops.put(d.id, d);
    }
    for (long id : c.forgotten) {
      drops.remove(id);
    }
  }

  /** Starts writing the acknowledgement of {@code [first, end)}: from now on it is in every snapshot. */
  void beginAcknowledge(long first, long end) {
    acknowledging.add(new long[] {first, end});
  }

  /** Ends it: applied when it was written, else dropped from the snapshots again. */
  void endAcknowledge(long first, long end, boolean written) {
    acknowledging.removeIf(r -> r[0] == first && r[1] == end);
    if (written) {
      acks.remove(first, end);
    }
  }

  /** @return the drops held by {@code c} */
  List<Drop> heldBy(BufferChunk c) {
    List<Drop> out = new ArrayList<>();
    for (Drop d : drops.values()) {
      if (d.chunk == c) {
        out.add(d);
      }
    }
    return out;
  }

  /** Forgets drops (delivered, or held by a chunk that was acknowledged). @return whether any was there */
  boolean remove(Collection<Long> ids) {
    boolean any = false;
    for (long id : ids) {
      any |= drops.remove(id) != null;
    }
    return any;
  }

  /** Journals drops read from the file (at open). */
  void restore(Drop d) {
    drops.put(d.id, d);
  }
}
