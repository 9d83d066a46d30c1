package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery at open: brings a buffer directory back to a consistent state after a crash, and finds what damage at
 * rest took. In order:
 * <ol>
 *   <li>deletes temporary files; moves files named like segments that are not regular files (links, directories)
 *       to quarantine;</li>
 *   <li>reads {@code ack.state}; a damaged one is copied to quarantine, reported, and rewritten from what the
 *       segments say (acknowledged records may then be read again: at least once);</li>
 *   <li>reports, once, the drops the journal in {@code ack.state} still owes;</li>
 *   <li>deletes segments whose sequences are all gone (an acknowledgement or eviction a crash interrupted); with a
 *       state written by this version, a range missing below the first segment is damage and is reported;</li>
 *   <li>reads every segment header; a damaged one is copied to quarantine and rewritten from the file name (the
 *       frames carry their own sequences and checksums, so they stay readable); one of an unknown version makes
 *       opening fail; a header of zeros (or missing) in a segment at or above the durable end is what a crash
 *       leaves after an INTERVAL roll (the header is written without a force): it is rewritten without a report;</li>
 *   <li>scans the newest segment: damage in it is reported (its later valid frames are kept); its end is cut back
 *       to the last valid frame; a torn tail (what a crash leaves) is cut silently, anything else is damage and a
 *       copy goes to quarantine first;</li>
 *   <li>records below the durable end (or acknowledged) that the newest segment no longer holds are reported, and
 *       new records start after them in a new segment.</li>
 * </ol>
 * Other segments are checked frame by frame when they are read ({@link ReadCursor}), so opening a large backlog
 * reads its headers and one segment.
 *
 * <p>Not thread-safe: runs once, in {@code open}, before the buffer is shared, with the buffer's lock held.
 */
final class LogLoader {
  private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

  /** What the loader needs from the buffer. */
  interface Host {
    /** Records sequences {@code [from, to)} as lost to damage, reports them and marks them gone. */
    void lost(long from, long to, long bytes, String detail) throws IOException;

    /** Damage inside a segment (as {@link ReadCursor.DamageSink}). */
    void damaged(Segment s, long from, long to, long offset, long spanBytes, String problem) throws IOException;

    /** Copies a segment to quarantine once per session and reports it. */
    void quarantineCopy(Segment s, FileChannel ch, String detail) throws IOException;
  }

  private final Path dir;
  private final ChannelFactory channels;
  private final SegmentLog log;
  private final AckLog ackLog;
  private final Quarantine quarantine;
  private final BufferEvents events;
  private final int maxPayload;
  private final Host host;

  LogLoader(Path dir, ChannelFactory channels, SegmentLog log, AckLog ackLog, Quarantine quarantine,
      BufferEvents events, int maxPayload, Host host) {
    this.dir = dir;
    this.channels = channels;
    this.log = log;
    this.ackLog = ackLog;
    this.quarantine = quarantine;
    this.events = events;
    this.maxPayload = maxPayload;
    this.host = host;
  }

  /**
   * Loads the directory.
   *
   * @return whether {@code ack.state} must be written (it was damaged, or is of an older version)
   * @throws IOException when the directory cannot be read or holds a format this code does not read
   */
  boolean load() throws IOException {
    List<Long> firsts = listSegments();
    boolean rewrite = loadAckState(firsts.isEmpty());
    AckState acks = ackLog.acks;
    if (firsts.isEmpty()) {
      long start = Math.max(0, Math.max(acks.maxGone(), ackLog.durableEnd));
      Segment s = log.create(start);
      log.addActive(s);
      log.nextSeq = start;
      acks.advanceTo(start);
      return rewrite;
    }
    if (!ackLog.strict) {
      acks.advanceTo(firsts.get(0));
    } else if (acks.frontier < firsts.get(0)) {
      long missing = firsts.get(0) - acks.frontier - acks.removedIn(acks.frontier, firsts.get(0));
      if (missing > 0) {
        long from = acks.frontier;
        host.lost(from, firsts.get(0), 0, "the segment files holding sequences " + from + ".." + (firsts.get(0) - 1)
            + " are missing from " + dir);
      }
      acks.advanceTo(firsts.get(0));
    }
    // Segments whose sequences are all gone: an acknowledgement or eviction a crash interrupted.
    for (int i = 0; i + 1 < firsts.size(); ) {
      long first = firsts.get(i);
      long end = firsts.get(i + 1);
      if (acks.removedIn(first, end) == end - first) {
        Files.deleteIfExists(dir.resolve(Format.segmentName(first)));
        firsts.remove(i);
      } else {
        i++;
      }
    }
    acks.advanceTo(firsts.get(0));
    for (long first : firsts) {
      log.segments.add(openSegment(first));
    }
    Segment active = log.segments.get(log.segments.size() - 1);
    log.active = active;
    for (Segment s : log.segments) {
      log.totalBytes += s.fileBytes;
    }
    active.channel = channels.open(active.path, SegmentLog.READ_WRITE);
    recoverTail(active);
    long floor = Math.max(acks.maxGone(), ackLog.durableEnd);
    if (log.nextSeq < floor) {
      // Records the newest segment no longer holds: lost to damage (below the durable end), or the last interval
      // before a power cut in INTERVAL mode (acknowledged ones beyond the end). New records must not reuse their
      // sequences, so they start a new segment above them.
      long from = log.nextSeq;
      host.lost(from, floor, 0, "segment " + active + " ends at sequence " + from + " but sequences up to "
          + (floor - 1) + " were written");
      log.forceActive();
      Segment s = log.create(floor);
      log.seal(active);
      log.addActive(s);
      log.nextSeq = floor;
    }
    active = log.active;
    active.durableSize = active.size;
    estimatePayload();
    return rewrite;
  }

  /** Lists segment files (sorted), deleting temporary files and moving away what is not a regular file. */
  private List<Long> listSegments() throws IOException {
    List<Long> firsts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(Format.TEMP_SUFFIX)) {
          Files.deleteIfExists(f);
          continue;
        }
        long first = Format.parseSegmentName(name);
        if (first < 0) {
          continue;
        }
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          Path moved = quarantine.move(f);
          String detail = "segment " + name + " is not a regular file (a link or a directory, never followed);"
              + " moved to " + moved;
          LOG.warn("Buffer {}: {}", dir, detail);
          events.quarantined(moved, detail);
          continue;
        }
        firsts.add(first);
      }
    }
    firsts.sort(null);
    return firsts;
  }

  /** @return whether the file must be rewritten */
  private boolean loadAckState(boolean newDirectory) throws IOException {
    Optional<Format.AckFile> file;
    try {
      file = ackLog.read();
    } catch (Format.CorruptStateException e) {
      Path copy = quarantine.copy(ackLog.path());
      String msg = e.getMessage() + "; acknowledged records may be read again; a copy is in " + copy
          + "; rewritten";
      LOG.warn("Buffer {}: {}", dir, msg);
      events.error(new BufferException(dir, msg, false, e));
      ackLog.strict = false;
      return true;
    }
    if (file.isEmpty()) {
      ackLog.strict = newDirectory;
      return false;
    }
    Format.AckFile f = file.get();
    ackLog.acks.frontier = f.acks().frontier;
    ackLog.acks.removed.putAll(f.acks().removed);
    ackLog.durableEnd = f.durableEnd();
    // After a skipped slot (a write cut short by a crash, or damage) the state read may be older than the segments on
    // disk: missing ranges below the first segment are then taken as gone, as after a damaged file.
    ackLog.strict = f.complete();
    if (f.slots() != null && f.slots().skipped() != null) {
      LOG.info("Buffer {}: {} in {} was skipped (a write cut short by a crash, or damage); using the state"
          + " before it: records acknowledged since may be delivered again", dir, f.slots().skipped(), AckState.FILE);
    }
    for (Format.DropRecord r : f.drops()) {
      AckLog.Drop d = ackLog.newDrop(r.reason(), r.firstSeq(), r.endSeq(), r.records(), r.bytes(), r.records()
          + " records (sequences " + r.firstSeq() + ".." + (r.endSeq() - 1) + ") were "
          + (r.reason() == DropReason.BUFFER_OVERFLOW ? "evicted when buffer " + dir + " was full"
          : "lost to damage in buffer " + dir) + (r.held() ? " while out in a chunk that was never acknowledged"
          : "") + "; reported after a restart", null);
      ackLog.restore(d);
      events.dropped(d.reason, d.records, d.bytes, d.detail, d.id);
    }
    return f.version() < Format.ACK_VERSION;
  }

  /** Reads a segment's header; a damaged one is copied to quarantine and rewritten from the file name. */
  private Segment openSegment(long first) throws IOException {
    Path path = dir.resolve(Format.segmentName(first));
    Segment s = new Segment(first, path, 0);
    StringBuilder problem = new StringBuilder();
    try (FileChannel ch = channels.open(path, SegmentLog.READ)) {
      ByteBuffer b = ByteBuffer.allocate(Format.SEGMENT_HEADER_BYTES);
      long p = 0;
      while (b.hasRemaining()) {
        int n = ch.read(b, p);
        if (n < 0) {
          break;
        }
        p += n;
      }
      b.flip();
      Format.HeaderStatus status = Format.checkSegmentHeader(b, first, problem);
      if (status == Format.HeaderStatus.UNSUPPORTED) {
        throw new IOException("segment " + path.getFileName() + ": " + problem);
      }
      s.size = ch.size();
      if (status == Format.HeaderStatus.VALID) {
        s.fileBytes = s.size;
        return s;
      }
      if (first >= Math.max(ackLog.durableEnd, 0) && allZero(b)) {
        // INTERVAL: a roll renames a spare to this name and writes the header without a force; a crash before the
        // next force can leave the name without the header. Nothing below the durable end is in it: not damage.
        LOG.warn("Buffer {}: segment {} lost its unforced header in a crash ({}); rewritten from the file name",
            dir, path.getFileName(), problem);
      } else {
        host.quarantineCopy(s, ch, "segment " + path.getFileName() + ": header: " + problem
            + "; the header was rewritten from the file name, its records are checked one by one");
      }
    }
    try (FileChannel ch = channels.open(path, SegmentLog.READ_WRITE)) {
      ByteBuffer header = Format.segmentHeader(first, 0);
      long q = 0;
      while (header.hasRemaining()) {
        q += ch.write(header, q);
      }
      ch.force(false);
      s.size = ch.size();
      s.fileBytes = s.size;
    }
    return s;
  }

  /**
   * Scans the newest segment: reports damage in it, cuts it back to its last valid frame, and sets the next
   * sequence.
   */
  private void recoverTail(Segment s) throws IOException {
    FileChannel ch = s.channel;
    long fileSize = ch.size();
    SegmentWalk w = new SegmentWalk(ch, Format.SEGMENT_HEADER_BYTES, fileSize, maxPayload, s.firstSeq,
        SegmentWalk.UNKNOWN_END);
    long payload = 0;
    int status;
    while ((status = w.next()) != SegmentWalk.END) {
      if (status == SegmentWalk.RECORD) {
        if (!ackLog.acks.isRemoved(w.seq() - 1)) {
          payload += w.frame().length;
        }
      } else {
        log.nextSeq = w.seq();
        host.damaged(s, w.damageFrom, w.damageTo, w.damageOffset, w.offset() - w.damageOffset, w.problem);
      }
    }
    long valid = w.offset();
    s.size = valid;
    s.livePayload = payload;
    log.nextSeq = w.seq();
    long durableEnd = Math.max(ackLog.durableEnd, 0);
    boolean torn = w.tailTorn(durableEnd);
    boolean bytesAfter = w.tailHasBytes();
    if (torn && !bytesAfter) {
      return;
    }
    String detail = "segment " + s + " offset " + valid + ": " + (w.problem == null ? "the frames end" : w.problem)
        + "; " + (fileSize - valid) + " bytes after the last valid record cut off";
    if (!torn) {
      host.quarantineCopy(s, ch, detail);
    } else {
      LOG.warn("Buffer {}: torn tail in {} ({} bytes) cut off: {}", dir, s, fileSize - valid, w.problem);
    }
    ch.truncate(valid);
    ch.force(false);
    log.totalBytes -= s.fileBytes - valid;
    s.fileBytes = valid;
  }

  /**
   * Estimates the payload bytes held by the sealed segments from their sizes (frames less headers), reading the
   * frames of a segment only when some of its records are gone. Damage found later corrects nothing here: the
   * estimate is for statistics.
   */
  private void estimatePayload() throws IOException {
    AckState acks = ackLog.acks;
    for (int i = 0; i + 1 < log.segments.size(); i++) {
      Segment s = log.segments.get(i);
      long end = log.endSeq(i);
      long gone = acks.removedIn(s.firstSeq, end);
      if (gone == 0) {
        s.livePayload = Math.max(0, s.size - Format.SEGMENT_HEADER_BYTES
            - (long) Format.FRAME_HEADER_BYTES * (end - s.firstSeq));
        continue;
      }
      try (FileChannel ch = channels.open(s.path, SegmentLog.READ)) {
        SegmentWalk w = new SegmentWalk(ch, Format.SEGMENT_HEADER_BYTES, ch.size(), maxPayload, s.firstSeq, end);
        int status;
        while ((status = w.next()) != SegmentWalk.END) {
          if (status == SegmentWalk.RECORD && !acks.isRemoved(w.seq() - 1)) {
            s.livePayload += w.frame().length;
          }
        }
      }
    }
  }

  private static boolean allZero(ByteBuffer b) {
    for (int i = b.position(); i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Creates the directory 0700 (whatever the umask) when missing. */
  static void createDirectory(Path dir) throws IOException {
    AtomicFile.createOwnerOnlyDirectory(dir);
  }
}
