package io.loganalytics.sdk;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a buffer directory holds, as read by {@link DiskBuffer#verify(Path)} without changing anything: the records
 * a session would deliver and their payload bytes, the records it would report lost, and the damaged files it would
 * quarantine. Immutable.
 */
public final class BufferReport {
  private final Path directory;
  private final long records;
  private final long bytes;
  private final int segments;
  private final Instant oldestAppendTime;
  private final List<String> corruptSegments;
  private final List<Path> quarantinedFiles;
  private final long lostRecords;
  private final long diskBytes;

  /**
   * Creates a report without lost records, whose disk bytes are {@code bytes}.
   *
   * @param directory the buffer directory
   * @param records readable records not yet acknowledged
   * @param bytes payload bytes of those records
   * @param segments live segment files
   * @param oldestAppendTime append time of the oldest record, or {@code null} when empty
   * @param corruptSegments one line per damaged file: file, offset and what is wrong
   * @param quarantinedFiles files already in the quarantine folder
   */
  public BufferReport(Path directory, long records, long bytes, int segments, Instant oldestAppendTime,
      List<String> corruptSegments, List<Path> quarantinedFiles) {
    this(directory, records, bytes, segments, oldestAppendTime, corruptSegments, quarantinedFiles, 0, bytes);
  }

  /**
   * Creates a report.
   *
   * @param directory the buffer directory
   * @param records readable records not yet acknowledged
   * @param bytes payload bytes of those records (as appended, without framing)
   * @param segments live segment files
   * @param oldestAppendTime append time of the oldest record, or {@code null} when empty
   * @param corruptSegments one line per damaged file: file, offset and what is wrong
   * @param quarantinedFiles files already in the quarantine folder
   * @param lostRecords records that can no longer be read (damage, or drops whose report is still owed): opening
   *     and reading the buffer reports them to the listener, once
   * @param diskBytes bytes on disk in live segment files
   */
  public BufferReport(Path directory, long records, long bytes, int segments, Instant oldestAppendTime,
      List<String> corruptSegments, List<Path> quarantinedFiles, long lostRecords, long diskBytes) {
    this.lostRecords = lostRecords;
    this.diskBytes = diskBytes;
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

  /** @return payload bytes of the readable records not yet acknowledged (as appended, without framing) */
  public long bytes() {
    return bytes;
  }

  /** @return bytes on disk in live segment files (framing, and space reserved ahead of appends, included) */
  public long diskBytes() {
    return diskBytes;
  }

  /**
   * @return records that can no longer be read (lost to damage, or dropped with their report still owed); opening
   *     and reading the buffer reports them to the listener, once
   */
  public long lostRecords() {
    return lostRecords;
  }

  /** @return live segment files */
  public int segments() {
    return segments;
  }

  /** @return append time of the oldest record, if any */
  public Optional<Instant> oldestAppendTime() {
    return Optional.ofNullable(oldestAppendTime);
  }

  /** @return one line per damaged file (segments, {@code ack.state}) */
  public List<String> corruptSegments() {
    return corruptSegments;
  }

  /** @return files in the quarantine folder */
  public List<Path> quarantinedFiles() {
    return quarantinedFiles;
  }

  /** @return {@code true} when no file is damaged and no record is lost */
  public boolean healthy() {
    return corruptSegments.isEmpty() && lostRecords == 0;
  }

  @Override
  public String toString() {
    return "BufferReport{" + directory + ": " + records + " records of " + bytes + " bytes (" + diskBytes
        + " bytes on disk in " + segments + " segments), lost " + lostRecords + ", oldest=" + oldestAppendTime
        + ", corrupt=" + corruptSegments + ", quarantined=" + quarantinedFiles.size() + "}";
  }
}
