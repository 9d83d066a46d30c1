package io.loganalytics.sdk.impl.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * Writes the content of a dead-letter file: one JSON document per given-up chunk, so a person or a script can read
 * it and send the records again.
 *
 * <pre>{@code
 * {"format":1,"chunkId":"<uuid>","firstSequence":123,"givenUpAt":"2026-01-01T00:00:00Z",
 *  "records":[{"type":"MyTable","ipName":"","reason":"REJECTED","detail":"400 InvalidDataFormat","record":{...}},
 *             ...]}
 * }</pre>
 *
 * <p>{@code record} is the record's JSON object exactly as it was buffered. Internal, not API. Stateless and
 * thread-safe.
 */
public final class DeadLetterWriter {
  /** One given-up record and why. */
  public static final class Entry {
    final byte[] record;
    final String reason;
    final String detail;

    /**
     * Creates an entry.
     *
     * @param record the record in {@link RecordFormat}
     * @param reason the drop reason's name
     * @param detail the sentence explaining it
     */
    public Entry(byte[] record, String reason, String detail) {
      this.record = record;
      this.reason = reason;
      this.detail = detail;
    }
  }

  private DeadLetterWriter() {}

  /**
   * Writes a dead-letter document.
   *
   * @param os where to write; not closed
   * @param chunkId the chunk's id
   * @param firstSequence the chunk's first sequence number
   * @param givenUpAt when it was given up
   * @param entries the records
   * @throws IOException when the stream fails
   */
  public static void write(OutputStream os, String chunkId, long firstSequence, Instant givenUpAt,
      List<Entry> entries) throws IOException {
    try (JsonGenerator g = RecordEncoder.FACTORY.createGenerator(os, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeNumberField("format", 1);
      g.writeStringField("chunkId", chunkId);
      g.writeNumberField("firstSequence", firstSequence);
      g.writeStringField("givenUpAt", givenUpAt.toString());
      g.writeArrayFieldStart("records");
      for (Entry e : entries) {
        g.writeStartObject();
        g.writeStringField("type", RecordFormat.type(e.record));
        g.writeStringField("ipName", RecordFormat.ipName(e.record));
        g.writeStringField("reason", e.reason);
        g.writeStringField("detail", e.detail);
        g.writeFieldName("record");
        g.writeRawValue(RecordFormat.json(e.record));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }
}
