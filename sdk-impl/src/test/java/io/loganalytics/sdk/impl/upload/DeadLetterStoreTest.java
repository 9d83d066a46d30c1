package io.loganalytics.sdk.impl.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.impl.json.DeadLetterWriter;
import io.loganalytics.sdk.impl.json.JsonLimits;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterStoreTest {
  @Test
  void aSecondGiveUpOfTheSameChunkGetsItsOwnFileAndNoTemporaryFileRemains(@TempDir Path dir) throws Exception {
    DeadLetterStore store = new DeadLetterStore(dir.resolve("dead"));
    byte[] record = new RecordEncoder(JsonLimits.sizeOnly(1000)).encode("T", "", Map.of("a", "b\"c"));
    List<DeadLetterWriter.Entry> entries = List.of(new DeadLetterWriter.Entry(record, "REJECTED", "why \"quoted\""));

    Path first = store.write("id-1", 5, Instant.EPOCH, entries);
    Path second = store.write("id-1", 5, Instant.EPOCH, entries);

    assertThat(first.getFileName().toString()).isEqualTo("chunk-00000000000000000005-id-1.json");
    assertThat(second.getFileName().toString()).isEqualTo("chunk-00000000000000000005-id-1-2.json");
    List<String> names;
    try (Stream<Path> s = Files.list(dir.resolve("dead"))) {
      names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertThat(names).containsExactlyInAnyOrder(first.getFileName().toString(), second.getFileName().toString());
    assertThat(Files.readString(first)).isEqualTo("{\"format\":1,\"chunkId\":\"id-1\",\"firstSequence\":5,"
        + "\"givenUpAt\":\"1970-01-01T00:00:00Z\",\"records\":[{\"type\":\"T\",\"ipName\":\"\",\"reason\":\"REJECTED\","
        + "\"detail\":\"why \\\"quoted\\\"\",\"record\":{\"a\":\"b\\\"c\"}}]}");
  }

  @Test
  void deadLetterFilesAreReadableByTheirOwnerOnly(@TempDir Path dir) throws Exception {
    DeadLetterStore store = new DeadLetterStore(dir.resolve("dead"));
    byte[] record = new RecordEncoder(JsonLimits.sizeOnly(1000)).encode("T", "", Map.of("secret", "log data"));
    Path leftover = dir.resolve("dead/.chunk-00000000000000000001-id-2.json.tmp");
    Files.createDirectories(leftover.getParent());
    Files.writeString(leftover, "partial");
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-rw-rw-"));

    Path first = store.write("id-1", 1, Instant.EPOCH, List.of(new DeadLetterWriter.Entry(record, "REJECTED", "")));
    Path second = store.write("id-2", 1, Instant.EPOCH, List.of(new DeadLetterWriter.Entry(record, "REJECTED", "")));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(second)))
        .as("also over a leftover temporary file").isEqualTo("rw-------");
  }
}
