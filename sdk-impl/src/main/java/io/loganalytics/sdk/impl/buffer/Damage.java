package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.DropReason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What damage found at rest turns into, at open ({@link LogLoader.Host}) or while reading
 * ({@link ReadCursor.DamageSink}): the records that can no longer be read and are not gone yet are reported once as
 * {@link DropReason#CORRUPTED} (through {@link Drops}: records out in a chunk are held by it), journaled in
 * {@code ack.state} and marked gone; the damaged segment is copied to quarantine once per session (the file stays in
 * place, so its valid frames stay readable). Damage among records already gone changes nothing.
 *
 * <p>Not thread-safe: every method is called with the buffer's lock ({@code FileDiskBuffer.lock}) held; journaling
 * takes {@link AckLog}'s write lock under it, as the buffer's lock order allows. Listener calls are queued on
 * {@link BufferEvents} and made after every lock is released.
 */
final class Damage implements LogLoader.Host, ReadCursor.DamageSink {
  private static final Logger LOG = LoggerFactory.getLogger(Damage.class);

  private final Path dir;
  private final SegmentLog log;
  private final AckLog ackLog;
  private final Drops dropping;
  private final Quarantine quarantine;
  private final BufferEvents events;
  /** Every sequence below it is forced (recorded with each journal write). */
  private final LongSupplier durableSeq;

  Damage(Path dir, SegmentLog log, AckLog ackLog, Drops dropping, Quarantine quarantine, BufferEvents events,
      LongSupplier durableSeq) {
    this.dir = dir;
    this.log = log;
    this.ackLog = ackLog;
    this.dropping = dropping;
    this.quarantine = quarantine;
    this.events = events;
    this.durableSeq = durableSeq;
  }

  /**
   * Damage found in {@code s}: sequences {@code [from, to)} cannot be read. Those not gone yet are reported (once:
   * they are gone afterwards), a copy of the file goes to quarantine (once per session), and the loss is journaled.
   */
  @Override
  public void damaged(Segment s, long from, long to, long offset, long spanBytes, String problem)
      throws IOException {
    AckLog.Change change;
    long notGone = (to - from) - ackLog.acks.removedIn(from, to);
    if (notGone <= 0) {
      return;
    }
    String detail = "segment " + s + " offset " + offset + ": " + problem + "; " + notGone + " records (sequences "
        + from + ".." + (to - 1) + ") cannot be read";
    quarantineCopy(s, log.channelFor(s), detail);
    long bytes = Math.max(0, spanBytes - (long) Format.FRAME_HEADER_BYTES * (to - from));
    change = dropping.drops(from, to, DropReason.CORRUPTED, bytes, detail);
    record(change);
    s.livePayload = Math.max(0, s.livePayload - bytes);
    LOG.warn("Buffer {}: {}", dir, detail);
  }

  /** Records lost outside any segment (found at open): reported and marked gone. */
  @Override
  public void lost(long from, long to, long bytes, String detail) throws IOException {
    long notGone = (to - from) - ackLog.acks.removedIn(from, to);
    if (notGone <= 0) {
      ackLog.acks.remove(from, to);
      return;
    }
    LOG.warn("Buffer {}: {}; {} records lost", dir, detail, notGone);
    record(dropping.drops(from, to, DropReason.CORRUPTED, bytes, detail + "; " + notGone + " records lost"));
  }

  /** Journals a loss and applies it; if the journal cannot be written the loss is still applied and reported. */
  private void record(AckLog.Change change) {
    try {
      ackLog.persist(ackLog.snapshot(durableSeq.getAsLong(), change));
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not record a loss in {}: {}", dir, AckState.FILE, FileDiskBuffer.describe(e));
    }
    dropping.apply(change);
  }

  /** Copies a damaged segment to quarantine, once per session, and reports it. */
  @Override
  public void quarantineCopy(Segment s, FileChannel ch, String detail) throws IOException {
    if (s.copied) {
      return;
    }
    Path copy = quarantine.copy(ch, s.path);
    s.copied = true;
    String msg = detail + "; a copy is in " + copy;
    LOG.warn("Buffer {}: quarantined a copy of {}: {}", dir, s, detail);
    events.quarantined(copy, msg);
  }
}
