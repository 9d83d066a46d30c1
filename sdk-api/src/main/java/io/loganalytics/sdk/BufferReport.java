package io.loganalytics.sdk;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a buffer directory holds, as read by {@link DiskBuffer#verify(Path)} without changing anything. Immutable.
 */
public final class BufferReport {
  private final Path directory;
  private final long records;
  private final long bytes;
  private final int segments;
  private final Instant oldestAppendTime;
  private final List<String> corruptSegments;
  private final List<Path> quarantinedFiles;

  /**
   * Creates a report.
   *
   * @param directory the buffer directory
   * @param records readable records not yet acknowledged
   * @param bytes bytes on disk in live segments
   * @param segments live segment files
   * @param oldestAppendTime append time of the oldest record, or {@code null} when empty
   * @param corruptSegments one line per segment that fails its checksums: file, offset and what is wrong
   * @param quarantinedFiles files already in the quarantine folder
   */
  public BufferReport(Path directory, long records, long bytes, int segments, Instant oldestAppendTime,
      List<String> corruptSegments, List<Path> quarantinedFiles) {
    this.directory = directory;
    this.records = records;
    this.bytes = bytes;
    this.segments = segments;
    this.oldestAppendTime = oldestAppendTime;
    this.corruptSegments = List.copyOf(corruptSegments);
    this.quarantinedFiles = List.copyOf(quarantinedFiles);
  }

  /** @return the buffer directory */
  public Path directory() {
    return directory;
  }

  /** @return readable records not yet acknowledged */
  public long records() {
    return records;
  }

  /** @return bytes on disk in live segments */
  public long bytes() {
    return bytes;
  }

  /** @return live segment files */
  public int segments() {
    return segments;
  }

  /** @return append time of the oldest record, if any */
  public Optional<Instant> oldestAppendTime() {
    return Optional.ofNullable(oldestAppendTime);
  }

  /** @return one line per corrupt segment */
  public List<String> corruptSegments() {
    return corruptSegments;
  }

  /** @return files in the quarantine folder */
  public List<Path> quarantinedFiles() {
    return quarantinedFiles;
  }

  /** @return {@code true} when no live segment is corrupt */
  public boolean healthy() {
    return corruptSegments.isEmpty();
  }

  @Override
  public String toString() {
    return "BufferReport{" + directory + ": " + records + " records, " + bytes + " bytes in " + segments
        + " segments, oldest=" + oldestAppendTime + ", corrupt=" + corruptSegments + ", quarantined="
        + quarantinedFiles.size() + "}";
  }
}
