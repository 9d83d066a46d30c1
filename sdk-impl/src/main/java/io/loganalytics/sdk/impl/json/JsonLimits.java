package io.loganalytics.sdk.impl.json;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The limits a record's JSON must respect to be sendable, checked by {@link RecordEncoder} while it writes or reads
 * the record, before the record reaches the buffer. The transport decides the values (the Data Collector API has
 * column rules, the agent path has none). Internal, not API. Thread-safe; its rules are immutable. Field names that
 * passed {@link #checkFieldName} are remembered (at most {@value #MAX_REMEMBERED_NAMES}), so that the rules run once
 * per name rather than once per record: a logging appender sends the same dozen names millions of times.
 */
public final class JsonLimits {
  /** The most accepted field names remembered; further names are checked every time. */
  static final int MAX_REMEMBERED_NAMES = 1024;

  private final int maxRecordJsonBytes;
  private final int maxFieldValueBytes;
  private final int maxFieldNameLength;
  private final int maxFields;
  private final Pattern fieldNamePattern;
  private final Set<String> reservedFieldNamesLowerCase;
  private final Set<String> acceptedNames = ConcurrentHashMap.newKeySet();

  private JsonLimits(int maxRecordJsonBytes, int maxFieldValueBytes, int maxFieldNameLength, int maxFields,
      Pattern fieldNamePattern, Set<String> reservedFieldNamesLowerCase) {
    if (maxRecordJsonBytes < 2) {
      throw new IllegalArgumentException("maxRecordJsonBytes must be at least 2, was " + maxRecordJsonBytes);
    }
    this.maxRecordJsonBytes = maxRecordJsonBytes;
    this.maxFieldValueBytes = maxFieldValueBytes;
    this.maxFieldNameLength = maxFieldNameLength;
    this.maxFields = maxFields;
    this.fieldNamePattern = fieldNamePattern;
    this.reservedFieldNamesLowerCase = reservedFieldNamesLowerCase;
  }

  /**
   * Only a size limit for the whole record; any field name, any value size.
   *
   * @param maxRecordJsonBytes the most bytes of JSON one record may have
   * @return the limits
   */
  public static JsonLimits sizeOnly(int maxRecordJsonBytes) {
    return new JsonLimits(maxRecordJsonBytes, 0, 0, 0, null, Set.of());
  }

  /**
   * Size limits plus column rules on the record's top-level fields.
   *
   * @param maxRecordJsonBytes the most bytes of JSON one record may have
   * @param maxFieldValueBytes the most bytes of one top-level value (UTF-8 bytes of a string, JSON text of a
   *     nested value)
   * @param maxFieldNameLength the longest field name
   * @param maxFields the most top-level fields
   * @param fieldNamePattern what a field name must match
   * @param reservedFieldNames names no field may have, compared without case
   * @return the limits
   */
  public static JsonLimits withColumnRules(int maxRecordJsonBytes, int maxFieldValueBytes, int maxFieldNameLength,
      int maxFields, Pattern fieldNamePattern, Set<String> reservedFieldNames) {
    java.util.HashSet<String> lower = new java.util.HashSet<>();
    for (String n : reservedFieldNames) {
      lower.add(n.toLowerCase(Locale.ROOT));
    }
    return new JsonLimits(maxRecordJsonBytes, maxFieldValueBytes, maxFieldNameLength, maxFields,
        java.util.Objects.requireNonNull(fieldNamePattern, "fieldNamePattern"), Set.copyOf(lower));
  }

  /** @return the most bytes of JSON in one record */
  public int maxRecordJsonBytes() {
    return maxRecordJsonBytes;
  }

  /** @return whether top-level fields are checked at all */
  boolean hasColumnRules() {
    return fieldNamePattern != null;
  }

  /** @return the most bytes of one top-level value, 0 for no limit */
  int maxFieldValueBytes() {
    return maxFieldValueBytes;
  }

  /**
   * Checks a top-level field name. The sentence does not repeat the name: the caller names the field.
   *
   * @param name the name
   * @return a sentence saying what is wrong, or {@code null} when the name is fine
   */
  String checkFieldName(String name) {
    if (fieldNamePattern == null || acceptedNames.contains(name)) {
      return null;
    }
    String problem = fieldNameProblem(name);
    if (problem == null && acceptedNames.size() < MAX_REMEMBERED_NAMES) {
      acceptedNames.add(name);
    }
    return problem;
  }

  private String fieldNameProblem(String name) {
    if (name.isEmpty()) {
      return "has a field with an empty name; a field name must be 1 to " + maxFieldNameLength
          + " characters long";
    }
    if (name.length() > maxFieldNameLength) {
      return "field name must be at most " + maxFieldNameLength + " characters long (it has " + name.length() + ")";
    }
    if (!fieldNamePattern.matcher(name).matches()) {
      return "field name may contain only letters, digits and '_'";
    }
    if (reservedFieldNamesLowerCase.contains(name.toLowerCase(Locale.ROOT))) {
      return "field name is reserved by the service (compared without case)";
    }
    return null;
  }

  /** The most characters of a field name that an error message shows. */
  static final int EXCERPT_CHARS = 40;

  /**
   * A field name as error messages show it: at most {@value #EXCERPT_CHARS} characters, then {@code ...}; control
   * characters replaced by {@code ?} so that a message stays on one line.
   *
   * @param name the name
   * @return the excerpt
   */
  static String excerpt(String name) {
    int n = Math.min(name.length(), EXCERPT_CHARS);
    StringBuilder sb = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    if (name.length() > EXCERPT_CHARS) {
      sb.append("...");
    }
    return sb.toString();
  }

  /**
   * Checks the number of top-level fields.
   *
   * @param count fields seen so far
   * @return a sentence saying what is wrong, or {@code null}
   */
  String checkFieldCount(int count) {
    if (maxFields > 0 && count > maxFields) {
      return "has more than " + maxFields + " fields, the most a table can have";
    }
    return null;
  }
}
