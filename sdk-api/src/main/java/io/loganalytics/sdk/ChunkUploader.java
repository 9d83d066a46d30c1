package io.loganalytics.sdk;

import java.util.Map;

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

  /**
   * Encodes one record in the form {@link #upload} expects in a chunk ({@link Chunk#of}), checking it as
   * {@link LogAnalyticsClient#send} does: the type against the transport's rules, the fields, and the size against
   * one request's limit. Lets a caller refuse a bad record before batching it.
   *
   * <p>Uploaders from {@link LogAnalyticsClientBuilder#buildUploader()} implement it; the default throws
   * {@link UnsupportedOperationException}. Thread-safe in those uploaders (it does not touch the network).
   *
   * @param type the record type (custom log table name without {@code _CL}, or the stream)
   * @param record the fields, as for {@link LogAnalyticsClient#send}
   * @return the encoded record
   * @throws InvalidRecordException when the type or a field is not acceptable, naming it
   * @throws RecordTooLargeException when the encoded record cannot fit one request
   */
  default byte[] encode(String type, Map<String, ?> record) {
    throw new UnsupportedOperationException("this uploader does not encode records; use one from "
        + "LogAnalyticsClientBuilder.buildUploader()");
  }

  /**
   * Encodes one record given as a JSON object text, like {@link #encode} and {@link LogAnalyticsClient#sendJson}.
   *
   * @param type the record type
   * @param jsonObject one JSON object
   * @return the encoded record
   * @throws InvalidRecordException when the type is not acceptable or the text is not one JSON object, saying where
   * @throws RecordTooLargeException when the encoded record cannot fit one request
   */
  default byte[] encodeJson(String type, String jsonObject) {
    throw new UnsupportedOperationException("this uploader does not encode records; use one from "
        + "LogAnalyticsClientBuilder.buildUploader()");
  }

  /** Ends any wait in progress (the upload returns {@link UploadResult.Outcome#DEFERRED}) and refuses new uploads. */
  @Override
  void close();
}
