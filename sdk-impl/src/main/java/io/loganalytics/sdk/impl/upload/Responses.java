package io.loganalytics.sdk.impl.upload;

import io.loganalytics.sdk.impl.http.HttpResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Reads what the uploader needs from an answer: the service's reason, {@code Retry-After}, a too-large 404; and from
 * an I/O error, whether the TLS peer refused our certificate. Stateless.
 */
final class Responses {
  private static final Pattern JSON_ERROR = Pattern.compile("\"(?:Error|error|code|Code)\"\\s*:\\s*\"([^\"]{1,200})\"");
  private static final Pattern JSON_MESSAGE = Pattern.compile("\"(?:Message|message)\"\\s*:\\s*\"([^\"]{1,300})\"");
  private static final Pattern XML_REASON = Pattern.compile("<Reason>([^<]{1,200})</Reason>");
  private static final int MAX_REASON = 300;
  private static final Pattern CERTIFICATE_ALERT = Pattern.compile(
      "bad_certificate|certificate_expired|certificate_revoked|certificate_unknown|certificate_required"
          + "|unsupported_certificate");

  private Responses() {}

  /**
   * The service's reason: the {@code Error} code (and {@code Message}) of a JSON body, the {@code <Reason>} of an
   * XML body, else the start of the body.
   *
   * @return the reason, or {@code null} when the body is empty
   */
  static String reason(HttpResponse response) {
    String body = response.bodyText().strip();
    if (body.isEmpty()) {
      return null;
    }
    Matcher error = JSON_ERROR.matcher(body);
    if (error.find()) {
      Matcher message = JSON_MESSAGE.matcher(body);
      return message.find() ? error.group(1) + ": " + message.group(1) : error.group(1);
    }
    Matcher xml = XML_REASON.matcher(body);
    if (xml.find()) {
      return xml.group(1).strip();
    }
    String oneLine = body.replaceAll("\\s+", " ");
    return oneLine.length() > MAX_REASON ? oneLine.substring(0, MAX_REASON) + "..." : oneLine;
  }

  /**
   * A 404 is read as "request too large" when the service's error code says so, in any case and spelling
   * ({@code RequestTooLarge}, {@code RequestEntityTooLarge}, {@code ContentLengthLimitExceeded}); otherwise it is a
   * wrong URL. The code is the {@code x-ms-error-code} header when present (Azure Monitor's APIs send it), else the
   * {@code Error}/{@code code} of a JSON body; only a body that has neither is searched whole for "large". The
   * message is never searched: it echoes names of the request (a stream called {@code Custom-LargeFiles_CL}), and
   * reading such a 404 as "too large" would split the request down to single records and drop them as too large.
   */
  static boolean isTooLarge404(HttpResponse response) {
    if (response.status() != 404) {
      return false;
    }
    Optional<String> header = response.header("x-ms-error-code");
    if (header.isPresent() && !header.get().isBlank()) {
      return saysTooLarge(header.get());
    }
    String body = response.bodyText();
    Matcher error = JSON_ERROR.matcher(body);
    if (error.find()) {
      return saysTooLarge(error.group(1));
    }
    return body.toLowerCase(Locale.ROOT).contains("large");
  }

  private static boolean saysTooLarge(String code) {
    String c = code.toLowerCase(Locale.ROOT);
    return c.contains("large") || c.contains("contentlengthlimitexceeded");
  }

  /**
   * Whether an I/O error is the peer refusing our client certificate in the TLS handshake: an {@link SSLException}
   * (anywhere in the cause chain) whose message reports a received alert about the certificate
   * ({@code bad_certificate}, {@code certificate_expired}, {@code certificate_revoked}, {@code certificate_unknown},
   * {@code certificate_required}, {@code unsupported_certificate}).
   *
   * @param error the I/O error
   * @return whether it is such a refusal
   */
  static boolean isCertificateRefusal(IOException error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (t instanceof SSLException && m != null) {
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("received fatal alert") && CERTIFICATE_ALERT.matcher(lower).find()) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * {@code Retry-After} as a wait: a number of seconds, or an HTTP date taken relative to the answer's
   * {@code Date} (else to {@code now}).
   *
   * @param response the answer
   * @param now the current (skew-corrected) time
   * @return the wait, never negative, or empty when the header is missing or unreadable
   */
  static Optional<Duration> retryAfter(HttpResponse response, Instant now) {
    Optional<String> header = response.header("Retry-After");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String v = header.get().strip();
    if (v.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }
    Optional<Instant> at = httpDate(v);
    if (at.isEmpty()) {
      return Optional.empty();
    }
    Instant reference = response.header("Date").flatMap(Responses::httpDate).orElse(now);
    Duration wait = Duration.between(reference, at.get());
    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
  }

  private static Optional<Instant> httpDate(String v) {
    try {
      return Optional.of(ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
