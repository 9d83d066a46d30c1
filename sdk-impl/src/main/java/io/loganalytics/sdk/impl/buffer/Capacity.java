package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.OverflowPolicy;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on the disk space of a buffer: before an append that would exceed {@link BufferOptions#capacityBytes()},
 * frees wholly acknowledged segments, then applies the {@link OverflowPolicy}: evict the oldest segment
 * ({@code DROP_OLDEST}), refuse ({@code REJECT_NEW}), or wait for space ({@code BLOCK}) up to
 * {@link BufferOptions#blockTimeout()} measured on the buffer's injected clock, in slices of at most
 * {@link #BLOCK_SLICE_NANOS} so that a clock moving faster or slower than real time is read again.
 *
 * <p>Not thread-safe: called with the buffer's lock held; {@code BLOCK} waits on {@link #spaceFreed}, a condition of
 * that lock, which whoever frees space signals.
 */
final class Capacity {
  private static final Logger LOG = LoggerFactory.getLogger(Capacity.class);
  /** Longest single condition wait under BLOCK before the injected clock is read again. */
  static final long BLOCK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** What the buffer offers to make room. All called with the buffer's lock held. */
  interface Space {
    /** @return the bytes on disk now */
    long used();

    /** @return the bytes on disk a frame of {@code frame} bytes adds (a new segment when it does not fit) */
    long growth(int frame);

    /** Deletes wholly acknowledged segments. @return whether any space was freed */
    boolean reclaim();

    /** Evicts the oldest segment, reporting its records. @return false when there is nothing to evict */
    boolean evictOldest();

    /** @return records held, for the error message */
    long records();

    /** Throws when the buffer was closed while waiting. */
    void ensureOpen();
  }

  private final BufferOptions options;
  private final Path dir;
  private final Clock clock;
  final Condition spaceFreed;
  private final ThrottledLogger blockWarning;

  Capacity(BufferOptions options, Clock clock, Condition spaceFreed) {
    this.options = options;
    this.dir = options.directory();
    this.clock = clock;
    this.spaceFreed = spaceFreed;
    this.blockWarning = new ThrottledLogger(LOG, clock, Duration.ofMinutes(1));
  }

  long capacityBytes() {
    return options.capacityBytes();
  }

  /** @return whether a frame of {@code frame} bytes fits now */
  boolean fits(Space space, int frame) {
    return space.used() + space.growth(frame) <= options.capacityBytes();
  }

  /**
   * Frees space for a frame of {@code frame} bytes according to the policy.
   *
   * @throws BufferFullException when the policy refuses
   */
  void makeRoom(int frame, Space space) {
    long deadline = 0;
    boolean waited = false;
    while (true) {
      if (fits(space, frame)) {
        return;
      }
      if (space.reclaim()) {
        continue;
      }
      switch (options.overflowPolicy()) {
        case DROP_OLDEST:
          if (!space.evictOldest()) {
            throw full(space, frame, "nothing left to evict");
          }
          break;
        case REJECT_NEW:
          throw full(space, frame, "policy REJECT_NEW");
        case BLOCK:
        default:
          long now = clock.millis();
          if (!waited) {
            long timeout = options.blockTimeout().toMillis();
            deadline = now + timeout < now ? Long.MAX_VALUE : now + timeout;
            waited = true;
            blockWarning.warn(1, "Buffer {} is full ({} of {} bytes); appends wait up to {} for the uploader ({}"
                + " waits since the last warning; logged at most once a minute)", dir, space.used(),
                options.capacityBytes(), options.blockTimeout(), ThrottledLogger.AMOUNT);
          }
          long left = deadline - now;
          if (left <= 0) {
            throw full(space, frame, "waited " + options.blockTimeout() + " under policy BLOCK");
          }
          try {
            spaceFreed.awaitNanos(Math.min(TimeUnit.MILLISECONDS.toNanos(left), BLOCK_SLICE_NANOS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw full(space, frame, "interrupted while waiting under policy BLOCK");
          }
          space.ensureOpen();
          break;
      }
    }
  }

  BufferFullException full(Space space, int frame, String why) {
    return new BufferFullException(dir, "buffer " + dir + " is full: a record of " + frame
        + " bytes with framing does not fit; it holds " + space.used() + " of " + options.capacityBytes()
        + " bytes (" + space.records() + " records); " + why);
  }
}
