package io.loganalytics.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Helpers shared by the sdk-api tests: deterministic keys, an independent HMAC reference, a way to capture a
 * {@link ConfigurationException}, and the "no secret in this text" assertion.
 *
 * <p>Stateless; safe from any thread.
 */
final class TestSupport {
  /** A workspace ID in canonical (lowercase) form. */
  static final String WORKSPACE_ID = "01234567-89ab-cdef-0123-456789abcdef";

  /** The 64 bytes 0x00..0x3f, base64: the fixed key of the openssl known-answer vector. */
  static final String KEY_00_TO_3F =
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";

  /** A random 64-byte primary key whose base64 contains both '+' and '/'. */
  static final String PRIMARY_KEY =
      "wopwphx1EKHNiSFsoWz/yupJh0d+htvMuXBG/C4YOE5R2CDFw++ABTqIrjmW3lDoAYZbNphlTr9SAKX6CTm5nQ==";

  /** A random 64-byte secondary key, distinct from {@link #PRIMARY_KEY}. */
  static final String SECONDARY_KEY =
      "wqwO/aZd+Wy1hK6PjQVhK3vQ+nvz++UIL5Zxz3ycvPKw2am06IqcgHY9YqE9XmJu942QM2OXdLhbmgdAjBcblQ==";

  private TestSupport() {}

  /**
   * A deterministic base64 key of {@code length} bytes; different seeds give different keys.
   *
   * @param length the decoded length in bytes
   * @param seed any number
   * @return the base64 text, padded
   */
  static String key(int length, int seed) {
    return Base64.getEncoder().encodeToString(keyBytes(length, seed));
  }

  /**
   * The bytes behind {@link #key(int, int)}.
   *
   * @param length the length
   * @param seed any number
   * @return the bytes
   */
  static byte[] keyBytes(int length, int seed) {
    byte[] b = new byte[length];
    int x = seed * 0x9E3779B1 + 0x7F4A7C15;
    for (int i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = (byte) (x >>> 11);
    }
    return b;
  }

  /**
   * base64(HMAC-SHA256(key, UTF-8 of message)), computed here with javax.crypto and independently of the SDK.
   *
   * @param base64Key the key as base64
   * @param message the string to sign
   * @return the base64 signature
   */
  static String hmacSha256Base64(String base64Key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key.strip()), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError("HmacSHA256 must be available in every JVM", e);
    }
  }

  /** Code that is expected to throw. */
  @FunctionalInterface
  interface Action {
    /**
     * Runs the code under test.
     *
     * @throws Exception whatever it throws
     */
    void run() throws Exception;
  }

  /**
   * Runs {@code action} and returns the {@link ConfigurationException} it throws; fails when it throws nothing or
   * something else.
   *
   * @param action the code under test
   * @return the exception
   */
  static ConfigurationException configurationError(Action action) {
    try {
      action.run();
    } catch (ConfigurationException e) {
      assertThat(e.isRetryable()).as("a configuration error is never retryable").isFalse();
      assertThat(e.getMessage()).as("message starts with the field").startsWith(e.field() + ": ");
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a ConfigurationException, got " + e, e);
    }
    return fail("expected a ConfigurationException, but nothing was thrown");
  }

  /**
   * Every text a user could see of an exception: its toString, message and those of all its causes.
   *
   * @param t the exception
   * @return the texts
   */
  static List<String> visibleTexts(Throwable t) {
    List<String> texts = new ArrayList<>();
    for (Throwable c = t; c != null; c = c.getCause()) {
      texts.add(String.valueOf(c));
      texts.add(String.valueOf(c.getMessage()));
      texts.add(String.valueOf(c.getLocalizedMessage()));
    }
    return texts;
  }

  /**
   * Asserts that {@code text} contains neither {@code secret} nor any 8-character run of it, ignoring case (a
   * lowercased echo is still a leak).
   *
   * @param text the text a user could see
   * @param secret the secret, at least 8 characters
   */
  static void assertContainsNoSecret(String text, String secret) {
    if (secret.length() < 8) {
      throw new IllegalArgumentException("use a distinctive secret of at least 8 characters");
    }
    String haystack = text.toLowerCase(Locale.ROOT);
    String needle = secret.toLowerCase(Locale.ROOT);
    for (int i = 0; i + 8 <= needle.length(); i++) {
      String part = needle.substring(i, i + 8);
      if (haystack.contains(part)) {
        fail("a secret leaked: '%s' contains '%s', a part of the secret", text, secret.substring(i, i + 8));
      }
    }
  }

  /**
   * Asserts that no visible text of {@code t} contains the secret or an 8-character run of it.
   *
   * @param t the exception
   * @param secret the secret
   */
  static void assertContainsNoSecret(Throwable t, String secret) {
    for (String text : visibleTexts(t)) {
      assertContainsNoSecret(text, secret);
    }
  }
}
