package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the buffer events it receives. Thread-safe. */
final class RecordingListener extends LogAnalyticsListener {
  record Drop(DropReason reason, long records, long bytes, String detail) {}

  final List<Drop> drops = new CopyOnWriteArrayList<>();
  final List<Path> quarantined = new CopyOnWriteArrayList<>();
  final List<String> quarantineDetails = new CopyOnWriteArrayList<>();
  final List<BufferException> errors = new CopyOnWriteArrayList<>();
  /** Runs on every drop before it is recorded (a test simulates a crash in the middle of a report). */
  volatile Runnable onDrop = () -> { };

  @Override
  public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
    onDrop.run();
    drops.add(new Drop(reason, records, bytes, detail));
  }

  @Override
  public void onSegmentQuarantined(Path quarantinedFile, String detail) {
    quarantined.add(quarantinedFile);
    quarantineDetails.add(detail);
  }

  @Override
  public void onBufferError(BufferException error) {
    errors.add(error);
  }

  long dropped(DropReason reason) {
    return drops.stream().filter(d -> d.reason() == reason).mapToLong(Drop::records).sum();
  }
}
