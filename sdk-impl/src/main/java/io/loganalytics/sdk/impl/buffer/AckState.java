package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The acknowledgement state of a buffer: every sequence below {@link #frontier} is gone (acknowledged or dropped),
 * and the disjoint intervals of {@link #removed} above it are gone too (chunks acknowledged out of order, segments
 * quarantined in the middle). Stored in {@code ack.state}, replaced as a whole through a temporary file and an atomic
 * rename, so a crash leaves either the old or the new state. Mutable; guarded by the buffer's lock.
 */
final class AckState {
  static final String FILE = "ack.state";

  long frontier;
  /** Interval start to end (exclusive), disjoint, not adjacent, all above {@link #frontier}. */
  final TreeMap<Long, Long> removed = new TreeMap<>();

  AckState copy() {
    AckState c = new AckState();
    c.frontier = frontier;
    c.removed.putAll(removed);
    return c;
  }

  /**
   * Marks {@code [start, end)} as gone, merging intervals and advancing the frontier.
   *
   * @return how many sequences were not gone before
   */
  long remove(long start, long end) {
    start = Math.max(start, frontier);
    if (start >= end) {
      return 0;
    }
    long added = end - start;
    Map.Entry<Long, Long> before = removed.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      added -= Math.min(before.getValue(), end) - start;
      start = before.getKey();
      end = Math.max(end, before.getValue());
      removed.remove(before.getKey());
    }
    Map.Entry<Long, Long> after;
    while ((after = removed.ceilingEntry(start)) != null && after.getKey() <= end) {
      added -= Math.min(after.getValue(), end) - after.getKey();
      end = Math.max(end, after.getValue());
      removed.remove(after.getKey());
    }
    if (start <= frontier) {
      frontier = end;
    } else {
      removed.put(start, end);
    }
    return Math.max(0, added);
  }

  /** Raises the frontier to at least {@code seq}, dropping intervals below it. */
  void advanceTo(long seq) {
    if (seq > frontier) {
      frontier = seq;
    }
    Map.Entry<Long, Long> first;
    while ((first = removed.firstEntry()) != null && first.getKey() <= frontier) {
      frontier = Math.max(frontier, first.getValue());
      removed.remove(first.getKey());
    }
  }

  /** @return whether {@code seq} is gone */
  boolean isRemoved(long seq) {
    if (seq < frontier) {
      return true;
    }
    if (removed.isEmpty()) {
      return false; // the usual case; spares boxing the key in the lookup below
    }
    Map.Entry<Long, Long> e = removed.floorEntry(seq);
    return e != null && e.getValue() > seq;
  }

  /** @return the end of the gone interval holding {@code seq}, or {@code seq} when it is not gone */
  long skipRemoved(long seq) {
    if (seq < frontier) {
      seq = frontier;
    }
    Map.Entry<Long, Long> e = removed.floorEntry(seq);
    return e != null && e.getValue() > seq ? e.getValue() : seq;
  }

  /** @return how many sequences in {@code [start, end)} are gone */
  long removedIn(long start, long end) {
    long n = Math.max(0, Math.min(end, frontier) - start);
    long lo = Math.max(start, frontier);
    for (Map.Entry<Long, Long> e : removed.headMap(end, false).entrySet()) {
      long a = Math.max(e.getKey(), lo);
      long b = Math.min(e.getValue(), end);
      if (b > a) {
        n += b - a;
      }
    }
    return n;
  }

  /** @return how many sequences above the frontier are gone */
  long removedCount() {
    long n = 0;
    for (Map.Entry<Long, Long> e : removed.entrySet()) {
      n += e.getValue() - e.getKey();
    }
    return n;
  }

  /**
   * The file bytes: magic, version, frontier, interval count, intervals, CRC32C of everything before it.
   *
   * @return the encoded state
   */
  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + 8 + 4 + 16 * removed.size() + 4);
    b.putInt(Format.ACK_MAGIC).putShort(Format.ACK_VERSION).putShort((short) 0).putLong(frontier)
        .putInt(removed.size());
    for (Map.Entry<Long, Long> e : removed.entrySet()) {
      b.putLong(e.getKey()).putLong(e.getValue());
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  /**
   * Decodes the file bytes.
   *
   * @param bytes the whole file
   * @return the state
   * @throws IOException naming what is wrong when the bytes are not a valid state
   */
  static AckState decode(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < 24) {
      throw new CorruptStateException("File is corrupt; ack.state is " + bytes.length + " bytes, at least 24 expected");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = b.getInt(bytes.length - 4);
    if (stored != (int) crc.getValue()) {
      throw new CorruptStateException("File is corrupt; ack.state CRC32C stored 0x" + Integer.toHexString(stored)
          + ", computed 0x" + Integer.toHexString((int) crc.getValue()));
    }
    if (b.getInt() != Format.ACK_MAGIC) {
      throw new CorruptStateException("File is corrupt; ack.state has a bad magic number");
    }
    short version = b.getShort();
    if (version != Format.ACK_VERSION) {
      throw new IOException("ack.state has format version " + version + ", this code reads " + Format.ACK_VERSION);
    }
    b.getShort();
    AckState s = new AckState();
    s.frontier = b.getLong();
    int n = b.getInt();
    if (n < 0 || bytes.length != 24 + 16L * n) {
      throw new CorruptStateException(
          "File is corrupt; ack.state claims " + n + " intervals in " + bytes.length + " bytes");
    }
    for (int i = 0; i < n; i++) {
      long start = b.getLong();
      long end = b.getLong();
      s.remove(start, end);
    }
    return s;
  }

  /**
   * Reads the state file.
   *
   * @return the state, or {@code null} when there is no file
   * @throws IOException when it cannot be read or is corrupt
   */
  static AckState read(Path dir, ChannelFactory channels) throws IOException {
    Path file = dir.resolve(FILE);
    try (FileChannel ch = channels.open(file, Set.of(StandardOpenOption.READ))) {
      long size = ch.size();
      if (size > (1 << 26)) {
        throw new CorruptStateException("File is corrupt; ack.state is " + size + " bytes");
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      while (b.hasRemaining()) {
        if (ch.read(b) < 0) {
          break;
        }
      }
      byte[] bytes = new byte[b.position()];
      b.flip().get(bytes);
      return decode(bytes);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Reads the state of a directory for {@code verify}, without a factory. */
  static AckState readPlain(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    return decode(Files.readAllBytes(file));
  }

  /**
   * Thrown by {@link #read} when {@code ack.state} exists but its content is damaged (size, magic, CRC32C or interval
   * count); the caller distinguishes it by type, never by message text. Other {@link IOException}s are I/O failures.
   */
  static final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(String message) {
      super(message);
    }
  }
}
