package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DiskBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of an acknowledgement around its write of {@code ack.state}, which runs without the buffer's lock so
 * that appends go on meanwhile: {@link #begin} marks the chunk's range as being acknowledged and takes the state to
 * write (with the drop reports the chunk forgets), {@link #abort} undoes that when the write failed, and {@link #end}
 * counts the range acknowledged, removes the chunk, deletes the segments it freed and wakes whoever waits for space
 * or for the force of the acknowledgement ({@link IntervalSync}).
 *
 * <p>Not thread-safe: {@link #begin}, {@link #abort} and {@link #end} are called with the buffer's lock
 * ({@code FileDiskBuffer.lock}) held, {@link #forgetAgain} without it; writing {@code ack.state} takes
 * {@link AckLog}'s write lock, second in the buffer's lock order. An {@link Ack} is confined to the acknowledging
 * thread. Logs under {@link FileDiskBuffer}'s logger.
 */
final class Acknowledger {
  private static final Logger LOG = LoggerFactory.getLogger(FileDiskBuffer.class);

  /** An acknowledgement between {@link #begin} and {@link #end}. */
  static final class Ack {
    final BufferChunk chunk;
    /** The state to write before the acknowledgement counts. */
    final AckLog.Snapshot snapshot;
    /** The drop reports the chunk forgets. */
    final AckLog.Change forget;

    Ack(BufferChunk chunk, AckLog.Snapshot snapshot, AckLog.Change forget) {
      this.chunk = chunk;
      this.snapshot = snapshot;
      this.forget = forget;
    }
  }

  // Set in the constructor and never changed.
  private final Path dir;
  private final SegmentLog log;
  private final AckLog ackLog;
  private final ReadCursor reader;
  private final Drops dropping;
  private final GroupCommit commit;
  private final Reclaimer reclaimer;
  private final IntervalSync intervalSync;
  /** Signalled when space is freed. A condition of the buffer's lock. */
  private final Condition spaceFreed;

  Acknowledger(Path dir, SegmentLog log, AckLog ackLog, ReadCursor reader, Drops dropping, GroupCommit commit,
      Reclaimer reclaimer, IntervalSync intervalSync, Condition spaceFreed) {
    this.dir = dir;
    this.log = log;
    this.ackLog = ackLog;
    this.reader = reader;
    this.dropping = dropping;
    this.commit = commit;
    this.reclaimer = reclaimer;
    this.intervalSync = intervalSync;
    this.spaceFreed = spaceFreed;
  }

  /**
   * Checks that {@code chunk} is out from {@code buffer} and marks its range as being acknowledged. Lock held.
   *
   * @return the acknowledgement, whose {@link Ack#snapshot} the caller writes without the lock
   */
  Ack begin(Chunk chunk, DiskBuffer buffer) {
    BufferChunk c = reader.outstanding.check(chunk, buffer, dir);
    c.acknowledging = true;
    ackLog.beginAcknowledge(c.firstSeq, c.endSeq);
    AckLog.Change forget = dropping.forgetting(c);
    AckLog.Snapshot snapshot = ackLog.snapshot(commit.durableSeq, forget);
    if (forget.forgotten.isEmpty()) {
      // Forgets no drop: forced by the sync thread right after, not before returning; the segments it frees are
      // deleted after that force (deleteAcknowledgedSegments).
      snapshot.lazy();
    }
    return new Ack(c, snapshot, forget);
  }

  /** The write of {@code ack.state} failed: the chunk stays out, not acknowledged. Lock held. */
  void abort(Ack a) {
    BufferChunk c = a.chunk;
    ackLog.endAcknowledge(c.firstSeq, c.endSeq, false);
    c.acknowledging = false;
  }

  /**
   * The write succeeded: the chunk's range counts acknowledged, its segments are deleted once forced. Lock held.
   *
   * @param closed whether the buffer is closed
   * @return a state to write without the lock ({@link #forgetAgain}), or null
   */
  AckLog.Snapshot end(Ack a, boolean closed) {
    BufferChunk c = a.chunk;
    AckLog.Snapshot again = null;
    ackLog.endAcknowledge(c.firstSeq, c.endSeq, true);
    reader.outstanding.remove(c);
    if (dropping.acknowledged(c, a.forget) && !closed) {
      again = ackLog.snapshot(commit.durableSeq, null);
    }
    reclaimer.deleteAcknowledgedSegments();
    Outstanding.subtractPayload(c, log);
    spaceFreed.signalAll();
    if (!a.snapshot.force) {
      intervalSync.ackWritten();
    }
    return again;
  }

  /** Writes the state {@link #end} returned (the chunk's drops forgotten); a failure is logged. No lock held. */
  void forgetAgain(AckLog.Snapshot again) {
    try {
      ackLog.persist(again);
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not forget the drops of an acknowledged chunk in {}: {}", dir, AckState.FILE,
          FileDiskBuffer.describe(e));
    }
  }
}
