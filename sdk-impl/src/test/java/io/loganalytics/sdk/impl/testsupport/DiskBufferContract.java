package io.loganalytics.sdk.impl.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ClientClosedException;
import io.loganalytics.sdk.DiskBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DiskBuffer} promises, as its Javadoc states it: append order, chunks bounded by records and
 * bytes, disjoint outstanding chunks, release reads again before newer records, acknowledgement in any order,
 * refusals, counts, asynchronous appends, closing, and (for a persistent implementation) what survives a reopen.
 * Subclass it for an implementation: {@link #open()} opens the buffer under test, on the same storage each time.
 */
public abstract class DiskBufferContract {
  private final List<DiskBuffer> opened = new ArrayList<>();

  /**
   * Opens the buffer under test: empty the first time; later calls (after the previous one was closed) open the
   * same storage again, as a restart would.
   *
   * @return the buffer
   */
  protected abstract DiskBuffer openBuffer();

  /** @return whether records survive {@code close()} and a new {@link #openBuffer()} */
  protected boolean persistent() {
    return true;
  }

  private DiskBuffer open() {
    DiskBuffer b = openBuffer();
    opened.add(b);
    return b;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(DiskBuffer::close);
  }

  static byte[] rec(int i) {
    return ("r" + i + "-" + "x".repeat(i % 13)).getBytes(UTF_8);
  }

  static List<String> strings(Chunk c) {
    List<String> out = new ArrayList<>();
    c.records().forEach(r -> out.add(new String(r, UTF_8)));
    return out;
  }

  static List<String> names(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new String(rec(i), UTF_8));
    }
    return out;
  }

  static List<String> drain(DiskBuffer b) {
    List<String> out = new ArrayList<>();
    Optional<Chunk> c;
    while ((c = b.read(Long.MAX_VALUE, 7)).isPresent()) {
      out.addAll(strings(c.get()));
      b.acknowledge(c.get());
    }
    return out;
  }

  @Test
  void recordsComeOutInAppendOrderSinglyOrInBatches() {
    DiskBuffer b = open();
    b.append(rec(0));
    b.appendAll(List.of(rec(1), rec(2), rec(3)));
    b.appendAll(List.of());
    b.append(rec(4));
    assertThat(b.recordCount()).isEqualTo(5);
    assertThat(drain(b)).isEqualTo(names(0, 5));
    assertThat(b.read(Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void aChunkIsBoundedByRecordsAndBytesButAFirstRecordAlwaysFits() {
    DiskBuffer b = open();
    for (int i = 0; i < 10; i++) {
      b.append(rec(i));
    }
    Chunk three = b.read(Long.MAX_VALUE, 3).orElseThrow();
    assertThat(strings(three)).isEqualTo(names(0, 3));
    Chunk oneByte = b.read(1, 10).orElseThrow();
    assertThat(strings(oneByte)).as("a record larger than maxBytes comes alone").isEqualTo(names(3, 4));
    long twoRecords = rec(4).length + rec(5).length;
    Chunk bounded = b.read(twoRecords, 10).orElseThrow();
    assertThat(strings(bounded)).isEqualTo(names(4, 6));
    assertThat(bounded.payloadBytes()).isEqualTo(twoRecords);
    assertThat(bounded.recordCount()).isEqualTo(2);
    assertThat(bounded.firstSequence()).isGreaterThan(oneByte.firstSequence());
  }

  @Test
  void outstandingChunksAreDisjointAndAReleasedOneIsReadAgainBeforeNewerRecords() {
    DiskBuffer b = open();
    for (int i = 0; i < 12; i++) {
      b.append(rec(i));
    }
    Chunk first = b.read(Long.MAX_VALUE, 4).orElseThrow();
    Chunk second = b.read(Long.MAX_VALUE, 4).orElseThrow();
    assertThat(strings(second)).isEqualTo(names(4, 8));
    b.release(first);
    Chunk again = b.read(Long.MAX_VALUE, 100).orElseThrow();
    assertThat(strings(again)).as("the released records, stopping before the ones still out")
        .isEqualTo(names(0, 4));
    Chunk rest = b.read(Long.MAX_VALUE, 100).orElseThrow();
    assertThat(strings(rest)).isEqualTo(names(8, 12));
    assertThat(b.read(Long.MAX_VALUE, 100)).isEmpty();
    assertThat(b.recordCount()).as("outstanding records are held").isEqualTo(12);
  }

  @Test
  void chunksMayBeAcknowledgedInAnyOrderAndAcknowledgedRecordsAreGone() {
    DiskBuffer b = open();
    for (int i = 0; i < 9; i++) {
      b.append(rec(i));
    }
    Chunk a = b.read(Long.MAX_VALUE, 3).orElseThrow();
    Chunk c2 = b.read(Long.MAX_VALUE, 3).orElseThrow();
    Chunk c3 = b.read(Long.MAX_VALUE, 3).orElseThrow();
    b.acknowledge(c3);
    b.acknowledge(a);
    assertThat(b.recordCount()).isEqualTo(3);
    b.release(c2);
    assertThat(drain(b)).isEqualTo(names(3, 6));
    assertThat(b.recordCount()).isZero();
  }

  @Test
  void aChunkIsAcknowledgedOrReleasedOnceAndOnlyByItsOwnBuffer() {
    DiskBuffer b = open();
    b.append(rec(0));
    b.append(rec(1));
    Chunk c = b.read(Long.MAX_VALUE, 1).orElseThrow();
    b.acknowledge(c);
    assertThatThrownBy(() -> b.acknowledge(c)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.release(c)).isInstanceOf(IllegalArgumentException.class);
    Chunk d = b.read(Long.MAX_VALUE, 1).orElseThrow();
    b.release(d);
    assertThatThrownBy(() -> b.acknowledge(d)).isInstanceOf(IllegalArgumentException.class);
    Chunk foreign = new Chunk() {
      @Override
      public long firstSequence() {
        return 1;
      }

      @Override
      public List<byte[]> records() {
        return List.of(rec(1));
      }

      @Override
      public Instant oldestAppendTime() {
        return Instant.EPOCH;
      }
    };
    assertThatThrownBy(() -> b.acknowledge(foreign)).isInstanceOf(IllegalArgumentException.class);
    assertThat(drain(b)).isEqualTo(names(1, 2));
  }

  @Test
  void recordBytesArePayloadBytesOfTheRecordsHeldOutstandingIncluded() {
    DiskBuffer b = open();
    assertThat(b.recordBytes()).isZero();
    long total = 0;
    for (int i = 0; i < 20; i++) {
      b.append(rec(i));
      total += rec(i).length;
    }
    assertThat(b.recordBytes()).isEqualTo(total);
    Chunk c = b.read(Long.MAX_VALUE, 5).orElseThrow();
    assertThat(b.recordBytes()).as("outstanding").isEqualTo(total);
    b.acknowledge(c);
    assertThat(b.recordBytes()).isEqualTo(total - c.payloadBytes());
    assertThat(b.oldestAppendTime()).isPresent();
    drain(b);
    assertThat(b.recordBytes()).isZero();
    assertThat(b.oldestAppendTime()).isEmpty();
  }

  @Test
  void anAsyncAppendCompletesAndItsRecordIsReadInOrder() throws Exception {
    DiskBuffer b = open();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(b.appendAsync(rec(i)));
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    assertThat(drain(b)).isEqualTo(names(0, 50));
  }

  @Test
  void aClosedBufferRefusesCallsAndClosingTwiceIsHarmless() {
    DiskBuffer b = open();
    b.append(rec(0));
    Chunk c = b.read(Long.MAX_VALUE, 1).orElseThrow();
    b.close();
    b.close();
    assertThatThrownBy(() -> b.append(rec(1))).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> b.read(Long.MAX_VALUE, 1)).isInstanceOf(ClientClosedException.class);
    assertThatThrownBy(() -> b.acknowledge(c)).isInstanceOf(ClientClosedException.class);
    assertThat(b.appendAsync(rec(2))).isCompletedExceptionally();
  }

  @Test
  void unacknowledgedRecordsSurviveAReopenOutstandingOnesIncludedAcknowledgedOnesDoNot() {
    if (!persistent()) {
      return;
    }
    DiskBuffer b = open();
    for (int i = 0; i < 10; i++) {
      b.append(rec(i));
    }
    Chunk acked = b.read(Long.MAX_VALUE, 2).orElseThrow();
    b.read(Long.MAX_VALUE, 3).orElseThrow();
    Chunk ackedLater = b.read(Long.MAX_VALUE, 2).orElseThrow();
    b.acknowledge(ackedLater);
    b.acknowledge(acked);
    b.close();
    DiskBuffer again = open();
    assertThat(again.recordCount()).isEqualTo(6);
    List<String> expected = names(2, 5);
    expected.addAll(names(7, 10));
    assertThat(drain(again)).isEqualTo(expected);
  }
}
