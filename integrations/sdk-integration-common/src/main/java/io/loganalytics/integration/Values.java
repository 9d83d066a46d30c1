package io.loganalytics.integration;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Conversions the integrations share: sizes and durations from configuration text, bounded strings. Stateless. */
public final class Values {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KB|KIB|MB|MIB|GB|GIB)");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(MS|MILLIS|MILLISECONDS|S|SECONDS|M|MIN|MINUTES)?");

  private Values() {}

  /**
   * Parses a size: a number of bytes, optionally followed by {@code KB}, {@code MB} or {@code GB} (powers of 1,024;
   * {@code KiB}, {@code MiB}, {@code GiB} mean the same), without case.
   *
   * @param field the setting's name, for the error
   * @param text the text
   * @return the bytes
   * @throws io.loganalytics.sdk.ConfigurationException naming {@code field} when the text is not a size
   */
  public static long parseSize(String field, String text) {
    String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
    Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new io.loganalytics.sdk.ConfigurationException(field, "'" + text + "' is not a size; expected bytes or "
          + "a number with KB, MB or GB, such as 10MB");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new io.loganalytics.sdk.ConfigurationException(field, "'" + text + "' is too large");
    }
    int shift;
    switch (m.group(2)) {
      case "KB":
      case "KIB":
        shift = 10;
        break;
      case "MB":
      case "MIB":
        shift = 20;
        break;
      case "GB":
      case "GIB":
        shift = 30;
        break;
      default:
        shift = 0;
    }
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new io.loganalytics.sdk.ConfigurationException(field, "'" + text + "' is too large");
    }
    return n << shift;
  }

  /**
   * Parses a duration: ISO-8601 ({@code PT5S}) or a number with an optional unit {@code ms}, {@code s} or
   * {@code min} (milliseconds when there is none), without case.
   *
   * @param field the setting's name, for the error
   * @param text the text
   * @return the duration, zero or positive
   * @throws io.loganalytics.sdk.ConfigurationException naming {@code field} when the text is not a duration
   */
  public static Duration parseDuration(String field, String text) {
    String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
    if (t.startsWith("P")) {
      try {
        Duration d = Duration.parse(t);
        if (!d.isNegative()) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // reported below
      }
    } else {
      Matcher m = DURATION.matcher(t);
      if (m.matches() && m.group(1).length() <= 12) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "MS" : m.group(2);
        switch (unit) {
          case "S":
          case "SECONDS":
            return Duration.ofSeconds(n);
          case "M":
          case "MIN":
          case "MINUTES":
            return Duration.ofMinutes(n);
          default:
            return Duration.ofMillis(n);
        }
      }
    }
    throw new io.loganalytics.sdk.ConfigurationException(field, "'" + text + "' is not a duration; expected "
        + "such as 500ms, 5s, 1min or PT5S");
  }

  /**
   * Cuts a string so that its UTF-8 encoding has at most {@code maxBytes} bytes, marking the cut.
   *
   * @param s the string, or {@code null}
   * @param maxBytes the most UTF-8 bytes, at least 64
   * @return {@code s} when it fits, else a prefix ending in {@code ...[truncated]}
   */
  public static String truncateUtf8(String s, int maxBytes) {
    if (s == null || s.length() * 3 <= maxBytes) {
      return s;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= maxBytes) {
      return s;
    }
    String marker = "...[truncated]";
    int budget = maxBytes - marker.length();
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > budget) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return s.substring(0, i) + marker;
  }

  /**
   * The stack trace as {@link Throwable#printStackTrace()} prints it: the class, message, frames, causes and
   * suppressed exceptions.
   *
   * @param t the throwable
   * @return the text
   */
  public static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    try (PrintWriter p = new PrintWriter(w)) {
      t.printStackTrace(p);
    }
    return w.toString();
  }

  /**
   * A value as a column can hold it: strings, numbers and booleans as they are, anything else as its
   * {@code toString()} (or {@code "null"} when that fails or returns null).
   *
   * @param v the value
   * @return the column value
   */
  public static Object columnValue(Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Integer
        || v instanceof Short || v instanceof Byte) {
      return v;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? v : String.valueOf(d);
    }
    try {
      return String.valueOf(v);
    } catch (RuntimeException e) {
      return "<toString() failed: " + e.getClass().getName() + ">";
    }
  }
}
