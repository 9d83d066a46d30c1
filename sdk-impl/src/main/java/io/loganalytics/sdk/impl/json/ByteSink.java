package io.loganalytics.sdk.impl.json;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable in-memory output stream that can be reset and reused without reallocating, unlike
 * {@link java.io.ByteArrayOutputStream} it is not synchronized. Not thread-safe.
 */
final class ByteSink extends OutputStream {
  private byte[] buf;
  private int count;

  ByteSink(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    int need = count + extra;
    if (need < 0) {
      throw new OutOfMemoryError("payload larger than 2 GiB");
    }
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  int size() {
    return count;
  }

  /** @return the bytes the sink holds without growing */
  int capacity() {
    return buf.length;
  }

  void reset() {
    count = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, count);
  }

  /** Drops the buffer when it grew far beyond what is usually needed, so one huge request does not pin memory. */
  void trimTo(int maxRetained) {
    count = 0;
    if (buf.length > maxRetained) {
      buf = new byte[maxRetained];
    }
  }
}
