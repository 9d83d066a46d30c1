package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Durability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of the active segment: stages the frames of appends ({@link StagedFrames}), writes them, rolls to a
 * new segment, and forces the pending {@link GroupCommit} round; after a failed write or force it cuts the active
 * segment back and fails exactly the appends that were not stored (see {@link FileDiskBuffer}'s Durability).
 *
 * <p>Not thread-safe: every method is called with the buffer's lock ({@code FileDiskBuffer.lock}) held, except
 * {@link #force}, which the leader of a round runs between {@link #beginForce} and {@link #endForce} without it
 * (taking {@link SegmentLog#forceLock}, third in the buffer's lock order). Making room may wait under {@code BLOCK}
 * ({@link Capacity}), releasing the buffer's lock meanwhile. Logs under {@link FileDiskBuffer}'s logger.
 */
final class Appender {
  private static final Logger LOG = LoggerFactory.getLogger(FileDiskBuffer.class);

  /** What the appender needs of the buffer. Called with the buffer's lock held. */
  interface Host {
    /** @return whether the buffer was closed */
    boolean closed();

    /** Reports an I/O failure to the listener. @return the exception to throw or fail appends with */
    BufferException ioFailure(String what, IOException e);
  }

  // Set in the constructor and never changed.
  private final BufferOptions options;
  private final Path dir;
  private final Clock clock;
  private final boolean syncEachAppend;
  private final SegmentLog log;
  private final GroupCommit commit;
  private final ReadCursor reader;
  private final Capacity capacity;
  private final Capacity.Space room;
  private final IntervalSync intervalSync;
  private final Host host;

  /** Frames built under the lock and written with one call. Guarded by the buffer's lock. */
  private final StagedFrames staged = new StagedFrames();
  /** Bumped by every rollback: a force begun before it must not mark anything durable. Guarded by the buffer's lock. */
  private long epoch;
  /**
   * Where the pending round's frames begin (SYNC): its segment, offset and first sequence, and the payload it wrote so
   * far. A failed write cuts the active segment back to there and fails that round only. Guarded by the buffer's lock.
   */
  private Segment roundSegment;
  /** Guarded by the buffer's lock. */
  private long roundSize;
  /** Guarded by the buffer's lock. */
  private long roundSeq;
  /** Guarded by the buffer's lock. */
  private long roundPayload;
  /**
   * Every sequence below this was covered by the final force of {@link FileDiskBuffer#close()}; -1 before. Guarded by
   * the buffer's lock.
   */
  private long closeForcedSeq = -1;

  Appender(BufferOptions options, Clock clock, SegmentLog log, GroupCommit commit, ReadCursor reader,
      Capacity capacity, Capacity.Space room, IntervalSync intervalSync, Host host) {
    this.options = options;
    this.dir = options.directory();
    this.clock = clock;
    this.syncEachAppend = options.durability() == Durability.SYNC;
    this.log = log;
    this.commit = commit;
    this.reader = reader;
    this.capacity = capacity;
    this.room = room;
    this.intervalSync = intervalSync;
    this.host = host;
  }

  /** @return the records staged for the next force and not yet written. Lock held. */
  int stagedRecords() {
    return staged.records();
  }

  /**
   * Stages a record queued by a blocking SYNC append ({@link GroupCommit#drain}) when it fits as it is: in the
   * active segment, the capacity and the scratch buffer, the buffer open. Lock held.
   *
   * @return the round it joined, or null to hand it back to its appender (which stages it with {@link #stageRecord})
   */
  GroupCommit.Round stageQueued(byte[] record) {
    int frame = Format.FRAME_HEADER_BYTES + record.length;
    if (host.closed() || !fitsAsIs(frame)) {
      return null;
    }
    staged.add(log.nextSeq, clock.millis(), record);
    commit.pending.writes = true;
    return commit.pending;
  }

  /**
   * Stages one record ({@link #stageRecord}); in INTERVAL mode writes it at once ({@link #flushStaged}). Lock held.
   */
  void stageOne(byte[] record) {
    stageRecord(record, null);
    if (!syncEachAppend) {
      flushStaged();
    }
  }

  /**
   * Stages the records of a batch in order, stopping at the first that fails; in INTERVAL mode writes them at once.
   * Adds to {@code joined} every round the batch's frames joined (the pending one first). Lock held.
   *
   * @return the failure that stopped the batch (or of its write), or null
   */
  BufferException stageAll(List<byte[]> records, List<GroupCommit.Round> joined) {
    BufferException failure = null;
    joined.add(commit.pending);
    try {
      for (byte[] r : records) {
        stageRecord(r, joined);
        if (commit.pending != joined.get(joined.size() - 1)) {
          joined.add(commit.pending);
        }
      }
    } catch (BufferException e) {
      failure = e;
    }
    if (!syncEachAppend) {
      try {
        flushStaged();
      } catch (BufferException e) {
        failure = failure == null ? e : failure;
      }
    }
    return failure;
  }

  /** Whether a frame fits the active segment, the capacity and the scratch buffer without any change. Lock held. */
  private boolean fitsAsIs(int frame) {
    Segment active = log.active;
    long segmentEnd = active.size + staged.bytes() + frame;
    return segmentEnd <= options.segmentBytes()
        && log.totalBytes + Math.max(0, segmentEnd - active.fileBytes) <= options.capacityBytes()
        && staged.bytes() + frame <= StagedFrames.CAPACITY;
  }

  /** Puts one frame into the scratch buffer, making room first. Lock held. */
  private void stageRecord(byte[] record, List<GroupCommit.Round> batch) {
    int frame = Format.FRAME_HEADER_BYTES + record.length;
    if (!fitsAsIs(frame)) {
      flushStaged();
      capacity.makeRoom(frame, room);
      // Under BLOCK the lock was released while waiting: other appenders may have staged frames meanwhile, and a
      // round holding the first records of this batch may have failed; its later records must not be stored then
      // (a batch stores a prefix of its records, never a record after a gap).
      flushStaged();
      if (batch != null) {
        for (GroupCommit.Round r : batch) {
          BufferException e = r.done ? r.error : null;
          if (e != null) {
            throw new BufferException(dir, "stopped storing a batch: its earlier records were not stored: "
                + e.getMessage(), e.isRetryable(), e);
          }
        }
      }
      if (log.active.size + frame > options.segmentBytes()) {
        roll();
      }
    }
    if (frame > StagedFrames.CAPACITY) {
      ByteBuffer b = ByteBuffer.allocate(frame);
      Format.putFrame(b, new CRC32C(), log.nextSeq, clock.millis(), record);
      b.flip();
      writeFrames(b, 1, record.length);
      return;
    }
    staged.add(log.nextSeq, clock.millis(), record);
    commit.pending.writes = true;
  }

  /**
   * Writes the staged frames at the end of the active segment. Appends in INTERVAL mode write at once (they return
   * stored); in SYNC mode appends (blocking and asynchronous) leave their frames staged for the leader of the next
   * force, which writes them all with one call just before it forces (they return only once forced, so nothing is
   * lost by the wait, and the lock is held for a copy instead of a system call). Frames are also written early when
   * the scratch buffer or the segment is full, and before a roll or the final force of {@link FileDiskBuffer#close()}.
   *
   * <p>On a failed write in SYNC mode the pending round fails as a whole ({@link #failRound}): its frames, staged
   * or written early, are dropped and every append in it fails; rounds already being forced are not touched. In
   * INTERVAL mode only the caller's own frames were staged; they are dropped and the caller fails. Lock held.
   */
  private void flushStaged() {
    if (staged.bytes() == 0) {
      return;
    }
    int n = staged.records();
    long payload = staged.payload();
    ByteBuffer frames = staged.frames();
    staged.clear();
    writeFrames(frames, n, payload);
  }

  private void writeFrames(ByteBuffer frames, int records, long payload) {
    try {
      log.write(frames);
    } catch (IOException e) {
      BufferException be = host.ioFailure("append to", e);
      if (syncEachAppend) {
        failRound(be);
      }
      throw be;
    }
    log.nextSeq += records;
    log.active.livePayload += payload;
    roundPayload += payload;
    commit.pending.writes = true;
  }

  /** The pending round begins here: after everything written so far. Lock held, nothing staged. */
  void startRound() {
    roundSegment = log.active;
    roundSize = log.active.size;
    roundSeq = log.nextSeq;
    roundPayload = 0;
  }

  /**
   * A write of the pending round failed (SYNC): drops its staged frames, cuts the active segment back to where the
   * round began (a roll completes the round, so its frames are all in the active segment), and fails exactly its
   * appends. A round being forced meanwhile ends before that point and is not touched. Lock held.
   */
  private void failRound(BufferException error) {
    staged.clear();
    Segment active = log.active;
    long keep = roundSegment == active ? roundSize : Format.SEGMENT_HEADER_BYTES;
    long seq = roundSegment == active ? roundSeq : active.firstSeq;
    if (cutActiveBack(keep)) {
      active.livePayload = Math.max(0, active.livePayload - roundPayload);
    }
    log.nextSeq = seq;
    reader.invalidate(null, seq);
    commit.complete(commit.swap(), error);
    startRound();
  }

  /**
   * Cuts the active segment back to {@code keep} bytes if it is longer (a failed write or force: the frames past that
   * point must not stay). If the file cannot be cut, that is logged and the segment still counts as {@code keep}
   * bytes long: the next append writes over the tail. Lock held.
   *
   * @return whether the segment was longer than {@code keep}
   */
  private boolean cutActiveBack(long keep) {
    Segment active = log.active;
    if (active.size <= keep) {
      return false;
    }
    try {
      log.reopenActiveIfClosed();
      log.cutActive(keep);
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not cut {} back to {} bytes: {}", dir, active, keep, FileDiskBuffer.describe(e));
    }
    active.size = keep;
    return true;
  }

  /**
   * Seals the active segment and starts a new one. Lock held, nothing staged. SYNC: the old segment is forced first
   * (its appends are waiting for that force), and the new one is the spare the sync thread prepared (created,
   * preallocated and forced, with its directory entry, ahead of need), renamed; the directory force for that rename
   * is left to the next force of the new segment, which does it before any record in it counts durable
   * ({@link SegmentLog#takeSpare}). Without a spare ready, the new segment is created durably here. INTERVAL: no
   * force on the calling thread ({@link SegmentLog#rollDeferred}): the new segment comes from the spare the sync
   * thread prepared (it is asked for the next one), and the old segment is forced by the next periodic force, before
   * that force counts anything durable, or by {@link FileDiskBuffer#close()}.
   */
  void roll() {
    flushStaged();
    if (!syncEachAppend) {
      try {
        log.rollDeferred();
      } catch (IOException e) {
        throw host.ioFailure("create a segment in", e);
      }
      intervalSync.wake();
      return;
    }
    Segment old = log.active;
    try {
      log.forceActive();
    } catch (IOException e) {
      BufferException be = host.ioFailure("force", e);
      rollback(be);
      throw be;
    }
    markAllDurable();
    Segment next;
    try {
      next = log.takeSpare();
      if (next == null) {
        next = log.create(log.nextSeq);
      }
    } catch (IOException e) {
      throw host.ioFailure("create a segment in", e);
    }
    log.seal(old);
    log.addActive(next);
    intervalSync.spareTaken();
  }

  /** After a successful force of everything written: all rounds so far are durable. Lock held. */
  void markAllDurable() {
    commit.durableSeq = log.nextSeq;
    log.active.durableSize = log.active.size;
    commit.complete(commit.swap(), null);
    startRound();
  }



  /**
   * A force of the pending round, begun by {@link #beginForce} under the buffer's lock, run by {@link #force} without
   * it, and ended by {@link #endForce} under it again. Confined to the leader that forces.
   */
  static final class Force {
    /** The round being forced; the facade completes it with {@link #endForce}'s result. */
    final GroupCommit.Round round;
    List<SegmentLog.Pending> sealed = List.of();
    List<FileChannel> toClose = List.of();
    boolean directory;
    FileChannel activeChannel;
    IOException reopenFailure;
    Segment seg;
    long size;
    long seq;
    long ep;
    long renames;
    /** What the force threw, or null. */
    IOException failure;

    Force(GroupCommit.Round round) {
      this.round = round;
    }
  }

  /**
   * First step of forcing the writes of the pending round, for the leader: stages the queued appends, writes the
   * staged frames, swaps the round and takes what the force needs. Lock held.
   *
   * @return the force to run, or null when there is nothing to force (the round is then complete)
   */
  Force beginForce() {
    commit.drain(this::stageQueued);
    GroupCommit.Round round = commit.pending;
    if (round.done) {
      return null;
    }
    try {
      flushStaged();
    } catch (BufferException e) {
      // SYNC: failRound completed the round with the error. INTERVAL: nothing was staged (appends write at once).
      commit.complete(round, e);
      return null;
    }
    commit.swap();
    startRound();
    if (!round.writes && (syncEachAppend || (log.unforcedSealed.isEmpty() && !log.directoryUnforced
        && log.retired.isEmpty()))) {
      commit.complete(round, null);
      return null;
    }
    Force f = new Force(round);
    commit.inFlight = round;
    f.renames = log.renames;
    f.seg = log.active;
    f.size = f.seg.size;
    f.seq = log.nextSeq;
    f.ep = epoch;
    if (!syncEachAppend) {
      f.sealed = new ArrayList<>(log.unforcedSealed);
      f.toClose = log.takeRetired();
      f.directory = log.directoryUnforced;
      log.directoryUnforced = false;
      try {
        log.reopenActiveIfClosed();
      } catch (IOException e) {
        f.reopenFailure = e;
      }
      f.activeChannel = f.seg.channel;
    }
    return f;
  }

  /**
   * Second step: the force itself, without the buffer's lock ({@link SegmentLog}'s force lock is taken inside).
   * Records a failure in {@link Force#failure}.
   */
  void force(Force f) {
    if (syncEachAppend) {
      try {
        log.forceSync(f.seg, f.renames); // with the directory, after a roll renamed a spare
      } catch (IOException e) {
        if (!f.seg.sealed) {
          f.failure = e;
        }
      }
    } else {
      // INTERVAL: the segments sealed by rolls since the last force, the active one, and the directory (renames).
      // The channels were taken under the lock: a roll meanwhile does not wait for this force (SegmentLog).
      try {
        if (f.reopenFailure != null || f.activeChannel == null) {
          f.failure = f.reopenFailure != null ? f.reopenFailure : new java.nio.channels.ClosedChannelException();
          log.forceDeferred(List.of(), null, false, f.toClose);
        } else {
          log.forceDeferred(f.sealed, f.activeChannel, f.directory, f.toClose);
        }
      } catch (IOException e) {
        f.failure = e;
      }
    }
  }

  /**
   * Last step: counts what the force covered as durable, or rolls back after a failure. Lock held (takes
   * {@link SegmentLog#forceLock} under it in INTERVAL mode).
   *
   * @return the error to complete the round with, or null
   */
  BufferException endForce(Force f) {
    BufferException error = null;
    IOException failure = f.failure;
    Segment seg = f.seg;
    if (!syncEachAppend) {
      log.forceLock.lock();
      try {
        log.unforcedSealed.removeIf(p -> p.forced);
      } finally {
        log.forceLock.unlock();
      }
      if (failure != null) {
        // The written bytes stay; the next periodic force tries them again, with the directory if needed.
        log.directoryUnforced |= f.directory;
        commit.pending.writes = true;
      }
    }
    if (seg.sealedByClose || (!syncEachAppend && host.closed() && failure != null)) {
      // close() sealed the segment, before or after this force: durable only if its final force covered it.
      if (f.seq > closeForcedSeq) {
        error = new BufferException(dir, "buffer " + dir + " was closed before the append was forced", false,
            failure);
      }
    } else if (failure == null) {
      if (epoch == f.ep) {
        commit.durableSeq = Math.max(commit.durableSeq, f.seq);
        if (seg == log.active) {
          seg.durableSize = Math.max(seg.durableSize, f.size);
        }
      }
    } else if (epoch == f.ep) {
      error = host.ioFailure("force", failure);
      rollback(error);
    }
    if (commit.inFlight == f.round) {
      commit.inFlight = null;
    }
    return error;
  }

  /**
   * After a failed force: in SYNC mode, cuts the active segment back to its last forced byte and fails every append
   * not yet forced. In INTERVAL mode the written bytes stay (the caller was told they were stored). Lock held.
   */
  private void rollback(BufferException error) {
    if (!syncEachAppend) {
      return;
    }
    epoch++;
    staged.clear();
    if (cutActiveBack(log.active.durableSize)) {
      log.nextSeq = commit.durableSeq;
      reader.invalidate(null, log.nextSeq);
    }
    commit.complete(commit.swap(), error);
    startRound();
    if (commit.inFlight != null) {
      commit.complete(commit.inFlight, error);
      commit.inFlight = null;
    }
  }



  /**
   * Forces everything written, for {@link FileDiskBuffer#close()}: no append writes any more (the buffer is marked
   * closed). On success every round so far is durable and {@link #closeForcedSeq} says how far; on failure they
   * fail. Lock held.
   */
  void finalForce() {
    IOException failure = null;
    try {
      flushStaged();
    } catch (BufferException e) {
      // The round whose frames were staged failed (failRound): its appends throw; what was written before is forced.
      LOG.warn("Buffer {}: final write on close failed: {}", dir, e.getMessage());
    }
    log.discardSpare();
    try {
      log.forceAllDeferred();
      if (!log.active.sealed) {
        log.forceActive();
      }
    } catch (IOException e) {
      failure = e;
    }
    if (failure == null) {
      closeForcedSeq = log.nextSeq;
      markAllDurable();
      return;
    }
    LOG.warn("Buffer {}: final force on close failed: {}", dir, FileDiskBuffer.describe(failure));
    rollback(host.ioFailure("force", failure));
  }
}
