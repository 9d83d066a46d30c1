package io.loganalytics.sdk.impl.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Copies what is written to the original stream and to a capture (locked on the capture, so that a test can read it
 * while the SDK's threads write). The end-to-end tests put it on {@code System.err}, where the SLF4J simple logger
 * writes, to scan every log line for secrets.
 */
final class TeeOutputStream extends OutputStream {
  private final OutputStream original;
  private final ByteArrayOutputStream capture;

  TeeOutputStream(OutputStream original, ByteArrayOutputStream capture) {
    this.original = original;
    this.capture = capture;
  }

  @Override
  public void write(int b) throws IOException {
    synchronized (capture) {
      capture.write(b);
    }
    original.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    synchronized (capture) {
      capture.write(b, off, len);
    }
    original.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    original.flush();
  }
}
