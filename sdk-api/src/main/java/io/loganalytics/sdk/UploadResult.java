package io.loganalytics.sdk;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** What became of one chunk handed to a {@link ChunkUploader}. Immutable. */
public final class UploadResult {
  /** The three ends of an upload. */
  public enum Outcome {
    /** Every record got a 2xx; the caller acknowledges the chunk. */
    DELIVERED,
    /**
     * The chunk was given up (retries used up, or refused for good); it was reported, and dead-lettered when the
     * policy says so. The caller acknowledges the chunk.
     */
    GIVEN_UP,
    /**
     * The uploader stopped before an end (it is closing, its deadline passed, or the thread was interrupted). The
     * caller releases the chunk, which stays in the buffer for the next try or the next start.
     */
    DEFERRED
  }

  private final String chunkId;
  private final Outcome outcome;
  private final int attempts;
  private final int recordsDelivered;
  private final int recordsGivenUp;
  private final String reason;
  private final SortedMap<Integer, String> givenUpReasons;

  /**
   * Creates a result that does not say which records were given up ({@link #givenUpIndexes()} is empty).
   *
   * @param chunkId the chunk's id, as sent in {@code X-Request-ID}
   * @param outcome the end
   * @param attempts requests made for this chunk, splits included
   * @param recordsDelivered records that got a 2xx
   * @param recordsGivenUp records given up
   * @param reason why it was given up or deferred, or {@code null} when delivered
   */
  public UploadResult(String chunkId, Outcome outcome, int attempts, int recordsDelivered, int recordsGivenUp,
      String reason) {
    this(chunkId, outcome, attempts, recordsDelivered, recordsGivenUp, reason, Map.of());
  }

  /**
   * Creates a result that says which records were given up, and why.
   *
   * @param chunkId the chunk's id, as sent in {@code X-Request-ID}
   * @param outcome the end
   * @param attempts requests made for this chunk, splits included
   * @param recordsDelivered records that got a 2xx
   * @param recordsGivenUp records given up
   * @param reason why it was given up or deferred, or {@code null} when delivered
   * @param givenUp for each record given up, its index in {@link Chunk#records()} and why it was given up; the
   *     map is copied
   * @throws IllegalArgumentException when an index is negative or a reason is {@code null}
   */
  public UploadResult(String chunkId, Outcome outcome, int attempts, int recordsDelivered, int recordsGivenUp,
      String reason, Map<Integer, String> givenUp) {
    TreeMap<Integer, String> copy = new TreeMap<>();
    for (Map.Entry<Integer, String> e : Objects.requireNonNull(givenUp, "givenUp").entrySet()) {
      if (e.getKey() == null || e.getKey() < 0 || e.getValue() == null) {
        throw new IllegalArgumentException("givenUp: every index must be 0 or more and have a reason, got "
            + e.getKey() + " -> " + (e.getValue() == null ? "null" : "a reason"));
      }
      copy.put(e.getKey(), e.getValue());
    }
    this.givenUpReasons = Collections.unmodifiableSortedMap(copy);
    this.chunkId = Objects.requireNonNull(chunkId, "chunkId");
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    this.attempts = attempts;
    this.recordsDelivered = recordsDelivered;
    this.recordsGivenUp = recordsGivenUp;
    this.reason = reason;
  }

  /**
   * The chunk's id, sent as {@code X-Request-ID} on every request for it.
   *
   * @return the id
   */
  public String chunkId() {
    return chunkId;
  }

  /**
   * The end the upload came to.
   *
   * @return the outcome
   */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * Requests made, splits included.
   *
   * @return the count
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Records delivered.
   *
   * @return the count
   */
  public int recordsDelivered() {
    return recordsDelivered;
  }

  /**
   * Records given up.
   *
   * @return the count
   */
  public int recordsGivenUp() {
    return recordsGivenUp;
  }

  /**
   * Why the chunk was given up or deferred.
   *
   * @return the reason, or {@code null}
   */
  public String reason() {
    return reason;
  }

  /**
   * Which records were given up: their indexes in the chunk's {@link Chunk#records()}, ascending. Exact also when
   * the chunk was split after a 413 and only some parts were given up, so a caller can dead-letter exactly these
   * records. Empty when nothing was given up, or when the uploader that made this result does not say (then
   * {@link #recordsGivenUp()} may still be positive).
   *
   * @return the indexes, unmodifiable
   */
  public List<Integer> givenUpIndexes() {
    return List.copyOf(givenUpReasons.keySet());
  }

  /**
   * Why one record was given up.
   *
   * @param index the record's index in the chunk
   * @return the reason (the drop reason's name, then the detail), or empty when that record was not given up
   */
  public Optional<String> givenUpReason(int index) {
    return Optional.ofNullable(givenUpReasons.get(index));
  }

  @Override
  public String toString() {
    return "UploadResult{" + chunkId + ", " + outcome + ", attempts=" + attempts + ", delivered=" + recordsDelivered
        + ", givenUp=" + recordsGivenUp + (reason == null ? "" : ", reason=" + reason) + "}";
  }
}
