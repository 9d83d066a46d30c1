package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.OverflowPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link DiskBuffer} in memory for tests: records in append order with sequence numbers, disjoint outstanding
 * chunks, release hands records back. {@link #close()} keeps the records; {@link #reopen()} makes it usable again
 * with nothing outstanding, as a restart would. Optionally refuses appends beyond a record count
 * ({@link OverflowPolicy#REJECT_NEW}). Thread-safe (one monitor).
 */
public final class InMemoryDiskBuffer implements DiskBuffer {
  private final Clock clock;
  private final int maxRecords;
  private final TreeMap<Long, Entry> records = new TreeMap<>();
  private final Map<Chunk, long[]> outstanding = new IdentityHashMap<>();
  private long nextSequence;
  private long outstandingUpTo = -1;
  private boolean closed;
  private int syncs;
  private int acknowledgedChunks;

  private static final class Entry {
    final byte[] bytes;
    final Instant appended;

    Entry(byte[] bytes, Instant appended) {
      this.bytes = bytes;
      this.appended = appended;
    }
  }

  /**
   * An unbounded buffer.
   *
   * @param clock append times
   */
  public InMemoryDiskBuffer(Clock clock) {
    this(clock, Integer.MAX_VALUE);
  }

  /**
   * A buffer refusing appends beyond {@code maxRecords}.
   *
   * @param clock append times
   * @param maxRecords capacity in records
   */
  public InMemoryDiskBuffer(Clock clock, int maxRecords) {
    this.clock = clock;
    this.maxRecords = maxRecords;
  }

  private void ensureOpen() {
    if (closed) {
      throw new ClientClosedException("buffer is closed");
    }
  }

  @Override
  public synchronized void append(byte[] record) {
    ensureOpen();
    if (records.size() >= maxRecords) {
      throw new BufferFullException(Path.of("memory"), "full: " + maxRecords + " records");
    }
    records.put(nextSequence++, new Entry(record.clone(), clock.instant()));
  }

  @Override
  public synchronized void appendAll(List<byte[]> list) {
    for (byte[] r : list) {
      append(r);
    }
  }

  @Override
  public synchronized Optional<Chunk> read(long maxBytes, int maxRecords) {
    ensureOpen();
    List<byte[]> out = new ArrayList<>();
    long bytes = 0;
    long first = -1;
    long last = -1;
    for (Map.Entry<Long, Entry> e : records.tailMap(outstandingUpTo, false).entrySet()) {
      byte[] r = e.getValue().bytes;
      if (isOutstanding(e.getKey())) {
        if (out.isEmpty()) {
          continue;
        }
        break; // a chunk holds consecutive records and ends before one that is out in another chunk
      }
      if (!out.isEmpty() && (bytes + r.length > maxBytes || out.size() >= maxRecords)) {
        break;
      }
      if (first < 0) {
        first = e.getKey();
      }
      last = e.getKey();
      out.add(r);
      bytes += r.length;
    }
    if (out.isEmpty()) {
      return Optional.empty();
    }
    Instant oldest = records.get(first).appended;
    long firstSeq = first;
    List<byte[]> frozen = List.copyOf(out);
    Chunk c = new Chunk() {
      @Override
      public long firstSequence() {
        return firstSeq;
      }

      @Override
      public List<byte[]> records() {
        return frozen;
      }

      @Override
      public Instant oldestAppendTime() {
        return oldest;
      }
    };
    outstanding.put(c, new long[] {first, last});
    outstandingUpTo = Math.max(outstandingUpTo, last);
    return Optional.of(c);
  }

  private boolean isOutstanding(long seq) {
    for (long[] range : outstanding.values()) {
      if (range[0] <= seq && seq <= range[1]) {
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized void acknowledge(Chunk chunk) {
    ensureOpen();
    long[] range = outstanding.remove(chunk);
    if (range == null) {
      throw new IllegalArgumentException("chunk not outstanding");
    }
    records.subMap(range[0], true, range[1], true).clear();
    acknowledgedChunks++;
  }

  @Override
  public synchronized void release(Chunk chunk) {
    ensureOpen();
    long[] range = outstanding.remove(chunk);
    if (range == null) {
      throw new IllegalArgumentException("chunk not outstanding");
    }
    outstandingUpTo = outstanding.values().stream().mapToLong(r -> r[1]).filter(x -> x < range[0]).max()
        .orElse(range[0] - 1);
  }

  @Override
  public synchronized long sizeBytes() {
    return records.values().stream().mapToLong(e -> e.bytes.length).sum();
  }

  @Override
  public synchronized long recordCount() {
    return records.size();
  }

  @Override
  public long capacityBytes() {
    return Long.MAX_VALUE;
  }

  @Override
  public OverflowPolicy overflowPolicy() {
    return OverflowPolicy.REJECT_NEW;
  }

  @Override
  public synchronized Optional<Instant> oldestAppendTime() {
    return records.isEmpty() ? Optional.empty() : Optional.of(records.firstEntry().getValue().appended);
  }

  @Override
  public synchronized void sync() {
    ensureOpen();
    syncs++;
  }

  /** @return how many times {@link #sync()} was called */
  public synchronized int syncs() {
    return syncs;
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }

  /**
   * Waits (on the buffer's monitor, not on a clock) until it is closed.
   *
   * @param timeoutMillis the most to wait, a safety net against a hung test
   * @return whether it is closed
   * @throws InterruptedException when interrupted
   */
  public synchronized boolean awaitClosed(long timeoutMillis) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMillis;
    while (!closed && System.currentTimeMillis() < end) {
      wait(Math.max(1, end - System.currentTimeMillis()));
    }
    return closed;
  }

  /** @return whether {@link #close()} was called since the last {@link #reopen()} */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Opens the buffer again as a restart would: the records stay, nothing is outstanding.
   *
   * @return this buffer
   */
  public synchronized InMemoryDiskBuffer reopen() {
    closed = false;
    outstanding.clear();
    outstandingUpTo = -1;
    return this;
  }

  /** @return the records held, oldest first, as stored */
  public synchronized List<byte[]> contents() {
    List<byte[]> out = new ArrayList<>();
    records.values().forEach(e -> out.add(e.bytes));
    return out;
  }

  /** @return how many chunks were acknowledged */
  public synchronized int acknowledgedChunks() {
    return acknowledgedChunks;
  }
}
