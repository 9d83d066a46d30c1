package io.loganalytics.sdk;

import java.nio.file.Path;

/**
 * The disk buffer could not do what was asked: the disk is full, the directory is read-only, another process holds
 * the directory, or the buffer is closed. The buffer stays consistent; what was acknowledged before stays on disk.
 * Whether a retry helps is stated by {@link #isRetryable()} (a full disk: yes, once space is back; a locked
 * directory: no).
 */
public class BufferException extends LogAnalyticsException {
  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  /**
   * Creates the exception.
   *
   * @param directory the buffer directory concerned, or {@code null}
   * @param message what went wrong
   * @param retryable whether the operation can succeed later without a change
   * @param cause the underlying failure, or {@code null}
   */
  public BufferException(Path directory, String message, boolean retryable, Throwable cause) {
    super(message, retryable, cause);
    this.directory = directory;
  }

  /**
   * The buffer directory this failure concerns.
   *
   * @return the directory, or {@code null} when unknown
   */
  public Path directory() {
    return directory;
  }
}
