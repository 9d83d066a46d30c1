package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.impl.io.AtomicFile;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-backed {@link DiskBuffer}: records in segment files under one directory, each framed with its length,
 * sequence and a CRC32C. A thin thread-safe facade over single-threaded parts; internal: not API, applications use
 * {@link DiskBuffer#open}.
 *
 * <h2>Parts</h2>
 * <ul>
 *   <li>{@link Format}: the byte layouts (segments, frames, {@code ack.state}) with their tables, and codecs;</li>
 *   <li>{@link Segment}, {@link SegmentLog}: the segment files, appending, rolling, deleting;</li>
 *   <li>{@link LogLoader}: recovery at open; {@link SegmentWalk}: frame by frame, stepping over damage;</li>
 *   <li>{@link DirectoryLock}: the claim on the directory (one buffer per directory in a process, one process per
 *       directory), made owner-only;</li>
 *   <li>{@link ReadCursor}: chunks and the read position; {@link Outstanding}: the chunks handed out and not yet
 *       acknowledged or released; {@link Acknowledger}: the steps of an acknowledgement around its write;</li>
 *   <li>{@link Capacity}: the bound and the overflow policies, {@code BLOCK} on the injected clock;</li>
 *   <li>{@link GroupCommit}: one force for every append waiting at the same moment, blocking appends queued for
 *       whoever holds the lock ({@link CombiningLock}), and asynchronous appends; {@link StagedFrames}: the frames
 *       staged for its next write; {@link AsyncCommitter}: the thread that forces for asynchronous appends;</li>
 *   <li>{@link Appender}: staging, writing and rolling the active segment, and the force of a round, with the
 *       rollback after a failed write or force;</li>
 *   <li>{@link Reclaimer}: freeing space by whole segments: deleting acknowledged segments, evicting the oldest
 *       under {@code DROP_OLDEST} (journaled before the delete, reported);</li>
 *   <li>{@link Evictions}: INTERVAL mode's {@code DROP_OLDEST} evictions, journaled and deleted off the appending
 *       thread;</li>
 *   <li>{@link IntervalSync}: the sync thread: the spare segment file for the next roll (both modes), the
 *       INTERVAL mode's periodic force, and the force of acknowledgements written without one;</li>
 *   <li>{@link AckLog}: {@code ack.state}: acknowledgements, the durable end, and the journal of drop reports;
 *       {@link Drops}: a lost range as a journal change, reported exactly once;</li>
 *   <li>{@link Damage}: damage found at open or while reading, reported, journaled and quarantined;
 *       {@link Quarantine}: copies of damaged files; {@link BufferEvents}: listener calls after every lock.</li>
 * </ul>
 *
 * <h2>Directory</h2>
 * <pre>
 * buffer.lock                     held with FileChannel.tryLock while open (one process per directory)
 * 00000000000000000000.seg        segment files, named by the sequence number of their first record
 * 00000000000000004711.seg        the last one is the active segment, appended to
 * ack.state                       acknowledgements, durable end, drop journal (two slots written in place)
 * *.tmp                           a file being created; deleted on open
 * quarantine/                     copies of damaged files, never read again
 * </pre>
 * Buffered records are log data: where the file system has POSIX permissions, the directory and quarantine/ are
 * created 0700 and every file 0600, whatever the umask; on open, group and other permissions are taken away from the
 * directory and its files. No file of the buffer is opened through a symbolic link.
 *
 * <h2>Crash consistency (a crash at any byte)</h2>
 * As in Tape, a change counts only once the bytes that commit it are written last:
 * <ul>
 *   <li>A record counts once its whole frame is on disk with a matching CRC32C and the expected sequence number. A
 *       crash in the middle of a frame leaves a torn tail in the active segment; on open it is cut back to its last
 *       valid frame. Frames are only ever written past the valid end; committed bytes are never overwritten. A
 *       failed write or force cuts the file back to the last good frame.</li>
 *   <li>SYNC: a new segment is a spare {@code spare-N.tmp} the sync thread created, filled with zeros and forced,
 *       with the directory, ahead of need; a roll forces the previous segment (so every segment but the last is
 *       complete), writes the header into the spare and renames it; the next force of the new segment forces the
 *       directory too, before any record in it counts durable (without a spare ready, {@code NAME.tmp} is written,
 *       forced, renamed and the directory forced on the spot). INTERVAL: a spare
 *       {@code spare-N.tmp} is renamed to the segment's name without a force; the forces follow within the interval
 *       (a header a crash lost is rewritten from the name, a torn tail of a sealed segment is reported as damage).</li>
 *   <li>{@code ack.state} is written in place into one of two checksummed slots (a torn write leaves the other; a
 *       state that outgrows its slot replaces the file atomically, {@link AtomicFile}). An acknowledgement is
 *       written before {@link #acknowledge} returns (a crash of the process cannot undo it); it is forced before it
 *       returns only when it forgets a drop report, else by the sync thread right after ({@link IntervalSync}), which
 *       then deletes the segments it freed: segments are deleted only below the frontier of a forced state (a
 *       reclaim that needs the space forces first; {@link #close()} forces too). A power cut can so undo only the
 *       acknowledgements written since the last force of {@code ack.state} (typically the last chunk): their records
 *       are delivered again (at least once, never lost).</li>
 *   <li>An eviction, and every loss to damage, is journaled in {@code ack.state} before the segment is deleted, and
 *       leaves the journal once its report was delivered: a report owed when the process dies is delivered after the
 *       restart. In INTERVAL mode the journal write and the delete of an eviction follow on {@link Evictions}'
 *       thread: a crash before that write leaves the segment and its records in place (read again after the
 *       restart, nothing reported), a crash after it is the case above.</li>
 * </ul>
 *
 * <h2>Damage at rest</h2>
 * Whatever damage is found, at open or while reading: reading always makes progress; a record whose frame passes
 * its checksum stays readable (the damaged file stays in place, a copy goes to {@code quarantine/}); every record
 * that can no longer be delivered is reported once to {@link LogAnalyticsListener#onRecordsDropped} as
 * {@link DropReason#CORRUPTED} with its exact count (the byte count of damaged records is an estimate: their length
 * fields cannot be trusted), and marked gone, so {@link #recordCount()} agrees with what {@link #read} returns;
 * {@link #verify} reports the same records, losses and damaged files without changing anything. Because
 * {@code ack.state} records the durable end at every write (and at close), records cut from the newest segment of a
 * closed buffer are found and reported too. A damaged {@code ack.state} is reported, copied and rewritten; the
 * records it acknowledged may then be delivered again (at least once, never zero).
 *
 * <h2>Durability</h2>
 * With {@link Durability#SYNC} an append returns after its frame was written and a force of the active segment covered
 * it, both shared by the appenders waiting at the same moment ({@link GroupCommit}): an append stages its frame under
 * {@link #lock} (a copy into a buffer, no system call), and the leader of the next round writes every staged frame with
 * one call and forces once. A blocking {@link #append} does not wait for {@link #lock}: it queues its record, and
 * whichever thread holds or next takes the lock stages it ({@link GroupCommit.Request}; the ordinary path when it needs
 * room or a roll), so an appender parks once per record, until the force of its round. If that write fails, exactly the
 * appends of that round fail and none of their frames stays (the active segment is cut back to where the round began; a
 * round being forced meanwhile is not affected). If a force fails, the segment is cut back to the last forced byte and
 * every append not yet forced fails (that round's and those staged behind it). {@link #close()} refuses further
 * appends, then writes the staged frames and forces them (the final force); an append waiting for its force when the
 * buffer closes succeeds only if that final force covered it. Readers see only forced records. With
 * {@link Durability#INTERVAL} a daemon thread forces every {@link BufferOptions#syncInterval()}, and the appending
 * thread never forces: a roll takes a spare segment file that thread prepared ahead of need and leaves the old
 * segment's force to the next periodic force (which forces the sealed segments, the active one and the directory before
 * it counts any record durable) or to {@link #close()}. A crash can then leave a sealed segment with a torn tail: its
 * lost records are reported as damage when it is read (see {@link SegmentLog}).
 * {@link #appendAsync} returns at once; its future completes when a force covers the record.
 *
 * <h2>Bounds</h2>
 * The sum of the segment file sizes stays within the capacity (the active segment counts with its preallocated
 * zeros, so {@link #sizeBytes()} is the disk space held, besides one spare file prepared for the next roll: in SYNC
 * mode a segment's size of zeros, in INTERVAL mode empty; {@link #recordBytes()} is the payload of the records held).
 * Space is freed by whole segments: when acknowledged, or evicted under {@link OverflowPolicy#DROP_OLDEST} (every
 * evicted record not yet acknowledged is reported as {@link DropReason#BUFFER_OVERFLOW}, with its exact payload
 * bytes; records of an outstanding chunk are reported when it is released or the buffer closes, never if it is
 * acknowledged). In INTERVAL mode an evicted segment's records are gone at once but its file is deleted, and the
 * drop reported, by {@link Evictions}' thread after the journal write; meanwhile the files on disk may exceed the
 * capacity by that one segment (an eviction that finds one still waiting finishes it first, on its own thread).
 *
 * <h2>Threading and the lock order</h2>
 * Thread-safe. This class is the only one that takes the buffer's locks on behalf of a caller; every part is
 * single-threaded unless its Javadoc says otherwise, and is called with the locks named there held. The locks, always
 * taken in this order (a lock may be taken alone, or after one above it, never before one above it):
 * <ol>
 *   <li>{@link #lock}: guards every part's state and all writes to the page cache (appends, reads, evictions,
 *       damage found while reading); a {@link CombiningLock}: in SYNC mode whoever releases it stages the blocking
 *       appends queued meanwhile. Its conditions: {@link #spaceFreed} ({@code BLOCK} waits for space,
 *       {@link Capacity}) and {@link IntervalSync}'s wake-up of the sync thread;</li>
 *   <li>{@link AckLog}'s write lock: serializes writes and forces of {@code ack.state}; taken under {@link #lock} (an
 *       eviction, damage found, a reclaim forcing acknowledgements) or alone (an acknowledgement writes without
 *       {@link #lock}, so appends go on meanwhile; the sync thread forces it);</li>
 *   <li>{@link SegmentLog#forceLock}: a force runs without {@link #lock}, under this lock, so the channel it forces
 *       cannot be closed meanwhile (SYNC: nor the segment sealed). In INTERVAL mode the force takes, under
 *       {@link #lock} first, the write channels of the segments sealed since the last force
 *       ({@link SegmentLog.Pending}) and of the active one, and forces them with the directory; a roll takes no
 *       {@link SegmentLog#forceLock}, and channels of deleted unforced segments are closed later under it, so an
 *       appending thread never waits for a force; never held with the write lock;</li>
 *   <li>leaf monitors, nothing acquired while holding them: a {@link GroupCommit} round's own monitor (held only to
 *       mark it done; waiting for a round and leading its force take no lock), {@link AsyncCommitter}'s monitor
 *       (wakes the committer of asynchronous appends), {@link Evictions}' monitor (wakes its thread), and the monitor
 *       of each {@link ThrottledLogger} ({@link Reclaimer}'s drop warning, {@link #syncWarning}, {@link Capacity}'s;
 *       the line is logged after it is released).</li>
 * </ol>
 * Lock-free: {@link BufferEvents}' queue, {@link #closed} (volatile), {@link GroupCommit}'s round completion and
 * leadership, and {@link DirectoryLock}'s set of directories held in this JVM (a concurrent set, touched while
 * opening and closing). Listener calls and completions of asynchronous appends run on the calling thread after every
 * lock is released ({@link #flushEvents}).
 *
 * <p>Threads: the callers'; {@link IntervalSync}'s sync thread (both modes: it prepares the spare segment and forces
 * acknowledgements written without a force; in INTERVAL mode it also runs {@link #periodicSync}), without a lock;
 * the committer of asynchronous appends ({@link AsyncCommitter}), which runs {@link #commitRound} without a lock;
 * in INTERVAL mode {@link Evictions}' thread, which finishes evictions under {@link #lock}. All are daemons, named
 * after the directory, and joined by {@link #close()}.
 */
public final class FileDiskBuffer implements DiskBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(FileDiskBuffer.class);
  static final String QUARANTINE_DIR = Quarantine.DIR;
  static final int MAX_READ_CHANNELS = SegmentLog.MAX_READ_CHANNELS;

  // Set in the constructor and never changed: read by any thread without a lock.
  private final BufferOptions options;
  private final Path dir;
  private final Clock clock;
  private final ChannelFactory channels;
  private final boolean syncEachAppend;
  private final int maxPayload;

  /** The buffer's lock: first in the lock order (see the class comment). */
  private final CombiningLock lock = new CombiningLock();
  /** Signalled when space is freed or the buffer closes ({@code BLOCK} waits on it). A condition of {@link #lock}. */
  private final Condition spaceFreed = lock.newCondition();

  /**
   * The segment files. Guarded by {@link #lock}; a force uses the channel it took under {@link #lock} with
   * {@link SegmentLog#forceLock} held instead (see {@link SegmentLog}).
   */
  private final SegmentLog log;
  /**
   * {@code ack.state}: its state guarded by {@link #lock}; its writes ({@link AckLog#persist}) serialized by its own
   * write lock, second in the order, taken with or without {@link #lock}.
   */
  private final AckLog ackLog;
  /** The read position and the outstanding chunks ({@link Outstanding}). Guarded by {@link #lock}. */
  private final ReadCursor reader;
  /** Guarded by {@link #lock} ({@code BLOCK} waits on {@link #spaceFreed}, releasing it). */
  private final Capacity capacity;
  /** Guarded by {@link #lock}. */
  private final Quarantine quarantine;
  /**
   * Its pending and in-flight rounds and {@code durableSeq} guarded by {@link #lock}; a round's completion is
   * lock-free, marked under the round's own monitor (a leaf).
   */
  private final GroupCommit commit;
  /** Guarded by {@link #lock}. */
  private final Drops dropping;
  /** What damage found at open or while reading does. Guarded by {@link #lock}. */
  private final Damage damage;
  /** Thread-safe on its own (a lock-free queue); flushed with no lock held. */
  private final BufferEvents events;
  /** Thread-safe on its own (its monitor is a leaf); called by the sync thread without a lock. */
  private final ThrottledLogger syncWarning;
  /**
   * The sync thread: the spare segment file for the next roll, and in INTERVAL mode the periodic force. Its state is
   * guarded by {@link #lock}; the thread is started once while opening.
   */
  private final IntervalSync intervalSync;
  /**
   * Frees space: deletes acknowledged segments and evicts the oldest ({@link Capacity.Space}). Guarded by
   * {@link #lock} (see {@link Reclaimer}).
   */
  private final Reclaimer reclaimer;
  /** The steps of an acknowledgement around its write of {@code ack.state}. Guarded by {@link #lock}. */
  private final Acknowledger acknowledger;
  /** Staging, writing, rolling and forcing the active segment. Guarded by {@link #lock} (see {@link Appender}). */
  private final Appender appender;
  /** Written under {@link #lock}; read without it to refuse calls early (volatile). */
  private volatile boolean closed;
  /**
   * Set by {@link #close()} when it closes {@code ack.state}: a drop report delivered after that cannot be removed
   * from the journal on disk. Guarded by {@link #lock}.
   */
  private boolean filesReleased;
  /** The claim on the directory; set while opening, released while closing. Guarded by {@link #lock}. */
  private DirectoryLock directoryLock;
  /** The committer of asynchronous appends. Thread-safe on its own (its monitor is a leaf). */
  private final AsyncCommitter committer;
  /** The durable half of deferred evictions. Its pending list is guarded by lock; its thread monitor is a leaf. */
  final Evictions evictions;

  private FileDiskBuffer(BufferOptions options, LogAnalyticsListener listener, Clock clock, ChannelFactory channels) {
    this.options = options;
    this.dir = options.directory();
    this.clock = clock;
    this.channels = channels;
    this.syncEachAppend = options.durability() == Durability.SYNC;
    this.maxPayload = options.segmentBytes() - Format.SEGMENT_HEADER_BYTES - Format.FRAME_HEADER_BYTES;
    this.events = new BufferEvents(listener, dir);
    this.log = new SegmentLog(dir, channels, clock, options.segmentBytes(), syncEachAppend);
    this.ackLog = new AckLog(dir, channels);
    this.reader = new ReadCursor(log, ackLog, maxPayload, this::damaged);
    this.capacity = new Capacity(options, clock, spaceFreed);
    this.quarantine = new Quarantine(dir, channels, clock);
    this.commit = new GroupCommit(events);
    this.dropping = new Drops(ackLog, reader, events);
    this.damage = new Damage(dir, log, ackLog, dropping, quarantine, events, () -> commit.durableSeq);
    this.syncWarning = new ThrottledLogger(LOG, clock, Duration.ofMinutes(1));
    this.committer = new AsyncCommitter(dir, () -> closed, this::commitRound);
    this.intervalSync = new IntervalSync(lock, log, dir, options.syncInterval(), () -> closed,
        syncEachAppend ? null : this::periodicSync, this::forceAcknowledgementsAndDelete);
    this.evictions = new Evictions(dir, () -> closed, () -> finishEvictions(false));
    Parts parts = new Parts();
    this.reclaimer = new Reclaimer(options, clock, maxPayload, log, ackLog, reader, dropping, commit, evictions,
        spaceFreed, parts);
    this.appender = new Appender(options, clock, log, commit, reader, capacity, reclaimer, intervalSync, parts);
    this.acknowledger = new Acknowledger(dir, log, ackLog, reader, dropping, commit, reclaimer, intervalSync,
        spaceFreed);
    if (syncEachAppend) {
      lock.afterRelease(this::drainRequests);
    }
  }

  /**
   * Opens (or creates) the buffer in {@code options.directory()} and recovers what a crash left.
   *
   * @param options the settings
   * @param listener where drops, quarantines and errors are reported
   * @return the open buffer
   * @throws BufferException when the directory cannot be used or is held by another process or buffer
   */
  public static FileDiskBuffer open(BufferOptions options, LogAnalyticsListener listener) {
    return open(options, listener, Clock.systemUTC(), ChannelFactory.DEFAULT);
  }

  /** Opens with an injected clock and channel factory (tests, fault injection). */
  static FileDiskBuffer open(BufferOptions options, LogAnalyticsListener listener, Clock clock,
      ChannelFactory channels) {
    Objects.requireNonNull(options, "options");
    FileDiskBuffer b = new FileDiskBuffer(options, listener, clock, channels);
    b.lock.lock();
    try {
      b.openDirectory();
    } catch (IOException e) {
      b.releaseFiles();
      throw new BufferException(b.dir, "cannot open buffer directory " + b.dir + ": " + describe(e), true, e);
    } catch (RuntimeException e) {
      b.releaseFiles();
      throw e;
    } finally {
      b.lock.unlock();
    }
    b.flushEvents();
    // The first spare is made here, so the sync thread forces only after rolls (and at its interval in INTERVAL).
    b.intervalSync.prepareSpare();
    b.intervalSync.start();
    return b;
  }

  /**
   * Reads a buffer directory without changing it and reports what it holds; checks every record's checksum, and
   * finds the same records, losses and damaged files that opening and reading it would.
   *
   * @param directory the buffer directory
   * @return the report
   * @throws BufferException when the directory cannot be read
   */
  public static BufferReport verify(Path directory) {
    return Verifier.report(directory);
  }

  // ------------------------------------------------------------------------------------------------ opening

  /** Takes the directory and recovers it. Lock held. */
  private void openDirectory() throws IOException {
    directoryLock = DirectoryLock.acquire(dir, channels);
    LogLoader loader = new LogLoader(dir, channels, log, ackLog, quarantine, events, maxPayload, damage);
    boolean rewrite = loader.load();
    reclaimer.exactPayloadFrom(log.active.firstSeq);
    commit.durableSeq = log.nextSeq;
    appender.startRound();
    if (rewrite) {
      ackLog.persist(ackLog.snapshot(commit.durableSeq, null));
    }
    LOG.debug("Opened buffer {}: {} segments, {} bytes, sequences {}..{}", dir, log.segments.size(), log.totalBytes,
        ackLog.acks.frontier, log.nextSeq);
  }

  // ------------------------------------------------------------------------------------------------ appending

  @Override
  public void append(byte[] record) {
    checkRecord(record, 0);
    if (syncEachAppend) {
      // Flat combining: queue the record for whoever holds the lock next (this thread, if the lock is free, or the
      // leader of the next force) and wait once, for the force of its round; the ordinary path below only when it
      // is handed back (room to make, a roll, a closed buffer).
      ensureOpen();
      GroupCommit.Request request = commit.submit(record);
      drainRequests();
      if (commit.awaitRequest(request, this::forceOnce) == GroupCommit.Request.STAGED) {
        flushEvents();
        BufferException error = request.round.error;
        if (error != null) {
          throw new BufferException(dir, error.getMessage(), error.isRetryable(), error);
        }
        return;
      }
    }
    GroupCommit.Round round;
    lock.lock();
    try {
      ensureOpen();
      appender.stageOne(record);
      round = commit.pending;
    } finally {
      lock.unlock();
      flushEvents();
    }
    if (syncEachAppend) {
      awaitDurable(round);
    }
  }

  @Override
  public void appendAll(List<byte[]> records) {
    Objects.requireNonNull(records, "records");
    for (int i = 0; i < records.size(); i++) {
      checkRecord(records.get(i), i);
    }
    if (records.isEmpty()) {
      return;
    }
    // The rounds the batch's frames joined: more than one when making room (a roll, a wait under BLOCK) let a round
    // complete or a leader take one meanwhile. Each must be durable: a later round succeeding says nothing of an
    // earlier one that failed.
    List<GroupCommit.Round> joined = new ArrayList<>(1);
    BufferException failure;
    lock.lock();
    try {
      ensureOpen();
      failure = appender.stageAll(records, joined);
    } finally {
      lock.unlock();
      flushEvents();
    }
    if (syncEachAppend) {
      for (GroupCommit.Round r : joined) {
        awaitDurable(r);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Appends one record and returns at once; the future completes when a force covers the record (whatever the
   * durability setting), or fails with the {@link BufferException} of that force. A committer thread (daemon, named
   * {@code loganalytics-buffer-commit-DIR}) forces for every asynchronous append waiting, and completes their futures,
   * so a caller's continuations run on it. Checks of the record, a full buffer and a closed buffer fail the future
   * at once.
   */
  @Override
  public CompletableFuture<Void> appendAsync(byte[] record) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    try {
      checkRecord(record, 0);
      lock.lock();
      try {
        ensureOpen();
        appender.stageOne(record);
        commit.pending.addFuture(f);
      } finally {
        lock.unlock();
        flushEvents();
      }
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
      return f;
    }
    committer.request();
    return f;
  }

  private void checkRecord(byte[] record, int index) {
    if (record == null || record.length == 0) {
      throw new IllegalArgumentException("record " + index + " is " + (record == null ? "null" : "empty"));
    }
    if (record.length > maxPayload) {
      throw new RecordTooLargeException("record of " + record.length + " bytes exceeds the largest a segment of "
          + options.segmentBytes() + " bytes holds (" + maxPayload + " bytes)");
    }
  }

  /**
   * Stages the queued blocking appends while the lock is free. Called without the lock by a thread that queued one,
   * and by every thread that releases the lock ({@link CombiningLock}): a request queued while the lock was held is
   * staged by the holder right after, not only by the leader of the next force.
   */
  private void drainRequests() {
    while (commit.hasRequests() && lock.tryLock()) {
      try {
        commit.drain(appender::stageQueued);
      } finally {
        lock.release();
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ reclaiming

  /**
   * The sync thread, after an acknowledgement was written without a force: forces it, then deletes the segments it
   * freed. Called without any lock.
   */
  private void forceAcknowledgementsAndDelete() {
    reclaimer.forceAcknowledgements();
    lock.lock();
    try {
      if (!closed) {
        reclaimer.deleteAcknowledgedSegments();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The durable half of the evictions done logically so far ({@link Evictions}): writes {@code ack.state} (which
   * holds their drops), deletes their files, then reports their records ({@link Reclaimer#beginFinish},
   * {@link Reclaimer#journal}, {@link Reclaimer#endFinish}). Runs on the eviction thread without any lock
   * ({@code locked} false: the buffer's lock is taken only to read and to update the state, and the listener is
   * called after), or on a thread holding the buffer's lock (an appender evicting again, {@link #close()}), which
   * then throws when {@code ack.state} cannot be written. The evictions stay pending until a write succeeds; each is
   * reported once, whichever thread finishes it.
   */
  private void finishEvictions(boolean locked) {
    Reclaimer.Finish finish;
    lock.lock();
    try {
      finish = reclaimer.beginFinish();
      if (finish == null) {
        return;
      }
    } finally {
      lock.unlock();
    }
    if (!reclaimer.journal(finish, locked)) {
      flushEvents();
      return;
    }
    lock.lock();
    try {
      reclaimer.endFinish(finish);
    } finally {
      lock.unlock();
    }
    if (!locked) {
      flushEvents();
    }
  }

  /** What the parts need of the buffer ({@link Appender.Host}, {@link Reclaimer.Host}). Lock held. */
  private final class Parts implements Appender.Host, Reclaimer.Host {
    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public BufferException ioFailure(String what, IOException e) {
      return FileDiskBuffer.this.ioFailure(what, e);
    }

    @Override
    public void roll() {
      appender.roll();
    }

    @Override
    public void finishEvictionsLocked() {
      finishEvictions(true);
    }

    @Override
    public long records() {
      return recordCountLocked();
    }

    @Override
    public void ensureOpen() {
      FileDiskBuffer.this.ensureOpen();
    }
  }

  // ------------------------------------------------------------------------------------------------ damage

  /** Damage met while reading ({@link ReadCursor.DamageSink}): handed to {@link #damage}. Lock held. */
  private void damaged(Segment s, long from, long to, long offset, long spanBytes, String problem)
      throws IOException {
    damage.damaged(s, from, to, offset, spanBytes, problem);
  }

  // ------------------------------------------------------------------------------------------------ group commit

  private void awaitDurable(GroupCommit.Round r) {
    BufferException error = commit.await(r, this::forceOnce);
    flushEvents();
    if (error != null) {
      throw new BufferException(dir, error.getMessage(), error.isRetryable(), error);
    }
  }

  /**
   * Forces the writes of the pending round ({@link Appender#beginForce}, {@link Appender#force},
   * {@link Appender#endForce}). Called by the leader, without {@link #lock}.
   */
  private void forceOnce() {
    Appender.Force force;
    lock.lock();
    try {
      force = appender.beginForce();
    } finally {
      lock.unlock();
    }
    if (force == null) {
      return;
    }
    appender.force(force);
    BufferException error;
    lock.lock();
    try {
      error = appender.endForce(force);
    } finally {
      lock.unlock();
    }
    commit.complete(force.round, error);
  }

  @Override
  public void sync() {
    GroupCommit.Round round;
    lock.lock();
    try {
      ensureOpen();
      round = commit.pending;
    } finally {
      lock.unlock();
    }
    awaitDurable(round);
  }

  /** One round of the committer of asynchronous appends: awaits the force of the pending round. No lock held. */
  private void commitRound() {
    GroupCommit.Round round;
    lock.lock();
    try {
      round = commit.pending;
    } finally {
      lock.unlock();
    }
    commit.await(round, this::forceOnce);
    flushEvents();
  }

  /**
   * One round of the INTERVAL sync thread: forces what was written. A failure is reported to the listener (every
   * time, as {@link LogAnalyticsListener#onBufferError}) and logged at WARN at most once a minute by the buffer's
   * clock (the count of failures since the last warning is part of the line).
   *
   * @return false once the buffer is closed
   */
  boolean periodicSync() {
    try {
      sync();
    } catch (BufferException e) {
      syncWarning.warn(1, "Buffer {}: periodic force failed ({} failures since the last warning; logged at most once"
          + " a minute): {}; records of the last interval may be lost on a power cut", dir, ThrottledLogger.AMOUNT,
          e.getMessage());
    } catch (ClientClosedException e) {
      return false;
    }
    flushEvents();
    return true;
  }

  // ------------------------------------------------------------------------------------------------ reading

  @Override
  public Optional<Chunk> read(long maxBytes, int maxRecords) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
    }
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1, was " + maxRecords);
    }
    lock.lock();
    try {
      ensureOpen();
      return Optional.ofNullable(reader.read(this, maxBytes, maxRecords, readLimit()));
    } catch (IOException e) {
      throw ioFailure("read from", e);
    } finally {
      lock.unlock();
      flushEvents();
    }
  }

  /** @return whether a spare segment file is ready for the next roll (INTERVAL; tests) */
  boolean spareReady() {
    lock.lock();
    try {
      return log.hasSpare();
    } finally {
      lock.unlock();
    }
  }

  /** @return whether {@link #close()} has begun (tests) */
  boolean isClosed() {
    return closed;
  }

  /** @return whether an evicted segment waits for its journal write and delete ({@link Evictions}; tests) */
  boolean evictionPending() {
    lock.lock();
    try {
      return evictions.hasPending();
    } finally {
      lock.unlock();
    }
  }

  /** @return the records staged for the next force and not yet written (tests) */
  int stagedRecords() {
    lock.lock();
    try {
      return appender.stagedRecords();
    } finally {
      lock.unlock();
    }
  }

  private long readLimit() {
    return syncEachAppend ? commit.durableSeq : log.nextSeq;
  }

  // ------------------------------------------------------------------------------------------------ acknowledge

  @Override
  public void acknowledge(Chunk chunk) {
    Acknowledger.Ack ack;
    lock.lock();
    try {
      ensureOpen();
      ack = acknowledger.begin(chunk, this);
    } finally {
      lock.unlock();
    }
    try {
      ackLog.persist(ack.snapshot);
    } catch (IOException e) {
      lock.lock();
      try {
        acknowledger.abort(ack);
      } finally {
        lock.unlock();
      }
      BufferException be = ioFailure("record an acknowledgement in", e);
      flushEvents();
      throw be;
    }
    AckLog.Snapshot again;
    lock.lock();
    try {
      again = acknowledger.end(ack, closed);
    } finally {
      lock.unlock();
    }
    if (again != null) {
      acknowledger.forgetAgain(again);
    }
    flushEvents();
  }

  @Override
  public void release(Chunk chunk) {
    lock.lock();
    try {
      ensureOpen();
      BufferChunk c = reader.outstanding.check(chunk, this, dir);
      reader.released(c);
      dropping.reportHeld(c, "released", evictions::owes);
    } finally {
      lock.unlock();
      flushEvents();
    }
  }

  // ------------------------------------------------------------------------------------------------ state

  @Override
  public long sizeBytes() {
    return locked(() -> log.totalBytes);
  }

  @Override
  public long recordBytes() {
    return locked(() -> log.segments.stream().mapToLong(s -> s.livePayload).sum());
  }

  @Override
  public long recordCount() {
    return locked(this::recordCountLocked);
  }

  /** The records held: neither acknowledged nor gone. Lock held. */
  private long recordCountLocked() {
    AckState acks = ackLog.acks;
    return Math.max(0, log.nextSeq - acks.frontier - acks.removedIn(acks.frontier, log.nextSeq));
  }

  /** Reads a figure under {@link #lock}. */
  private long locked(LongSupplier figure) {
    lock.lock();
    try {
      return figure.getAsLong();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long capacityBytes() {
    return options.capacityBytes();
  }

  @Override
  public OverflowPolicy overflowPolicy() {
    return options.overflowPolicy();
  }

  @Override
  public Optional<Instant> oldestAppendTime() {
    lock.lock();
    try {
      ensureOpen();
      long millis = reader.oldestAppendMillis();
      return millis < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    } catch (IOException e) {
      throw ioFailure("read from", e);
    } finally {
      lock.unlock();
      flushEvents();
    }
  }

  // ------------------------------------------------------------------------------------------------ closing

  /**
   * Closes the buffer: marks it closed under the lock first (appends and reads from then on throw
   * {@link ClientClosedException}), forces what was written (the final force), closes the files, reports the
   * records lost out of outstanding chunks (they can no longer be acknowledged), records the durable end in
   * {@code ack.state}, and releases the directory. A SYNC append that was written before but not yet forced succeeds
   * only if the final force covers it; if that force fails, such appends fail.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      commit.drain(appender::stageQueued); // hands every queued append back: it fails as closed
      intervalSync.wake();
      spaceFreed.signalAll();
      appender.finalForce();
      try {
        finishEvictions(true);
      } catch (BufferException e) {
        LOG.warn("Buffer {}: could not record evictions on close (their records are read again after a restart):"
            + " {}", dir, e.getMessage());
      }
      log.closeAll();
      for (BufferChunk c : reader.outstanding.takeAll()) {
        dropping.reportHeld(c, "still out when the buffer closed", evictions::owes);
      }
    } finally {
      lock.unlock();
    }
    committer.wakeToStop();
    evictions.wake();
    // The buffer's threads end before the last state is taken: a drop report one of them delivered is then either
    // removed from the journal in that state, or still in the queue and delivered below.
    joinQuietly(intervalSync.thread());
    joinQuietly(committer.thread());
    joinQuietly(evictions.thread());
    List<Long> delivered = events.flush();
    AckLog.Snapshot last;
    lock.lock();
    try {
      ackLog.remove(delivered);
      last = ackLog.snapshot(commit.durableSeq, null);
    } finally {
      lock.unlock();
    }
    // The acknowledgements written without a force first: the last state then goes to the other slot, so the file's
    // layout after close does not depend on whether the sync thread forced them already.
    reclaimer.forceAcknowledgements();
    try {
      ackLog.persist(last);
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not record its state in {} on close: {}", dir, AckState.FILE, describe(e));
    }
    lock.lock();
    try {
      filesReleased = true;
      releaseFiles();
    } finally {
      lock.unlock();
    }
    flushEvents();
  }
  private void releaseFiles() {
    ackLog.close();
    if (log.active != null) {
      SegmentLog.closeQuietly(log.active.channel);
    }
    if (directoryLock != null) {
      directoryLock.release();
    }
  }

  /** Waits up to 10 s for one of the buffer's threads to end (unless it is the calling thread). */
  private static void joinQuietly(Thread t) {
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new ClientClosedException("buffer " + dir + " is closed");
    }
  }

  @Override
  public String toString() {
    return "FileDiskBuffer{" + dir + ", " + options.durability() + ", " + options.overflowPolicy() + "}";
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private BufferException ioFailure(String what, IOException e) {
    BufferException be = new BufferException(dir, "could not " + what + " buffer directory " + dir + ": "
        + describe(e) + "; the buffer is unchanged and works again once the cause is gone", true, e);
    LOG.debug("Buffer {}: {}", dir, be.getMessage());
    events.error(be);
    return be;
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file " + e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * Runs the queued listener calls, unless the calling thread holds a lock of the buffer (then a later call runs
   * them), and drops the delivered reports from the journal.
   */
  private void flushEvents() {
    if (events.isEmpty() || lock.isHeldByCurrentThread() || ackLog.isWriting()) {
      return;
    }
    List<Long> delivered = events.flush();
    if (delivered.isEmpty()) {
      return;
    }
    AckLog.Snapshot s;
    lock.lock();
    try {
      if (!ackLog.remove(delivered) || filesReleased) {
        return; // after close released the files, a report delivered late may be repeated after a restart
      }
      s = ackLog.snapshot(commit.durableSeq, null);
    } finally {
      lock.unlock();
    }
    try {
      ackLog.persist(s);
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not record delivered drop reports in {} (they may be reported again after a"
          + " restart): {}", dir, AckState.FILE, describe(e));
    }
  }
}
