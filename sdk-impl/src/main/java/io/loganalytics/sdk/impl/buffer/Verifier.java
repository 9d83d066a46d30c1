package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a buffer directory without changing it, checking every record's checksum: the engine of
 * {@link FileDiskBuffer#verify(Path)}. A torn tail of the last segment (what a crash leaves, and what opening cuts
 * off, possibly followed by preallocated zeros) is not reported as corruption; damage anywhere else is. A tail of
 * zeros after the last frame of any segment is the clean end. Stateless; thread-safe.
 */
final class Verifier {
  private Verifier() {}

  static BufferReport verify(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "not a buffer directory");
    }
    List<String> corrupt = new ArrayList<>();
    AckState acks;
    try {
      acks = AckState.readPlain(dir);
    } catch (IOException e) {
      corrupt.add(AckState.FILE + ": " + e.getMessage());
      acks = null;
    }
    if (acks == null) {
      acks = new AckState();
    }
    List<Long> firsts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Format.SEGMENT_SUFFIX)) {
      for (Path f : files) {
        long first = Format.parseSegmentName(f.getFileName().toString());
        if (first >= 0) {
          firsts.add(first);
        }
      }
    }
    firsts.sort(null);
    long records = 0;
    long bytes = 0;
    int segments = 0;
    Instant oldest = null;
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      boolean last = i == firsts.size() - 1;
      Path path = dir.resolve(Format.segmentName(first));
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        long size = ch.size();
        ByteBuffer header = ByteBuffer.allocate(Format.SEGMENT_HEADER_BYTES);
        while (header.hasRemaining() && ch.read(header) >= 0) {
          // read the header
        }
        header.flip();
        String problem = Format.checkSegmentHeader(header, first);
        if (problem != null) {
          corrupt.add(path.getFileName() + ": header: " + problem);
          continue;
        }
        segments++;
        bytes += size;
        int maxPayload = (int) Math.min(Integer.MAX_VALUE - 64, size);
        FrameReader r = new FrameReader(ch, Format.SEGMENT_HEADER_BYTES, size, maxPayload);
        long expected = first;
        int status;
        long at = r.position();
        while ((status = r.next(true, expected)) == FrameReader.OK) {
          if (!acks.isRemoved(r.seq)) {
            records++;
            if (oldest == null) {
              oldest = Instant.ofEpochMilli(r.appendMillis);
            }
          }
          expected++;
          at = r.position();
        }
        if (status == FrameReader.END) {
          if (!Format.allZero(ch, at, size)) {
            corrupt.add(path.getFileName() + ": offset " + at + ": a frame length of 0 followed by non-zero bytes ("
                + (size - at) + " bytes from there unreadable)");
          }
        } else {
          long badEnd = r.claimedLength > 0 ? at + Format.FRAME_HEADER_BYTES + r.claimedLength : size;
          boolean tornTail = last && (status == FrameReader.TRUNCATED || badEnd >= size
              || Format.allZero(ch, badEnd, size));
          if (!tornTail) {
            corrupt.add(path.getFileName() + ": offset " + at + ": " + r.problem + " (" + (size - at)
                + " bytes from there unreadable)");
          }
        }
      }
    }
    List<Path> quarantined = new ArrayList<>();
    Path q = dir.resolve(FileDiskBuffer.QUARANTINE_DIR);
    if (Files.isDirectory(q)) {
      try (Stream<Path> files = Files.list(q)) {
        files.sorted().forEach(quarantined::add);
      }
    }
    return new BufferReport(dir, records, bytes, segments, oldest, corrupt, quarantined);
  }
}
