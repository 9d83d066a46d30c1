package io.loganalytics.sdk;

import io.loganalytics.sdk.spi.Providers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A crash-safe, bounded, on-disk queue of records between a collector and the uploader.
 *
 * <p><b>Guarantees.</b> An append that returned normally is on disk under the buffer's {@link Durability}: with
 * {@link Durability#SYNC} it survives a power cut; with {@link Durability#INTERVAL} it survives a process crash and
 * may lose the last sync interval on power loss. Records come out in append order. A record that was
 * {@linkplain #read read} but not {@linkplain #acknowledge acknowledged} is read again (after a {@link #release}, or
 * after a restart): delivery is at least once, never zero. Nothing is lost silently: every record the buffer drops
 * (overflow, corruption) is counted and reported to the {@link LogAnalyticsListener}, once, also when the process
 * dies between the drop and its report (the report is then delivered after the restart). Damage to the files at rest
 * never stops reading: records that still pass their checksums stay readable, the others are reported as
 * {@link DropReason#CORRUPTED}.
 *
 * <p><b>Bounds.</b> The buffer holds at most {@link #capacityBytes()} bytes on disk. An append that does not fit is
 * handled by the {@link #overflowPolicy()}.
 *
 * <p><b>Threading.</b> All methods are thread-safe. Any number of threads may append at once. Several chunks may be
 * outstanding at a time; they are disjoint and handed out in order, and may be acknowledged or released in any
 * order.
 *
 * <p><b>Errors.</b> A full disk or a read-only directory makes an append throw a retryable {@link BufferException};
 * the buffer stays consistent and works again, without a restart, once the cause is gone.
 */
public interface DiskBuffer extends AutoCloseable {
  /**
   * Opens the buffer in {@code options.directory()}, creating it when missing, and recovers what a crash left: a
   * torn tail is truncated, a corrupt segment is quarantined and reported. Only one process may hold a directory.
   *
   * @param options the settings
   * @param listener where drops and quarantines are reported
   * @return the open buffer
   * @throws BufferException when the directory cannot be used or another process holds it (the message names it)
   */
  static DiskBuffer open(BufferOptions options, LogAnalyticsListener listener) {
    return Providers.get().openBuffer(options, listener);
  }

  /**
   * Reads a buffer directory without changing it and reports what it holds. Works while no process holds it.
   *
   * @param directory the buffer directory
   * @return the report
   * @throws BufferException when the directory cannot be read
   */
  static BufferReport verify(Path directory) {
    return Providers.get().verifyBuffer(directory);
  }

  /**
   * Appends one record and returns once it is safe under the buffer's durability.
   *
   * @param record the record bytes, not empty; not retained after the call
   * @throws BufferFullException when the record does not fit and the policy refuses it
   * @throws RecordTooLargeException when the record can never fit (larger than a segment)
   * @throws BufferException on an I/O failure (retryable when it may pass, such as a full disk)
   * @throws ClientClosedException when the buffer is closed
   */
  void append(byte[] record);

  /**
   * Appends several records, all of them sharing one force to disk; returns once all are safe. The records are
   * stored in list order; if the call throws, a prefix of the list may have been stored, never a record out of
   * order.
   *
   * @param records the records, each not empty
   * @throws BufferFullException when the records do not fit and the policy refuses them
   * @throws RecordTooLargeException when a record can never fit
   * @throws BufferException on an I/O failure
   * @throws ClientClosedException when the buffer is closed
   */
  void appendAll(List<byte[]> records);

  /**
   * Appends one record without waiting for it to reach the disk: the returned future completes when the record is
   * durable (a force of the disk covers it, whatever the buffer's {@link Durability}), or completes exceptionally
   * with the {@link BufferException} of that force (with {@link Durability#SYNC} the record is then not in the
   * buffer; with {@link Durability#INTERVAL} it stays written, as an {@link #append} would). One thread can so
   * keep many appends in flight; appends still share forces (group commit). The records are stored in call order.
   * Checks that fail at once (an empty or too large record, a full buffer whose policy refuses, a closed buffer)
   * complete the future exceptionally rather than throw. Continuations attached to the future may run on a thread
   * of the buffer; they should not block.
   *
   * <p>The default implementation calls {@link #append} and returns a completed future.
   *
   * @param record the record bytes, not empty; not retained after the call
   * @return a future completed when the record is durable
   */
  default CompletableFuture<Void> appendAsync(byte[] record) {
    try {
      append(record);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Reads the oldest records that are not already outstanding in another chunk, without removing them.
   *
   * @param maxBytes the most payload bytes in the chunk; a single record larger than this is still returned alone
   * @param maxRecords the most records in the chunk, at least 1
   * @return a chunk, or empty when there is nothing to read
   * @throws BufferException on an I/O failure
   * @throws ClientClosedException when the buffer is closed
   */
  Optional<Chunk> read(long maxBytes, int maxRecords);

  /**
   * Removes a chunk's records for good. Records of the chunk that were already evicted are ignored. The removal
   * survives a crash of the process once this returns; the file-backed buffer forces it to disk right after, on its
   * sync thread (and before it deletes any file of those records), so a power cut can bring back only the chunks
   * acknowledged since its last force: they are read again (at least once, never lost).
   *
   * @param chunk a chunk returned by {@link #read} of this buffer and not yet acknowledged or released
   * @throws IllegalArgumentException when the chunk is not outstanding in this buffer
   * @throws BufferException on an I/O failure; the chunk then stays outstanding
   * @throws ClientClosedException when the buffer is closed (the chunk is then read again at the next open)
   */
  void acknowledge(Chunk chunk);

  /**
   * Hands a chunk back: its records will be read again, before any newer record.
   *
   * @param chunk a chunk returned by {@link #read} of this buffer and not yet acknowledged or released
   * @throws IllegalArgumentException when the chunk is not outstanding in this buffer
   * @throws ClientClosedException when the buffer is closed (its outstanding chunks are read again at the next
   *     open anyway)
   */
  void release(Chunk chunk);

  /**
   * The bytes the buffer holds on disk, framing included, outstanding chunks included: the space counted against
   * {@link #capacityBytes()} (it may include space reserved ahead of appends).
   *
   * @return the size in bytes
   */
  long sizeBytes();

  /**
   * The payload bytes of the records the buffer holds (as appended, without framing), outstanding chunks included.
   * An estimate for records not read since the buffer was opened: exact for undamaged segments.
   *
   * <p>The default implementation returns {@link #sizeBytes()}.
   *
   * @return the bytes of the records held
   */
  default long recordBytes() {
    return sizeBytes();
  }

  /**
   * The records the buffer holds, outstanding chunks included.
   *
   * @return the record count
   */
  long recordCount();

  /**
   * The capacity in bytes on disk.
   *
   * @return the capacity
   */
  long capacityBytes();

  /**
   * What the buffer does when an append does not fit.
   *
   * @return the policy
   */
  OverflowPolicy overflowPolicy();

  /**
   * When the oldest record still held was appended.
   *
   * @return the append time, or empty when the buffer is empty
   */
  Optional<Instant> oldestAppendTime();

  /**
   * Forces everything appended so far to disk, whatever the durability setting.
   *
   * @throws BufferException on an I/O failure
   */
  void sync();

  /**
   * Forces what was appended to disk and releases the directory. Outstanding chunks stay in the buffer and are read
   * again at the next open. Idempotent.
   */
  @Override
  void close();
}
