package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.AuthenticationException;
import io.loganalytics.sdk.BufferException;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.LogAnalyticsListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records every event as a line of text, and keeps the typed arguments tests assert on. Thread-safe. */
public final class RecordingListener extends LogAnalyticsListener {
  /** Every event, in order, as {@code name(args)}. */
  public final List<String> events = new ArrayList<>();
  /** Authentication failures. */
  public final List<AuthenticationException> authFailures = new ArrayList<>();
  /** Dead-letter files reported. */
  public final List<Path> deadLetterFiles = new ArrayList<>();
  /** Details of dropped records. */
  public final List<String> dropDetails = new ArrayList<>();
  /** Buffer errors reported. */
  public final List<BufferException> bufferErrors = new ArrayList<>();

  private synchronized void add(String e) {
    events.add(e);
  }

  /** @return a copy of the events */
  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  @Override
  public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
    synchronized (this) {
      dropDetails.add(detail);
    }
    add("dropped(" + reason + "," + records + ")");
  }

  @Override
  public void onBufferError(BufferException error) {
    synchronized (this) {
      bufferErrors.add(error);
    }
    add("bufferError");
  }

  @Override
  public void onChunkDelivered(String chunkId, int records, long bytes, int attempt) {
    add("delivered(" + records + ",try " + attempt + ")");
  }

  @Override
  public void onRetryScheduled(String chunkId, int retry, Duration wait, String cause) {
    add("retry(" + retry + "," + wait + ")");
  }

  @Override
  public void onChunkGivenUp(String chunkId, int records, DropReason reason, Path deadLetterFile) {
    synchronized (this) {
      if (deadLetterFile != null) {
        deadLetterFiles.add(deadLetterFile);
      }
    }
    add("givenUp(" + records + "," + reason + ")");
  }

  @Override
  public void onAuthenticationFailure(AuthenticationException error) {
    synchronized (this) {
      authFailures.add(error);
    }
    add("auth(" + error.status() + ")");
  }

  @Override
  public void onClockSkewDetected(Duration skew) {
    add("skew(" + skew + ")");
  }
}
