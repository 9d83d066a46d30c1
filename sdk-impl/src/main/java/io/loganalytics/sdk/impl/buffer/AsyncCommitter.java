package io.loganalytics.sdk.impl.buffer;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The committer of asynchronous appends: a daemon thread ({@link DaemonLoop}, named
 * {@code loganalytics-buffer-commit-DIR}), started by the first request, that runs one commit round (lead or join
 * the force of the pending {@link GroupCommit} round) each time an asynchronous append asks for a force, so that one
 * thread can keep many appends in flight.
 *
 * <p>Thread-safe (see {@link DaemonLoop}: lock-free requests, a leaf monitor). The round runs without any lock held
 * (it takes the buffer's locks itself, in the order written in {@link FileDiskBuffer}).
 */
final class AsyncCommitter {
  private final DaemonLoop loop;

  AsyncCommitter(Path dir, BooleanSupplier closed, Runnable round) {
    this.loop = new DaemonLoop("loganalytics-buffer-commit-" + dir.getFileName(), closed, () -> false, round);
  }

  /** Wakes (or starts) the committer. Called without any lock, after the append's frame was staged. */
  void request() {
    loop.request();
  }

  /** Wakes the committer so that it sees the buffer closed and ends. Called without any lock. */
  void wakeToStop() {
    loop.wake();
  }

  /** @return the committer thread, or null if none was started */
  Thread thread() {
    return loop.thread();
  }
}
