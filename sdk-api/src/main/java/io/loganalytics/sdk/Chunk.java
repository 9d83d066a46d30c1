package io.loganalytics.sdk;

import java.time.Instant;
import java.util.List;

/**
 * Records read from a {@link DiskBuffer} and not yet acknowledged. A chunk stays in the buffer until
 * {@link DiskBuffer#acknowledge(Chunk)}; {@link DiskBuffer#release(Chunk)} hands it back to be read again.
 *
 * <p>Immutable; the record arrays must not be modified.
 */
public interface Chunk {
  /**
   * The position of the chunk's first record in the buffer's sequence. Unique within one buffer directory for its
   * whole life, stable across restarts, so it can trace a delivery.
   *
   * @return the first record's sequence number
   */
  long firstSequence();

  /**
   * The records, oldest first, exactly as they were appended.
   *
   * @return the records, unmodifiable
   */
  List<byte[]> records();

  /**
   * The time the oldest record was appended, from the buffer's clock.
   *
   * @return the append time of the first record
   */
  Instant oldestAppendTime();

  /**
   * How many records the chunk holds.
   *
   * @return the count, at least 1
   */
  default int recordCount() {
    return records().size();
  }

  /**
   * The payload bytes of all records, without framing.
   *
   * @return the byte count
   */
  default long payloadBytes() {
    long n = 0;
    for (byte[] r : records()) {
      n += r.length;
    }
    return n;
  }

  /**
   * A chunk held in memory, for a caller that keeps records somewhere other than a {@link DiskBuffer} (a Kafka
   * Connect task, for example) and uploads them with a {@link ChunkUploader} from
   * {@link LogAnalyticsClientBuilder#buildUploader()}.
   *
   * @param firstSequence the caller's number for the first record; the uploader derives the chunk's
   *     {@code X-Request-ID} from it, so the same number for the same records makes a resend traceable
   * @param records the records, as encoded by {@link ChunkUploader#encode} or {@link ChunkUploader#encodeJson}; the
   *     list is copied, the arrays are not
   * @param oldestAppendTime when the oldest record was received
   * @return an immutable chunk
   * @throws IllegalArgumentException when {@code records} is empty or holds {@code null}
   */
  static Chunk of(long firstSequence, List<byte[]> records, Instant oldestAppendTime) {
    return new MemoryChunk(firstSequence, records, oldestAppendTime);
  }
}
