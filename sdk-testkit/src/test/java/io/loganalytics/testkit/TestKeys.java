package io.loganalytics.testkit;

import java.util.Base64;

/** Fixed 64-byte test keys. */
final class TestKeys {
  static final String KEY_A = Base64.getEncoder().encodeToString(fill((byte) 0x11));
  static final String KEY_B = Base64.getEncoder().encodeToString(fill((byte) 0x22));

  private TestKeys() {}

  private static byte[] fill(byte b) {
    byte[] key = new byte[64];
    java.util.Arrays.fill(key, b);
    return key;
  }
}
