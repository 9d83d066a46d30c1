package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a buffer directory without changing it, checking every record's checksum: the engine of
 * {@link FileDiskBuffer#verify(Path)}. It applies the rules of opening ({@link LogLoader}) and reading
 * ({@link ReadCursor}) through the same {@link SegmentWalk}, so that it counts the records a session would deliver,
 * the records it would report lost, and names the files it would quarantine: damage that loses a record not yet
 * gone, a damaged segment header, bytes after the newest segment's last frame that are not a torn tail, and a damaged
 * {@code ack.state}. Damage among records already gone is not corruption. Stateless; thread-safe.
 */
final class Verifier {
  private Verifier() {}

  /**
   * Verifies a buffer directory: the engine of {@link FileDiskBuffer#verify(Path)}.
   *
   * @param dir the buffer directory
   * @return what it holds
   * @throws BufferException (retryable) when it cannot be read, naming the directory and the cause
   */
  static BufferReport report(Path dir) {
    try {
      return verify(dir);
    } catch (IOException e) {
      throw new BufferException(dir, "cannot verify buffer directory " + dir + ": " + FileDiskBuffer.describe(e),
          true, e);
    }
  }

  static BufferReport verify(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "not a buffer directory");
    }
    List<String> corrupt = new ArrayList<>();
    List<Long> firsts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Format.SEGMENT_SUFFIX)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        long first = Format.parseSegmentName(name);
        if (first < 0) {
          continue;
        }
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          corrupt.add(name + ": not a regular file (a link or a directory)");
          continue;
        }
        firsts.add(first);
      }
    }
    firsts.sort(null);
    AckState acks = new AckState();
    long durableEnd = -1;
    boolean strict;
    long lost = 0;
    try {
      Optional<byte[]> bytes = AtomicFile.of(dir.resolve(AckState.FILE)).read(Format.MAX_ACK_BYTES);
      if (bytes.isPresent()) {
        Format.AckFile f = Format.decodeAck(bytes.get());
        acks = f.acks();
        durableEnd = f.durableEnd();
        strict = f.complete();
        for (Format.DropRecord d : f.drops()) {
          lost += d.records();
        }
      } else {
        strict = firsts.isEmpty();
      }
    } catch (Format.CorruptStateException e) {
      corrupt.add(AckState.FILE + ": " + e.getMessage());
      strict = false;
    }
    long records = 0;
    long payload = 0;
    long diskBytes = 0;
    int segments = 0;
    Instant oldest = null;
    if (!firsts.isEmpty()) {
      long first0 = firsts.get(0);
      if (strict && acks.frontier < first0) {
        long missing = first0 - acks.frontier - acks.removedIn(acks.frontier, first0);
        if (missing > 0) {
          lost += missing;
          corrupt.add("missing segments: sequences " + acks.frontier + ".." + (first0 - 1) + " (" + missing
              + " records lost)");
        }
      }
      acks.advanceTo(first0);
      for (int i = 0; i + 1 < firsts.size(); ) {
        if (acks.removedIn(firsts.get(i), firsts.get(i + 1)) == firsts.get(i + 1) - firsts.get(i)) {
          firsts.remove(i);
        } else {
          i++;
        }
      }
      acks.advanceTo(firsts.get(0));
    }
    long nextSeq = firsts.isEmpty() ? Math.max(0, Math.max(acks.maxGone(), durableEnd)) : 0;
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      boolean newest = i == firsts.size() - 1;
      Path path = dir.resolve(Format.segmentName(first));
      String name = path.getFileName().toString();
      boolean listed = false;
      try (FileChannel ch = FileChannel.open(path, SegmentLog.READ)) {
        long size = ch.size();
        diskBytes += size;
        segments++;
        ByteBuffer header = ByteBuffer.allocate(Format.SEGMENT_HEADER_BYTES);
        long p = 0;
        while (header.hasRemaining()) {
          int n = ch.read(header, p);
          if (n < 0) {
            break;
          }
          p += n;
        }
        header.flip();
        StringBuilder problem = new StringBuilder();
        Format.HeaderStatus status = Format.checkSegmentHeader(header, first, problem);
        if (status == Format.HeaderStatus.UNSUPPORTED) {
          throw new IOException("segment " + name + ": " + problem);
        }
        if (status == Format.HeaderStatus.DAMAGED && !(first >= Math.max(durableEnd, 0) && allZero(header))) {
          // (A header of zeros above the durable end is an INTERVAL roll a crash interrupted; open rewrites it.)
          corrupt.add(name + ": header: " + problem);
          listed = true;
        }
        int maxPayload = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(size, 1));
        long end = newest ? SegmentWalk.UNKNOWN_END : firsts.get(i + 1);
        SegmentWalk w = new SegmentWalk(ch, Format.SEGMENT_HEADER_BYTES, Math.max(size,
            Format.SEGMENT_HEADER_BYTES), maxPayload, first, end);
        int step;
        while ((step = w.next()) != SegmentWalk.END) {
          if (step == SegmentWalk.RECORD) {
            long seq = w.seq() - 1;
            if (!acks.isRemoved(seq)) {
              records++;
              payload += w.frame().length;
              if (oldest == null) {
                oldest = Instant.ofEpochMilli(w.frame().appendMillis);
              }
            }
          } else {
            long notGone = (w.damageTo - w.damageFrom) - acks.removedIn(w.damageFrom, w.damageTo);
            if (notGone > 0) {
              lost += notGone;
              // Reported lost from now on, as a session would mark them gone.
              acks.remove(w.damageFrom, w.damageTo);
              if (!listed) {
                corrupt.add(name + ": offset " + w.damageOffset + ": " + w.problem + " (" + notGone
                    + " records unreadable)");
                listed = true;
              }
            }
          }
        }
        if (newest) {
          nextSeq = w.seq();
          if (!w.tailTorn(Math.max(durableEnd, 0)) && !listed) {
            corrupt.add(name + ": offset " + w.offset() + ": " + (w.problem == null ? "the frames end" : w.problem)
                + " (" + (size - w.offset()) + " bytes after the last valid record)");
          }
        }
      }
    }
    long floor = Math.max(acks.maxGone(), durableEnd);
    if (nextSeq < floor) {
      lost += (floor - nextSeq) - acks.removedIn(nextSeq, floor);
    }
    List<Path> quarantined = new ArrayList<>();
    Path q = dir.resolve(Quarantine.DIR);
    if (Files.isDirectory(q)) {
      try (Stream<Path> files = Files.list(q)) {
        files.sorted().forEach(quarantined::add);
      }
    }
    return new BufferReport(dir, records, payload, segments, oldest, corrupt, quarantined, lost, diskBytes);
  }

  private static boolean allZero(ByteBuffer b) {
    for (int i = b.position(); i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
