/**
 * Small file and logging helpers shared by the SDK's stores (the disk buffer, the dead-letter store, the agent state
 * directory, the collector's position files): {@link io.loganalytics.sdk.impl.io.AtomicFile} replaces a small file
 * atomically and durably, readable by its owner only, never through a symbolic link;
 * {@link io.loganalytics.sdk.impl.io.ThrottledLogger} logs a repeated warning at most once per interval of an injected
 * clock. Internal: not API.
 */
package io.loganalytics.sdk.impl.io;
