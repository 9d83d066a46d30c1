package io.loganalytics.sdk;

import java.util.Objects;

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

  /**
   * Creates a result.
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

  @Override
  public String toString() {
    return "UploadResult{" + chunkId + ", " + outcome + ", attempts=" + attempts + ", delivered=" + recordsDelivered
        + ", givenUp=" + recordsGivenUp + (reason == null ? "" : ", reason=" + reason) + "}";
  }
}
