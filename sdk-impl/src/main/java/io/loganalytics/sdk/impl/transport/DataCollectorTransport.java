package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.WorkspaceCredentials.KeySlot;
import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.auth.SharedKeySigner;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpRequest;
import io.loganalytics.sdk.impl.http.HttpResponse;
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
import java.util.regex.Pattern;

/**
 * The public HTTP Data Collector API (PROTOCOL §B5d): a JSON array of records of one {@code Log-Type} per POST,
 * signed with the workspace's shared key over the exact bytes sent.
 *
 * <p><b>Headers:</b> {@code Log-Type}, {@code x-ms-date} (RFC 1123, from the {@linkplain ClockSkew skew-corrected}
 * clock, fresh on every try), {@code Authorization: SharedKey <workspace>:<signature>}, {@code X-Request-ID} (the
 * chunk's id), {@code User-Agent}, and when configured {@code time-generated-field} and {@code x-ms-AzureResourceId}.
 * {@code Content-Type: application/json} comes from the request's content type.
 *
 * <p><b>Limits checked before a record is buffered</b> (§B5d): the Log-Type grammar; field names of letters, digits
 * and {@code _}, at most 45 characters, not {@code tenant}, {@code TimeGenerated} or {@code RawData}; at most 500
 * fields; and no field value over 32 KB. The service would silently cut a longer value, so such a record is
 * <em>refused</em> with a {@link io.loganalytics.sdk.RecordTooLargeException} naming the field, rather than stored
 * in a cut form the caller never sees.
 *
 * <p><b>Keys:</b> signed with the primary key; after a 401/403 the next try uses the secondary key when there is one,
 * and after another refusal the primary again. Rotating the credentials starts over with the primary key.
 *
 * <p>Internal, not API. Thread-safe for the configuration methods; {@link #prepare}/{@link #send} by one thread at a
 * time (the {@link PayloadWriter} is reused).
 */
public final class DataCollectorTransport implements UploadTransport {
  /** A field value longer than this is cut by the service (§B5d); we refuse it instead. */
  public static final int MAX_FIELD_VALUE_BYTES = 32 * 1024;
  /** Column names are at most 45 characters. */
  public static final int MAX_FIELD_NAME_LENGTH = 45;
  /** A table has at most 500 columns. */
  public static final int MAX_FIELDS = 500;
  /** Names the service keeps for itself. */
  public static final Set<String> RESERVED_FIELDS = Set.of("tenant", "TimeGenerated", "RawData");

  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_]+");
  private static final String USER_AGENT = "loganalytics-java-sdk/" + SdkVersion.VERSION;

  private final HttpExecutor executor;
  private final URI endpoint;
  private final WorkspaceCredentials credentials;
  private final ClockSkew clockSkew;
  private final String azureResourceId;
  private final String timeGeneratedField;
  private final PayloadWriter writer = new PayloadWriter();
  private final Object keyLock = new Object();
  private KeySlot slot = KeySlot.PRIMARY;
  private long keyGeneration;

  /**
   * Creates the transport.
   *
   * @param executor sends the requests
   * @param endpoint the API's URL, {@code https://<ws>.ods.<domain>/api/logs?api-version=2016-04-01} in production
   * @param credentials the workspace and its keys
   * @param clockSkew the skew tracker whose corrected clock dates the signatures
   * @param azureResourceId the {@code x-ms-AzureResourceId} value, or {@code null}
   * @param timeGeneratedField the {@code time-generated-field} value, or {@code null}
   */
  public DataCollectorTransport(HttpExecutor executor, URI endpoint, WorkspaceCredentials credentials,
      ClockSkew clockSkew, String azureResourceId, String timeGeneratedField) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    this.azureResourceId = azureResourceId;
    this.timeGeneratedField = timeGeneratedField;
    this.keyGeneration = credentials.generation();
  }

  /**
   * The production wiring: the endpoint from the builder's cloud and workspace, its clock, resource id and
   * time-generated field.
   *
   * @param config the client's settings (credentials required)
   * @param executor the HTTPS executor (TLS, proxy)
   * @return the transport
   */
  public static DataCollectorTransport create(LogAnalyticsClientBuilder config, HttpExecutor executor) {
    WorkspaceCredentials credentials = config.credentials().orElseThrow(() ->
        new ConfigurationException("credentials", "are required for the Data Collector "
            + "transport"));
    return new DataCollectorTransport(executor, config.cloud().dataCollectorUri(credentials.workspaceId()),
        credentials, new ClockSkew(config.clock()), config.azureResourceId().orElse(null),
        config.timeGeneratedField().orElse(null));
  }

  @Override
  public void validateType(String type) {
    TypeNames.check(TypeNames.LOG_TYPE, "Log-Type", type);
  }

  @Override
  public String ipName() {
    return "";
  }

  @Override
  public JsonLimits limits(int maxRequestBytes) {
    return JsonLimits.withColumnRules(maxRequestBytes - PayloadWriter.dataCollectorEnvelopeBytes(),
        MAX_FIELD_VALUE_BYTES, MAX_FIELD_NAME_LENGTH, MAX_FIELDS, FIELD_NAME, RESERVED_FIELDS);
  }

  @Override
  public int envelopeBytes(String type, String ipName) {
    return PayloadWriter.dataCollectorEnvelopeBytes();
  }

  @Override
  public PreparedBody prepare(String type, String ipName, List<byte[]> records) {
    return new PreparedBody(type, ipName, records.size(),
        PayloadWriter.itemBytes(records) + PayloadWriter.dataCollectorEnvelopeBytes(),
        writer.writeDataCollector(records));
  }

  @Override
  public HttpResponse send(PreparedBody body, String requestId, int retryCount) throws IOException {
    String date = SharedKeySigner.rfc1123Date(clockSkew.correctedClock().instant());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Log-Type", body.type());
    headers.put("x-ms-date", date);
    headers.put("Authorization", authorization(currentSlot(), body.bytes().length, date));
    headers.put("X-Request-ID", requestId);
    headers.put("User-Agent", USER_AGENT);
    if (timeGeneratedField != null) {
      headers.put("time-generated-field", timeGeneratedField);
    }
    if (azureResourceId != null) {
      headers.put("x-ms-AzureResourceId", azureResourceId);
    }
    return executor.execute(HttpRequest.post(endpoint, "application/json", body.bytes(), headers));
  }

  /**
   * Signs with the chosen key; when the credentials were rotated to "no secondary key" between choosing the
   * secondary slot and signing, signs with the primary key instead of failing the request.
   */
  String authorization(KeySlot chosen, long contentLength, String date) {
    if (chosen == KeySlot.SECONDARY) {
      try {
        return SharedKeySigner.dataCollectorAuthorization(credentials, KeySlot.SECONDARY, contentLength, date);
      } catch (ConfigurationException e) {
        // Rotated away concurrently: the next currentSlot() sees the new generation and starts over with PRIMARY.
      }
    }
    return SharedKeySigner.dataCollectorAuthorization(credentials, KeySlot.PRIMARY, contentLength, date);
  }

  private KeySlot currentSlot() {
    synchronized (keyLock) {
      long generation = credentials.generation();
      if (generation != keyGeneration || (slot == KeySlot.SECONDARY && !credentials.hasSecondaryKey())) {
        keyGeneration = generation;
        slot = KeySlot.PRIMARY;
      }
      return slot;
    }
  }

  @Override
  public String onAuthenticationFailure(int status) {
    synchronized (keyLock) {
      currentSlot();
      if (slot == KeySlot.PRIMARY && credentials.hasSecondaryKey()) {
        slot = KeySlot.SECONDARY;
        return "the next try is signed with the secondary key";
      }
      if (slot == KeySlot.SECONDARY) {
        slot = KeySlot.PRIMARY;
        return "the secondary key was refused too; the next try uses the primary key again";
      }
      return "no secondary key is configured; rotate the credentials if the workspace keys were regenerated";
    }
  }

  /** @return the key the next request is signed with (for tests and diagnostics) */
  KeySlot nextKeySlot() {
    return currentSlot();
  }

  @Override
  public ClockSkew clockSkew() {
    return clockSkew;
  }

  @Override
  public Optional<Instant> certificateExpiry() {
    return Optional.empty();
  }

  /** Ends the payload writer's deflater (native memory). */
  @Override
  public void close() {
    writer.close();
  }

  @Override
  public String toString() {
    return "DataCollectorTransport{" + endpoint + "}";
  }
}
