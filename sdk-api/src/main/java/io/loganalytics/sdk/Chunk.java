package io.loganalytics.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

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
   * The id every request of this chunk carries ({@code x-ms-client-request-id} on the Logs Ingestion API,
   * {@code X-Request-ID} on the other transports), the same on every retry and split of the chunk, so the service's
   * logs ({@code DCRLogErrors.ClientRequestId}) and the caller's can be joined. Empty (the default): the uploader
   * derives it from {@link #firstSequence()} and the identity of the buffer the chunk comes from, which is unique only
   * within that buffer.
   *
   * @return the caller's id for this chunk, or empty to let the uploader derive one
   */
  default Optional<UUID> requestId() {
    return Optional.empty();
  }

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
   * @param firstSequence the caller's number for the first record; the uploader derives the chunk's request id from
   *     it alone (the same for every in-memory chunk with this number), so a caller uploading chunks of several
   *     sources (partitions, files) through one uploader should use {@link #of(UUID, long, List, Instant)}
   * @param records the records, as encoded by {@link ChunkUploader#encode} or {@link ChunkUploader#encodeJson}; the
   *     list is copied, the arrays are not
   * @param oldestAppendTime when the oldest record was received
   * @return an immutable chunk
   * @throws IllegalArgumentException when {@code records} is empty or holds {@code null}
   */
  static Chunk of(long firstSequence, List<byte[]> records, Instant oldestAppendTime) {
    return new MemoryChunk(null, firstSequence, records, oldestAppendTime);
  }

  /**
   * A chunk held in memory with the caller's {@linkplain #requestId() request id}: a caller whose sequence numbers
   * are not unique across its chunks (Kafka offsets are unique only within a partition) gives each different chunk
   * its own id, and the same id again only when it uploads the same records again.
   *
   * @param requestId the id every request of the chunk carries, on every retry and split
   * @param firstSequence the caller's number for the first record (logs and results only)
   * @param records the records, as encoded by {@link ChunkUploader#encode} or {@link ChunkUploader#encodeJson}; the
   *     list is copied, the arrays are not
   * @param oldestAppendTime when the oldest record was received
   * @return an immutable chunk
   * @throws NullPointerException when {@code requestId} is null
   * @throws IllegalArgumentException when {@code records} is empty or holds {@code null}
   */
  static Chunk of(UUID requestId, long firstSequence, List<byte[]> records, Instant oldestAppendTime) {
    return new MemoryChunk(java.util.Objects.requireNonNull(requestId, "requestId"), firstSequence, records,
        oldestAppendTime);
  }
}
