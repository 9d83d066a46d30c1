package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listener calls (and completions of asynchronous appends) queued while the buffer's locks are held, and run by
 * {@link #flush} after every lock is released, on the thread that flushes: a listener never runs under a lock of
 * the buffer, so it may call the buffer. A listener that throws is logged and does not stop the others.
 *
 * <p>Thread-safe (a lock-free queue); each queued call runs once, on one thread.
 */
final class BufferEvents {
  private static final Logger LOG = LoggerFactory.getLogger(BufferEvents.class);

  /** A queued call; {@link #dropId} names the journaled drop it reports, or 0. */
  private record Event(Runnable call, long dropId) {}

  private final LogAnalyticsListener listener;
  private final Path dir;
  private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();

  BufferEvents(LogAnalyticsListener listener, Path dir) {
    this.listener = listener == null ? LogAnalyticsListener.NONE : listener;
    this.dir = dir;
  }

  void dropped(DropReason reason, long records, long bytes, String detail, long dropId) {
    queue.add(new Event(() -> listener.onRecordsDropped(reason, records, bytes, detail), dropId));
  }

  void quarantined(Path file, String detail) {
    queue.add(new Event(() -> listener.onSegmentQuarantined(file, detail), 0));
  }

  void error(BufferException e) {
    queue.add(new Event(() -> listener.onBufferError(e), 0));
  }

  /** Queues a call of the buffer's own (completing an asynchronous append). */
  void run(Runnable call) {
    queue.add(new Event(call, 0));
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /**
   * Runs the queued calls. The caller must hold no lock of the buffer.
   *
   * @return the ids of the journaled drops whose reports were delivered
   */
  List<Long> flush() {
    List<Long> delivered = null;
    Event e;
    while ((e = queue.poll()) != null) {
      try {
        e.call.run();
      } catch (RuntimeException t) {
        LOG.warn("Buffer {}: listener threw {}", dir, t.toString());
      }
      if (e.dropId != 0) {
        if (delivered == null) {
          delivered = new ArrayList<>();
        }
        delivered.add(e.dropId);
      }
    }
    return delivered == null ? List.of() : delivered;
  }
}
