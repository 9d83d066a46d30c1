package io.loganalytics.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a collector embeds: it takes records, keeps them in a crash-safe disk buffer, and delivers them to a Log
 * Analytics workspace in the background, with retries, over the {@link Transport} chosen.
 *
 * <pre>{@code
 * try (LogAnalyticsClient client = LogAnalyticsClient.builder()
 *     .credentials(WorkspaceCredentials.of(workspaceId, sharedKey))
 *     .transport(Transport.DATA_COLLECTOR)
 *     .bufferDirectory(Path.of("/var/lib/mycollector/buffer"))
 *     .build()) {
 *   client.send("MyAppEvents", Map.of("level", "info", "message", "started"));
 * }
 * }</pre>
 *
 * <p><b>Delivery.</b> {@link #send} returns once the record is in the buffer under its {@link Durability}. One
 * background thread, named {@code loganalytics-uploader}, uploads every {@link RetryPolicy#uploadInterval()} or as
 * soon as a full request is waiting. Records are delivered at least once; a record that is given up or evicted is
 * counted in {@link #stats()} and reported to the listener, never dropped silently.
 *
 * <p><b>Threading.</b> Thread-safe: any number of threads may call {@link #send} at once. {@link #flush} and
 * {@link #close} may be called from any thread.
 */
public interface LogAnalyticsClient extends AutoCloseable {
  /**
   * A builder with every default; see {@link LogAnalyticsClientBuilder}.
   *
   * @return a new builder
   */
  static LogAnalyticsClientBuilder builder() {
    return new LogAnalyticsClientBuilder();
  }

  /**
   * Buffers one record. Values may be strings, numbers, booleans, {@code null}, {@link java.time.temporal.Temporal}
   * values (written in ISO-8601), or nested maps and lists (written as JSON).
   *
   * @param type the record type: the {@code DataType} on the agent path (sent with the builder's default
   *     {@code IPName}), the {@code Log-Type} on the Data Collector path
   * @param record the record's fields
   * @throws InvalidRecordException when the record is malformed (a field name breaks the service's rules or is
   *     reserved, a value's type cannot be written as JSON, values nest too deeply, too many fields), naming the
   *     field; or naming {@code type} when the type is not a valid type name
   * @throws RecordTooLargeException when the record can never be sent
   * @throws BufferFullException when the buffer is full and its policy refuses the record
   * @throws BufferException on a disk failure
   * @throws ClientClosedException after {@link #close}
   */
  void send(String type, Map<String, ?> record);

  /**
   * Buffers one record given as a JSON object, validated but not re-encoded.
   *
   * @param type the record type, as for {@link #send(String, Map)}
   * @param jsonObject one JSON object, such as {@code {"level":"info","message":"started"}}
   * @throws InvalidRecordException naming {@code record} when it is not exactly one JSON object or has too many
   *     fields, naming the field when its name breaks the service's rules or is reserved, or naming {@code type}
   *     when the type is not a valid type name
   * @throws RecordTooLargeException when the record can never be sent
   * @throws BufferFullException when the buffer is full and its policy refuses the record
   * @throws BufferException on a disk failure
   * @throws ClientClosedException after {@link #close}
   */
  void sendJson(String type, String jsonObject);

  /**
   * Buffers several records of one type in one step: with {@link Durability#SYNC} they share one force to disk, so
   * a thread that has many records at hand pays for one fsync instead of one per record. Each record is as for
   * {@link #send(String, Map)}. The records are buffered in list order; if the call throws, a prefix of the list may
   * have been buffered, never a record out of order. The default implementation calls {@link #send} for each
   * record.
   *
   * @param type the record type, as for {@link #send(String, Map)}
   * @param records the records, each as for {@link #send(String, Map)}
   * @throws InvalidRecordException when a record is malformed, as for {@link #send(String, Map)}, or naming
   *     {@code type} when the type is not a valid type name
   * @throws RecordTooLargeException when a record can never be sent
   * @throws BufferFullException when the buffer is full and its policy refuses the records
   * @throws BufferException on a disk failure
   * @throws ClientClosedException after {@link #close}
   */
  default void sendAll(String type, List<? extends Map<String, ?>> records) {
    for (Map<String, ?> r : records) {
      send(type, r);
    }
  }

  /**
   * Uploads what the buffer holds now, and waits until it is delivered or given up, or until the timeout.
   *
   * @param timeout how long to wait at most
   * @return {@code true} when every record buffered before the call was delivered or given up in time;
   *     {@code false} when some are still in the buffer (they will be sent later)
   */
  boolean flush(Duration timeout);

  /**
   * Stops accepting records, pushes what it can before the timeout, and stops the uploader, ending any backoff wait
   * at once. What is not delivered stays on disk and is sent by the next client that opens the same buffer.
   * A request still in flight when the timeout passes is cancelled; its records stay in the buffer and may be sent
   * again (delivery is at least once), and the buffer is closed shortly after the timeout, so another client in this
   * JVM can open it. Idempotent.
   *
   * @param timeout how long to push at most
   * @return {@code true} when the buffer was empty at the end
   */
  boolean close(Duration timeout);

  /** Closes with a timeout of 10 s; see {@link #close(Duration)}. */
  @Override
  default void close() {
    close(Duration.ofSeconds(10));
  }

  /**
   * A snapshot of the counters.
   *
   * @return the counters now
   */
  ClientStats stats();
}
