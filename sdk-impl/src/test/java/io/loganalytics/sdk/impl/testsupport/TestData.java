package io.loganalytics.sdk.impl.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.Inflater;
import java.util.zip.InflaterOutputStream;

/** Shared constants and helpers: a workspace, two keys, inflating ODS bodies. */
public final class TestData {
  /** A workspace ID. */
  public static final String WORKSPACE_ID = "01234567-89ab-cdef-0123-456789abcdef";
  /** A primary key (64 bytes, base64). */
  public static final String PRIMARY_KEY = key((byte) 1);
  /** A secondary key (64 bytes, base64). */
  public static final String SECONDARY_KEY = key((byte) 2);

  private TestData() {}

  private static String key(byte seed) {
    byte[] k = new byte[64];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i * 7);
    }
    return Base64.getEncoder().encodeToString(k);
  }

  /**
   * Inflates a zlib stream.
   *
   * @param deflated the bytes
   * @return the text
   */
  public static String inflate(byte[] deflated) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InflaterOutputStream z = new InflaterOutputStream(out, new Inflater())) {
        z.write(deflated);
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A JSON object whose field {@code d} nests {@code levels - 1} more levels of arrays or objects.
   *
   * @param levels the nesting depth, the record's own object included
   * @param arrays arrays inside, else objects
   * @return the JSON
   */
  public static String nestedJson(int levels, boolean arrays) {
    StringBuilder sb = new StringBuilder("{\"d\":");
    for (int i = 1; i < levels; i++) {
      sb.append(arrays ? "[" : "{\"k\":");
    }
    sb.append('1');
    for (int i = 1; i < levels; i++) {
      sb.append(arrays ? "]" : "}");
    }
    return sb.append('}').toString();
  }
}
