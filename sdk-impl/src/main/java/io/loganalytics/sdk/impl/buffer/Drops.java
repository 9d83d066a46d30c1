package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.DropReason;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Drop accounting: turns a range of sequences that can no longer be delivered (evicted, or lost to damage) into an
 * {@link AckLog.Change}, and applies it once its snapshot was written (or could not be). Every lost record is so
 * reported exactly once: records neither gone nor out in a chunk are reported at once; records out in a chunk are
 * held by it and reported only if it is released or the buffer closes (never if it is acknowledged).
 *
 * <p>Not thread-safe: every method is called with the buffer's lock ({@code FileDiskBuffer.lock}) held. It writes no
 * file: journaling the change in {@code ack.state} ({@link AckLog#persist}) is the caller's, between {@link #drops}
 * and {@link #apply}. Listener calls are queued on {@link BufferEvents} and made after every lock is released.
 */
final class Drops {
  private final AckLog ackLog;
  private final ReadCursor reader;
  private final BufferEvents events;

  Drops(AckLog ackLog, ReadCursor reader, BufferEvents events) {
    this.ackLog = ackLog;
    this.reader = reader;
    this.events = events;
  }

  /**
   * The change that drops {@code [from, to)}: the range becomes gone; its records that were neither gone nor out in
   * a chunk are journaled as owed (reported now), those out in a chunk as held by it (reported if it is released).
   * Nothing changes until {@link #apply}.
   */
  AckLog.Change drops(long from, long to, DropReason reason, long freeBytes, String detail) {
    AckLog.Change change = new AckLog.Change();
    AckState acks = ackLog.acks;
    long inChunks = 0;
    for (BufferChunk c : reader.outstanding.all()) {
      long a = Math.max(from, c.firstSeq);
      long b = Math.min(to, c.endSeq);
      if (b <= a) {
        continue;
      }
      inChunks += (b - a) - acks.removedIn(a, b);
      long[] unmarked = c.unmarked(a, b);
      if (unmarked[0] > 0) {
        change.added.add(ackLog.newDrop(reason, a, b, unmarked[0], unmarked[1], unmarked[0] + " records of chunk "
            + c + " were lost while it was out: " + detail, c));
        change.marks.add(new long[] {c.firstSeq, a, b});
      }
    }
    long fresh = Math.max(0, (to - from) - acks.removedIn(from, to) - inChunks);
    if (fresh > 0) {
      change.added.add(ackLog.newDrop(reason, from, to, fresh, freeBytes, detail, null));
    }
    change.gone.add(new long[] {from, to});
    return change;
  }

  /**
   * A chunk will not be acknowledged (released, or still out when the buffer closes): the drops it held become owed
   * and are reported, each once.
   *
   * @param c the chunk
   * @param why how it ended, for the report ("released", "still out when the buffer closed")
   * @param reportedElsewhere drops (by id) whose report another part delivers once their journal write is done (an
   *     eviction still waiting for {@link Evictions}' thread): no longer held, but not reported here
   */
  void reportHeld(BufferChunk c, String why, LongPredicate reportedElsewhere) {
    for (AckLog.Drop d : ackLog.heldBy(c)) {
      d.chunk = null;
      if (reportedElsewhere.test(d.id)) {
        continue;
      }
      events.dropped(d.reason, d.records, d.bytes, d.detail + "; the chunk was " + why, d.id);
    }
  }

  /**
   * The change that forgets the drops {@code c} holds, for the snapshot that records its acknowledgement: an
   * acknowledged chunk was delivered, so the records it held are not lost.
   *
   * @param c the chunk being acknowledged
   * @return the change (drops forgotten only)
   */
  AckLog.Change forgetting(BufferChunk c) {
    AckLog.Change forget = new AckLog.Change();
    for (AckLog.Drop d : ackLog.heldBy(c)) {
      forget.forgotten.add(d.id);
    }
    return forget;
  }

  /**
   * The acknowledgement of {@code c} was written: forgets the drops it holds.
   *
   * @param c the chunk
   * @param forget what {@link #forgetting} returned before the acknowledgement was written
   * @return whether {@code c} held drops that {@code forget} did not cover (journaled while the acknowledgement was
   *     being written): the journal must be written again to forget them
   */
  boolean acknowledged(BufferChunk c, AckLog.Change forget) {
    List<Long> ids = new ArrayList<>();
    boolean late = false;
    for (AckLog.Drop d : ackLog.heldBy(c)) {
      ids.add(d.id);
      late |= !forget.forgotten.contains(d.id);
    }
    ackLog.remove(ids);
    return late;
  }

  /**
   * Applies a change (after its snapshot was written, or could not be): marks the chunks, reports the owed drops.
   *
   * @return the records reported now
   */
  long apply(AckLog.Change change) {
    applyUnreported(change);
    long reported = 0;
    for (AckLog.Drop d : change.added) {
      if (d.chunk == null) {
        events.dropped(d.reason, d.records, d.bytes, d.detail, d.id);
        reported += d.records;
      }
    }
    return reported;
  }

  /**
   * Applies a change whose journal write comes later (a logical eviction, see {@link Evictions}): the range is gone
   * and the chunks are marked at once, so every snapshot from now on holds the drops, but nothing is reported yet;
   * {@link #reportJournaled} reports them once a write of {@code ack.state} holds them and the file is deleted.
   */
  void applyUnreported(AckLog.Change change) {
    ackLog.apply(change);
    for (long[] m : change.marks) {
      BufferChunk c = reader.outstanding.get(m[0]);
      if (c != null) {
        for (AckLog.Drop d : change.added) {
          if (d.chunk == c && d.firstSeq == m[1]) {
            c.markEvicted(m[1], m[2], d.reason);
          }
        }
      }
    }
    reader.invalidate(null, Long.MAX_VALUE);
  }

  /**
   * Reports the drops {@code ids} of {@link #applyUnreported} that are still journaled and not held by a chunk (a
   * drop held by a chunk is reported if it is released, forgotten if it is acknowledged).
   *
   * @return the records reported now
   */
  long reportJournaled(List<Long> ids) {
    long reported = 0;
    for (AckLog.Drop d : ackLog.drops()) {
      if (d.chunk == null && ids.contains(d.id)) {
        events.dropped(d.reason, d.records, d.bytes, d.detail, d.id);
        reported += d.records;
      }
    }
    return reported;
  }
}
