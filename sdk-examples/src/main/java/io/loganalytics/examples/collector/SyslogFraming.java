package io.loganalytics.examples.collector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet counting ({@code LEN SP MSG}, chosen when a frame
 * starts with a digit) or non-transparent framing (each message ends with LF; a NUL also ends one, as some senders
 * use it). The method is decided per frame, so a sender may mix them. A frame longer than the limit is cut at the
 * limit and the rest of it skipped, so a broken or hostile sender cannot exhaust memory.
 *
 * <p>Not thread-safe: one instance per connection.
 */
final class SyslogFraming {
  /** The longest message kept: 64 KiB, as for UDP. */
  static final int MAX_FRAME = 64 * 1024;

  private final InputStream in;
  private final int maxFrame;

  /**
   * @param in the connection's stream (buffered by the caller)
   * @param maxFrame the longest message kept, in bytes
   */
  SyslogFraming(InputStream in, int maxFrame) {
    this.in = Objects.requireNonNull(in, "in");
    this.maxFrame = maxFrame;
  }

  /**
   * Reads the next message.
   *
   * @return its bytes without framing (possibly empty), or {@code null} at the end of the stream
   * @throws IOException when the connection fails
   */
  byte[] next() throws IOException {
    int b = in.read();
    while (b == '\n' || b == '\r' || b == 0) {
      b = in.read();
    }
    if (b < 0) {
      return null;
    }
    if (b >= '1' && b <= '9') {
      long len = b - '0';
      ByteArrayOutputStream digits = new ByteArrayOutputStream();
      digits.write(b);
      int c;
      while ((c = in.read()) >= '0' && c <= '9') {
        len = Math.min(len * 10 + (c - '0'), Integer.MAX_VALUE); // saturates: a huge count reads to the end
        if (digits.size() < maxFrame) {
          digits.write(c);
        }
      }
      if (c == ' ') {
        return readCounted(len);
      }
      // Not an octet count after all: a newline-framed message that starts with digits.
      ByteArrayOutputStream msg = new ByteArrayOutputStream();
      msg.write(digits.toByteArray(), 0, digits.size());
      if (c < 0 || c == '\n' || c == 0) {
        return msg.toByteArray();
      }
      msg.write(c);
      return readLine(msg);
    }
    ByteArrayOutputStream msg = new ByteArrayOutputStream();
    msg.write(b);
    return readLine(msg);
  }

  private byte[] readCounted(long len) throws IOException {
    int keep = (int) Math.min(len, maxFrame);
    byte[] data = in.readNBytes(keep);
    long skip = len - keep;
    while (skip > 0) {
      long n = in.skip(skip);
      if (n <= 0) {
        if (in.read() < 0) {
          break;
        }
        n = 1;
      }
      skip -= n;
    }
    return data;
  }

  private byte[] readLine(ByteArrayOutputStream msg) throws IOException {
    int c;
    while ((c = in.read()) >= 0 && c != '\n' && c != 0) {
      if (msg.size() < maxFrame) {
        msg.write(c);
      }
    }
    return msg.toByteArray();
  }
}
