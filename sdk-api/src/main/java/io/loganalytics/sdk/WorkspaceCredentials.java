package io.loganalytics.sdk;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A workspace ID and its shared keys (primary, and optionally secondary), as shown in the workspace's "Agents"
 * settings.
 *
 * <p>The keys never leave this object: other parts of the SDK ask it to {@link #sign sign} a string. They never
 * appear in {@link #toString()} or in an exception message. Keys can be replaced at run time with {@link #rotate},
 * from any thread; a signature is always made with one consistent pair of keys, and every rotation bumps
 * {@link #generation()} so that a running client can notice it (for example to renew a certificate at once after
 * the workspace keys were regenerated).
 *
 * <p>Thread-safe.
 */
public final class WorkspaceCredentials {
  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** Workspace keys are 64 bytes; anything from 32 to 128 bytes is accepted. */
  static final int MIN_KEY_BYTES = 32;

  static final int MAX_KEY_BYTES = 128;

  /** Which of the two workspace keys to use. */
  public enum KeySlot {
    /** The primary key. Always present. */
    PRIMARY,
    /** The secondary key. Present only when one was given. */
    SECONDARY
  }

  private static final class Keys {
    final byte[] primary;
    final byte[] secondary; // may be null
    final long generation;

    Keys(byte[] primary, byte[] secondary, long generation) {
      this.primary = primary;
      this.secondary = secondary;
      this.generation = generation;
    }
  }

  private final String workspaceId;
  /** Guards the read-modify-write of {@link #keys} in {@link #rotate}; private so callers cannot hold it. */
  private final Object rotateLock = new Object();
  private volatile Keys keys;

  private WorkspaceCredentials(String workspaceId, byte[] primary, byte[] secondary) {
    this.workspaceId = workspaceId;
    this.keys = new Keys(primary, secondary, 0);
  }

  /**
   * Creates credentials from a workspace ID and its primary shared key.
   *
   * @param workspaceId the workspace GUID, in any case (kept lowercase); surrounding whitespace is ignored
   * @param sharedKey the base64 shared key; surrounding whitespace is ignored
   * @return the credentials
   * @throws ConfigurationException naming {@code workspaceId} or {@code sharedKey} when one is invalid; the key
   *     itself is never part of the message
   */
  public static WorkspaceCredentials of(String workspaceId, String sharedKey) {
    return of(workspaceId, sharedKey, null);
  }

  /**
   * Creates credentials from a workspace ID and both of its shared keys. The secondary key is tried when the service
   * rejects the primary one.
   *
   * @param workspaceId the workspace GUID, in any case (kept lowercase)
   * @param primaryKey the base64 primary shared key
   * @param secondaryKey the base64 secondary shared key, or {@code null}
   * @return the credentials
   * @throws ConfigurationException naming the invalid field
   */
  public static WorkspaceCredentials of(String workspaceId, String primaryKey, String secondaryKey) {
    String id = validateWorkspaceId(workspaceId);
    byte[] primary = decodeKey("sharedKey", primaryKey);
    byte[] secondary = secondaryKey == null ? null : decodeKey("secondaryKey", secondaryKey);
    return new WorkspaceCredentials(id, primary, secondary);
  }

  /**
   * Checks that a string is a workspace ID (a GUID, {@code 8-4-4-4-12} hexadecimal digits) and returns it in
   * lowercase.
   *
   * @param workspaceId the candidate; surrounding whitespace is ignored
   * @return the workspace ID in lowercase
   * @throws ConfigurationException naming {@code workspaceId} when it is not a GUID
   */
  public static String validateWorkspaceId(String workspaceId) {
    if (workspaceId == null || workspaceId.isBlank()) {
      throw new ConfigurationException("workspaceId", "is missing; expected a GUID such as "
          + "01234567-89ab-cdef-0123-456789abcdef");
    }
    String id = workspaceId.strip();
    if (!GUID.matcher(id).matches()) {
      throw new ConfigurationException("workspaceId", "'" + id + "' is not a GUID (expected 8-4-4-4-12 hexadecimal "
          + "digits, such as 01234567-89ab-cdef-0123-456789abcdef)");
    }
    return id.toLowerCase(Locale.ROOT);
  }

  private static byte[] decodeKey(String field, String key) {
    if (key == null || key.isBlank()) {
      throw new ConfigurationException(field, "is missing; expected the workspace's base64 shared key");
    }
    String k = key.strip();
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/' || c == '=';
      if (!ok) {
        throw new ConfigurationException(field, "is not valid base64: the character at position " + (i + 1)
            + " of " + k.length() + " is not in the base64 alphabet (was it copied completely?)");
      }
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(k);
    } catch (IllegalArgumentException e) {
      // The JDK's message can quote input characters; do not keep it.
      throw new ConfigurationException(field, "is not valid base64 (" + k.length()
          + " characters; padding or length is wrong; was it copied completely?)");
    }
    if (decoded.length < MIN_KEY_BYTES || decoded.length > MAX_KEY_BYTES) {
      throw new ConfigurationException(field, "decodes to " + decoded.length + " bytes; a workspace key is 64 bytes "
          + "(88 base64 characters), and " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " are accepted");
    }
    return decoded;
  }

  /**
   * The workspace ID, lowercase.
   *
   * @return the workspace GUID
   */
  public String workspaceId() {
    return workspaceId;
  }

  /**
   * Whether a secondary key is present.
   *
   * @return {@code true} when {@link KeySlot#SECONDARY} can sign
   */
  public boolean hasSecondaryKey() {
    return keys.secondary != null;
  }

  /**
   * A number that grows by one with every {@link #rotate}. A client compares it to notice new keys.
   *
   * @return the rotation count, 0 at creation
   */
  public long generation() {
    return keys.generation;
  }

  /**
   * Replaces both keys atomically. Signatures already being computed finish with the old keys; every later one uses
   * the new keys.
   *
   * @param primaryKey the new base64 primary key
   * @param secondaryKey the new base64 secondary key, or {@code null} for none
   * @throws ConfigurationException naming the invalid field; the current keys are then left unchanged
   */
  public void rotate(String primaryKey, String secondaryKey) {
    byte[] primary = decodeKey("sharedKey", primaryKey);
    byte[] secondary = secondaryKey == null ? null : decodeKey("secondaryKey", secondaryKey);
    synchronized (rotateLock) {
      keys = new Keys(primary, secondary, keys.generation + 1);
    }
  }

  /**
   * Computes base64(HMAC-SHA256(key, UTF-8 bytes of {@code stringToSign})) with the chosen key, the primitive of
   * both shared-key schemes of the service.
   *
   * @param slot which key to use
   * @param stringToSign the exact string the scheme signs
   * @return the base64 signature
   * @throws ConfigurationException when {@code slot} is {@link KeySlot#SECONDARY} and there is no secondary key
   */
  public String sign(KeySlot slot, String stringToSign) {
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(stringToSign, "stringToSign");
    Keys current = keys;
    byte[] key = slot == KeySlot.PRIMARY ? current.primary : current.secondary;
    if (key == null) {
      throw new ConfigurationException("secondaryKey", "is not set, so it cannot sign");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /**
   * Whether the given key is the one currently held in the slot, compared in constant time. Meant for tools that
   * must check a key a user typed against the configured one without printing either.
   *
   * @param slot which key to compare
   * @param base64Key the candidate key
   * @return {@code true} when the decoded candidate equals the key in the slot
   */
  public boolean matches(KeySlot slot, String base64Key) {
    Objects.requireNonNull(slot, "slot");
    Keys current = keys;
    byte[] key = slot == KeySlot.PRIMARY ? current.primary : current.secondary;
    if (key == null || base64Key == null) {
      return false;
    }
    try {
      return java.security.MessageDigest.isEqual(key, Base64.getDecoder().decode(base64Key.strip()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Shows the workspace ID and whether a secondary key is set; never a key. */
  @Override
  public String toString() {
    return "WorkspaceCredentials{workspaceId=" + workspaceId + ", sharedKey=OBFUSCATED"
        + (hasSecondaryKey() ? ", secondaryKey=OBFUSCATED" : "") + "}";
  }

  // Not part of equality on purpose: credentials are compared by identity.
  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

}
