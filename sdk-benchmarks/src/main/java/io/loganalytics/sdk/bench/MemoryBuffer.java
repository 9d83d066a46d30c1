package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.OverflowPolicy;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A minimal in-memory {@link DiskBuffer} (one outstanding chunk at a time, which is how the client reads), so the
 * end-to-end benchmark runs before the file buffer is merged. It measures the pipeline without disk cost; swap in
 * the file buffer for the durability-on figure. Thread-safe (one monitor).
 */
final class MemoryBuffer implements DiskBuffer {
  private final Deque<byte[]> records = new ArrayDeque<>();
  private long firstSequence;
  private long bytes;
  private Chunk outstanding;

  @Override
  public synchronized void append(byte[] record) {
    records.addLast(record);
    bytes += record.length;
  }

  @Override
  public synchronized void appendAll(List<byte[]> list) {
    list.forEach(this::append);
  }

  @Override
  public synchronized Optional<Chunk> read(long maxBytes, int maxRecords) {
    if (outstanding != null || records.isEmpty()) {
      return Optional.empty();
    }
    List<byte[]> out = new ArrayList<>();
    long n = 0;
    for (byte[] r : records) {
      if (!out.isEmpty() && (n + r.length > maxBytes || out.size() >= maxRecords)) {
        break;
      }
      out.add(r);
      n += r.length;
    }
    long first = firstSequence;
    List<byte[]> frozen = List.copyOf(out);
    outstanding = new Chunk() {
      @Override
      public long firstSequence() {
        return first;
      }

      @Override
      public List<byte[]> records() {
        return frozen;
      }

      @Override
      public Instant oldestAppendTime() {
        return Instant.EPOCH;
      }
    };
    return Optional.of(outstanding);
  }

  @Override
  public synchronized void acknowledge(Chunk chunk) {
    for (int i = 0; i < chunk.recordCount(); i++) {
      bytes -= records.pollFirst().length;
    }
    firstSequence += chunk.recordCount();
    outstanding = null;
  }

  @Override
  public synchronized void release(Chunk chunk) {
    outstanding = null;
  }

  @Override
  public synchronized long sizeBytes() {
    return bytes;
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
    return records.isEmpty() ? Optional.empty() : Optional.of(Instant.EPOCH);
  }

  @Override
  public void sync() {}

  @Override
  public void close() {}
}
