package io.loganalytics.sdk;

/**
 * What a {@link DiskBuffer} does with an append that does not fit in its capacity. Whatever the policy, nothing is
 * lost silently: every evicted record is counted and reported to {@link LogAnalyticsListener#onRecordsDropped}.
 */
public enum OverflowPolicy {
  /** Delete the oldest records until the new one fits (the default, as the legacy agent did). */
  DROP_OLDEST,
  /** Refuse the new record with a {@link BufferFullException}; nothing stored is touched. */
  REJECT_NEW,
  /**
   * Wait up to {@link BufferOptions#blockTimeout()} for the uploader to free space, then refuse the record with a
   * {@link BufferFullException}.
   */
  BLOCK
}
