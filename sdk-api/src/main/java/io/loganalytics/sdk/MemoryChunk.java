package io.loganalytics.sdk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** The chunk of {@link Chunk#of}. Immutable (the record arrays are shared, not copied). */
final class MemoryChunk implements Chunk {
  private final UUID requestId;
  private final long firstSequence;
  private final List<byte[]> records;
  private final Instant oldestAppendTime;

  MemoryChunk(UUID requestId, long firstSequence, List<byte[]> records, Instant oldestAppendTime) {
    Objects.requireNonNull(records, "records");
    if (records.isEmpty()) {
      throw new IllegalArgumentException("records: a chunk holds at least one record");
    }
    List<byte[]> copy = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      byte[] r = records.get(i);
      if (r == null) {
        throw new IllegalArgumentException("records: record " + i + " is null");
      }
      copy.add(r);
    }
    this.requestId = requestId;
    this.firstSequence = firstSequence;
    this.records = Collections.unmodifiableList(copy);
    this.oldestAppendTime = Objects.requireNonNull(oldestAppendTime, "oldestAppendTime");
  }

  @Override
  public long firstSequence() {
    return firstSequence;
  }

  @Override
  public Optional<UUID> requestId() {
    return Optional.ofNullable(requestId);
  }

  @Override
  public List<byte[]> records() {
    return records;
  }

  @Override
  public Instant oldestAppendTime() {
    return oldestAppendTime;
  }

  @Override
  public String toString() {
    return "Chunk{" + (requestId == null ? "" : "id=" + requestId + ", ") + "first=" + firstSequence + ", records="
        + records.size() + "}";
  }
}
