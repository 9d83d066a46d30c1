package io.loganalytics.sdk.impl.client;

import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.UploadResult;
import io.loganalytics.sdk.impl.json.RecordEncoder;
import io.loganalytics.sdk.impl.transport.UploadTransport;
import io.loganalytics.sdk.impl.upload.DefaultChunkUploader;
import io.loganalytics.sdk.impl.upload.SafeListener;
import io.loganalytics.sdk.impl.upload.Sleeper;
import io.loganalytics.sdk.impl.upload.UploadCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uploader of {@link LogAnalyticsClientBuilder#buildUploader()}: a {@link DefaultChunkUploader} on the
 * configured transport plus the client's {@link RecordEncoder}, with no buffer and no thread of its own. Closing it
 * closes the uploader (a wait in progress ends, the upload returns DEFERRED), the transport and the HTTP resources.
 *
 * <p>Internal, not API. <b>Threading:</b> {@link #upload} by one thread at a time; {@link #encode},
 * {@link #encodeJson} and {@link #close} from any thread.
 */
public final class StandaloneUploader implements ChunkUploader {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneUploader.class);

  private final UploadTransport transport;
  private final RecordEncoder encoder;
  private final DefaultChunkUploader uploader;
  private final List<AutoCloseable> owned;

  private StandaloneUploader(LogAnalyticsClientBuilder config, UploadTransport transport, Sleeper sleeper,
      DoubleSupplier random, List<AutoCloseable> owned) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.encoder = new RecordEncoder(transport.limits(config.maxRequestBytes()));
    this.uploader = new DefaultChunkUploader(transport, config.retryPolicy(), new SafeListener(config.listener()),
        config.maxRequestBytes(), config.clock(), sleeper, random, new UploadCounters(), "standalone");
    this.owned = owned;
  }

  /**
   * Creates an uploader with the system sleeper and random jitter.
   *
   * @param config the validated settings
   * @param transport the transport built for them
   * @param closeWithUploader resources closed after the transport
   * @return the uploader
   */
  public static StandaloneUploader create(LogAnalyticsClientBuilder config, UploadTransport transport,
      AutoCloseable... closeWithUploader) {
    return create(config, transport, Sleeper.system(), () -> ThreadLocalRandom.current().nextDouble(),
        closeWithUploader);
  }

  /**
   * Creates an uploader with an injected sleeper and jitter (tests).
   *
   * @param config the validated settings
   * @param transport the transport built for them
   * @param sleeper waits between tries
   * @param random jitter source
   * @param closeWithUploader resources closed after the transport
   * @return the uploader
   */
  public static StandaloneUploader create(LogAnalyticsClientBuilder config, UploadTransport transport,
      Sleeper sleeper, DoubleSupplier random, AutoCloseable... closeWithUploader) {
    return new StandaloneUploader(config, transport, sleeper, random, new ArrayList<>(List.of(closeWithUploader)));
  }

  @Override
  public byte[] encode(String type, Map<String, ?> record) {
    transport.validateType(type);
    return encoder.encode(type, transport.ipName(), record);
  }

  @Override
  public byte[] encodeJson(String type, String jsonObject) {
    transport.validateType(type);
    return encoder.encodeJson(type, transport.ipName(), jsonObject);
  }

  @Override
  public UploadResult upload(Chunk chunk) {
    return uploader.upload(chunk);
  }

  @Override
  public void close() {
    uploader.close();
    try {
      transport.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the transport failed", e);
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed", c, e);
      }
    }
  }

  @Override
  public String toString() {
    return "StandaloneUploader{" + transport + "}";
  }
}
