package io.loganalytics.sdk.impl.transport;

import io.loganalytics.sdk.impl.auth.ClockSkew;
import io.loganalytics.sdk.impl.http.HttpResponse;
import io.loganalytics.sdk.impl.json.JsonLimits;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One way of delivering records to the workspace: it knows the type grammar and the record limits of its API, builds
 * request bodies, and sends them with the right headers. The uploader decides when and what to send; the transport
 * decides how. Implementations: {@link OdsTransport} (agent certificate) and {@link DataCollectorTransport}
 * (shared key).
 *
 * <p>Internal, not API. <b>Threading:</b> {@link #validateType}, {@link #ipName}, {@link #limits},
 * {@link #certificateExpiry} and {@link #clockSkew} are thread-safe; {@link #prepare} and {@link #send} are called
 * by one uploading thread at a time.
 */
public interface UploadTransport {
  /**
   * Checks a record type for this API.
   *
   * @param type the type given to {@code send}
   * @throws io.loganalytics.sdk.InvalidRecordException naming {@code type} when it breaks the grammar
   */
  void validateType(String type);

  /** @return the IPName new records carry, empty when the API has none */
  String ipName();

  /**
   * The limits a record must respect to fit in a request of at most {@code maxRequestBytes} of JSON.
   *
   * @param maxRequestBytes the request size limit, JSON before compression
   * @return the limits
   */
  JsonLimits limits(int maxRequestBytes);

  /**
   * The JSON bytes a request adds around its records.
   *
   * @param type the records' type
   * @param ipName the records' IPName
   * @return the envelope size, not counting the commas between records
   */
  int envelopeBytes(String type, String ipName);

  /**
   * Builds the body of one request.
   *
   * @param type the type every record has
   * @param ipName the IPName every record has
   * @param records the records in {@link io.loganalytics.sdk.impl.json.RecordFormat}
   * @return the body
   */
  PreparedBody prepare(String type, String ipName, List<byte[]> records);

  /**
   * Sends one request: the body with fresh headers (a new date and signature on the Data Collector path).
   *
   * @param body the body
   * @param requestId the chunk's id, sent as {@code X-Request-ID}
   * @param retryCount how many times this body was tried before
   * @return the answer, whatever its status
   * @throws IOException when no answer came
   */
  HttpResponse send(PreparedBody body, String requestId, int retryCount) throws IOException;

  /**
   * The service refused our credentials (401 or 403): switch keys, or tell the agent session.
   *
   * @param status the status
   * @return a sentence saying what was done, for the event and the log
   */
  String onAuthenticationFailure(int status);

  /** @return the clock-skew tracker whose corrected clock signs requests */
  ClockSkew clockSkew();

  /** @return when the agent certificate expires, empty on the Data Collector path */
  Optional<Instant> certificateExpiry();

  /** @return when the current access token expires (Logs Ingestion), empty on the other paths */
  default Optional<Instant> credentialExpiry() {
    return Optional.empty();
  }

  /**
   * What to fix after the service refused our credentials, when this transport knows better than the generic advice
   * about workspace keys.
   *
   * @param status 401 or 403, or 0 when no token could be had
   * @param reason the service's reason, or {@code null}
   * @param body the request refused, or {@code null}
   * @return one or two sentences, or {@code null} for the generic advice
   */
  default String authenticationAdvice(int status, String reason, PreparedBody body) {
    return null;
  }

  /**
   * What a 404 (not about size) means for this transport.
   *
   * @param body the request refused
   * @return a sentence naming what to check, or {@code null} for the generic one (the workspace ID and the cloud)
   */
  default String notFoundAdvice(PreparedBody body) {
    return null;
  }

  /**
   * Frees what the transport holds (the payload writer's native deflater). Called once by the client when it
   * closes, after the last request; nothing is sent afterwards. Idempotent; by default nothing to free.
   */
  default void close() {}
}
