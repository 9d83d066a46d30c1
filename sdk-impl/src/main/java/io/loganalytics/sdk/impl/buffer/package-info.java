/**
 * The file-backed disk buffer ({@link io.loganalytics.sdk.impl.buffer.FileDiskBuffer}): CRC32C-framed records in
 * segment files, group commit, durable acknowledgements, bounded size with overflow policies, quarantine of corrupt
 * segments, and a read-only verifier. Internal: not API; applications use {@link io.loganalytics.sdk.DiskBuffer}.
 */
package io.loganalytics.sdk.impl.buffer;
