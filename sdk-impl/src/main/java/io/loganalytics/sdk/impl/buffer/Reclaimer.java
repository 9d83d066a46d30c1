package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees space by whole segments, for {@link Capacity} ({@link Capacity.Space}) and after acknowledgements: deletes
 * the segments whose records are all acknowledged in a forced state of {@code ack.state}, and evicts the oldest
 * segment under {@code DROP_OLDEST}, journaling its drop before the file is deleted and reporting its records (in
 * INTERVAL mode the durable half of an eviction is left to {@link Evictions}' thread: {@link #beginFinish},
 * {@link #journal}, {@link #endFinish}).
 *
 * <p>Not thread-safe: every method is called with the buffer's lock ({@code FileDiskBuffer.lock}) held, except
 * {@link #forceAcknowledgements} (with it or without it) and {@link #journal} (without it when run by the eviction
 * thread; the buffer takes its lock around {@link #beginFinish} and {@link #endFinish}). Writing and forcing
 * {@code ack.state} take {@link AckLog}'s write lock, second in the buffer's lock order; {@link #dropWarning}'s
 * monitor is a leaf. Freeing space signals {@link #spaceFreed}, a condition of the buffer's lock. Logs under
 * {@link FileDiskBuffer}'s logger.
 */
final class Reclaimer implements Capacity.Space {
  private static final Logger LOG = LoggerFactory.getLogger(FileDiskBuffer.class);

  /** What the reclaimer needs of the buffer. Called with the buffer's lock held. */
  interface Host {
    /** Seals the active segment and starts a new one ({@link Appender#roll}). */
    void roll();

    /** Finishes the evictions waiting for their durable half on the calling thread, which holds the lock. */
    void finishEvictionsLocked();

    /** @return the records held */
    long records();

    /** Throws when the buffer was closed. */
    void ensureOpen();

    /** Reports an I/O failure to the listener. @return the exception to throw */
    BufferException ioFailure(String what, IOException e);
  }

  /** The durable half of the evictions taken by {@link #beginFinish}. Confined to the thread finishing them. */
  static final class Finish {
    final List<Evictions.Evicted> batch;
    final AckLog.Snapshot snapshot;

    Finish(List<Evictions.Evicted> batch, AckLog.Snapshot snapshot) {
      this.batch = batch;
      this.snapshot = snapshot;
    }
  }

  // Set in the constructor and never changed.
  private final BufferOptions options;
  private final Path dir;
  private final int maxPayload;
  private final boolean syncEachAppend;
  /**
   * INTERVAL: evictions are finished off the appending thread ({@link Evictions}); SYNC: on it (an append there
   * waits for a force anyway).
   */
  private final boolean deferEvictions;
  private final SegmentLog log;
  private final AckLog ackLog;
  private final ReadCursor reader;
  private final Drops dropping;
  private final GroupCommit commit;
  private final Evictions evictions;
  /** Signalled when space is freed. A condition of the buffer's lock. */
  private final Condition spaceFreed;
  /** Thread-safe on its own (its monitor is a leaf); called under the buffer's lock. */
  private final ThrottledLogger dropWarning;
  private final Host host;

  /**
   * Segments from this sequence on were written in this session (or walked frame by frame at open), so their
   * {@link Segment#livePayload} is exact unless damage was found in them. Guarded by the buffer's lock (set once
   * during open).
   */
  private long exactPayloadFrom = Long.MAX_VALUE;

  Reclaimer(BufferOptions options, Clock clock, int maxPayload, SegmentLog log, AckLog ackLog, ReadCursor reader,
      Drops dropping, GroupCommit commit, Evictions evictions, Condition spaceFreed, Host host) {
    this.options = options;
    this.dir = options.directory();
    this.maxPayload = maxPayload;
    this.syncEachAppend = options.durability() == Durability.SYNC;
    this.deferEvictions = !syncEachAppend;
    this.log = log;
    this.ackLog = ackLog;
    this.reader = reader;
    this.dropping = dropping;
    this.commit = commit;
    this.evictions = evictions;
    this.spaceFreed = spaceFreed;
    this.dropWarning = new ThrottledLogger(LOG, clock, Duration.ofMinutes(1));
    this.host = host;
  }

  /** Segments from {@code seq} on have an exact live payload (see {@link #exactPayloadFrom}). Lock held. */
  void exactPayloadFrom(long seq) {
    exactPayloadFrom = seq;
  }

  @Override
  public long used() {
    return log.totalBytes;
  }

  @Override
  public long growth(int frame) {
    Segment active = log.active;
    long end = active.size + frame;
    if (end > options.segmentBytes()) {
      long next = syncEachAppend ? options.segmentBytes() : Format.SEGMENT_HEADER_BYTES + frame;
      return next - (active.fileBytes - active.size);
    }
    return Math.max(0, end - active.fileBytes);
  }

  @Override
  public boolean reclaim() {
    boolean freed = false;
    while (!log.segments.isEmpty()) {
      Segment s = log.segments.get(0);
      long end = log.endSeq(0);
      if (end <= ackLog.acks.frontier && end > ackLog.forcedFrontier()) {
        forceAcknowledgements(); // a segment is deleted only once the acknowledgements of its records are forced
      }
      if (end > Math.min(ackLog.acks.frontier, ackLog.forcedFrontier()) || (s == log.active
          && (s.size == Format.SEGMENT_HEADER_BYTES || reader.outstanding.holdsFrom(s.firstSeq)))) {
        break;
      }
      if (s == log.active) {
        host.roll();
      }
      deleteSegment(s);
      freed = true;
    }
    return freed;
  }

  @Override
  public long records() {
    return host.records();
  }

  @Override
  public void ensureOpen() {
    host.ensureOpen();
  }

  /**
   * Deletes the oldest segments whose records are all acknowledged in a forced state of {@code ack.state} (never the
   * active one). Lock held.
   */
  void deleteAcknowledgedSegments() {
    long deletable = Math.min(ackLog.acks.frontier, ackLog.forcedFrontier());
    while (log.segments.size() > 1 && log.endSeq(0) <= deletable) {
      deleteSegment(log.segments.get(0));
    }
  }

  /**
   * Forces acknowledgements written without a force (the sync thread's, or a reclaim's, see {@link AckLog}). A
   * failure is logged: they are forced again with the next write. Lock held, or not.
   */
  void forceAcknowledgements() {
    try {
      ackLog.forceWritten();
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not force {}: {}; acknowledgements since the last force may be delivered again after"
          + " a power cut", dir, AckState.FILE, FileDiskBuffer.describe(e));
    }
  }

  /**
   * Evicts the oldest segment. SYNC: journals its drop, deletes it and reports its records, all on the calling
   * thread. INTERVAL: evicts it logically (out of the log and of the capacity, its records gone) and leaves the
   * journal write, the delete and the report to {@link Evictions}' thread, after finishing on this thread an eviction
   * still waiting for that (so at most one segment's file outlives its eviction). Lock held.
   */
  @Override
  public boolean evictOldest() {
    if (deferEvictions && evictions.hasPending()) {
      host.finishEvictionsLocked();
    }
    Segment s = log.segments.get(0);
    if (s == log.active) {
      if (s.size == Format.SEGMENT_HEADER_BYTES) {
        return false;
      }
      host.roll();
    }
    long end = log.endSeq(0);
    long bytes = droppedPayload(s, end);
    String detail = "buffer " + dir + " reached its capacity of " + options.capacityBytes()
        + " bytes; evicted the oldest segment " + s;
    AckLog.Change change = dropping.drops(s.firstSeq, end, DropReason.BUFFER_OVERFLOW, bytes, detail);
    if (deferEvictions) {
      dropping.applyUnreported(change);
      List<Long> ids = new ArrayList<>(change.added.size());
      for (AckLog.Drop d : change.added) {
        ids.add(d.id);
      }
      log.remove(s);
      forgetSegment(s);
      evictions.add(new Evictions.Evicted(s, ids));
      evictions.request();
      return true;
    }
    try {
      ackLog.persist(ackLog.snapshot(commit.durableSeq, change));
    } catch (IOException e) {
      throw host.ioFailure("record an eviction in", e);
    }
    long dropped = dropping.apply(change);
    deleteSegment(s);
    warnDropped(dropped);
    return true;
  }

  private void warnDropped(long dropped) {
    if (dropped > 0) {
      dropWarning.warn(dropped, "Buffer {}: dropped {} records since the last warning: capacity of {} bytes"
          + " reached, policy DROP_OLDEST (logged at most once a minute; every drop is reported to the listener)",
          dir, ThrottledLogger.AMOUNT, options.capacityBytes());
    }
  }

  /**
   * The durable half of the evictions done logically so far ({@link Evictions}), first step: takes them and the
   * {@code ack.state} to write (which holds their drops). Lock held.
   *
   * @return what to finish, or null when no eviction is waiting
   */
  Finish beginFinish() {
    if (!evictions.hasPending()) {
      return null;
    }
    return new Finish(evictions.snapshot(), ackLog.snapshot(commit.durableSeq, null));
  }

  /**
   * Second step: writes {@code ack.state}, then deletes the evicted files. Runs on the eviction thread without any
   * lock ({@code locked} false), or on a thread holding the buffer's lock (an appender evicting again,
   * {@link FileDiskBuffer#close()}), which then throws when {@code ack.state} cannot be written. The evictions stay
   * pending until a write succeeds.
   *
   * @return false when {@code ack.state} could not be written (the failure is reported, and thrown if
   *     {@code locked})
   */
  boolean journal(Finish f, boolean locked) {
    try {
      ackLog.persist(f.snapshot);
    } catch (IOException e) {
      BufferException be = host.ioFailure("record an eviction in", e);
      if (locked) {
        throw be;
      }
      return false;
    }
    Runnable hook = evictions.afterJournal;
    if (hook != null) {
      hook.run();
    }
    for (Evictions.Evicted e : f.batch) {
      log.deleteFile(e.path);
    }
    return true;
  }

  /** Last step: reports the records of the evictions journaled and deleted (each once). Lock held. */
  void endFinish(Finish f) {
    long dropped = 0;
    for (Evictions.Evicted e : evictions.finished(f.batch)) {
      dropped += dropping.reportJournaled(e.dropIds);
    }
    warnDropped(dropped);
  }

  /**
   * The payload bytes that evicting {@code s} drops: those of its records below {@code end} that are neither gone
   * nor outstanding. For a segment of this session with no damage found, its live payload less that of its records
   * out in chunks (no system call); else the frames are read (preallocated zeros hold no records). Lock held.
   */
  private long droppedPayload(Segment s, long end) {
    if (s.firstSeq >= exactPayloadFrom && !s.copied) {
      long bytes = s.livePayload;
      AckState acks = ackLog.acks;
      for (BufferChunk c : reader.outstanding.all()) {
        long a = Math.max(s.firstSeq, c.firstSeq);
        long b = Math.min(end, c.endSeq);
        for (long seq = a; seq < b; seq++) {
          if (!acks.isRemoved(seq)) {
            bytes -= c.records.get((int) (seq - c.firstSeq)).length;
          }
        }
      }
      return Math.max(0, bytes);
    }
    long bytes = 0;
    try {
      SegmentWalk w = new SegmentWalk(log.channelFor(s), Format.SEGMENT_HEADER_BYTES, Math.max(s.size,
          Format.SEGMENT_HEADER_BYTES), maxPayload, s.firstSeq, end);
      int status;
      while ((status = w.next()) != SegmentWalk.END) {
        if (status == SegmentWalk.RECORD && !reader.taken(w.seq() - 1)) {
          bytes += w.frame().length;
        }
      }
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not read {} to count the bytes it drops: {}", dir, s, FileDiskBuffer.describe(e));
    }
    return bytes;
  }

  private void deleteSegment(Segment s) {
    log.delete(s);
    forgetSegment(s);
  }

  /** After {@code s} left the log: no read position points into it, the frontier moves past it. Lock held. */
  private void forgetSegment(Segment s) {
    reader.invalidate(s, Long.MAX_VALUE);
    if (!log.segments.isEmpty()) {
      ackLog.acks.advanceTo(log.segments.get(0).firstSeq);
    }
    spaceFreed.signalAll();
  }
}
