package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.OverflowPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link DiskBuffer} that forwards every call to another one; tests override a method to inject a failure (a read
 * that throws an {@link Error}...). Thread-safe when the delegate is.
 */
public class ForwardingDiskBuffer implements DiskBuffer {
  private final DiskBuffer delegate;

  /**
   * Wraps a buffer.
   *
   * @param delegate where calls go
   */
  public ForwardingDiskBuffer(DiskBuffer delegate) {
    this.delegate = delegate;
  }

  @Override
  public void append(byte[] record) {
    delegate.append(record);
  }

  @Override
  public void appendAll(List<byte[]> records) {
    delegate.appendAll(records);
  }

  @Override
  public Optional<Chunk> read(long maxBytes, int maxRecords) {
    return delegate.read(maxBytes, maxRecords);
  }

  @Override
  public void acknowledge(Chunk chunk) {
    delegate.acknowledge(chunk);
  }

  @Override
  public void release(Chunk chunk) {
    delegate.release(chunk);
  }

  @Override
  public CompletableFuture<Void> appendAsync(byte[] record) {
    return delegate.appendAsync(record);
  }

  @Override
  public long sizeBytes() {
    return delegate.sizeBytes();
  }

  @Override
  public long recordBytes() {
    return delegate.recordBytes();
  }

  @Override
  public long recordCount() {
    return delegate.recordCount();
  }

  @Override
  public long capacityBytes() {
    return delegate.capacityBytes();
  }

  @Override
  public OverflowPolicy overflowPolicy() {
    return delegate.overflowPolicy();
  }

  @Override
  public Optional<Instant> oldestAppendTime() {
    return delegate.oldestAppendTime();
  }

  @Override
  public void sync() {
    delegate.sync();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
