package io.loganalytics.testkit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One record the emulator accepted and stored.
 *
 * <p>The field values are what the JSON parser produced: {@code String}, {@code Boolean}, {@code Long} (or
 * {@code java.math.BigInteger} beyond its range), {@code Double} (or {@code java.math.BigDecimal} beyond its
 * range), {@code null}, and for nested values unmodifiable {@code List}s and {@code Map}s.
 *
 * @param type the {@code DataType} of the envelope on the agent path, or the {@code Log-Type} header on the Data
 *     Collector path (as sent, without the {@code _CL} suffix the service adds)
 * @param ipName the {@code IPName} of the envelope on the agent path; {@code null} on the Data Collector path
 * @param transport {@link #ODS} or {@link #DATA_COLLECTOR}
 * @param fields the record's fields in the order they were sent, unmodifiable
 * @param requestId the {@code X-Request-ID} header of the request that carried it, or {@code null}
 * @param receivedAt when it was accepted, by the emulator clock (clock skew included)
 * @param agentId the GUID of the agent whose certificate authenticated the upload; {@code null} on the Data
 *     Collector path
 */
public record ReceivedRecord(
    String type,
    String ipName,
    String transport,
    Map<String, Object> fields,
    String requestId,
    Instant receivedAt,
    String agentId) {
  /** The transport name of the agent path, {@code PostJsonDataItems}. */
  public static final String ODS = "ods";

  /**
   * The transport name of the Logs Ingestion API; such a record's {@code type} is the stream, its {@code ipName}
   * the DCR's immutable id and its {@code agentId} the client id of the token's principal.
   */
  public static final String LOGS_INGESTION = "li";

  /** The transport name of the Data Collector API, {@code /api/logs}. */
  public static final String DATA_COLLECTOR = "dc";

  /** Checks the required components. */
  public ReceivedRecord {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(fields, "fields");
    Objects.requireNonNull(receivedAt, "receivedAt");
  }

  /**
   * One field's value.
   *
   * @param name the field name
   * @return its value, or {@code null} when absent or JSON null
   */
  public Object field(String name) {
    return fields.get(name);
  }
}
