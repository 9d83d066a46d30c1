package io.loganalytics.sdk.impl.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.impl.testsupport.TestData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadWriterTest {
  private final RecordEncoder encoder = new RecordEncoder(JsonLimits.sizeOnly(1_000_000));

  @Test
  void writesTheAgentEnvelopeDeflated() {
    List<byte[]> records = List.of(
        encoder.encode("LINUX_SYSLOGS_BLOB", "LogManagement", Map.of("Message", "one")),
        encoder.encodeJson("LINUX_SYSLOGS_BLOB", "LogManagement", "{\"Message\" : \"two\"}"));
    try (PayloadWriter w = new PayloadWriter()) {
      byte[] body = w.writeOdsDeflated("LINUX_SYSLOGS_BLOB", "LogManagement", records);

      String json = TestData.inflate(body);
      assertThat(json).isEqualTo("{\"DataType\":\"LINUX_SYSLOGS_BLOB\",\"IPName\":\"LogManagement\","
          + "\"DataItems\":[{\"Message\":\"one\"},{\"Message\" : \"two\"}]}");
      assertThat(json.length()).isEqualTo(PayloadWriter.itemBytes(records)
          + PayloadWriter.odsEnvelopeBytes("LINUX_SYSLOGS_BLOB", "LogManagement"));
    }
  }

  @Test
  void writesTheLogsIngestionArrayGzippedForEverySize() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    try (PayloadWriter w = new PayloadWriter()) {
      // Empty, one record, records across the 64 KB staging buffer, and a record larger than it; twice, so that a
      // writer reused after a large body is checked too.
      for (int round = 0; round < 2; round++) {
        for (int count : new int[] {0, 1, 2, 250, 3000}) {
          List<byte[]> records = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            String message = "é€𝄞 " + i + " " + "x".repeat(random.nextInt(400));
            records.add(encoder.encode("Custom-T_CL", "", Map.of("n", i, "Message", message)));
          }
          if (count == 2) {
            records.add(encoder.encode("Custom-T_CL", "", Map.of("big", "y".repeat(200_000))));
          }
          byte[] gz = w.writeJsonArrayGzipped(records);

          assertThat(gz[0] & 0xff).isEqualTo(0x1f);
          assertThat(gz[1] & 0xff).isEqualTo(0x8b);
          byte[] json;
          // GZIPInputStream checks the CRC-32 and the length in the trailer.
          try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
              new java.io.ByteArrayInputStream(gz))) {
            json = in.readAllBytes();
          }
          assertThat(json).as("%d records", records.size()).isEqualTo(w.writeDataCollector(records));
          assertThat(json.length).isEqualTo(PayloadWriter.itemBytes(records)
              + PayloadWriter.dataCollectorEnvelopeBytes());
        }
      }
    }
  }

  @Test
  void writesTheDataCollectorArray() {
    List<byte[]> records = List.of(encoder.encode("T", "", Map.of("a", 1)), encoder.encode("T", "", Map.of("b", 2)));
    try (PayloadWriter w = new PayloadWriter()) {
      String json = new String(w.writeDataCollector(records), StandardCharsets.UTF_8);

      assertThat(json).isEqualTo("[{\"a\":1},{\"b\":2}]");
      assertThat(json.length()).isEqualTo(PayloadWriter.itemBytes(records)
          + PayloadWriter.dataCollectorEnvelopeBytes());
    }
  }

  @Test
  void reusedWriterHandlesRecordsLargerThanJacksonsBufferAndRepeatedBodies() {
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(encoder.encode("T", "I", Map.of("m", "x".repeat(i * 997))));
    }
    try (PayloadWriter w = new PayloadWriter()) {
      for (int round = 0; round < 3; round++) {
        String json = TestData.inflate(w.writeOdsDeflated("T", "I", records));
        assertThat(json).hasSize((int) (PayloadWriter.itemBytes(records) + PayloadWriter.odsEnvelopeBytes("T", "I")));
        assertThat(json).endsWith("\"}]}").contains("\"m\":\"" + "x".repeat(49 * 997) + "\"");
      }
    }
  }
}
