package io.loganalytics.sdk.impl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.ConfigurationException;

import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.UploadResult;
import io.loganalytics.testkit.WorkspaceEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LogAnalyticsClientBuilder#buildUploader()} through the public API against the {@link WorkspaceEmulator}:
 * encoding, {@link Chunk#of}, delivery, which records were given up, close during a wait, and what it refuses.
 */
class StandaloneUploaderTest {
  private static final RetryPolicy FAST = RetryPolicy.builder()
      .initialBackoff(Duration.ofMillis(20))
      .maxBackoff(Duration.ofMillis(50))
      .maxRetries(3)
      .discardOnGiveUp()
      .build();

  @TempDir Path tmp;

  private LogAnalyticsClientBuilder builder(WorkspaceEmulator emulator) {
    return LogAnalyticsClient.builder()
        .transport(Transport.DATA_COLLECTOR)
        .credentials(emulator.credentials())
        .cloud(emulator.cloud())
        .hostResolver(emulator.hostResolver())
        .trustCertificates(emulator.writeCaCertificate(tmp.resolve("ca.pem")))
        .retryPolicy(FAST);
  }

  @Test
  void encodesAndDeliversAnInMemoryChunkWithoutABufferDirectoryOrAThread() throws Exception {
    Set<String> threadsBefore = threadNames();
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start();
        ChunkUploader uploader = builder(emulator).buildUploader()) {
      List<byte[]> records = new ArrayList<>();
      records.add(uploader.encode("KcEvents", Map.of("id", 0, "msg", "zero")));
      records.add(uploader.encodeJson("KcEvents", "{\"id\":1,\"msg\":\"one\"}"));

      UploadResult result = uploader.upload(Chunk.of(7, records, Instant.EPOCH));

      assertThat(result.outcome()).isEqualTo(UploadResult.Outcome.DELIVERED);
      assertThat(result.recordsDelivered()).isEqualTo(2);
      assertThat(emulator.records("KcEvents")).extracting(r -> r.field("msg")).containsExactly("zero", "one");
      assertThat(threadNames()).filteredOn(n -> n.startsWith("loganalytics-")).isSubsetOf(threadsBefore);
      try (var files = Files.list(tmp)) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ca.pem");
      }
    }
  }

  @Test
  void encodingRefusesBadTypesBadJsonAndOversizedRecordsNamingTheProblem() {
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start();
        ChunkUploader uploader = builder(emulator).maxRequestBytes(2048).buildUploader()) {
      assertThatThrownBy(() -> uploader.encode("bad type!", Map.of("a", 1)))
          .isInstanceOf(InvalidRecordException.class).hasMessageContaining("bad type!");
      assertThatThrownBy(() -> uploader.encodeJson("KcEvents", "{\"a\": 1"))
          .isInstanceOf(InvalidRecordException.class);
      assertThatThrownBy(() -> uploader.encodeJson("KcEvents", "[1,2]"))
          .isInstanceOf(InvalidRecordException.class);
      assertThatThrownBy(() -> uploader.encode("KcEvents", Map.of("big", "x".repeat(5000))))
          .isInstanceOf(RecordTooLargeException.class);
    }
  }

  @Test
  void aRecordTheServiceFindsTooLargeIsGivenUpAloneAndNamedByIndex() {
    // The emulator takes at most 600 bytes per request; the client allows more, so the service answers 413.
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().maxRequestBytes(600).start();
        ChunkUploader uploader = builder(emulator).buildUploader()) {
      List<byte[]> records = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        records.add(uploader.encode("KcSplit", Map.of("id", i, "pad", i == 4 ? "y".repeat(800) : "small")));
      }

      UploadResult result = uploader.upload(Chunk.of(0, records, Instant.EPOCH));

      assertThat(result.outcome()).isEqualTo(UploadResult.Outcome.GIVEN_UP);
      assertThat(result.givenUpIndexes()).containsExactly(4);
      assertThat(result.givenUpReason(4)).get().asString().startsWith("TOO_LARGE");
      assertThat(emulator.records("KcSplit")).extracting(r -> ((Number) r.field("id")).intValue())
          .containsExactlyInAnyOrder(0, 1, 2, 3, 5);
    }
  }

  @Test
  void closeDuringABackoffDefersTheChunkPromptly() throws Exception {
    RetryPolicy slow = RetryPolicy.builder().initialBackoff(Duration.ofHours(1)).maxBackoff(Duration.ofHours(1))
        .discardOnGiveUp().build();
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().start()) {
      emulator.faults().failNext(1, 503, null, false);
      ChunkUploader uploader = builder(emulator).retryPolicy(slow).buildUploader();
      byte[] r = uploader.encode("KcDefer", Map.of("id", 1));
      CompletableFuture<UploadResult> upload =
          CompletableFuture.supplyAsync(() -> uploader.upload(Chunk.of(0, List.of(r), Instant.EPOCH)));
      while (emulator.requests().isEmpty()) {
        Thread.onSpinWait();
      }
      uploader.close();

      UploadResult result = upload.get(10, TimeUnit.SECONDS);
      assertThat(result.outcome()).isEqualTo(UploadResult.Outcome.DEFERRED);
      assertThat(result.givenUpIndexes()).isEmpty();
      assertThat(emulator.records("KcDefer")).isEmpty();
    }
  }

  @Test
  void aChunkWithItsOwnRequestIdCarriesItOnEveryRetryAndSplitAndChunksWithTheSameSequenceDoNotShareIt() {
    // 600 bytes per request: the chunk is split; a 503 first: the first request is retried.
    try (WorkspaceEmulator emulator = WorkspaceEmulator.builder().maxRequestBytes(600).start();
        ChunkUploader uploader = builder(emulator).buildUploader()) {
      emulator.faults().failNext(1, 503, null, false);
      UUID first = UUID.randomUUID();
      UUID second = UUID.randomUUID();
      List<byte[]> records = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        records.add(uploader.encode("KcIds", Map.of("id", i, "pad", "z".repeat(150))));
      }

      UploadResult a = uploader.upload(Chunk.of(first, 0, records, Instant.EPOCH));
      UploadResult b = uploader.upload(Chunk.of(second, 0, records.subList(0, 1), Instant.EPOCH));

      assertThat(a.outcome()).isEqualTo(UploadResult.Outcome.DELIVERED);
      assertThat(b.outcome()).isEqualTo(UploadResult.Outcome.DELIVERED);
      assertThat(a.chunkId()).isEqualTo(first.toString());
      assertThat(b.chunkId()).isEqualTo(second.toString());
      List<String> ids = emulator.requests().stream().map(r -> r.requestId()).collect(Collectors.toList());
      assertThat(emulator.requests()).extracting(r -> r.status()).contains(503);
      assertThat(ids.subList(0, ids.size() - 1)).hasSizeGreaterThan(2).containsOnly(first.toString());
      assertThat(ids.get(ids.size() - 1)).isEqualTo(second.toString());
      assertThat(emulator.records("KcIds")).filteredOn(r -> first.toString().equals(r.requestId())).hasSize(6);
    }
    assertThatThrownBy(() -> Chunk.of((UUID) null, 0, List.of(new byte[] {1}), Instant.EPOCH))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("requestId");
    assertThat(Chunk.of(1, List.of(new byte[] {1}), Instant.EPOCH).requestId()).isEmpty();
  }

  @Test
  void refusesTheAgentTransportAndMissingCredentialsNamingTheField() {
    assertThatThrownBy(() -> LogAnalyticsClient.builder().transport(Transport.AGENT_CERTIFICATE).buildUploader())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("transport");
    assertThatThrownBy(() -> LogAnalyticsClient.builder().transport(Transport.DATA_COLLECTOR).buildUploader())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("credentials");
  }

  @Test
  void chunkOfCopiesTheListAndRefusesEmptyOrNullRecords() {
    List<byte[]> list = new ArrayList<>(List.of(new byte[] {1}));
    Chunk chunk = Chunk.of(3, list, Instant.EPOCH);
    list.add(new byte[] {2});
    assertThat(chunk.recordCount()).isEqualTo(1);
    assertThat(chunk.firstSequence()).isEqualTo(3);
    assertThatThrownBy(() -> chunk.records().add(new byte[0])).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Chunk.of(0, List.of(), Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("records");
    List<byte[]> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> Chunk.of(0, withNull, Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("record 0");
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toSet());
  }

}
