package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferFullException;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-backed {@link DiskBuffer}: records in segment files under one directory, each framed with its length and
 * a CRC32C. Internal: not API; applications use {@link DiskBuffer#open}.
 *
 * <h2>Directory</h2>
 * <pre>
 * buffer.lock                     held with FileChannel.tryLock while open (one process per directory)
 * 00000000000000000000.seg        segment files, named by the sequence number of their first record
 * 00000000000000004711.seg        the last one is the active segment, appended to
 * ack.state                       acknowledgement state (replaced by temp file + atomic rename)
 * *.tmp                           a file being created; deleted on open
 * quarantine/                     segments that failed their checksums, never read again
 * </pre>
 * Buffered records are log data: where the file system has POSIX permissions, the directory and quarantine/ are
 * created 0700 and every file 0600 (the lock file, segments, ack.state, quarantined copies); on open, group and other
 * permissions are taken away from the directory and its files (one INFO line says how many changed).
 *
 * <h2>Segment file, format version 2 (all integers big-endian)</h2>
 * <pre>
 * offset size  field
 *      0    4  magic 0x4C414253 ("LABS")
 *      4    2  format version, 2 (1 is still read)
 *      6    2  header length, 32
 *      8    8  sequence number of the first record (equals the file name)
 *     16    8  creation time, epoch milliseconds
 *     24    4  reserved, 0
 *     28    4  CRC32C of bytes 0..27
 *     32       frames, back to back, up to the segment size
 *      e       zeros up to the end of the file (may be empty): the end of the frames
 *
 * frame:
 *      0    4  payload length n, 1..(segment size - 56); 0 is not a frame but the start of the zero tail
 *      4    4  CRC32C over bytes 0..3 and 8..(24+n-1) of the frame
 *      8    8  sequence number (one more than the previous frame's)
 *     16    8  append time, epoch milliseconds, from the buffer's clock
 *     24    n  payload, the record exactly as appended
 * </pre>
 * The frames end at the end of the file or at the first length field of 0 (also when fewer than 24 bytes remain and
 * they are all zero). In {@link Durability#SYNC} mode a new segment is preallocated: written full of zeros up to the
 * segment size and forced before it is used, so that appending and forcing ({@code force(false)}, fdatasync) change
 * no file metadata; when it is sealed, the unused zeros are cut off. INTERVAL segments grow with their frames.
 * Version 2 differs from version 1 only by the zero tail: version 1 files (which never have one) are read by the same
 * rules; version 1 code would take a zero tail for corruption, hence the new number.
 *
 * <h2>ack.state, format version 1</h2>
 * <pre>
 *      0    4  magic 0x4C41414B ("LAAK")
 *      4    2  format version, 1
 *      6    2  reserved, 0
 *      8    8  frontier: every record with a smaller sequence is acknowledged (or dropped)
 *     16    4  count k of the intervals below
 *     20 16*k  [start, end) pairs of records above the frontier that are acknowledged or dropped
 *              (chunks acknowledged out of order, segments quarantined in the middle)
 *  20+16k   4  CRC32C of everything before
 * </pre>
 * A reader that finds another version refuses the file and says which version it found.
 *
 * <h2>Crash consistency (a crash at any byte)</h2>
 * As in Tape, a change counts only once the bytes that commit it are written last:
 * <ul>
 *   <li>A record counts once its whole frame is on disk with a matching CRC32C and the expected sequence number.
 *       A crash in the middle of a frame leaves a torn tail in the active segment (the file ends inside the frame,
 *       or the frame's missing bytes are still the preallocated zeros); on open the active segment is scanned and
 *       cut back ({@code truncate}) to its last valid frame. Zeros after the last valid frame are the clean end and
 *       stay. When the invalid frame is followed by more non-zero bytes (a bit flip rather than a torn write), or a
 *       length of 0 is followed by non-zero bytes, a copy of the segment goes to {@code quarantine/} and is
 *       reported before the cut. Frames are only ever written past the valid end, over zeros; committed bytes are
 *       never overwritten. A failed write or force cuts the file back to the last good frame the same way (the
 *       segment then grows with its appends until it is sealed).</li>
 *   <li>A sealed segment whose zero tail a crash kept (the cut at sealing is not forced) reads to its last frame;
 *       reading checks that the next segment starts with the next sequence, so zeros in the middle of a sealed
 *       segment are found and quarantined, not taken for its end.</li>
 *   <li>A new segment is written as {@code NAME.tmp}, forced, renamed atomically to {@code NAME.seg}, and the
 *       directory is forced; the previous segment is forced before, so every segment but the last is complete.</li>
 *   <li>An acknowledgement writes {@code ack.state.tmp}, forces it, renames it over {@code ack.state} and forces the
 *       directory; only then are fully acknowledged segments deleted. A crash leaves the old or the new state;
 *       segments wholly below the frontier are deleted on open. A crash before the rename resends the chunk
 *       (at least once); after it, the chunk is never resent.</li>
 *   <li>Eviction deletes whole oldest segments; quarantine renames a segment into {@code quarantine/}. Both are
 *       single file-system operations.</li>
 * </ul>
 * Opening reads the 32-byte header of every segment, {@code ack.state}, and scans only the active segment (and the
 * head segment up to the frontier); other segments are checked record by record when they are read, and a checksum
 * failure then quarantines the segment. So opening a large backlog reads at most a segment or two and holds one
 * small object per segment. {@link #verify(Path)} scans everything. Open file descriptors are bounded: the lock
 * file, the active segment, and read channels of at most {@link #MAX_READ_CHANNELS} sealed segments (least recently
 * read closed first), whatever the number of segments.
 *
 * <h2>Durability</h2>
 * With {@link Durability#SYNC} an append returns after a force of the active segment that covers it; appenders
 * waiting at the same moment share that force (group commit: the first waiter forces for all, the others wait for
 * its result). If that force fails, the segment is cut back to the last forced byte and every append it covered
 * fails: an append that threw is not in the buffer. {@link #close()} refuses further appends before its final force;
 * an append waiting for its force when the buffer closes succeeds only if that final force covered it. Readers see
 * only forced records. With
 * {@link Durability#INTERVAL} a daemon thread forces every {@link BufferOptions#syncInterval()}: a power loss may
 * lose the last interval.
 *
 * <h2>Bounds</h2>
 * The sum of the segment file sizes stays within the capacity; the active segment counts with its preallocated zeros
 * (so {@link #sizeBytes()} is the disk space held). Space is freed by whole segments: when acknowledged
 * (at once), or evicted under {@link OverflowPolicy#DROP_OLDEST} (every evicted record not yet acknowledged is
 * reported as {@link DropReason#BUFFER_OVERFLOW}; records of an outstanding chunk are reported only if that chunk is
 * released rather than acknowledged). Eviction is as coarse as a segment: one eviction (one report) drops at most
 * one segment's frames, {@code segmentBytes - 32} bytes: at most {@code segmentBytes - 56} payload bytes and at most
 * {@code (segmentBytes - 32) / 25} records (of one byte each). With the defaults (1 MiB segments, 10 MB capacity)
 * that is up to a tenth of the buffer. An append that needs a whole new (preallocated) segment may evict more than
 * one segment when the oldest ones are small; each is reported on its own. The reported byte count is exact: the
 * payload bytes of the dropped records, read from their frame headers (not derived from the file size, which in
 * SYNC mode includes preallocated zeros). Smaller segments make it finer ({@code segmentBytes}
 * 256 KiB: a fortieth) at no measurable cost to SYNC appends with 8 threads, but they also lower the largest record
 * (segment size less 56 bytes) and multiply the segments a backlog holds, so the default stays 1 MiB.
 *
 * <h2>Chunks</h2>
 * A chunk holds records with consecutive sequence numbers, oldest first; it ends early before a record that was
 * acknowledged out of order or is out in another chunk, and at a gap left by a quarantined segment. The read position
 * moves back to a released chunk, so its records are read again before newer ones. The acknowledged state is durable
 * before {@link #acknowledge} returns.
 *
 * <h2>Errors</h2>
 * A failed write is cut back ({@code truncate}) to the frame's start, so the buffer stays consistent; the append
 * throws a retryable {@link BufferException} and {@link LogAnalyticsListener#onBufferError} is called. Nothing needs
 * a restart: the next append tries again.
 *
 * <p><b>Threading.</b> Thread-safe. One lock guards the in-memory state and the writes (which go to the page cache);
 * forces run outside it. Listener callbacks run on the calling thread after the lock is released.
 */
public final class FileDiskBuffer implements DiskBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(FileDiskBuffer.class);
  static final String LOCK_FILE = "buffer.lock";
  static final String QUARANTINE_DIR = "quarantine";
  private static final int SCRATCH_BYTES = 256 * 1024;
  /** How many sealed segments may keep a read channel open at once (file descriptors). */
  static final int MAX_READ_CHANNELS = 4;
  private static final Set<StandardOpenOption> READ = Set.of(StandardOpenOption.READ);
  private static final Set<StandardOpenOption> READ_WRITE = Set.of(StandardOpenOption.READ,
      StandardOpenOption.WRITE);
  private static final Set<StandardOpenOption> CREATE_NEW = Set.of(StandardOpenOption.WRITE,
      StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);

  private final BufferOptions options;
  private final Path dir;
  private final LogAnalyticsListener listener;
  /** Longest single condition wait under BLOCK before the injected clock is read again. */
  private static final long BLOCK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Clock clock;
  private final ChannelFactory channels;
  /** Creates the directory 0700 and files 0600 where the file system has POSIX permissions. */
  private final OwnerOnly ownerOnly;
  private final boolean syncEachAppend;
  /** Whether new segments are written full of zeros up front (SYNC: forces then change no file metadata). */
  private final boolean preallocate;
  private final int maxPayload;

  /** Guards everything below and all writes. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition spaceFreed = lock.newCondition();
  /** Serializes forces with the closing of a rolled segment's channel. Taken after {@link #lock}, never before. */
  private final ReentrantLock forceLock = new ReentrantLock();
  /** Serializes acknowledgements so that ack.state is written in order. */
  private final ReentrantLock ackLock = new ReentrantLock();
  /**
   * Guards group-commit rounds; waiters wait on it. A monitor rather than a lock and condition: waiting on a monitor
   * allocates nothing, and every SYNC append waits once.
   */
  private final Object syncMonitor = new Object();
  private boolean leaderActive;

  private final List<Segment> segments = new ArrayList<>();
  private Segment active;
  private long nextSeq;
  /** In SYNC mode, every sequence below this is forced. */
  private long durableSeq;
  private long totalBytes;
  private final AckState acks;
  private final TreeMap<Long, BufferChunk> outstanding = new TreeMap<>();
  /** Sealed segments with an open read channel, most recently used first; at most {@link #MAX_READ_CHANNELS}. */
  private final ArrayDeque<Segment> readChannels = new ArrayDeque<>();
  private Position cursor;
  private Round pending = new Round();
  private Round inFlight;
  private long epoch;
  private long oldestCacheSeq = -1;
  private long oldestCacheMillis;

  /** Frames built under the lock and written with one call; reused, so appends do not allocate. */
  private final ByteBuffer scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
  private int stagedBytes;
  private int stagedRecords;
  private final CRC32C crc = new CRC32C();
  private final List<Runnable> events = new ArrayList<>();
  /** Whether {@link #events} may hold something, so that appends skip a second lock round trip. */
  private volatile boolean eventsPending;
  private long lastBlockWarnMillis = Long.MIN_VALUE;
  private long lastDropWarnMillis = Long.MIN_VALUE;
  private long droppedSinceWarn;
  /** Throttles the WARN line of failed periodic forces. Guarded by {@link #syncMonitor}. */
  private long lastSyncWarnMillis = Long.MIN_VALUE;
  private long syncFailuresSinceWarn;

  /** Directories held by buffers of this JVM (a second FileChannel on the lock file could drop the lock). */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private Path heldKey;
  private FileChannel lockChannel;
  private FileLock fileLock;
  private volatile boolean closed;
  /** Every sequence below this was covered by the final force of {@link #close()}; -1 before (or if it failed). */
  private long closeForcedSeq = -1;
  private Thread syncThread;
  private final Condition stopSync = lock.newCondition();

  private FileDiskBuffer(BufferOptions options, LogAnalyticsListener listener, Clock clock, ChannelFactory channels,
      AckState acks) {
    this.options = options;
    this.dir = options.directory();
    this.listener = listener == null ? LogAnalyticsListener.NONE : listener;
    this.clock = clock;
    this.channels = channels;
    this.ownerOnly = new OwnerOnly(dir);
    this.syncEachAppend = options.durability() == Durability.SYNC;
    this.preallocate = syncEachAppend;
    this.maxPayload = options.segmentBytes() - Format.SEGMENT_HEADER_BYTES - Format.FRAME_HEADER_BYTES;
    this.acks = acks;
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
    FileDiskBuffer b = new FileDiskBuffer(options, listener, clock, channels, new AckState());
    try {
      b.recover();
    } catch (IOException e) {
      b.releaseFiles();
      throw new BufferException(b.dir, "cannot open buffer directory " + b.dir + ": " + describe(e), true, e);
    } catch (RuntimeException e) {
      b.releaseFiles();
      throw e;
    }
    b.flushEvents();
    b.startSyncThread();
    return b;
  }

  /**
   * Reads a buffer directory without changing it and reports what it holds; checks every record's checksum.
   *
   * @param directory the buffer directory
   * @return the report
   * @throws BufferException when the directory cannot be read
   */
  public static BufferReport verify(Path directory) {
    try {
      return Verifier.verify(directory);
    } catch (IOException e) {
      throw new BufferException(directory, "cannot verify buffer directory " + directory + ": " + describe(e), true,
          e);
    }
  }

  // ------------------------------------------------------------------------------------------------ recovery

  private void recover() throws IOException {
    try {
      ownerOnly.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new BufferException(dir, "buffer directory " + dir + " exists and is not a directory", false, e);
    }
    Path key = dir.toRealPath();
    if (!HELD.add(key)) {
      throw new BufferException(dir, "buffer directory " + dir + " is already open in this process", false, null);
    }
    heldKey = key;
    lockChannel = channels.open(dir.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        ownerOnly.file());
    try {
      fileLock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      throw new BufferException(dir, "buffer directory " + dir + " is already open in this process", false, e);
    }
    if (fileLock == null) {
      throw new BufferException(dir, "buffer directory " + dir + " is in use by another process", false, null);
    }
    restrictPermissions();
    List<Long> firsts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(Format.TEMP_SUFFIX)) {
          Files.deleteIfExists(f);
        } else {
          long first = Format.parseSegmentName(name);
          if (first >= 0) {
            firsts.add(first);
          }
        }
      }
    }
    firsts.sort(null);
    try {
      AckState stored = AckState.read(dir, channels);
      if (stored != null) {
        acks.frontier = stored.frontier;
        acks.removed.putAll(stored.removed);
      }
    } catch (AckState.CorruptStateException e) {
      LOG.warn("Buffer {}: {}; records may be delivered again", dir, e.getMessage());
      BufferException be = new BufferException(dir, e.getMessage() + "; acknowledged records may be read again",
          false, e);
      emit(() -> listener.onBufferError(be));
    }
    long floor = acks.frontier;
    for (Map.Entry<Long, Long> e : acks.removed.entrySet()) {
      floor = Math.max(floor, e.getValue());
    }
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      Path path = dir.resolve(Format.segmentName(first));
      String problem = readHeaderProblem(path, first);
      long size = Files.size(path);
      if (problem != null) {
        long end = i + 1 < firsts.size() ? firsts.get(i + 1) : first;
        quarantineFile(path, first, end, size, "header: " + problem, true);
        floor = Math.max(floor, first + 1);
        continue;
      }
      segments.add(new Segment(first, path, size));
    }
    // Segments wholly acknowledged whose deletion a crash interrupted.
    while (segments.size() > 1 && segments.get(1).firstSeq <= acks.frontier) {
      Segment s = segments.remove(0);
      Files.deleteIfExists(s.path);
    }
    if (segments.isEmpty()) {
      Segment s = createSegment(Math.max(floor, 0));
      segments.add(s);
      active = s;
      nextSeq = s.firstSeq;
    } else {
      active = segments.get(segments.size() - 1);
      active.channel = channels.open(active.path, READ_WRITE);
      recoverTail(active);
    }
    if (nextSeq < floor) {
      // Acknowledged records beyond the end: an INTERVAL buffer lost its last interval to a power cut. New records
      // must not reuse acknowledged sequence numbers, so they start a new segment above them.
      LOG.warn("Buffer {}: records up to sequence {} were acknowledged but the segments end at {}; the last records"
          + " before a power loss are missing", dir, floor, nextSeq);
      active.channel.force(false);
      Segment s = createSegment(floor);
      segments.add(s);
      active.sealed = true;
      closeQuietly(active.channel);
      active.channel = null;
      active = s;
      nextSeq = floor;
    }
    durableSeq = nextSeq;
    active.durableSize = active.size;
    acks.advanceTo(segments.get(0).firstSeq);
    for (Segment s : segments) {
      totalBytes += s.fileBytes;
    }
    LOG.debug("Opened buffer {}: {} segments, {} bytes, sequences {}..{}", dir, segments.size(), totalBytes,
        acks.frontier, nextSeq);
  }

  /** Takes group and other permissions away from the directory and its files (buffered records are log data). */
  private void restrictPermissions() {
    try {
      int changed = ownerOnly.restrictTree(dir);
      if (changed > 0) {
        LOG.info("Buffer {}: removed group and other permissions from {} files and directories (buffered records"
            + " are log data, readable by the owner only)", dir, changed);
      }
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not remove group and other permissions from its files: {}", dir, describe(e));
    }
  }

  private String readHeaderProblem(Path path, long first) throws IOException {
    try (FileChannel ch = channels.open(path, READ)) {
      ByteBuffer b = ByteBuffer.allocate(Format.SEGMENT_HEADER_BYTES);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // read the header
      }
      b.flip();
      return Format.checkSegmentHeader(b, first);
    }
  }

  /**
   * Scans the active segment and cuts it back to its last valid frame. A tail of zeros after it (preallocation) is
   * the clean end and stays; anything else there is a torn write, or damage when more bytes follow the bad frame.
   */
  private void recoverTail(Segment s) throws IOException {
    long fileSize = s.channel.size();
    FrameReader r = new FrameReader(s.channel, Format.SEGMENT_HEADER_BYTES, fileSize, maxPayload);
    long expected = s.firstSeq;
    int status;
    while ((status = r.next(true, expected)) == FrameReader.OK) {
      expected++;
    }
    long valid = r.position();
    s.size = valid;
    s.fileBytes = fileSize;
    nextSeq = expected;
    if (status == FrameReader.END && Format.allZero(s.channel, valid, fileSize)) {
      return;
    }
    boolean zeroLength = status == FrameReader.END;
    String problem = zeroLength ? "a frame length of 0 followed by non-zero bytes" : r.problem;
    long badFrameEnd = !zeroLength && r.claimedLength > 0
        ? valid + Format.FRAME_HEADER_BYTES + r.claimedLength : fileSize;
    String detail = s.path.getFileName() + " offset " + valid + ": " + problem;
    boolean damage = zeroLength || (status == FrameReader.CORRUPT && badFrameEnd < fileSize
        && !Format.allZero(s.channel, badFrameEnd, fileSize));
    if (damage) {
      // Bytes follow the bad frame: not a torn write but damage. Keep a copy for inspection and say so.
      Path copy = quarantineTarget(s.path);
      copyOwnerOnly(s.channel, copy);
      String msg = "segment " + detail + "; " + (fileSize - valid) + " bytes after the last valid record cut off,"
          + " a copy is in " + copy;
      LOG.warn("Buffer {}: {}", dir, msg);
      // Count the bad frame and the readable frames after it: the records lost by the cut.
      long lost = zeroLength ? 0 : 1;
      long lostBytes = zeroLength ? 0 : r.claimedLength;
      if (!zeroLength) {
        FrameReader after = new FrameReader(s.channel, badFrameEnd, fileSize, maxPayload);
        while (after.next(true, -1) == FrameReader.OK) {
          lost++;
          lostBytes += after.length;
        }
      }
      long records = lost;
      long bytes = lostBytes;
      emit(() -> listener.onSegmentQuarantined(copy, msg));
      if (records > 0) {
        emit(() -> listener.onRecordsDropped(DropReason.CORRUPTED, records, bytes, msg));
      }
    } else {
      LOG.warn("Buffer {}: torn tail in {} ({} bytes) cut off: {}", dir, s.path.getFileName(), fileSize - valid,
          problem);
    }
    s.channel.truncate(valid);
    s.channel.force(false);
    s.fileBytes = valid;
  }

  // ------------------------------------------------------------------------------------------------ appending

  @Override
  public void append(byte[] record) {
    checkRecord(record, 0);
    Round round;
    lock.lock();
    try {
      ensureOpen();
      stageRecord(record);
      flushStaged();
      round = pending;
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
    Round round;
    BufferException failure = null;
    lock.lock();
    try {
      ensureOpen();
      try {
        for (byte[] r : records) {
          stageRecord(r);
        }
      } catch (BufferException e) {
        failure = e;
      }
      try {
        flushStaged();
      } catch (BufferException e) {
        failure = failure == null ? e : failure;
      }
      round = pending;
    } finally {
      lock.unlock();
      flushEvents();
    }
    if (syncEachAppend) {
      awaitDurable(round);
    }
    if (failure != null) {
      throw failure;
    }
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

  /** Puts one frame into the scratch buffer, making room first. Lock held. */
  private void stageRecord(byte[] record) {
    int frame = Format.FRAME_HEADER_BYTES + record.length;
    long segmentEnd = active.size + stagedBytes + frame;
    boolean fits = segmentEnd <= options.segmentBytes()
        && totalBytes + Math.max(0, segmentEnd - active.fileBytes) <= options.capacityBytes()
        && stagedBytes + frame <= scratch.capacity();
    if (!fits) {
      flushStaged();
      makeRoom(frame);
      if (active.size + frame > options.segmentBytes()) {
        roll();
      }
    }
    if (frame > scratch.capacity()) {
      writeLarge(record);
      return;
    }
    scratch.limit(scratch.capacity()).position(stagedBytes);
    Format.putFrame(scratch, crc, nextSeq + stagedRecords, clock.millis(), record);
    stagedBytes += frame;
    stagedRecords++;
  }

  /** Writes a frame larger than the scratch buffer on its own. Lock held, nothing staged. */
  private void writeLarge(byte[] record) {
    ByteBuffer b = ByteBuffer.allocate(Format.FRAME_HEADER_BYTES + record.length);
    Format.putFrame(b, new CRC32C(), nextSeq, clock.millis(), record);
    b.flip();
    writeAt(b, 1);
  }

  /** Writes the staged frames at the end of the active segment. Lock held. */
  private void flushStaged() {
    if (stagedBytes == 0) {
      return;
    }
    scratch.limit(stagedBytes).position(0);
    int n = stagedRecords;
    stagedBytes = 0;
    stagedRecords = 0;
    writeAt(scratch, n);
  }

  private void writeAt(ByteBuffer frames, int records) {
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
      throw ioFailure("append to", e);
    }
    long end = pos + bytes;
    if (end > active.fileBytes) {
      totalBytes += end - active.fileBytes;
      active.fileBytes = end;
    }
    active.size = end;
    nextSeq += records;
    pending.writes = true;
  }

  /**
   * Cuts the active segment's file back to {@code keep} bytes, dropping what was written after (its preallocated
   * zeros too: the segment then grows with its appends). Lock held.
   */
  private void cutActive(long keep) throws IOException {
    active.channel.truncate(keep);
    if (active.fileBytes > keep) {
      totalBytes -= active.fileBytes - keep;
      active.fileBytes = keep;
    }
  }

  /**
   * The bytes on disk that appending a frame of {@code frame} bytes adds: nothing inside a preallocated segment,
   * a new segment (less the zeros cut off the old one) when it does not fit. Lock held, nothing staged.
   */
  private long growth(int frame) {
    long end = active.size + frame;
    if (end > options.segmentBytes()) {
      long next = preallocate ? options.segmentBytes() : Format.SEGMENT_HEADER_BYTES + frame;
      return next - (active.fileBytes - active.size);
    }
    return Math.max(0, end - active.fileBytes);
  }

  /**
   * Reopens the active segment's channel when it was closed under us: a thread interrupted during file I/O closes
   * the channel it used ({@link java.nio.channels.ClosedByInterruptException}). Lock held.
   */
  private void reopenActiveIfClosed() throws IOException {
    if (!closed && (active.channel == null || !active.channel.isOpen())) {
      active.channel = channels.open(active.path, READ_WRITE);
    }
  }

  /** Frees space for a frame of {@code frame} bytes according to the policy. Lock held, nothing staged. */
  private void makeRoom(int frame) {
    long deadline = 0;
    boolean waited = false;
    while (true) {
      if (totalBytes + growth(frame) <= options.capacityBytes()) {
        return;
      }
      if (reclaimAcknowledged()) {
        continue;
      }
      switch (options.overflowPolicy()) {
        case DROP_OLDEST:
          if (!evictOldest()) {
            throw full(frame, "nothing left to evict");
          }
          break;
        case REJECT_NEW:
          throw full(frame, "policy REJECT_NEW");
        case BLOCK:
        default:
          // The deadline is on the injected clock (tests control it); the condition wait is sliced so a clock
          // that moves faster or slower than real time is re-read at least every BLOCK_SLICE_NANOS.
          long now = clock.millis();
          if (!waited) {
            long timeout = options.blockTimeout().toMillis();
            deadline = now + timeout < now ? Long.MAX_VALUE : now + timeout;
            waited = true;
            long millis = clock.millis();
            if (millis - lastBlockWarnMillis >= 60_000 || lastBlockWarnMillis == Long.MIN_VALUE) {
              lastBlockWarnMillis = millis;
              LOG.warn("Buffer {} is full ({} of {} bytes); appends wait up to {} for the uploader (logged at most "
                  + "once a minute)", dir, totalBytes, options.capacityBytes(), options.blockTimeout());
            }
          }
          long left = deadline - now;
          if (left <= 0) {
            throw full(frame, "waited " + options.blockTimeout() + " under policy BLOCK");
          }
          try {
            spaceFreed.awaitNanos(Math.min(TimeUnit.MILLISECONDS.toNanos(left), BLOCK_SLICE_NANOS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw full(frame, "interrupted while waiting under policy BLOCK");
          }
          ensureOpen();
          break;
      }
    }
  }

  private BufferFullException full(int frame, String why) {
    return new BufferFullException(dir, "buffer " + dir + " is full: a record of " + frame
        + " bytes with framing does not fit; it holds " + totalBytes + " of " + options.capacityBytes()
        + " bytes (" + recordCountLocked() + " records); " + why);
  }

  /** Deletes wholly acknowledged segments, rolling the active one when it is wholly acknowledged. */
  private boolean reclaimAcknowledged() {
    boolean freed = false;
    while (!segments.isEmpty()) {
      Segment s = segments.get(0);
      long end = endSeq(0);
      if (end > acks.frontier || (s == active && (s.size == Format.SEGMENT_HEADER_BYTES || hasOutstandingIn(s)))) {
        break;
      }
      if (s == active) {
        roll();
      }
      deleteSegment(s);
      freed = true;
    }
    return freed;
  }

  private boolean hasOutstandingIn(Segment s) {
    Map.Entry<Long, BufferChunk> e = outstanding.lastEntry();
    return e != null && e.getValue().endSeq > s.firstSeq;
  }

  /** Evicts the oldest segment, reporting its records. */
  private boolean evictOldest() {
    Segment s = segments.get(0);
    if (s == active) {
      if (s.size == Format.SEGMENT_HEADER_BYTES) {
        return false;
      }
      roll();
    }
    long end = endSeq(0);
    long bytes = droppedPayload(s, end);
    long dropped = dropRange(s.firstSeq, end, DropReason.BUFFER_OVERFLOW);
    deleteSegment(s);
    if (dropped > 0) {
      String detail = "buffer " + dir + " reached its capacity of " + options.capacityBytes()
          + " bytes; evicted the oldest segment " + s.path.getFileName();
      droppedSinceWarn += dropped;
      long now = clock.millis();
      if (lastDropWarnMillis == Long.MIN_VALUE || now - lastDropWarnMillis >= 60_000) {
        LOG.warn("Buffer {}: dropped {} records since the last warning: capacity of {} bytes reached, policy "
            + "DROP_OLDEST (logged at most once a minute; every drop is reported to the listener)", dir,
            droppedSinceWarn, options.capacityBytes());
        lastDropWarnMillis = now;
        droppedSinceWarn = 0;
      } else {
        LOG.debug("Buffer {}: dropped {} records ({} bytes): {}", dir, dropped, bytes, detail);
      }
      emit(() -> listener.onRecordsDropped(DropReason.BUFFER_OVERFLOW, dropped, bytes, detail));
    }
    return true;
  }

  /**
   * The payload bytes that evicting {@code s} drops: those of its records below {@code end} that are neither gone
   * nor in an outstanding chunk (exactly the records {@link #dropRange} counts). Reads the frame headers, not the
   * file size (a preallocated or uncut tail of zeros holds no records). When the segment cannot be read the bytes of
   * the records read so far are returned and the gap is logged. Lock held.
   */
  private long droppedPayload(Segment s, long end) {
    long bytes = 0;
    try {
      FrameReader r = new FrameReader(channelFor(s), Format.SEGMENT_HEADER_BYTES, s.size, maxPayload);
      while (r.next(false, -1) == FrameReader.OK && r.seq < end) {
        if (!taken(r.seq)) {
          bytes += r.length;
        }
      }
    } catch (IOException e) {
      LOG.warn("Buffer {}: could not read {} to count the bytes it drops: {}", dir, s.path.getFileName(),
          describe(e));
    }
    return bytes;
  }

  /**
   * Marks {@code [start, end)} gone; returns how many of those records were neither gone before nor in an
   * outstanding chunk. Records of an outstanding chunk are marked on the chunk and counted only if it is released;
   * so every lost record is reported exactly once. Lock held.
   */
  private long dropRange(long start, long end, DropReason reason) {
    long inChunks = 0;
    long from = Math.max(start, acks.frontier);
    for (BufferChunk c : outstanding.values()) {
      if (c.endSeq > from && c.firstSeq < end) {
        inChunks += c.markEvicted(from, end, reason);
      }
    }
    long fresh = acks.remove(start, end);
    return Math.max(0, fresh - inChunks);
  }

  private void deleteSegment(Segment s) {
    segments.remove(s);
    closeQuietly(s.channel);
    s.channel = null;
    readChannels.remove(s);
    totalBytes -= s.fileBytes;
    if (cursor != null && cursor.seg == s) {
      cursor = null;
    }
    try {
      Files.deleteIfExists(s.path);
    } catch (IOException e) {
      // A segment below the frontier is deleted again on the next open.
      LOG.warn("Buffer {}: could not delete {}: {}", dir, s.path.getFileName(), describe(e));
    }
    if (!segments.isEmpty()) {
      acks.advanceTo(segments.get(0).firstSeq);
    }
    spaceFreed.signalAll();
  }

  /** Seals the active segment (forced) and starts a new one. Lock held, nothing staged. */
  private void roll() {
    Segment old = active;
    forceLock.lock();
    try {
      reopenActiveIfClosed();
      old.channel.force(false);
    } catch (IOException e) {
      BufferException be = ioFailure("force", e);
      rollback(be);
      throw be;
    } finally {
      forceLock.unlock();
    }
    markAllDurable();
    if (old.fileBytes > old.size) {
      // Cut the unused zeros off the sealed segment. Not forced: if a crash undoes the cut, they read as the end.
      try {
        old.channel.truncate(old.size);
        totalBytes -= old.fileBytes - old.size;
        old.fileBytes = old.size;
      } catch (IOException e) {
        LOG.debug("Buffer {}: could not cut the zeros off {}: {}", dir, old.path.getFileName(), describe(e));
      }
    }
    Segment next;
    try {
      next = createSegment(nextSeq);
    } catch (IOException e) {
      throw ioFailure("create a segment in", e);
    }
    forceLock.lock();
    try {
      old.sealed = true;
      closeQuietly(old.channel);
      old.channel = null;
    } finally {
      forceLock.unlock();
    }
    segments.add(next);
    active = next;
    totalBytes += next.fileBytes;
  }

  /** After a successful force of everything written: all rounds so far are durable. Lock held. */
  private void markAllDurable() {
    durableSeq = nextSeq;
    active.durableSize = active.size;
    Round done = pending;
    pending = new Round();
    complete(done, null);
  }

  private Segment createSegment(long firstSeq) throws IOException {
    String name = Format.segmentName(firstSeq);
    Path tmp = dir.resolve(name + Format.TEMP_SUFFIX);
    Path path = dir.resolve(name);
    try (FileChannel ch = channels.open(tmp, CREATE_NEW, ownerOnly.file())) {
      ByteBuffer header = Format.segmentHeader(firstSeq, clock.millis());
      long p = 0;
      while (header.hasRemaining()) {
        p += ch.write(header, p);
      }
      if (preallocate) {
        Format.writeZeros(ch, p, options.segmentBytes());
      }
      ch.force(true);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw e;
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
    Segment s = new Segment(firstSeq, path, Format.SEGMENT_HEADER_BYTES);
    s.fileBytes = preallocate ? options.segmentBytes() : Format.SEGMENT_HEADER_BYTES;
    s.durableSize = s.size;
    s.channel = channels.open(path, READ_WRITE);
    return s;
  }

  private void forceDirectory() throws IOException {
    try (FileChannel d = channels.open(dir, READ)) {
      d.force(true);
    }
  }

  // ------------------------------------------------------------------------------------------------ group commit

  /**
   * A batch of appends that one force makes durable. Fields guarded by {@link #syncMonitor} (writes: {@link #lock}).
   */
  private static final class Round {
    boolean writes;
    boolean done;
    BufferException error;
  }

  private void complete(Round r, BufferException error) {
    synchronized (syncMonitor) {
      if (!r.done) {
        r.done = true;
        r.error = error;
        syncMonitor.notifyAll();
      }
    }
  }

  /**
   * Waits until {@code r} is forced; the first waiter forces for everybody waiting. Waiting is not interruptible: an
   * interrupt that arrives meanwhile is restored before returning.
   */
  private void awaitDurable(Round r) {
    boolean interrupted = false;
    while (true) {
      synchronized (syncMonitor) {
        while (!r.done && leaderActive) {
          try {
            syncMonitor.wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (r.done) {
          break;
        }
        leaderActive = true;
      }
      try {
        forceOnce();
      } finally {
        synchronized (syncMonitor) {
          leaderActive = false;
          syncMonitor.notifyAll();
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    flushEvents();
    if (r.error != null) {
      throw new BufferException(dir, r.error.getMessage(), r.error.isRetryable(), r.error);
    }
  }

  /** Forces the writes of the pending round. Called by the leader, without {@link #lock}. */
  private void forceOnce() {
    Round round;
    Segment seg;
    long size;
    long seq;
    long ep;
    lock.lock();
    try {
      round = pending;
      if (round.done) {
        return;
      }
      if (!round.writes) {
        pending = new Round();
        complete(round, null);
        return;
      }
      pending = new Round();
      inFlight = round;
      seg = active;
      size = seg.size;
      seq = nextSeq;
      ep = epoch;
    } finally {
      lock.unlock();
    }
    IOException failure = null;
    forceLock.lock();
    try {
      if (!seg.sealed) {
        seg.channel.force(false);
      }
    } catch (IOException e) {
      if (!seg.sealed) {
        failure = e;
      }
    } finally {
      forceLock.unlock();
    }
    BufferException error = null;
    lock.lock();
    try {
      if (seg.sealedByClose) {
        // close() sealed the segment, before or after this force: durable only if its final force covered it.
        if (seq > closeForcedSeq) {
          error = new BufferException(dir, "buffer " + dir + " was closed before the append was forced", false,
              failure);
        }
      } else if (failure == null) {
        if (epoch == ep) {
          durableSeq = Math.max(durableSeq, seq);
          if (seg == active) {
            seg.durableSize = Math.max(seg.durableSize, size);
          }
        }
      } else if (epoch == ep) {
        error = ioFailure("force", failure);
        rollback(error);
      }
      if (inFlight == round) {
        inFlight = null;
      }
    } finally {
      lock.unlock();
    }
    complete(round, error);
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
    long keep = active.durableSize;
    if (active.size > keep) {
      try {
        reopenActiveIfClosed();
        cutActive(keep);
      } catch (IOException e) {
        LOG.warn("Buffer {}: could not cut {} back to {} bytes: {}", dir, active.path.getFileName(), keep,
            describe(e));
      }
      active.size = keep;
      nextSeq = durableSeq;
      if (cursor != null && cursor.seq > nextSeq) {
        cursor = null;
      }
    }
    Round failed = pending;
    pending = new Round();
    complete(failed, error);
    if (inFlight != null) {
      complete(inFlight, error);
      inFlight = null;
    }
  }

  @Override
  public void sync() {
    Round round;
    lock.lock();
    try {
      ensureOpen();
      round = pending;
    } finally {
      lock.unlock();
    }
    awaitDurable(round);
  }

  private void startSyncThread() {
    if (syncEachAppend) {
      return;
    }
    long interval = options.syncInterval().toNanos();
    syncThread = new Thread(() -> {
      while (true) {
        lock.lock();
        try {
          if (closed) {
            return;
          }
          stopSync.awaitNanos(interval);
          if (closed) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        } finally {
          lock.unlock();
        }
        if (!periodicSync()) {
          return;
        }
      }
    }, "loganalytics-buffer-sync-" + dir.getFileName());
    syncThread.setDaemon(true);
    syncThread.start();
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
      long now = clock.millis();
      boolean warn;
      long failures;
      synchronized (syncMonitor) {
        syncFailuresSinceWarn++;
        warn = lastSyncWarnMillis == Long.MIN_VALUE || now - lastSyncWarnMillis >= 60_000;
        failures = syncFailuresSinceWarn;
        if (warn) {
          lastSyncWarnMillis = now;
          syncFailuresSinceWarn = 0;
        }
      }
      if (warn) {
        LOG.warn("Buffer {}: periodic force failed ({} failures since the last warning; logged at most once a"
            + " minute): {}; records of the last interval may be lost on a power cut", dir, failures,
            e.getMessage());
      } else {
        LOG.debug("Buffer {}: periodic force failed: {}", dir, e.getMessage());
      }
    } catch (ClientClosedException e) {
      return false;
    }
    flushEvents();
    return true;
  }

  // ------------------------------------------------------------------------------------------------ reading

  /** A place in the buffer: the frame of sequence {@code seq} starts at {@code offset} of {@code seg}. */
  static final class Position {
    final Segment seg;
    final long offset;
    final long seq;

    Position(Segment seg, long offset, long seq) {
      this.seg = seg;
      this.offset = offset;
      this.seq = seq;
    }
  }

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
      return Optional.ofNullable(readLocked(maxBytes, maxRecords));
    } catch (IOException e) {
      throw ioFailure("read from", e);
    } finally {
      lock.unlock();
      flushEvents();
    }
  }

  private long readLimit() {
    return syncEachAppend ? durableSeq : nextSeq;
  }

  private BufferChunk readLocked(long maxBytes, int maxRecords) throws IOException {
    while (true) {
      long limit = readLimit();
      Position p = cursor != null && segments.contains(cursor.seg) ? cursor : locate(acks.frontier);
      for (Position q = normalize(skipTaken(p, limit)); q != p; q = normalize(skipTaken(q, limit))) {
        p = q;
      }
      cursor = p;
      if (p.seq >= limit || taken(p.seq)) {
        return null;
      }
      List<byte[]> records = new ArrayList<>();
      Position start = p;
      long bytes = 0;
      long oldest = 0;
      Segment corrupt = null;
      String problem = null;
      FrameReader r = null;
      while (records.size() < maxRecords && p.seq < limit) {
        if (p.offset >= p.seg.size && p.seg != active) {
          Position n = normalize(p);
          closeReadChannel(p.seg);
          r = null;
          if (n.seq != p.seq) {
            break;
          }
          p = n;
          continue;
        }
        if (!records.isEmpty() && taken(p.seq)) {
          break;
        }
        if (r == null) {
          r = new FrameReader(channelFor(p.seg), p.offset, p.seg.size, maxPayload);
        }
        int status = r.next(true, p.seq);
        if (status == FrameReader.END && p.seg != active && startsNext(p.seg, p.seq)) {
          // The frames end before the file: zeros a crash left before the roll cut them off. Learn the end.
          p.seg.size = p.offset;
          continue;
        }
        if (status != FrameReader.OK) {
          corrupt = p.seg;
          problem = p.seg.path.getFileName() + " offset " + p.offset + ": "
              + (status == FrameReader.END ? "segment ends before sequence " + p.seq : r.problem);
          break;
        }
        if (!records.isEmpty() && bytes + r.length > maxBytes) {
          break;
        }
        if (records.isEmpty()) {
          oldest = r.appendMillis;
        }
        records.add(r.payload());
        bytes += r.length;
        p = new Position(p.seg, r.position(), p.seq + 1);
      }
      BufferChunk chunk = null;
      if (!records.isEmpty()) {
        chunk = new BufferChunk(this, start, records, Instant.ofEpochMilli(oldest), bytes, p);
        outstanding.put(start.seq, chunk);
        cursor = p;
      }
      if (corrupt != null) {
        quarantineLive(corrupt, problem);
      }
      if (chunk != null) {
        return chunk;
      }
      if (corrupt == null) {
        return null;
      }
    }
  }

  /** Whether the segment after {@code s} starts at sequence {@code seq}. */
  private boolean startsNext(Segment s, long seq) {
    int idx = segments.indexOf(s);
    return idx >= 0 && idx + 1 < segments.size() && segments.get(idx + 1).firstSeq == seq;
  }

  /** Moves a position at the end of a sealed segment to the start of the next one. */
  private Position normalize(Position p) {
    while (p.offset >= p.seg.size && p.seg != active) {
      int idx = segments.indexOf(p.seg);
      if (idx < 0) {
        return p;
      }
      p = segmentStart(idx + 1);
    }
    return p;
  }

  /** Whether {@code seq} is acknowledged, dropped or in an outstanding chunk. */
  private boolean taken(long seq) {
    if (acks.isRemoved(seq)) {
      return true;
    }
    if (outstanding.isEmpty()) {
      return false;
    }
    Map.Entry<Long, BufferChunk> e = outstanding.floorEntry(seq);
    return e != null && e.getValue().endSeq > seq;
  }

  /** Moves past acknowledged, dropped and outstanding records. */
  private Position skipTaken(Position p, long limit) throws IOException {
    while (p.seq < limit) {
      long s = acks.skipRemoved(p.seq);
      Map.Entry<Long, BufferChunk> e = outstanding.floorEntry(s);
      if (e != null && e.getValue().endSeq > s) {
        BufferChunk c = e.getValue();
        p = c.end != null && segments.contains(c.end.seg) && c.end.seq == c.endSeq ? c.end : locate(c.endSeq);
        continue;
      }
      if (s == p.seq) {
        return p;
      }
      p = locate(s);
    }
    return p;
  }

  /** The start of segment {@code index}, or the end of the buffer when there is no such segment. */
  private Position segmentStart(int index) {
    if (index >= segments.size()) {
      return new Position(active, active.size, nextSeq);
    }
    Segment s = segments.get(index);
    return new Position(s, Format.SEGMENT_HEADER_BYTES, s.firstSeq);
  }

  /** Finds the frame of {@code seq} (or the first after it) by scanning frame headers of its segment. */
  private Position locate(long seq) throws IOException {
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
    Segment s = segments.get(idx);
    if (seq <= s.firstSeq) {
      return new Position(s, Format.SEGMENT_HEADER_BYTES, s.firstSeq);
    }
    FrameReader r = new FrameReader(channelFor(s), Format.SEGMENT_HEADER_BYTES, s.size, maxPayload);
    long expected = s.firstSeq;
    while (true) {
      long at = r.position();
      int status = r.next(false, -1);
      if (status != FrameReader.OK) {
        if (status == FrameReader.END) {
          return segmentStart(idx + 1);
        }
        return new Position(s, at, expected);
      }
      if (r.seq >= seq) {
        return new Position(s, at, r.seq);
      }
      expected = r.seq + 1;
    }
  }

  /**
   * The channel to read {@code s} through. Sealed segments keep their read channel open only while among the
   * {@link #MAX_READ_CHANNELS} most recently read ones, so a large backlog holds a bounded number of descriptors.
   * The caller uses the channel before it asks for another one (the least recently used one is closed then). Lock
   * held.
   */
  private FileChannel channelFor(Segment s) throws IOException {
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

  private void closeReadChannel(Segment s) {
    if (s != active && s.channel != null) {
      closeQuietly(s.channel);
      s.channel = null;
    }
    readChannels.remove(s);
  }

  /** Moves a live segment that failed its checksums into quarantine/ and reports its records. Lock held. */
  private void quarantineLive(Segment s, String problem) throws IOException {
    int idx = segments.indexOf(s);
    long end = endSeq(idx);
    if (s == active) {
      Segment next = createSegment(nextSeq);
      forceLock.lock();
      try {
        s.sealed = true;
      } finally {
        forceLock.unlock();
      }
      markAllDurable();
      segments.add(next);
      active = next;
      totalBytes += next.fileBytes;
    }
    closeQuietly(s.channel);
    s.channel = null;
    readChannels.remove(s);
    segments.remove(s);
    totalBytes -= s.fileBytes;
    if (cursor != null && cursor.seg == s) {
      cursor = null;
    }
    quarantineFile(s.path, s.firstSeq, end, s.size, problem, false);
    acks.advanceTo(segments.get(0).firstSeq);
    // Record the gap so counts stay right after a restart. An acknowledgement being written right now (it holds
    // ackLock, which must not be waited for under lock) leaves this to the next one, which copies the state anew.
    if (ackLock.tryLock()) {
      try {
        writeAckState(acks.copy());
      } catch (IOException e) {
        LOG.warn("Buffer {}: could not record the quarantine in {}: {}", dir, AckState.FILE, describe(e));
      } finally {
        ackLock.unlock();
      }
    }
    spaceFreed.signalAll();
  }

  private void quarantineFile(Path path, long first, long end, long size, String problem, boolean atOpen)
      throws IOException {
    Path target = quarantineTarget(path);
    Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory();
    long dropped = end > first ? dropRange(first, end, DropReason.CORRUPTED) : 0;
    long bytes = Math.max(0, size - Format.SEGMENT_HEADER_BYTES - (long) Format.FRAME_HEADER_BYTES * dropped);
    String detail = "segment " + problem + "; moved to " + target + (atOpen ? " on open" : "");
    LOG.warn("Buffer {}: quarantined {}: {} ({} records lost)", dir, path.getFileName(), problem, dropped);
    emit(() -> listener.onSegmentQuarantined(target, detail));
    if (dropped > 0) {
      emit(() -> listener.onRecordsDropped(DropReason.CORRUPTED, dropped, bytes, detail));
    }
  }

  /** Copies a whole file into a new file created 0600 (it is never readable by others, not even for a moment). */
  private void copyOwnerOnly(FileChannel from, Path target) throws IOException {
    try (FileChannel to = channels.open(target, CREATE_NEW, ownerOnly.file())) {
      long size = from.size();
      long p = 0;
      while (p < size) {
        p += from.transferTo(p, size - p, to);
      }
    }
  }

  private Path quarantineTarget(Path segment) throws IOException {
    Path q = dir.resolve(QUARANTINE_DIR);
    ownerOnly.createDirectory(q);
    return q.resolve(segment.getFileName() + "." + clock.millis() + "." + System.nanoTime() % 1_000_000);
  }

  // ------------------------------------------------------------------------------------------------ acknowledge

  @Override
  public void acknowledge(Chunk chunk) {
    ackLock.lock();
    try {
      BufferChunk c;
      AckState next;
      lock.lock();
      try {
        ensureOpen();
        c = outstandingChunk(chunk);
        next = acks.copy();
        next.remove(c.firstSeq, c.endSeq);
      } finally {
        lock.unlock();
      }
      try {
        writeAckState(next);
      } catch (IOException e) {
        BufferException be = ioFailure("record an acknowledgement in", e);
        flushEvents();
        throw be;
      }
      lock.lock();
      try {
        outstanding.remove(c.firstSeq);
        acks.remove(c.firstSeq, c.endSeq);
        while (segments.size() > 1 && endSeq(0) <= acks.frontier) {
          deleteSegment(segments.get(0));
        }
        spaceFreed.signalAll();
      } finally {
        lock.unlock();
      }
    } finally {
      ackLock.unlock();
      flushEvents();
    }
  }

  @Override
  public void release(Chunk chunk) {
    lock.lock();
    try {
      ensureOpen();
      BufferChunk c = outstandingChunk(chunk);
      outstanding.remove(c.firstSeq);
      for (DropReason reason : DropReason.values()) {
        long n = c.lostRecords(reason);
        if (n > 0) {
          long bytes = c.lostBytes(reason);
          String detail = n + " records of a released chunk (sequences " + c.firstSeq + ".." + (c.endSeq - 1)
              + ") were " + (reason == DropReason.CORRUPTED ? "in a quarantined segment" : "evicted") + " while"
              + " outstanding";
          emit(() -> listener.onRecordsDropped(reason, n, bytes, detail));
        }
      }
      if (cursor != null && c.firstSeq < cursor.seq) {
        cursor = segments.contains(c.start.seg) ? c.start : null;
      }
    } finally {
      lock.unlock();
      flushEvents();
    }
  }

  private BufferChunk outstandingChunk(Chunk chunk) {
    if (!(chunk instanceof BufferChunk) || ((BufferChunk) chunk).owner != this) {
      throw new IllegalArgumentException("chunk " + chunk + " was not read from buffer " + dir);
    }
    BufferChunk c = (BufferChunk) chunk;
    if (outstanding.get(c.firstSeq) != c) {
      throw new IllegalArgumentException("chunk " + chunk + " is not outstanding (already acknowledged or"
          + " released)");
    }
    return c;
  }

  private void writeAckState(AckState state) throws IOException {
    Path tmp = dir.resolve(AckState.FILE + Format.TEMP_SUFFIX);
    try (FileChannel ch = channels.open(tmp, CREATE_NEW, ownerOnly.file())) {
      ByteBuffer b = state.encode();
      long p = 0;
      while (b.hasRemaining()) {
        p += ch.write(b, p);
      }
      ch.force(true);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw e;
    }
    Files.move(tmp, dir.resolve(AckState.FILE), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
  }

  // ------------------------------------------------------------------------------------------------ state

  /** The end (exclusive) of the sequences of segment {@code index}. Lock held. */
  private long endSeq(int index) {
    return index + 1 < segments.size() ? segments.get(index + 1).firstSeq : nextSeq;
  }

  @Override
  public long sizeBytes() {
    lock.lock();
    try {
      return totalBytes;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long recordCount() {
    lock.lock();
    try {
      return recordCountLocked();
    } finally {
      lock.unlock();
    }
  }

  private long recordCountLocked() {
    return Math.max(0, nextSeq - acks.frontier - acks.removedIn(acks.frontier, nextSeq));
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
      long first = acks.skipRemoved(acks.frontier);
      if (first >= nextSeq) {
        return Optional.empty();
      }
      if (oldestCacheSeq != first) {
        Position p = locate(first);
        if (p.seq >= nextSeq) {
          return Optional.empty();
        }
        FrameReader r = new FrameReader(channelFor(p.seg), p.offset, p.seg.size, maxPayload);
        if (r.next(false, -1) != FrameReader.OK) {
          return Optional.empty();
        }
        oldestCacheSeq = first;
        oldestCacheMillis = r.appendMillis;
      }
      return Optional.of(Instant.ofEpochMilli(oldestCacheMillis));
    } catch (IOException e) {
      throw ioFailure("read from", e);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------------------------------------ closing

  /**
   * Closes the buffer: marks it closed under the lock first (appends and reads from then on throw
   * {@link ClientClosedException}), forces what was written (the final force), then closes the files. A SYNC append
   * that was written before but not yet forced succeeds only if the final force covers it; if that force fails,
   * such appends fail.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      stopSync.signalAll();
      spaceFreed.signalAll();
      finalForce();
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
        readChannels.clear();
      } finally {
        forceLock.unlock();
      }
      releaseFiles();
    } finally {
      lock.unlock();
    }
    Thread t = syncThread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flushEvents();
  }

  /**
   * Forces everything written, for {@link #close()}: no append writes any more ({@link #closed} is set). On success
   * every round so far is durable and {@link #closeForcedSeq} says how far; on failure they fail. Lock held.
   */
  private void finalForce() {
    IOException failure = null;
    forceLock.lock();
    try {
      if (!active.sealed) {
        if (active.channel == null || !active.channel.isOpen()) {
          active.channel = channels.open(active.path, READ_WRITE);
        }
        active.channel.force(false);
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      forceLock.unlock();
    }
    if (failure == null) {
      closeForcedSeq = nextSeq;
      markAllDurable();
      return;
    }
    LOG.warn("Buffer {}: final force on close failed: {}", dir, describe(failure));
    rollback(ioFailure("force", failure));
  }

  private void releaseFiles() {
    if (active != null) {
      closeQuietly(active.channel);
    }
    try {
      if (fileLock != null) {
        fileLock.release();
      }
    } catch (IOException e) {
      LOG.debug("Buffer {}: releasing the lock failed: {}", dir, describe(e));
    }
    closeQuietly(lockChannel);
    if (heldKey != null) {
      HELD.remove(heldKey);
      heldKey = null;
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

  /** A segment file. Guarded by {@link #lock}. */
  static final class Segment {
    final long firstSeq;
    final Path path;
    /** The end of the frames: the offset the next frame is written at (for the active segment). */
    long size;
    /** The file's length on disk, counted against the capacity: {@link #size} plus any preallocated zeros. */
    long fileBytes;
    long durableSize;
    FileChannel channel;
    /** No more writes or forces through this object: rolled, quarantined, or closed with the buffer. */
    boolean sealed;
    /** Sealed by {@link #close()}: its writes are durable only as far as {@link #closeForcedSeq}. */
    boolean sealedByClose;

    Segment(long firstSeq, Path path, long size) {
      this.firstSeq = firstSeq;
      this.path = path;
      this.size = size;
      this.fileBytes = size;
    }
  }

  private BufferException ioFailure(String what, IOException e) {
    BufferException be = new BufferException(dir, "could not " + what + " buffer directory " + dir + ": "
        + describe(e) + "; the buffer is unchanged and works again once the cause is gone", true, e);
    LOG.debug("Buffer {}: {}", dir, be.getMessage());
    emit(() -> listener.onBufferError(be));
    return be;
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file " + e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private void emit(Runnable event) {
    lock.lock();
    try {
      events.add(event);
      eventsPending = true;
    } finally {
      lock.unlock();
    }
  }

  private void flushEvents() {
    if (!eventsPending) {
      return;
    }
    List<Runnable> todo;
    lock.lock();
    try {
      if (events.isEmpty() || lock.getHoldCount() > 1) {
        return;
      }
      todo = new ArrayList<>(events);
      events.clear();
      eventsPending = false;
    } finally {
      lock.unlock();
    }
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("Buffer {}: listener threw {}", dir, e.toString());
      }
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("closing a buffer file failed: {}", e.toString());
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("deleting {} failed: {}", p, e.toString());
    }
  }
}
