package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.PayloadWriter;
import io.loganalytics.sdk.impl.json.RecordFormat;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The legacy agent's upload path (PROTOCOL §B5a): {@code PostJsonDataItems} on the ODS host over mutual TLS with the
 * agent certificate; one {@code DataType}/{@code IPName} per request, in the envelope
 * {@code {"DataType":..,"IPName":..,"DataItems":[..]}}, zlib-deflated.
 *
 * <p><b>Headers:</b> {@code Content-Type: application/json} (the request's content type),
 * {@code Content-Encoding: deflate}, {@code X-Request-ID} (the chunk's id), {@code User-Agent:
 * LinuxMonitoringAgent/<version>}, {@code x-ms-app: LinuxMonitoringAgent}, {@code x-ms-client-version},
 * {@code x-ms-client-platform} ({@code Linux} on Linux, else the OS name), {@code x-ms-client-request-retry-count},
 * and {@code x-ms-AzureResourceId} when configured. No {@code Authorization}: the certificate authenticates.
 *
 * <p>The executor and the URL come from the {@link AgentSession} at every request, so a renewed certificate is used
 * from the next request on. A 401/403 is reported to the session, which may renew.
 *
 * <p>Internal, not API. Thread-safe for the configuration methods; {@link #prepare}/{@link #send} by one thread at a
 * time.
 */
public final class OdsTransport implements UploadTransport {
  private static final String PLATFORM = platform();
  private static final String USER_AGENT = "LinuxMonitoringAgent/" + SdkVersion.VERSION;

  private final AgentSession session;
  private final ClockSkew clockSkew;
  private final String ipName;
  private final String azureResourceId;
  private final PayloadWriter writer = new PayloadWriter();

  /**
   * Creates the transport.
   *
   * @param session the agent identity: executor with the current certificate, and the upload URL
   * @param clockSkew the skew tracker (fed from answers, reported in authentication failures)
   * @param ipName the IPName of new records
   * @param azureResourceId the {@code x-ms-AzureResourceId} value, or {@code null}
   */
  public OdsTransport(AgentSession session, ClockSkew clockSkew, String ipName, String azureResourceId) {
    this.session = Objects.requireNonNull(session, "session");
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    this.ipName = Objects.requireNonNull(ipName, "ipName");
    this.azureResourceId = azureResourceId;
  }

  /**
   * The production wiring: IPName, resource id and clock from the builder.
   *
   * @param config the client's settings
   * @param session the running agent session
   * @return the transport
   */
  public static OdsTransport create(LogAnalyticsClientBuilder config, AgentSession session) {
    return new OdsTransport(session, new ClockSkew(config.clock()), config.ipName(),
        config.azureResourceId().orElse(null));
  }

  @Override
  public void validateType(String type) {
    TypeNames.check(TypeNames.DATA_TYPE, "DataType", type);
  }

  @Override
  public String ipName() {
    return ipName;
  }

  @Override
  public JsonLimits limits(int maxRequestBytes) {
    String longestType = "T".repeat(RecordFormat.MAX_NAME_BYTES);
    return JsonLimits.sizeOnly(maxRequestBytes - PayloadWriter.odsEnvelopeBytes(longestType, ipName));
  }

  @Override
  public int envelopeBytes(String type, String ipName) {
    return PayloadWriter.odsEnvelopeBytes(type, ipName);
  }

  @Override
  public PreparedBody prepare(String type, String ipName, List<byte[]> records) {
    return new PreparedBody(type, ipName, records.size(),
        PayloadWriter.itemBytes(records) + PayloadWriter.odsEnvelopeBytes(type, ipName),
        writer.writeOdsDeflated(type, ipName, records));
  }

  @Override
  public HttpResponse send(PreparedBody body, String requestId, int retryCount) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Encoding", "deflate");
    headers.put("X-Request-ID", requestId);
    headers.put("User-Agent", USER_AGENT);
    headers.put("x-ms-app", "LinuxMonitoringAgent");
    headers.put("x-ms-client-version", SdkVersion.VERSION);
    headers.put("x-ms-client-platform", PLATFORM);
    headers.put("x-ms-client-request-retry-count", Integer.toString(retryCount));
    if (azureResourceId != null) {
      headers.put("x-ms-AzureResourceId", azureResourceId);
    }
    return session.executor().execute(HttpRequest.post(session.uploadUri(), "application/json", body.bytes(),
        headers));
  }

  @Override
  public String onAuthenticationFailure(int status) {
    session.onAuthenticationFailure(status);
    return "the agent session was told and renews the certificate when it can (it expires "
        + session.certificateExpiry() + ")";
  }

  @Override
  public ClockSkew clockSkew() {
    return clockSkew;
  }

  @Override
  public Optional<Instant> certificateExpiry() {
    return Optional.ofNullable(session.certificateExpiry());
  }

  private static String platform() {
    String os = System.getProperty("os.name", "Linux");
    return os.toLowerCase(Locale.ROOT).contains("linux") ? "Linux" : os;
  }

  /** Ends the payload writer's deflater (native memory). */
  @Override
  public void close() {
    writer.close();
  }

  @Override
  public String toString() {
    return "OdsTransport{" + session.uploadUri() + ", IPName=" + ipName + "}";
  }
}
