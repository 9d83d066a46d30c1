package io.loganalytics.sdk.impl.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.impl.http.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ResponsesTest {
  private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

  private static HttpResponse response(int status, Map<String, List<String>> headers, String body) {
    return new HttpResponse(status, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheReasonFromJsonXmlOrPlainBodies() {
    assertThat(Responses.reason(response(400, Map.of(), "{\"Error\":\"InvalidLogType\",\"Message\":\"bad type\"}")))
        .isEqualTo("InvalidLogType: bad type");
    assertThat(Responses.reason(response(403, Map.of(), "<Error><Reason>InvalidWorkspaceKey</Reason></Error>")))
        .isEqualTo("InvalidWorkspaceKey");
    assertThat(Responses.reason(response(400, Map.of(), "  plain\n text  "))).isEqualTo("plain text");
    assertThat(Responses.reason(response(400, Map.of(), "x".repeat(1000)))).hasSize(303).endsWith("...");
    assertThat(Responses.reason(response(400, Map.of(), ""))).isNull();
  }

  @Test
  void readsRetryAfterInSecondsOrAsADateAndIgnoresGarbage() {
    assertThat(Responses.retryAfter(response(429, Map.of("Retry-After", List.of("12")), ""), NOW))
        .contains(Duration.ofSeconds(12));
    assertThat(Responses.retryAfter(response(503, Map.of("Retry-After", List.of("Mon, 05 Jan 2026 10:01:00 GMT")),
        ""), NOW)).contains(Duration.ofMinutes(1));
    assertThat(Responses.retryAfter(response(503, Map.of("Retry-After", List.of("Mon, 05 Jan 2026 09:00:00 GMT")),
        ""), NOW)).contains(Duration.ZERO);
    assertThat(Responses.retryAfter(response(503, Map.of("Retry-After", List.of("soon")), ""), NOW)).isEmpty();
    assertThat(Responses.retryAfter(response(503, Map.of(), ""), NOW)).isEmpty();
  }

  @Test
  void recognisesATlsAlertAboutOurCertificateAnywhereInTheCauseChain() {
    assertThat(Responses.isCertificateRefusal(
        new SSLHandshakeException("Received fatal alert: bad_certificate"))).isTrue();
    assertThat(Responses.isCertificateRefusal(new IOException("wrapped",
        new SSLException("Received fatal alert: certificate_expired")))).isTrue();
    assertThat(Responses.isCertificateRefusal(
        new SSLHandshakeException("PKIX path building failed: unable to find valid certification path"))).isFalse();
    assertThat(Responses.isCertificateRefusal(new SSLException("Received fatal alert: handshake_failure")))
        .isFalse();
    assertThat(Responses.isCertificateRefusal(new ConnectException("Connection refused"))).isFalse();
  }

  @Test
  void treatsA404AsTooLargeOnlyWhenItsBodySaysSo() {
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "Request entity too large"))).isTrue();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "{\"Error\":\"RequestEntityTooLarge\"}"))).isTrue();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "TOOLARGE"))).isTrue();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "The request is Too Large"))).isTrue();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "Not Found"))).isFalse();
    assertThat(Responses.isTooLarge404(response(413, Map.of(), "too large"))).isFalse();
  }

  @Test
  void a404IsTooLargeByTheServicesErrorCodeNotByNamesEchoedInItsMessage() {
    String undeclared = "{\"error\":{\"code\":\"InvalidStream\",\"message\":\"The stream 'Custom-LargeFiles_CL' "
        + "is not declared\"}}";
    assertThat(Responses.isTooLarge404(response(404, Map.of("x-ms-error-code", List.of("InvalidStream")), undeclared)))
        .isFalse();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), undeclared))).isFalse();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "{\"Error\":\"InvalidLogType\",\"Message\":\"Type "
        + "LargeEvents is unknown\"}"))).isFalse();
    assertThat(Responses.isTooLarge404(response(404, Map.of("x-ms-error-code",
        List.of("ContentLengthLimitExceeded")), "{}"))).isTrue();
    assertThat(Responses.isTooLarge404(response(404, Map.of(), "{\"error\":{\"code\":\"RequestTooLarge\","
        + "\"message\":\"1 MB\"}}"))).isTrue();
  }
}
