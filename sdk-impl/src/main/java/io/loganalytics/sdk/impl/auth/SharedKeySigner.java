package io.loganalytics.sdk.impl.auth;

import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The service's two shared-key signature schemes (PROTOCOL §B2 step 4 and §B5d). Both are HMAC-SHA256 keyed with the
 * base64-decoded workspace key; they differ in what is signed and how the header is written. The key never leaves
 * {@link WorkspaceCredentials}. Stateless and thread-safe.
 */
public final class SharedKeySigner {
  /** {@code x-ms-Date} of onboarding: ISO-8601 with nine fraction digits and a {@code ±hh:mm} offset. */
  static final DateTimeFormatter ONBOARDING_DATE = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
      .appendOffset("+HH:MM", "+00:00")
      .toFormatter(Locale.ROOT);

  /** {@code x-ms-date} of the Data Collector API: RFC 1123, always GMT, two-digit day. */
  static final DateTimeFormatter RFC1123 =
      DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  /** The Data Collector API's resource, the last line of the string to sign. */
  static final String DATA_COLLECTOR_RESOURCE = "/api/logs";

  private SharedKeySigner() {}

  /**
   * Formats a time as the onboarding {@code x-ms-Date}, e.g. {@code 2015-10-09T14:58:51.746850300-07:00}.
   *
   * @param time the time with its offset
   * @return the header value
   */
  public static String onboardingDate(OffsetDateTime time) {
    return ONBOARDING_DATE.format(time);
  }

  /**
   * Formats a time as the Data Collector {@code x-ms-date}, e.g. {@code Mon, 04 Apr 2016 08:00:00 GMT}.
   *
   * @param time the time
   * @return the header value
   */
  public static String rfc1123Date(java.time.Instant time) {
    return RFC1123.format(time);
  }

  /**
   * base64(SHA-256(body)), the onboarding {@code x-ms-SHA256_Content}.
   *
   * @param body the exact body bytes
   * @return 44 base64 characters
   */
  public static String contentHash(byte[] body) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * The onboarding signature: HMAC over {@code date + "\n" + contentHash + "\n"} (note the trailing newline).
   *
   * @param credentials the keys
   * @param slot which key
   * @param date the {@code x-ms-Date} value
   * @param contentHash the {@code x-ms-SHA256_Content} value
   * @return the base64 signature
   */
  public static String onboardingSignature(WorkspaceCredentials credentials, KeySlot slot, String date,
      String contentHash) {
    return credentials.sign(slot, date + "\n" + contentHash + "\n");
  }

  /**
   * The headers of a shared-key onboarding request (§B2 step 5), in the agent's order: {@code x-ms-Date},
   * {@code x-ms-version}, {@code x-ms-SHA256_Content}, {@code Authorization: <workspaceId>; <signature>}.
   *
   * @param credentials the keys
   * @param slot which key
   * @param body the exact body bytes
   * @param now the (skew-corrected) time and offset to sign with
   * @return the headers
   */
  public static Map<String, String> onboardingHeaders(WorkspaceCredentials credentials, KeySlot slot, byte[] body,
      OffsetDateTime now) {
    String date = onboardingDate(now);
    String hash = contentHash(body);
    Map<String, String> h = new LinkedHashMap<>();
    h.put("x-ms-Date", date);
    h.put("x-ms-version", "August, 2014");
    h.put("x-ms-SHA256_Content", hash);
    h.put("Authorization", credentials.workspaceId() + "; " + onboardingSignature(credentials, slot, date, hash));
    return h;
  }

  /**
   * The Data Collector string to sign: {@code POST\n<byte length>\napplication/json\nx-ms-date:<date>\n/api/logs},
   * no trailing newline.
   *
   * @param contentLength the body's length in bytes, as sent
   * @param date the {@code x-ms-date} value
   * @return the string
   */
  public static String dataCollectorStringToSign(long contentLength, String date) {
    return "POST\n" + contentLength + "\napplication/json\nx-ms-date:" + date + "\n" + DATA_COLLECTOR_RESOURCE;
  }

  /**
   * The Data Collector {@code Authorization} value, {@code SharedKey <workspaceId>:<signature>}.
   *
   * @param credentials the keys
   * @param slot which key
   * @param contentLength the body's length in bytes, as sent
   * @param date the {@code x-ms-date} value
   * @return the header value; a secret
   */
  public static String dataCollectorAuthorization(WorkspaceCredentials credentials, KeySlot slot,
      long contentLength, String date) {
    return "SharedKey " + credentials.workspaceId() + ":"
        + credentials.sign(slot, dataCollectorStringToSign(contentLength, date));
  }
}
