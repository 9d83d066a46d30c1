package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.identity.TokenCache;
import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.PayloadWriter;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Azure Monitor Logs Ingestion API (LOGS-INGESTION §1): a gzip-compressed JSON array of the records of one stream
 * per {@code POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01}, authorised with a
 * Microsoft Entra ID bearer token.
 *
 * <p><b>Record types</b> are stream names: {@code Custom-<name>} or {@code Microsoft-<table>} go to the client's DCR;
 * {@code dcr-<32 hex>/Custom-<name>} goes to another DCR on the same endpoint. The type is kept whole in the buffered
 * record, so the uploader's grouping by type already gives one stream of one DCR per request.
 *
 * <p><b>Headers:</b> {@code Authorization: Bearer <token>} read from the {@link TokenCache} for every request (a
 * refreshed token is used at once), {@code Content-Encoding: gzip}, {@code x-ms-client-request-id} the chunk's id (a
 * GUID, the same across retries and splits, and written by the service to {@code DCRLogErrors.ClientRequestId}),
 * {@code User-Agent}. {@code Content-Type: application/json} comes from the request's content type.
 *
 * <p><b>Limits checked before a record is buffered:</b> the stream grammar, and no field value over 64 KB: the
 * service would cut a longer value (LIM), so such a record is refused with a
 * {@link io.loganalytics.sdk.RecordTooLargeException} naming the field, as on the Data Collector path. Column names
 * are not checked: a DCR's transformation may rename input columns. Requests hold at most
 * {@link LogAnalyticsClientBuilder#LOGS_INGESTION_MAX_REQUEST_BYTES} of JSON before compression (the builder refuses
 * more), and a single larger record is refused at {@code send}.
 *
 * <p>Internal, not API. Thread-safe for the configuration methods; {@link #prepare}/{@link #send} by one thread at a
 * time. {@link #toString()} shows the endpoint and DCR, never a token.
 */
public final class LogsIngestionTransport implements UploadTransport {
  /** The API version sent. */
  public static final String API_VERSION = "2023-01-01";
  /** A field value longer than this is cut by the service (LIM: 64 KB); we refuse it instead. */
  public static final int MAX_FIELD_VALUE_BYTES = 64 * 1024;

  private static final String USER_AGENT = "loganalytics-java-sdk/" + SdkVersion.VERSION;
  private static final Pattern ANY_NAME = Pattern.compile("(?s).+");

  private final HttpExecutor executor;
  private final URI endpoint;
  private final String dcr;
  private final TokenCache tokens;
  private final ClockSkew clockSkew;
  private final PayloadWriter writer = new PayloadWriter();

  /**
   * Creates the transport.
   *
   * @param executor sends the requests
   * @param endpoint the data collection endpoint or the DCR's logs-ingestion endpoint, without a trailing slash
   * @param dcr the default DCR's immutable id
   * @param tokens the token cache
   * @param clockSkew the skew tracker (only observed on this path: bearer tokens are not dated by us)
   */
  public LogsIngestionTransport(HttpExecutor executor, URI endpoint, String dcr, TokenCache tokens,
      ClockSkew clockSkew) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.dcr = LogAnalyticsClientBuilder.validateDcrId("dataCollectionRuleId", dcr);
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
  }

  /**
   * The production wiring from the builder's endpoint and DCR.
   *
   * @param config the client's settings (endpoint and DCR required)
   * @param executor the HTTPS executor
   * @param tokens the token cache
   * @return the transport
   */
  public static LogsIngestionTransport create(LogAnalyticsClientBuilder config, HttpExecutor executor,
      TokenCache tokens) {
    URI endpoint = config.logsIngestionEndpoint().orElseThrow(() -> new ConfigurationException(
        "logsIngestionEndpoint", "is required for the Logs Ingestion transport"));
    String dcr = config.dataCollectionRuleId().orElseThrow(() -> new ConfigurationException(
        "dataCollectionRuleId", "is required for the Logs Ingestion transport"));
    return new LogsIngestionTransport(executor, endpoint, dcr, tokens, new ClockSkew(config.clock()));
  }

  @Override
  public void validateType(String type) {
    TypeNames.checkStream(type);
  }

  @Override
  public String ipName() {
    return "";
  }

  @Override
  public JsonLimits limits(int maxRequestBytes) {
    return JsonLimits.withColumnRules(maxRequestBytes - PayloadWriter.dataCollectorEnvelopeBytes(),
        MAX_FIELD_VALUE_BYTES, Integer.MAX_VALUE, Integer.MAX_VALUE, ANY_NAME, Set.of());
  }

  @Override
  public int envelopeBytes(String type, String ipName) {
    return PayloadWriter.dataCollectorEnvelopeBytes();
  }

  @Override
  public PreparedBody prepare(String type, String ipName, List<byte[]> records) {
    return new PreparedBody(type, ipName, records.size(),
        PayloadWriter.itemBytes(records) + PayloadWriter.dataCollectorEnvelopeBytes(),
        writer.writeJsonArrayGzipped(records));
  }

  /**
   * The URL a record type is sent to.
   *
   * @param type the type: a stream, optionally after {@code dcr-<id>/}
   * @return {@code {endpoint}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01}
   */
  public URI uri(String type) {
    return URI.create(endpoint + "/dataCollectionRules/" + dcrOf(type) + "/streams/" + streamOf(type)
        + "?api-version=" + API_VERSION);
  }

  /**
   * The DCR a record type goes to.
   *
   * @param type the record type
   * @return the DCR's immutable id, lowercase
   */
  public String dcrOf(String type) {
    Matcher m = TypeNames.STREAM.matcher(type);
    return m.matches() && m.group(1) != null ? m.group(1).toLowerCase(java.util.Locale.ROOT) : dcr;
  }

  /**
   * The stream of a record type.
   *
   * @param type the record type
   * @return the stream name
   */
  public static String streamOf(String type) {
    Matcher m = TypeNames.STREAM.matcher(type);
    return m.matches() ? m.group(2) : type;
  }

  @Override
  public HttpResponse send(PreparedBody body, String requestId, int retryCount) throws IOException {
    String token;
    try {
      token = tokens.get().token();
    } catch (LogAnalyticsException e) {
      throw new CredentialUnavailableException(e);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", "Bearer " + token);
    headers.put("Content-Encoding", "gzip");
    headers.put("x-ms-client-request-id", requestId);
    headers.put("User-Agent", USER_AGENT);
    return executor.execute(HttpRequest.post(uri(body.type()), "application/json", body.bytes(), headers));
  }

  @Override
  public String onAuthenticationFailure(int status) {
    if (status == 401) {
      tokens.invalidate();
      return "the access token was dropped and a new one is requested for the next try";
    }
    return "the token is kept (a new one would carry the same roles); the next try waits as the retry policy says";
  }

  @Override
  public String authenticationAdvice(int status, String reason, PreparedBody body) {
    String target = body == null ? "DCR " + dcr : "DCR " + dcrOf(body.type()) + ", stream " + streamOf(body.type());
    if (status == 403) {
      return "The identity has no right to ingest through " + target + ": assign it the role 'Monitoring Metrics "
          + "Publisher' on the data collection rule; a new role assignment can take up to 30 minutes to apply";
    }
    if (status == 401) {
      return "The Logs Ingestion endpoint refused the access token for " + target + ": check that the token is "
          + "for the ingestion audience of the endpoint's cloud (" + tokens.scope() + ") and the system clock";
    }
    if (status == 0) {
      return "No access token could be had from Microsoft Entra ID for " + target + ": check the credential "
          + "(tenant, client id, secret or certificate) and the authority host";
    }
    return null;
  }

  @Override
  public String notFoundAdvice(PreparedBody body) {
    return "the Logs Ingestion endpoint " + endpoint + " does not know DCR " + dcrOf(body.type()) + " or its stream "
        + streamOf(body.type()) + ": check the DCR's immutable id, that the stream is declared in its "
        + "streamDeclarations, and that the endpoint is the DCR's (or a DCE associated with it)";
  }

  @Override
  public ClockSkew clockSkew() {
    return clockSkew;
  }

  @Override
  public Optional<Instant> certificateExpiry() {
    return Optional.empty();
  }

  @Override
  public Optional<Instant> credentialExpiry() {
    return tokens.expiry();
  }

  /** Ends the payload writer's deflaters (native memory). */
  @Override
  public void close() {
    writer.close();
  }

  @Override
  public String toString() {
    return "LogsIngestionTransport{" + endpoint + ", " + dcr + "}";
  }
}
