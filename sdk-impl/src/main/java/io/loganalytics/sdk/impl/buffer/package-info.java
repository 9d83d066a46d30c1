/**
 * The file-backed disk buffer ({@link io.loganalytics.sdk.impl.buffer.FileDiskBuffer}): a thin thread-safe facade
 * (which writes the lock order) over single-threaded parts: CRC32C-framed records in segment files
 * ({@link io.loganalytics.sdk.impl.buffer.SegmentLog}), byte formats and their tables
 * ({@link io.loganalytics.sdk.impl.buffer.Format}), recovery ({@link io.loganalytics.sdk.impl.buffer.LogLoader}),
 * reading that steps over damage ({@link io.loganalytics.sdk.impl.buffer.ReadCursor},
 * {@link io.loganalytics.sdk.impl.buffer.SegmentWalk}), the bound and overflow policies
 * ({@link io.loganalytics.sdk.impl.buffer.Capacity}), group commit
 * ({@link io.loganalytics.sdk.impl.buffer.GroupCommit}), durable acknowledgements and the drop journal
 * ({@link io.loganalytics.sdk.impl.buffer.AckLog}), quarantine copies, listener events after every lock, and a
 * read-only verifier. Internal: not API; applications use {@link io.loganalytics.sdk.DiskBuffer}.
 */
package io.loganalytics.sdk.impl.buffer;
