package io.loganalytics.sdk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link DiskBuffer}. Immutable and thread-safe, with value equality; build with
 * {@link #builder(Path)}, derive with {@link #toBuilder()}.
 *
 * <p>Defaults: capacity 10 MB (10,000,000 bytes of stored records, framing included), segment files of 1 MiB,
 * {@link OverflowPolicy#DROP_OLDEST}, a block timeout of 5 s (for {@link OverflowPolicy#BLOCK}),
 * {@link Durability#SYNC}, and a sync interval of 1 s (for {@link Durability#INTERVAL}).
 */
public final class BufferOptions {
  /** The default capacity: 10 MB, as the legacy agent's documented cache. */
  public static final long DEFAULT_CAPACITY_BYTES = 10_000_000L;

  private final Path directory;
  private final long capacityBytes;
  private final int segmentBytes;
  private final OverflowPolicy overflowPolicy;
  private final Duration blockTimeout;
  private final Durability durability;
  private final Duration syncInterval;

  private BufferOptions(Builder b) {
    this.directory = b.directory;
    this.capacityBytes = b.capacityBytes;
    this.segmentBytes = b.segmentBytes;
    this.overflowPolicy = b.overflowPolicy;
    this.blockTimeout = b.blockTimeout;
    this.durability = b.durability;
    this.syncInterval = b.syncInterval;
  }

  /**
   * A builder with the defaults, for a buffer in {@code directory}.
   *
   * @param directory the buffer directory; created on open when missing
   * @return the builder
   */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /**
   * A builder pre-filled with these options.
   *
   * @return the builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(directory);
    b.capacityBytes = capacityBytes;
    b.segmentBytes = segmentBytes;
    b.overflowPolicy = overflowPolicy;
    b.blockTimeout = blockTimeout;
    b.durability = durability;
    b.syncInterval = syncInterval;
    return b;
  }

  /**
   * The buffer directory.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * The most bytes the buffer holds on disk, framing included. Default 10 MB.
   *
   * @return the capacity
   */
  public long capacityBytes() {
    return capacityBytes;
  }

  /**
   * The size at which a segment file is closed and a new one started. Default 1 MiB.
   *
   * @return the segment size
   */
  public int segmentBytes() {
    return segmentBytes;
  }

  /**
   * What happens when an append does not fit. Default {@link OverflowPolicy#DROP_OLDEST}.
   *
   * @return the policy
   */
  public OverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /**
   * How long an append waits for space under {@link OverflowPolicy#BLOCK}. Default 5 s.
   *
   * @return the timeout
   */
  public Duration blockTimeout() {
    return blockTimeout;
  }

  /**
   * When an append counts as safe. Default {@link Durability#SYNC}.
   *
   * @return the durability
   */
  public Durability durability() {
    return durability;
  }

  /**
   * How often bytes are forced under {@link Durability#INTERVAL}. Default 1 s.
   *
   * @return the interval
   */
  public Duration syncInterval() {
    return syncInterval;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BufferOptions)) {
      return false;
    }
    BufferOptions that = (BufferOptions) o;
    return capacityBytes == that.capacityBytes && segmentBytes == that.segmentBytes
        && directory.equals(that.directory) && overflowPolicy == that.overflowPolicy
        && blockTimeout.equals(that.blockTimeout) && durability == that.durability
        && syncInterval.equals(that.syncInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(directory, capacityBytes, segmentBytes, overflowPolicy, blockTimeout, durability,
        syncInterval);
  }

  @Override
  public String toString() {
    return "BufferOptions{directory=" + directory + ", capacityBytes=" + capacityBytes + ", segmentBytes="
        + segmentBytes + ", overflowPolicy=" + overflowPolicy + ", blockTimeout=" + blockTimeout + ", durability="
        + durability + ", syncInterval=" + syncInterval + "}";
  }

  /** Builds {@link BufferOptions}; setters validate at once and name the field they refuse. */
  public static final class Builder {
    private final Path directory;
    private long capacityBytes = DEFAULT_CAPACITY_BYTES;
    private int segmentBytes = 1 << 20;
    private OverflowPolicy overflowPolicy = OverflowPolicy.DROP_OLDEST;
    private Duration blockTimeout = Duration.ofSeconds(5);
    private Durability durability = Durability.SYNC;
    private Duration syncInterval = Duration.ofSeconds(1);

    private Builder(Path directory) {
      if (directory == null) {
        throw new ConfigurationException("buffer.directory", "is missing");
      }
      this.directory = directory;
    }

    /**
     * The most bytes held on disk. Default 10 MB.
     *
     * @param bytes at least 64 KiB
     * @return this builder
     */
    public Builder capacityBytes(long bytes) {
      if (bytes < 65_536) {
        throw new ConfigurationException("buffer.capacityBytes", bytes + " is below the minimum of 65536");
      }
      this.capacityBytes = bytes;
      return this;
    }

    /**
     * The segment file size. Default 1 MiB.
     *
     * @param bytes 4 KiB to 1 GiB
     * @return this builder
     */
    public Builder segmentBytes(int bytes) {
      if (bytes < 4096 || bytes > (1 << 30)) {
        throw new ConfigurationException("buffer.segmentBytes", bytes + " is outside 4096..1073741824");
      }
      this.segmentBytes = bytes;
      return this;
    }

    /**
     * What happens when full. Default {@link OverflowPolicy#DROP_OLDEST}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder overflowPolicy(OverflowPolicy policy) {
      this.overflowPolicy = Objects.requireNonNull(policy, "overflowPolicy");
      return this;
    }

    /**
     * The wait for space under {@link OverflowPolicy#BLOCK}. Default 5 s.
     *
     * @param timeout zero or positive
     * @return this builder
     */
    public Builder blockTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new ConfigurationException("buffer.blockTimeout", "must be zero or positive, was " + timeout);
      }
      this.blockTimeout = timeout;
      return this;
    }

    /**
     * When an append counts as safe. Default {@link Durability#SYNC}.
     *
     * @param durability the durability
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * The force interval under {@link Durability#INTERVAL}. Default 1 s.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder syncInterval(Duration interval) {
      if (interval == null || interval.isZero() || interval.isNegative()) {
        throw new ConfigurationException("buffer.syncInterval", "must be positive, was " + interval);
      }
      this.syncInterval = interval;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws ConfigurationException naming {@code buffer.segmentBytes} when a segment exceeds the capacity
     */
    public BufferOptions build() {
      if (segmentBytes > capacityBytes) {
        throw new ConfigurationException("buffer.segmentBytes", segmentBytes + " exceeds capacityBytes "
            + capacityBytes + "; lower segmentBytes or raise capacityBytes");
      }
      return new BufferOptions(this);
    }
  }
}
