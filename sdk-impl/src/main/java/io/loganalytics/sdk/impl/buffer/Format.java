package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.DropReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The byte formats of a buffer directory, their tables and their codecs. All integers are big-endian. Stateless;
 * thread-safe.
 *
 * <h2>Segment file, format version 2 (version 1 is still read)</h2>
 * Named by the sequence number of its first record, 20 digits and {@code .seg}, so that names sort in sequence
 * order: {@code 00000000000000004711.seg}.
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
 * they are all zero). A segment holds the sequences from its first up to the next segment's first (the newest: up to
 * its last valid frame). Version 2 differs from version 1 only by the zero tail (SYNC segments are preallocated);
 * version 1 files, which never have one, are read by the same rules; version 1 code would take a zero tail for
 * corruption, hence the new number.
 *
 * <h2>ack.state, format version 3 (versions 1 and 2 are still read, and rewritten as 3 on open)</h2>
 * Written in place: a fixed header block and two slots of equal size; a write goes to the slot not holding the
 * newest state, with one positional write and one {@code fdatasync}, so it needs no new file, rename or directory
 * force. A crash in the middle of a write tears only that slot; the other still holds the state before it.
 * <pre>
 *      0    4  magic 0x4C41414B ("LAAK")
 *      4    2  format version, 3 (every later version keeps magic, version and the CRC32C at 28, so that a reader
 *              tells a newer version from damage)
 *      6    2  reserved, 0
 *      8    4  slot size S: a multiple of 4096, at least 4096
 *     12   16  reserved, 0
 *     28    4  CRC32C of bytes 0..27
 *     32       zeros up to 4096 (slots start on a 4 KiB boundary: a torn write of one slot never touches the other)
 *   4096    S  slot A
 * 4096+S    S  slot B; the file is 4096 + 2S bytes
 *
 * slot:
 *      0    8  write sequence number: the valid slot with the larger one holds the state
 *      8    4  length n of the state, 24..S-16
 *     12    4  CRC32C over bytes 0..11 and 16..(16+n-1) of the slot
 *     16    n  the state: bytes 8..(end-5) of version 2 (frontier, durable end, k, m, intervals, drop entries)
 *   16+n       anything (left by earlier writes), up to S
 * </pre>
 * Opening takes the valid slot with the larger sequence number. A slot that fails its checksum (a torn write, or
 * damage) is skipped: the other one holds the previous state, so acknowledgements made since may be read again
 * (duplicates, never loss); because the previous state may also be older than the segments on disk, missing ranges
 * below the first segment are then taken as gone, as after a damaged file. Only when both slots, or the header, are
 * damaged is the file corrupt. A state that no longer fits a slot is written, with a larger slot size, as a whole new
 * file (temporary file, force, rename, directory force), both slots holding it; so is the first state written, and a
 * file of an older version. The largest slot is {@code (MAX_ACK_BYTES - 4096) / 2} bytes.
 *
 * <h2>ack.state, format version 2 (still read)</h2>
 * <pre>
 *      0    4  magic 0x4C41414B ("LAAK")
 *      4    2  format version, 2
 *      6    2  reserved, 0
 *      8    8  frontier: every record with a smaller sequence is acknowledged or dropped
 *     16    8  durable end: every sequence below it was once forced to disk; a record below it that is neither
 *              gone nor readable was lost to damage, and is reported
 *     24    4  count k of the intervals
 *     28    4  count m of the drop entries
 *     32 16*k  [start, end) pairs of sequences above the frontier that are acknowledged or dropped
 *  32+16k 40*m drop entries: records dropped whose report was not yet delivered to the listener (a journal: written
 *              before the segment is deleted, removed once the report is delivered)
 *   end-4   4  CRC32C of everything before
 *
 * drop entry:
 *      0    2  reason (table below)
 *      2    2  state: 1 = owed (report it), 2 = held (records of a chunk that was outstanding; reported unless the
 *              chunk is acknowledged; after a restart no chunk is outstanding, so it is reported)
 *      4    4  reserved, 0
 *      8    8  first sequence of the range
 *     16    8  end sequence of the range (exclusive)
 *     24    8  records dropped
 *     32    8  payload bytes dropped
 *
 * reason: 1 = BUFFER_OVERFLOW (evicted under DROP_OLDEST), 2 = CORRUPTED (unreadable after damage)
 * </pre>
 * Version 1 is the same without the durable end and the drop entries: frontier at 8, k at 16, intervals from 20,
 * CRC32C last. A reader that finds a version it does not know refuses the file and says which version it found.
 */
final class Format {
  /** "LABS": Log Analytics Buffer Segment. */
  static final int SEGMENT_MAGIC = 0x4C414253;
  /** "LAAK": Log Analytics Acknowledgement state. */
  static final int ACK_MAGIC = 0x4C41414B;
  /** The segment format version written. */
  static final short SEGMENT_VERSION = 2;
  /** The oldest segment format version read. */
  static final short OLDEST_SEGMENT_VERSION = 1;
  /** The format version of {@code ack.state} written. */
  static final short ACK_VERSION = 3;
  /** Bytes of the first block of ack.state version 3: its header, then zeros. */
  static final int ACK_HEADER_BLOCK = 4096;
  /** Bytes of a slot header in ack.state version 3 (sequence, length, CRC32C). */
  static final int ACK_SLOT_HEADER_BYTES = 16;
  /** Slot sizes of ack.state version 3 are multiples of this (and at least this). */
  static final int ACK_SLOT_UNIT = 4096;
  /** The oldest format version of {@code ack.state} read. */
  static final short OLDEST_ACK_VERSION = 1;
  /** Bytes of a segment file header. */
  static final int SEGMENT_HEADER_BYTES = 32;
  /** Bytes of a record frame before its payload. */
  static final int FRAME_HEADER_BYTES = 24;
  /** Bytes of a drop entry in ack.state. */
  static final int DROP_ENTRY_BYTES = 40;
  /** Suffix of live segment files. */
  static final String SEGMENT_SUFFIX = ".seg";
  /** Suffix of files being created; they are deleted on open. */
  static final String TEMP_SUFFIX = ".tmp";
  /** The largest ack.state read (a damaged size field cannot make opening allocate more). */
  static final int MAX_ACK_BYTES = 1 << 26;

  /** Reason codes of drop entries; the index is the code. */
  private static final Map<DropReason, Short> REASON_CODES = Map.of(DropReason.BUFFER_OVERFLOW, (short) 1,
      DropReason.CORRUPTED, (short) 2);
  private static final short OWED = 1;
  private static final short HELD = 2;

  private static final int ZERO_BLOCK = 64 * 1024;
  /** Zeros for preallocation; only ever read through duplicates. */
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_BLOCK).asReadOnlyBuffer();

  private Format() {}

  // ------------------------------------------------------------------------------------------------ segments

  /**
   * The file name of a segment: its first sequence number, 20 digits, so that names sort in sequence order.
   *
   * @param firstSeq the sequence number of the segment's first record
   * @return the name
   */
  static String segmentName(long firstSeq) {
    String digits = Long.toString(firstSeq);
    return "0".repeat(20 - digits.length()) + digits + SEGMENT_SUFFIX;
  }

  /**
   * Parses a segment file name.
   *
   * @param name a file name
   * @return the first sequence number, or -1 when the name is not a segment's
   */
  static long parseSegmentName(String name) {
    if (name.length() != 20 + SEGMENT_SUFFIX.length() || !name.endsWith(SEGMENT_SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Encodes a segment header.
   *
   * @param firstSeq the first sequence number
   * @param createdMillis creation time, epoch milliseconds
   * @return a buffer positioned at 0 with 32 bytes remaining
   */
  static ByteBuffer segmentHeader(long firstSeq, long createdMillis) {
    ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    b.putInt(SEGMENT_MAGIC).putShort(SEGMENT_VERSION).putShort((short) SEGMENT_HEADER_BYTES);
    b.putLong(firstSeq).putLong(createdMillis).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 28);
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  /** What {@link #checkSegmentHeader} found. */
  enum HeaderStatus {
    /** A header of a version this code reads, naming the expected first sequence. */
    VALID,
    /** Damaged: short, bad magic, bad checksum, or naming another sequence than the file name. */
    DAMAGED,
    /** Intact (magic and checksum match) but of a format version this code does not read. */
    UNSUPPORTED
  }

  /**
   * Checks a segment header.
   *
   * @param b the header bytes from position 0 (fewer than 32 when the file is shorter)
   * @param expectedFirstSeq the first sequence number named by the file
   * @param problem receives what is wrong, when something is
   * @return the status
   */
  static HeaderStatus checkSegmentHeader(ByteBuffer b, long expectedFirstSeq, StringBuilder problem) {
    if (b.remaining() < SEGMENT_HEADER_BYTES) {
      problem.append("header is ").append(b.remaining()).append(" bytes, expected ").append(SEGMENT_HEADER_BYTES);
      return HeaderStatus.DAMAGED;
    }
    int magic = b.getInt(0);
    if (magic != SEGMENT_MAGIC) {
      problem.append("bad magic 0x").append(Integer.toHexString(magic));
      return HeaderStatus.DAMAGED;
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), b.arrayOffset(), 28);
    int stored = b.getInt(28);
    if (stored != (int) crc.getValue()) {
      problem.append("header CRC32C mismatch (stored 0x").append(Integer.toHexString(stored))
          .append(", computed 0x").append(Integer.toHexString((int) crc.getValue())).append(')');
      return HeaderStatus.DAMAGED;
    }
    short version = b.getShort(4);
    if (version < OLDEST_SEGMENT_VERSION || version > SEGMENT_VERSION) {
      problem.append("unsupported segment format version ").append(version).append(" (this code reads ")
          .append(OLDEST_SEGMENT_VERSION).append(" to ").append(SEGMENT_VERSION).append(')');
      return HeaderStatus.UNSUPPORTED;
    }
    long first = b.getLong(8);
    if (first != expectedFirstSeq) {
      problem.append("header names first sequence ").append(first).append(" but the file name says ")
          .append(expectedFirstSeq);
      return HeaderStatus.DAMAGED;
    }
    return HeaderStatus.VALID;
  }

  /**
   * Whether {@code [from, to)} of a file holds only zero bytes (or the file ends before {@code to}).
   *
   * @param ch the file
   * @param from the first offset
   * @param to the end offset
   * @return true when nothing but zeros is there
   * @throws IOException when the file cannot be read
   */
  static boolean allZero(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(ZERO_BLOCK, Math.max(0, to - from)));
    long p = from;
    while (p < to) {
      b.clear().limit((int) Math.min(b.capacity(), to - p));
      int n = ch.read(b, p);
      if (n < 0) {
        return true;
      }
      for (int i = 0; i < n; i++) {
        if (b.get(i) != 0) {
          return false;
        }
      }
      p += n;
    }
    return true;
  }

  /**
   * Writes zeros over {@code [from, to)} of a file (preallocation: the blocks are then allocated, so later writes
   * and forces in that range change no file metadata).
   *
   * @param ch the file
   * @param from the first offset
   * @param to the end offset
   * @throws IOException when the file cannot be written
   */
  static void writeZeros(FileChannel ch, long from, long to) throws IOException {
    long p = from;
    while (p < to) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), to - p));
      while (z.hasRemaining()) {
        p += ch.write(z, p);
      }
    }
  }

  /**
   * Writes one frame at {@code dst}'s position: header fields, payload, then the CRC over the length and everything
   * after the CRC field. Does not allocate.
   *
   * @param dst a buffer with room for the frame; its position ends after the frame
   * @param crc a reusable checksum
   * @param seq the record's sequence number
   * @param appendMillis append time, epoch milliseconds
   * @param payload the record bytes
   */
  static void putFrame(ByteBuffer dst, CRC32C crc, long seq, long appendMillis, byte[] payload) {
    int start = dst.position();
    dst.putInt(payload.length).putInt(0).putLong(seq).putLong(appendMillis).put(payload);
    int end = dst.position();
    dst.putInt(start + 4, frameCrc(dst, crc, start, end));
  }

  /**
   * The CRC32C of a frame in {@code b} spanning {@code [start, end)}: over bytes {@code start..start+4} (the length)
   * and {@code start+8..end} (sequence, time, payload). Leaves {@code b}'s position and limit as they were.
   */
  static int frameCrc(ByteBuffer b, CRC32C crc, int start, int end) {
    int pos = b.position();
    int lim = b.limit();
    crc.reset();
    b.limit(start + 4).position(start);
    crc.update(b);
    b.limit(end).position(start + 8);
    crc.update(b);
    b.limit(lim).position(pos);
    return (int) crc.getValue();
  }

  // ------------------------------------------------------------------------------------------------ ack.state

  /**
   * A drop entry of ack.state: records dropped whose report is not yet delivered.
   *
   * @param reason why they were dropped
   * @param held whether they were records of an outstanding chunk (reported unless it is acknowledged)
   * @param firstSeq the first sequence of the range they were in
   * @param endSeq the end of that range (exclusive)
   * @param records how many records
   * @param bytes their payload bytes
   */
  record DropRecord(DropReason reason, boolean held, long firstSeq, long endSeq, long records, long bytes) {}

  /**
   * What ack.state holds.
   *
   * @param version the format version read
   * @param acks the acknowledged and dropped sequences
   * @param durableEnd every sequence below it was forced once; -1 when unknown (version 1)
   * @param drops the reports not yet delivered
   * @param slots where the state was found in a version 3 file, or null for versions 1 and 2
   */
  record AckFile(int version, AckState acks, long durableEnd, List<DropRecord> drops, Slots slots) {
    /**
     * @return whether every acknowledgement and drop ever written is known to be in it: version 2 or later, read
     *     from the newest slot with the other slot intact (after a skipped slot it may be an older state)
     */
    boolean complete() {
      return version >= 2 && (slots == null || slots.skipped() == null);
    }
  }

  /**
   * The slots of an ack.state of version 3.
   *
   * @param slotBytes the slot size
   * @param sequence the write sequence number of the slot read
   * @param current the slot read: 0 (A) or 1 (B); the next write goes to the other one, unless it was skipped
   * @param skipped why the other slot was skipped (its write was cut short by a crash, or it is damaged), or null
   */
  record Slots(int slotBytes, long sequence, int current, String skipped) {
    /** @return the slot the next write goes to: the one not holding the state read */
    int next() {
      return 1 - current;
    }
  }

  /**
   * Thrown when {@code ack.state} exists but its content is damaged (size, magic, CRC32C or a count); callers tell
   * it from an I/O failure by type, never by message text.
   */
  static final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(String message) {
      super(message);
    }
  }

  /**
   * Encodes the state of ack.state version 3 as a slot image: {@link #ACK_SLOT_HEADER_BYTES} bytes left for the slot
   * header ({@link #sealAckSlot} fills them when the write sequence number is known), then the state.
   *
   * @param acks the gone sequences
   * @param durableEnd every sequence below it was forced once
   * @param drops the reports not yet delivered
   * @return the slot image, positioned at 0
   */
  static ByteBuffer encodeAck(AckState acks, long durableEnd, List<DropRecord> drops) {
    ByteBuffer b = ByteBuffer.allocate(ACK_SLOT_HEADER_BYTES + stateBytes(acks, drops));
    b.position(ACK_SLOT_HEADER_BYTES);
    putState(b, acks, durableEnd, drops);
    return b.flip();
  }

  private static int stateBytes(AckState acks, List<DropRecord> drops) {
    return 24 + 16 * acks.removed.size() + DROP_ENTRY_BYTES * drops.size();
  }

  private static void putState(ByteBuffer b, AckState acks, long durableEnd, List<DropRecord> drops) {
    b.putLong(acks.frontier).putLong(durableEnd).putInt(acks.removed.size()).putInt(drops.size());
    for (Map.Entry<Long, Long> e : acks.removed.entrySet()) {
      b.putLong(e.getKey()).putLong(e.getValue());
    }
    for (DropRecord d : drops) {
      b.putShort(REASON_CODES.get(d.reason())).putShort(d.held() ? HELD : OWED).putInt(0).putLong(d.firstSeq())
          .putLong(d.endSeq()).putLong(d.records()).putLong(d.bytes());
    }
  }

  /**
   * Fills the slot header of a slot image from {@link #encodeAck}: the write sequence number, the length and the
   * CRC32C. Leaves the position and limit as they were.
   *
   * @param slot the slot image
   * @param sequence the write sequence number
   */
  static void sealAckSlot(ByteBuffer slot, long sequence) {
    int n = slot.limit() - ACK_SLOT_HEADER_BYTES;
    slot.putLong(0, sequence).putInt(8, n);
    slot.putInt(12, slotCrc(slot, 0));
  }

  /** The CRC32C of the slot at {@code off} of {@code b} (its length field read from there). */
  private static int slotCrc(ByteBuffer b, int off) {
    int n = b.getInt(off + 8);
    CRC32C crc = new CRC32C();
    ByteBuffer d = b.duplicate();
    d.limit(off + 12).position(off);
    crc.update(d);
    d.limit(off + ACK_SLOT_HEADER_BYTES + n).position(off + ACK_SLOT_HEADER_BYTES);
    crc.update(d);
    return (int) crc.getValue();
  }

  /**
   * The slot size for a state whose slot image is {@code imageBytes} long: room for twice the image, in whole
   * {@link #ACK_SLOT_UNIT}s, at most what {@link #MAX_ACK_BYTES} allows.
   *
   * @param imageBytes the slot image's length
   * @return the slot size
   * @throws IOException when the state is too large for ack.state
   */
  static int ackSlotBytesFor(int imageBytes) throws IOException {
    long max = (MAX_ACK_BYTES - ACK_HEADER_BLOCK) / 2 / ACK_SLOT_UNIT * ACK_SLOT_UNIT;
    if (imageBytes > max) {
      throw new IOException("the acknowledgement state is " + imageBytes + " bytes, more than the " + max
          + " an ack.state slot holds");
    }
    long want = Math.max(ACK_SLOT_UNIT, ((2L * imageBytes + ACK_SLOT_UNIT - 1) / ACK_SLOT_UNIT) * ACK_SLOT_UNIT);
    return (int) Math.min(want, max);
  }

  /**
   * A whole ack.state of version 3: the header block, slot A holding {@code image} sealed with {@code sequence},
   * slot B holding it sealed with {@code sequence - 1} (so the next write goes to slot B).
   *
   * @param slotBytes the slot size, from {@link #ackSlotBytesFor}
   * @param image the slot image from {@link #encodeAck}
   * @param sequence the write sequence number of slot A
   * @return the file's bytes, positioned at 0
   */
  static ByteBuffer ackFileV3(int slotBytes, ByteBuffer image, long sequence) {
    ByteBuffer f = ByteBuffer.allocate(ACK_HEADER_BLOCK + 2 * slotBytes);
    f.putInt(ACK_MAGIC).putShort(ACK_VERSION).putShort((short) 0).putInt(slotBytes);
    CRC32C crc = new CRC32C();
    crc.update(f.array(), 0, 28);
    f.putInt(28, (int) crc.getValue());
    for (int i = 0; i < 2; i++) {
      ByteBuffer slot = image.duplicate();
      sealAckSlot(slot, sequence - i);
      f.put(ACK_HEADER_BLOCK + i * slotBytes, slot, 0, slot.limit());
    }
    return f.position(0);
  }

  /**
   * Encodes ack.state, version 2 (what version 2 code wrote; kept to test migration).
   *
   * @param acks the gone sequences
   * @param durableEnd every sequence below it was forced once
   * @param drops the reports not yet delivered
   * @return the bytes, positioned at 0
   */
  static ByteBuffer encodeAckV2(AckState acks, long durableEnd, List<DropRecord> drops) {
    ByteBuffer b = ByteBuffer.allocate(8 + stateBytes(acks, drops) + 4);
    b.putInt(ACK_MAGIC).putShort((short) 2).putShort((short) 0);
    putState(b, acks, durableEnd, drops);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  /**
   * Encodes ack.state, version 1 (what version 1 code wrote; kept to test migration).
   *
   * @param acks the gone sequences
   * @return the bytes, positioned at 0
   */
  static ByteBuffer encodeAckV1(AckState acks) {
    ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + 8 + 4 + 16 * acks.removed.size() + 4);
    b.putInt(ACK_MAGIC).putShort((short) 1).putShort((short) 0).putLong(acks.frontier).putInt(acks.removed.size());
    for (Map.Entry<Long, Long> e : acks.removed.entrySet()) {
      b.putLong(e.getKey()).putLong(e.getValue());
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.flip();
    return b;
  }

  /**
   * Decodes ack.state of version 1, 2 or 3.
   *
   * @param bytes the whole file
   * @return what it holds
   * @throws CorruptStateException when the bytes are damaged (version 3: the header, or both slots)
   * @throws IOException when the version is one this code does not read (the message names it)
   */
  static AckFile decodeAck(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length >= 32 && b.getInt(0) == ACK_MAGIC && b.getShort(4) >= 3) {
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, 28);
      if (b.getInt(28) == (int) crc.getValue()) {
        short version = b.getShort(4);
        if (version > ACK_VERSION) {
          throw new IOException("ack.state has format version " + version + ", this code reads "
              + OLDEST_ACK_VERSION + " to " + ACK_VERSION);
        }
        return decodeAckV3(b);
      }
      // Not a header of version 3 or later: damage, or an older version whose bytes happen to look like one; the
      // older layout's checksum decides.
    }
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
    if (b.getInt() != ACK_MAGIC) {
      throw new CorruptStateException("File is corrupt; ack.state has a bad magic number");
    }
    short version = b.getShort();
    if (version < OLDEST_ACK_VERSION || version > 2) {
      throw new IOException("ack.state has format version " + version + ", this code reads " + OLDEST_ACK_VERSION
          + " to " + ACK_VERSION);
    }
    b.getShort();
    if (version == 1) {
      AckState acks = new AckState();
      acks.frontier = b.getLong();
      int k = b.getInt();
      if (k < 0 || bytes.length != 24 + 16L * k) {
        throw new CorruptStateException("File is corrupt; ack.state claims " + k + " intervals in " + bytes.length
            + " bytes");
      }
      getIntervals(b, k, acks);
      return new AckFile(1, acks, -1, List.of(), null);
    }
    if (bytes.length < 36) {
      throw new CorruptStateException("File is corrupt; ack.state version 2 is " + bytes.length
          + " bytes, at least 36 expected");
    }
    return getState(b, bytes.length - 12, 2, null);
  }

  /** Decodes version 3 (its header checked): the newest valid slot. */
  private static AckFile decodeAckV3(ByteBuffer b) throws IOException {
    int slotBytes = b.getInt(8);
    if (slotBytes < ACK_SLOT_UNIT || slotBytes % ACK_SLOT_UNIT != 0
        || ACK_HEADER_BLOCK + 2L * slotBytes > MAX_ACK_BYTES) {
      throw new CorruptStateException("File is corrupt; ack.state has a slot size of " + slotBytes + " bytes");
    }
    AckFile[] found = new AckFile[2];
    String[] problems = new String[2];
    for (int i = 0; i < 2; i++) {
      int off = ACK_HEADER_BLOCK + i * slotBytes;
      String name = i == 0 ? "slot A" : "slot B";
      if (b.limit() < off + ACK_SLOT_HEADER_BYTES) {
        problems[i] = name + " is cut short (the file is " + b.limit() + " bytes)";
        continue;
      }
      int n = b.getInt(off + 8);
      if (n < 24 || n > slotBytes - ACK_SLOT_HEADER_BYTES || b.limit() < off + ACK_SLOT_HEADER_BYTES + n) {
        problems[i] = name + " claims a state of " + n + " bytes (slot size " + slotBytes + ", file "
            + b.limit() + " bytes)";
        continue;
      }
      int stored = b.getInt(off + 12);
      int computed = slotCrc(b, off);
      if (stored != computed) {
        problems[i] = name + " CRC32C stored 0x" + Integer.toHexString(stored) + ", computed 0x"
            + Integer.toHexString(computed);
        continue;
      }
      try {
        ByteBuffer d = b.duplicate();
        d.position(off + ACK_SLOT_HEADER_BYTES);
        found[i] = getState(d, n, 3, new Slots(slotBytes, b.getLong(off), i, null));
      } catch (CorruptStateException e) {
        problems[i] = name + ": " + e.getMessage();
      }
    }
    if (found[0] == null && found[1] == null) {
      throw new CorruptStateException("File is corrupt; ack.state has no valid slot: " + problems[0] + "; "
          + problems[1]);
    }
    int cur = found[1] == null || (found[0] != null && found[0].slots().sequence() > found[1].slots().sequence())
        ? 0 : 1;
    AckFile f = found[cur];
    if (found[1 - cur] == null) {
      f = new AckFile(3, f.acks(), f.durableEnd(), f.drops(), new Slots(slotBytes, f.slots().sequence(), cur,
          problems[1 - cur]));
    }
    return f;
  }

  private static void getIntervals(ByteBuffer b, int k, AckState acks) throws CorruptStateException {
    for (int i = 0; i < k; i++) {
      long start = b.getLong();
      long end = b.getLong();
      if (start < 0 || end < start) {
        throw new CorruptStateException("File is corrupt; ack.state holds the interval [" + start + ", " + end + ")");
      }
      acks.remove(start, end);
    }
  }

  /**
   * Reads the state of version 2 or 3 (frontier, durable end, intervals, drop entries) from {@code b}'s position.
   *
   * @param length the bytes it spans
   */
  private static AckFile getState(ByteBuffer b, int length, int version, Slots slots) throws CorruptStateException {
    AckState acks = new AckState();
    acks.frontier = b.getLong();
    long durableEnd = b.getLong();
    int k = b.getInt();
    int m = b.getInt();
    if (k < 0 || m < 0 || length != 24 + 16L * k + (long) DROP_ENTRY_BYTES * m) {
      throw new CorruptStateException("File is corrupt; ack.state claims " + k + " intervals and " + m
          + " drop entries in " + length + " bytes");
    }
    getIntervals(b, k, acks);
    List<DropRecord> drops = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      short code = b.getShort();
      short state = b.getShort();
      b.getInt();
      DropReason reason = null;
      for (Map.Entry<DropReason, Short> e : REASON_CODES.entrySet()) {
        if (e.getValue() == code) {
          reason = e.getKey();
        }
      }
      if (reason == null || (state != OWED && state != HELD)) {
        throw new CorruptStateException("File is corrupt; ack.state drop entry " + i + " has reason " + code
            + " and state " + state);
      }
      drops.add(new DropRecord(reason, state == HELD, b.getLong(), b.getLong(), b.getLong(), b.getLong()));
    }
    return new AckFile(version, acks, durableEnd, drops, slots);
  }
}
