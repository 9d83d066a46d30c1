package io.loganalytics.examples.collector;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows a file like {@code tail -F}: each {@link #poll()} returns the complete lines written since the last one.
 *
 * <ul>
 *   <li><b>Rotation</b> (the file renamed and a new one created, logrotate's default): noticed when the path names
 *       a different file (inode) than the one open. The old file is read to its end first (its last line even
 *       without a newline), then the new one from its beginning.
 *   <li><b>Truncation</b> (logrotate's {@code copytruncate}): noticed when the file is shorter than the position
 *       read; reading starts again at the beginning. Lines written after the truncation and before the poll that
 *       add up to more than the old length cannot be told apart from appends; poll often enough.
 *   <li>A missing file is waited for; a line longer than {@value #MAX_LINE} bytes is cut into pieces.
 * </ul>
 *
 * <p><b>Positions.</b> {@link #pollLines()} tells, for each line, the file it came from (its identity, the
 * {@link BasicFileAttributes#fileKey() fileKey}: device and inode on Linux) and the offset just after it, so the
 * caller can save how far it got once the line is taken ({@link TailState}) and a later follower can resume there
 * ({@link #FileFollower(Path, boolean, Position)}) when the path still names the same file.
 *
 * <p>Polling is driven by the caller (the {@code tail} command polls every {@code --poll-ms}; tests call
 * {@link #poll()} themselves), so nothing here sleeps. Not thread-safe.
 */
final class FileFollower implements Closeable {
  static final int MAX_LINE = 1024 * 1024;

  /**
   * How far a file has been read.
   *
   * @param fileKey the file's identity ({@link #identity}), never null
   * @param offset the byte offset just after the last line read
   */
  record Position(String fileKey, long offset) {}

  /**
   * One line and where it ends.
   *
   * @param text the line, without its terminator
   * @param position the position just after it (in the file it came from)
   */
  record Line(String text, Position position) {}

  private final Path path;
  private boolean startAtEnd;
  /** Where to start in the first file, if it is the same one; null once the first file was looked at. */
  private Position resume;
  private FileChannel channel;
  private Object fileKey;
  private long position;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

  /**
   * @param path the file to follow
   * @param fromStart read what the file already holds; otherwise start at its end as it is now (only the first
   *     file: after a rotation the new file is always read from its beginning)
   * @throws IOException when the file exists but cannot be opened
   */
  FileFollower(Path path, boolean fromStart) throws IOException {
    this(path, fromStart, null);
  }

  /**
   * @param path the file to follow
   * @param fromStart as for {@link #FileFollower(Path, boolean)}, when not resuming
   * @param resume where an earlier follower got to, or null: used when the path names the same file (the same
   *     identity) and the file is at least that long; otherwise ignored (rotated or truncated meanwhile)
   * @throws IOException when the file exists but cannot be opened
   */
  FileFollower(Path path, boolean fromStart, Position resume) throws IOException {
    this.path = Objects.requireNonNull(path, "path");
    this.startAtEnd = !fromStart;
    this.resume = resume;
    open(); // fixes "the end" now; a missing file is opened by a later poll
  }

  /**
   * Reads what is new.
   *
   * @return the complete lines written since the last poll, without line terminators, in order
   * @throws IOException when the file cannot be read
   */
  List<String> poll() throws IOException {
    return pollLines().stream().map(Line::text).toList();
  }

  /**
   * Reads what is new, with the position after each line.
   *
   * @return the complete lines written since the last poll, in order
   * @throws IOException when the file cannot be read
   */
  List<Line> pollLines() throws IOException {
    List<Line> lines = new ArrayList<>();
    if (channel == null && !open()) {
      return lines;
    }
    if (channel.size() < position) {
      position = 0; // truncated (copytruncate)
      partial.reset();
    }
    readToEnd(lines);
    Object currentKey = currentFileKey();
    if (currentKey != null && !currentKey.equals(fileKey)) {
      // Rotated: finish the old file, then read the new one from its start.
      readToEnd(lines);
      flushPartial(lines);
      channel.close();
      channel = null;
      if (open()) {
        readToEnd(lines);
      }
    }
    return lines;
  }

  private boolean open() throws IOException {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
      channel = FileChannel.open(path, StandardOpenOption.READ);
      fileKey = identity(attrs);
      long size = channel.size();
      if (resume != null && resume.fileKey().equals(fileKey.toString()) && size >= resume.offset()) {
        position = resume.offset();
      } else {
        position = startAtEnd ? size : 0;
      }
      startAtEnd = false;
      resume = null;
      partial.reset();
      return true;
    } catch (NoSuchFileException e) {
      startAtEnd = false; // a file that appears later is read whole
      resume = null; // ... and is not the file the position was saved for
      return false;
    }
  }

  private Object currentFileKey() throws IOException {
    try {
      return identity(Files.readAttributes(path, BasicFileAttributes.class));
    } catch (NoSuchFileException e) {
      return null; // renamed away, new one not there yet: keep reading the old one
    }
  }

  /** The identity of a file: its fileKey (device and inode on Linux), else its creation time. */
  private static Object identity(BasicFileAttributes attrs) {
    return attrs.fileKey() != null ? attrs.fileKey() : attrs.creationTime();
  }

  private void readToEnd(List<Line> lines) throws IOException {
    while (true) {
      buffer.clear();
      long start = position;
      int n = channel.read(buffer, position);
      if (n <= 0) {
        return;
      }
      position += n;
      byte[] a = buffer.array();
      for (int i = 0; i < n; i++) {
        byte b = a[i];
        if (b == '\n') {
          emit(lines, start + i + 1);
        } else {
          partial.write(b);
          if (partial.size() >= MAX_LINE) {
            emit(lines, start + i + 1);
          }
        }
      }
    }
  }

  private void flushPartial(List<Line> lines) {
    if (partial.size() > 0) {
      emit(lines, position);
    }
  }

  private void emit(List<Line> lines, long end) {
    String line = partial.toString(StandardCharsets.UTF_8);
    partial.reset();
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    lines.add(new Line(line, new Position(fileKey.toString(), end)));
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }
}
