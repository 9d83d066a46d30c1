package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading: where the next chunk starts, which records are out in chunks, and how to get from a sequence to its
 * frame. Chunks hold consecutive sequences; a chunk ends before a record that is gone or out in another chunk, and
 * at damage. Damage met on the way (by reading or by finding a frame) goes to the {@link DamageSink}, which reports
 * what was lost and marks it gone; reading then goes on after it, so every valid frame stays readable.
 *
 * <p>Progress: every step moves to a larger sequence, a larger offset in the same segment, or the next segment, so
 * reading ends however the files are damaged; {@link #find} checks that it never returns a position before the
 * sequence asked for.
 *
 * <p>Not thread-safe: guarded by the buffer's lock.
 */
final class ReadCursor {
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

    @Override
    public String toString() {
      return seg + "@" + offset + "#" + seq;
    }
  }

  /** Where damage found while reading goes. Called with the buffer's lock held. */
  interface DamageSink {
    /**
     * Sequences {@code [from, to)} of {@code s} cannot be read.
     *
     * @param s the segment
     * @param from the first unreadable sequence
     * @param to the first readable one after
     * @param offset where the damage starts
     * @param spanBytes how many bytes the damage spans
     * @param problem what is wrong
     * @throws IOException when the loss cannot be recorded
     */
    void damaged(Segment s, long from, long to, long offset, long spanBytes, String problem) throws IOException;
  }

  private final SegmentLog log;
  private final AckLog ackLog;
  private final int maxPayload;
  private final DamageSink damage;
  /** Chunks handed out and not yet acknowledged or released. */
  final Outstanding outstanding = new Outstanding();
  private Position cursor;
  private long oldestCacheSeq = -1;
  private long oldestCacheMillis;

  ReadCursor(SegmentLog log, AckLog ackLog, int maxPayload, DamageSink damage) {
    this.log = log;
    this.ackLog = ackLog;
    this.maxPayload = maxPayload;
    this.damage = damage;
  }

  /** Whether {@code seq} is acknowledged, dropped or in an outstanding chunk. */
  boolean taken(long seq) {
    if (ackLog.acks.isRemoved(seq)) {
      return true;
    }
    return outstanding.holding(seq) != null;
  }

  /** @return the first sequence at or after {@code seq} that is neither gone nor outstanding */
  long skipTaken(long seq) {
    while (true) {
      long s = ackLog.acks.skipRemoved(seq);
      BufferChunk c = outstanding.holding(s);
      if (c != null) {
        seq = c.endSeq;
        continue;
      }
      return s;
    }
  }

  private boolean valid(Position p) {
    return p != null && !p.seg.deleted && p.offset <= Math.max(p.seg.size, Format.SEGMENT_HEADER_BYTES)
        && (p.seg != log.active || p.seq <= log.nextSeq);
  }

  /**
   * Reads the next chunk.
   *
   * @param owner the buffer (the chunk names it)
   * @param maxBytes the most payload bytes (a first record always fits)
   * @param maxRecords the most records
   * @param limit the first sequence not to read (not yet forced)
   * @return the chunk, or null when nothing is readable
   * @throws IOException when a file cannot be read
   */
  BufferChunk read(FileDiskBuffer owner, long maxBytes, int maxRecords, long limit) throws IOException {
    Position p = valid(cursor) ? cursor : find(null, ackLog.acks.frontier);
    List<byte[]> records = new ArrayList<>();
    Position start = null;
    long bytes = 0;
    long oldest = 0;
    SegmentWalk walk = null;
    while (records.size() < maxRecords && p.seq < limit) {
      long s = skipTaken(p.seq);
      if (s != p.seq) {
        if (!records.isEmpty() || s >= limit) {
          break;
        }
        p = find(hint(p, s), s);
        walk = null;
        continue;
      }
      if (walk == null) {
        walk = walk(p, limit);
      }
      int status = walk.next();
      if (status == SegmentWalk.RECORD) {
        FrameReader f = walk.frame();
        if (!records.isEmpty() && bytes + f.length > maxBytes) {
          break;
        }
        if (records.isEmpty()) {
          start = p;
          oldest = f.appendMillis;
        }
        records.add(f.payload());
        bytes += f.length;
        p = new Position(p.seg, walk.offset(), walk.seq());
      } else if (status == SegmentWalk.DAMAGE) {
        report(p.seg, walk);
        p = new Position(p.seg, walk.offset(), walk.seq());
        if (!records.isEmpty()) {
          break;
        }
      } else {
        if (p.seg == log.active) {
          p = new Position(p.seg, walk.offset(), walk.seq());
          break;
        }
        log.closeReadChannel(p.seg);
        p = segmentStart(log.segments.indexOf(p.seg) + 1);
        walk = null;
      }
    }
    cursor = p;
    if (records.isEmpty()) {
      return null;
    }
    BufferChunk chunk = new BufferChunk(owner, start, records, Instant.ofEpochMilli(oldest), bytes, p);
    outstanding.add(chunk);
    return chunk;
  }

  private SegmentWalk walk(Position p, long limit) throws IOException {
    int idx = log.segments.indexOf(p.seg);
    long end = p.seg == log.active ? Math.min(limit, log.nextSeq) : log.endSeq(idx);
    long fileEnd = p.seg == log.active ? p.seg.size : Math.max(p.seg.size, p.offset);
    return new SegmentWalk(log.channelFor(p.seg), p.offset, fileEnd, maxPayload, p.seq, end);
  }

  private void report(Segment s, SegmentWalk w) throws IOException {
    damage.damaged(s, w.damageFrom, w.damageTo, w.damageOffset, w.offset() - w.damageOffset, w.problem);
  }

  /** A known position at or before {@code s} to walk from: the end of an outstanding chunk, or {@code p}. */
  private Position hint(Position p, long s) {
    BufferChunk c = outstanding.before(s);
    if (c != null) {
      Position end = c.end;
      if (valid(end) && end.seq <= s && end.seq > p.seq) {
        return end;
      }
    }
    return p;
  }

  /** The start of segment {@code index}, or the end of the buffer when there is no such segment. */
  private Position segmentStart(int index) {
    if (index >= log.segments.size()) {
      return new Position(log.active, log.active.size, log.nextSeq);
    }
    Segment s = log.segments.get(index);
    return new Position(s, Format.SEGMENT_HEADER_BYTES, s.firstSeq);
  }

  /**
   * Finds the frame of {@code seq}, or the first readable one after it: walks the frames of its segment from
   * {@code from} when that is in the same segment and not after it, else from the segment's start. Damage on the
   * way is reported.
   *
   * @return a position whose sequence is at least {@code seq}, or the end of the buffer
   * @throws IOException when a file cannot be read
   */
  Position find(Position from, long seq) throws IOException {
    int idx = log.indexOf(seq);
    Segment s = log.segments.get(idx);
    Position p;
    if (from != null && valid(from) && from.seg == s && from.seq <= seq) {
      p = from;
    } else if (seq <= s.firstSeq) {
      return new Position(s, Format.SEGMENT_HEADER_BYTES, s.firstSeq);
    } else {
      p = new Position(s, Format.SEGMENT_HEADER_BYTES, s.firstSeq);
    }
    if (p.seq >= seq) {
      return p;
    }
    long end = s == log.active ? log.nextSeq : log.endSeq(idx);
    long fileEnd = s == log.active ? s.size : Math.max(s.size, p.offset);
    SegmentWalk w = new SegmentWalk(log.channelFor(s), p.offset, fileEnd, maxPayload, p.seq, end);
    while (w.seq() < seq) {
      long before = w.offset();
      long beforeSeq = w.seq();
      int status = w.next();
      if (status == SegmentWalk.DAMAGE) {
        report(s, w);
      } else if (status == SegmentWalk.END) {
        if (s == log.active) {
          return new Position(s, w.offset(), w.seq());
        }
        return segmentStart(idx + 1);
      }
      if (w.seq() < beforeSeq || (w.seq() == beforeSeq && w.offset() <= before)) {
        throw new IllegalStateException("reading " + s + " went back from offset " + before + " to " + w.offset());
      }
    }
    return new Position(s, w.offset(), w.seq());
  }

  /** A chunk was handed back: its records are read again before newer ones. */
  void released(BufferChunk c) {
    outstanding.remove(c);
    if (cursor == null || c.firstSeq < cursor.seq) {
      cursor = valid(c.start) ? c.start : null;
    }
  }

  /** Forgets the read position if it is in {@code s} (deleted) or after {@code seq} (cut back). */
  void invalidate(Segment s, long maxSeq) {
    if (cursor != null && (cursor.seg == s || cursor.seq > maxSeq)) {
      cursor = null;
    }
    oldestCacheSeq = -1;
  }

  /**
   * The append time of the oldest record held (outstanding ones included).
   *
   * @return epoch milliseconds, or -1 when nothing is held
   * @throws IOException when a file cannot be read
   */
  long oldestAppendMillis() throws IOException {
    while (true) {
      long first = ackLog.acks.skipRemoved(ackLog.acks.frontier);
      if (first >= log.nextSeq) {
        return -1;
      }
      if (oldestCacheSeq == first) {
        return oldestCacheMillis;
      }
      Position p = find(null, first);
      if (p.seq >= log.nextSeq) {
        return -1;
      }
      if (p.seq != first) {
        continue; // damage at the oldest one was found and reported; look again
      }
      int idx = log.segments.indexOf(p.seg);
      long end = p.seg == log.active ? log.nextSeq : log.endSeq(idx);
      SegmentWalk w = new SegmentWalk(log.channelFor(p.seg), p.offset, p.seg == log.active ? p.seg.size
          : Math.max(p.seg.size, p.offset), maxPayload, p.seq, end);
      int status = w.next();
      if (status == SegmentWalk.RECORD) {
        oldestCacheSeq = first;
        oldestCacheMillis = w.frame().appendMillis;
        return oldestCacheMillis;
      }
      if (status == SegmentWalk.DAMAGE) {
        report(p.seg, w);
        continue;
      }
      return -1;
    }
  }
}
