package io.loganalytics.sdk;

/** Why records left the SDK without being delivered. Every such record is counted under one of these. */
public enum DropReason {
  /** The buffer was full and its policy dropped the oldest records. */
  BUFFER_OVERFLOW,
  /** Stored records can no longer be read: damaged on disk (they fail their checksum) or missing from their file. */
  CORRUPTED,
  /** A chunk failed every try the {@link RetryPolicy} allows. */
  RETRIES_EXHAUSTED,
  /** The service refused the records for good (a 400 other than a size problem), with its reason. */
  REJECTED,
  /** A single record is larger than any request may be. */
  TOO_LARGE
}
