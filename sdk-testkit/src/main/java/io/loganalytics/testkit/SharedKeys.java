package io.loganalytics.testkit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The workspace's current shared keys and the two signature checks made with them, implemented here independently
 * of the SDK:
 *
 * <ul>
 *   <li>onboarding (PROTOCOL §B2 step 4): {@code base64(HMAC-SHA256(key, date + "\n" + contentHash + "\n"))};
 *   <li>Data Collector (PROTOCOL §B5d): {@code base64(HMAC-SHA256(key,
 *       "POST\n" + byteLength + "\n" + contentType + "\nx-ms-date:" + date + "\n/api/logs"))}.
 * </ul>
 *
 * <p>A signature made with either the primary or the secondary key is valid, as on the real service. Comparisons
 * are in constant time. Never prints a key.
 *
 * <p>Immutable and thread-safe; the emulator swaps the whole object when keys are regenerated.
 */
final class SharedKeys {
  private final String primaryBase64;
  private final String secondaryBase64; // may be null
  private final byte[] primary;
  private final byte[] secondary; // may be null

  SharedKeys(String primaryBase64, String secondaryBase64) {
    this.primaryBase64 = primaryBase64.strip();
    this.secondaryBase64 = secondaryBase64 == null ? null : secondaryBase64.strip();
    this.primary = Base64.getDecoder().decode(this.primaryBase64);
    this.secondary = this.secondaryBase64 == null ? null : Base64.getDecoder().decode(this.secondaryBase64);
  }

  String primaryBase64() {
    return primaryBase64;
  }

  String secondaryBase64() {
    return secondaryBase64;
  }

  /** The onboarding string to sign: the date, a newline, the content hash and a trailing newline. */
  static String onboardingStringToSign(String date, String contentHash) {
    return date + "\n" + contentHash + "\n";
  }

  /** The Data Collector string to sign: five lines, no trailing newline. */
  static String dataCollectorStringToSign(long byteLength, String contentType, String date) {
    return "POST\n" + byteLength + "\n" + contentType + "\nx-ms-date:" + date + "\n/api/logs";
  }

  /** Whether {@code signature} is the signature of {@code stringToSign} under the primary or secondary key. */
  boolean verifies(String stringToSign, String signature) {
    byte[] presented = signature.getBytes(StandardCharsets.US_ASCII);
    boolean ok = MessageDigest.isEqual(presented, sign(primary, stringToSign));
    if (secondary != null) {
      ok |= MessageDigest.isEqual(presented, sign(secondary, stringToSign));
    }
    return ok;
  }

  static byte[] sign(byte[] key, String stringToSign) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] raw = mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encode(raw);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  /** Base64 of SHA-256 over the bytes, the onboarding {@code x-ms-SHA256_Content} value. */
  static String sha256Base64(byte[] body) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "SharedKeys{primary=OBFUSCATED" + (secondary == null ? "" : ", secondary=OBFUSCATED") + "}";
  }
}
