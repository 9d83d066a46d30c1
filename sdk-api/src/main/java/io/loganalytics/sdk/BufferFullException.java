package io.loganalytics.sdk;

import java.nio.file.Path;

/**
 * A record was refused because the buffer is at its capacity and its {@link OverflowPolicy} is
 * {@link OverflowPolicy#REJECT_NEW} or {@link OverflowPolicy#BLOCK} (the wait ran out). Retryable: space comes back
 * as the uploader delivers.
 */
public final class BufferFullException extends BufferException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param directory the buffer directory
   * @param message what was refused and why (sizes, capacity, policy)
   */
  public BufferFullException(Path directory, String message) {
    super(directory, message, true, null);
  }
}
