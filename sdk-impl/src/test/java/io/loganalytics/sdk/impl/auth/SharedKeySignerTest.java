package io.loganalytics.sdk.impl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Known-answer tests. Every expected value was computed with OpenSSL 3.0, independently of this code; the exact
 * commands are beside each value.
 *
 * <p>The key is the 64 bytes 0x00..0x3f:
 *
 * <pre>
 * HEXKEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
 * python3 -c "import base64;print(base64.b64encode(bytes(range(64))).decode())"   # the base64 key below
 * </pre>
 */
class SharedKeySignerTest {
  static final String WORKSPACE = "01234567-89ab-cdef-0123-456789abcdef";
  static final String KEY =
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
  static final String BODY = "<?xml version=\"1.0\"?><AgentTopologyRequest/>";

  private final WorkspaceCredentials credentials = WorkspaceCredentials.of(WORKSPACE, KEY);

  @Test
  void contentHashIsBase64OfSha256OfTheBody() {
    // BODY='<?xml version="1.0"?><AgentTopologyRequest/>'
    // printf '%s' "$BODY" | openssl dgst -sha256 -binary | base64
    assertThat(SharedKeySigner.contentHash(BODY.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("jYw7vvmIXjmfs/KAqfnsahUHOXYvJnMfo3bxZ8uQI7A=")
        .hasSize(44);
  }

  @Test
  void onboardingSignatureSignsDateAndHashWithTrailingNewline() {
    // DATE='2015-10-09T14:58:51.746850300-07:00'; HASH=jYw7vvmIXjmfs/KAqfnsahUHOXYvJnMfo3bxZ8uQI7A=
    // printf '%s\n%s\n' "$DATE" "$HASH" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$HEXKEY -binary | base64
    assertThat(SharedKeySigner.onboardingSignature(credentials, KeySlot.PRIMARY,
        "2015-10-09T14:58:51.746850300-07:00", "jYw7vvmIXjmfs/KAqfnsahUHOXYvJnMfo3bxZ8uQI7A="))
        .isEqualTo("CiOgqe3pX5tWGw2SfFueex8kwWCbTNgmDpAl9m6wYeA=");
  }

  @Test
  void onboardingHeadersAreTheAgentsInItsOrder() {
    OffsetDateTime time = OffsetDateTime.of(2015, 10, 9, 14, 58, 51, 746_850_300, ZoneOffset.ofHours(-7));
    Map<String, String> h = SharedKeySigner.onboardingHeaders(credentials, KeySlot.PRIMARY,
        BODY.getBytes(StandardCharsets.UTF_8), time);
    assertThat(h).containsExactly(
        Map.entry("x-ms-Date", "2015-10-09T14:58:51.746850300-07:00"),
        Map.entry("x-ms-version", "August, 2014"),
        Map.entry("x-ms-SHA256_Content", "jYw7vvmIXjmfs/KAqfnsahUHOXYvJnMfo3bxZ8uQI7A="),
        // "<workspaceId>; <signature>": no SharedKey prefix, a semicolon and a space (PROTOCOL §B2 step 5)
        Map.entry("Authorization", WORKSPACE + "; CiOgqe3pX5tWGw2SfFueex8kwWCbTNgmDpAl9m6wYeA="));
  }

  @Test
  void onboardingDateHasNineFractionDigitsAndAnOffsetEvenInUtc() {
    assertThat(SharedKeySigner.onboardingDate(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 6, ZoneOffset.UTC)))
        .isEqualTo("2024-01-02T03:04:05.000000006+00:00");
  }

  @Test
  void dataCollectorSignatureSignsFiveLinesWithoutTrailingNewline() {
    // printf 'POST\n%s\napplication/json\nx-ms-date:%s\n/api/logs' 9 'Mon, 04 Apr 2016 08:00:00 GMT' \
    //   | openssl dgst -sha256 -mac HMAC -macopt hexkey:$HEXKEY -binary | base64
    String date = SharedKeySigner.rfc1123Date(Instant.parse("2016-04-04T08:00:00Z"));
    assertThat(date).isEqualTo("Mon, 04 Apr 2016 08:00:00 GMT");
    assertThat(SharedKeySigner.dataCollectorStringToSign(9, date))
        .isEqualTo("POST\n9\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs");
    assertThat(SharedKeySigner.dataCollectorAuthorization(credentials, KeySlot.PRIMARY, 9, date))
        .isEqualTo("SharedKey " + WORKSPACE + ":rO1RGHG4N8cjzgOWlKVU8Pdk/P8VdK7XX+oBzWmv1qo=");
  }

  @Test
  void dataCollectorSignatureUsesTheByteLengthNotTheCharacterCount() {
    // '[{"m":"é"}]' is 11 characters and 12 UTF-8 bytes (printf '%s' '[{"m":"é"}]' | wc -c  -> 12)
    // printf 'POST\n%s\napplication/json\nx-ms-date:%s\n/api/logs' 12 'Mon, 04 Apr 2016 08:00:00 GMT' \
    //   | openssl dgst -sha256 -mac HMAC -macopt hexkey:$HEXKEY -binary | base64
    byte[] body = "[{\"m\":\"é\"}]".getBytes(StandardCharsets.UTF_8);
    assertThat(body).hasSize(12);
    assertThat(SharedKeySigner.dataCollectorAuthorization(credentials, KeySlot.PRIMARY, body.length,
        "Mon, 04 Apr 2016 08:00:00 GMT"))
        .isEqualTo("SharedKey " + WORKSPACE + ":3lax5tAX9jUN7pfxvRhwAgZ96NI4d49Quh+W2rQwtcM=");
  }

  @Test
  void rfc1123DateHasATwoDigitDayAndIsAlwaysGmt() {
    assertThat(SharedKeySigner.rfc1123Date(Instant.parse("2024-03-05T23:59:59.999Z")))
        .isEqualTo("Tue, 05 Mar 2024 23:59:59 GMT");
  }
}
