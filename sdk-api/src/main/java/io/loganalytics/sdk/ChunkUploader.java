package io.loganalytics.sdk;

/**
 * Uploads one chunk to the workspace under a {@link RetryPolicy}: it tries, waits, retries, splits a chunk the
 * service finds too large, and gives it up after the last retry, reporting every step to the
 * {@link LogAnalyticsListener}. Authentication failures are the exception: they use no retry budget and never make
 * it give data up; it keeps retrying (reporting each failure) until they stop or it is closed, which ends the upload
 * with {@link UploadResult.Outcome#DEFERRED} and leaves the chunk in the buffer. The chunk keeps one id, sent as {@code X-Request-ID}, across all its retries and
 * splits.
 *
 * <p>The caller owns the buffer: it {@linkplain DiskBuffer#acknowledge acknowledges} the chunk after
 * {@link UploadResult.Outcome#DELIVERED} or {@link UploadResult.Outcome#GIVEN_UP}, and
 * {@linkplain DiskBuffer#release releases} it after {@link UploadResult.Outcome#DEFERRED}.
 *
 * <p><b>Threading.</b> {@link #upload} blocks the calling thread during waits; implementations wait on an injected
 * sleeper that {@link #close()} interrupts, so a close during a backoff ends the wait at once with
 * {@link UploadResult.Outcome#DEFERRED}. One chunk at a time per uploader.
 */
public interface ChunkUploader extends AutoCloseable {
  /**
   * Uploads a chunk, with every retry the policy allows.
   *
   * @param chunk the chunk
   * @return what became of it; never throws for a failure of the service or the network
   */
  UploadResult upload(Chunk chunk);

  /** Ends any wait in progress (the upload returns {@link UploadResult.Outcome#DEFERRED}) and refuses new uploads. */
  @Override
  void close();
}
