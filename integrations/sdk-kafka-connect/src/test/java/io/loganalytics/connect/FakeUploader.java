package io.loganalytics.connect;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.InvalidRecordException;
import io.loganalytics.sdk.RecordTooLargeException;
import io.loganalytics.sdk.UploadResult;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A scripted uploader: every upload waits until the test answers it ({@link Call#deliver()} and friends), so the
 * test decides the order in which chunks are acknowledged. Encoding refuses text that does not start with '{' and
 * records over 1000 bytes, like the SDK does for non-objects and oversized records.
 */
final class FakeUploader implements ChunkUploader {
  /** One upload in progress. */
  static final class Call {
    final Chunk chunk;
    final CompletableFuture<UploadResult> answer = new CompletableFuture<>();

    Call(Chunk chunk) {
      this.chunk = chunk;
    }

    String text(int i) {
      return new String(chunk.records().get(i), StandardCharsets.UTF_8);
    }

    void deliver() {
      answer.complete(new UploadResult("id", UploadResult.Outcome.DELIVERED, 1, chunk.recordCount(), 0, null));
    }

    void giveUp(Map<Integer, String> which) {
      answer.complete(new UploadResult("id", UploadResult.Outcome.GIVEN_UP, 1, chunk.recordCount() - which.size(),
          which.size(), which.values().iterator().next(), which));
    }

    void defer() {
      answer.complete(new UploadResult("id", UploadResult.Outcome.DEFERRED, 1, 0, 0, "closing"));
    }
  }

  private final BlockingQueue<Call> calls;
  volatile boolean closed;

  FakeUploader(BlockingQueue<Call> calls) {
    this.calls = calls;
  }

  static BlockingQueue<Call> queue() {
    return new LinkedBlockingQueue<>();
  }

  /** Waits (bounded) for the next upload call. */
  static Call next(BlockingQueue<Call> calls) throws InterruptedException {
    Call c = calls.poll(10, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no upload within 10 s");
    }
    return c;
  }

  @Override
  public byte[] encode(String type, Map<String, ?> record) {
    return check(type, record.toString());
  }

  @Override
  public byte[] encodeJson(String type, String jsonObject) {
    if (!jsonObject.strip().startsWith("{")) {
      throw new InvalidRecordException("(record)", "not a JSON object");
    }
    return check(type, jsonObject);
  }

  private static byte[] check(String type, String text) {
    byte[] b = (type + "|" + text).getBytes(StandardCharsets.UTF_8);
    if (b.length > 1000) {
      throw new RecordTooLargeException("the record is " + b.length + " bytes, above 1000");
    }
    return b;
  }

  @Override
  public UploadResult upload(Chunk chunk) {
    Call c = new Call(chunk);
    calls.add(c);
    try {
      return c.answer.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new UploadResult("id", UploadResult.Outcome.DEFERRED, 1, 0, 0, "interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return new UploadResult("id", UploadResult.Outcome.DEFERRED, 1, 0, 0, "no answer");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
