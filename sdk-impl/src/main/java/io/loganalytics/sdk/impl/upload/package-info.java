/**
 * Chunk upload with the retry and status handling of PROTOCOL A2:
 * {@link io.loganalytics.sdk.impl.upload.DefaultChunkUploader}, its injectable
 * {@link io.loganalytics.sdk.impl.upload.Sleeper}, counters and dead-letter files. Internal, not API.
 */
package io.loganalytics.sdk.impl.upload;
