package io.loganalytics.sdk;

/** What happens to a chunk that has used up its retries or was refused for good. Either way it is reported. */
public enum GiveUpAction {
  /** Delete it from the buffer (the legacy agent's behaviour), after counting and reporting it. */
  DISCARD,
  /**
   * Write its records to the dead-letter directory of the {@link RetryPolicy}, one file per chunk, then remove it
   * from the buffer.
   */
  DEAD_LETTER
}
