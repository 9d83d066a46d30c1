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
}
