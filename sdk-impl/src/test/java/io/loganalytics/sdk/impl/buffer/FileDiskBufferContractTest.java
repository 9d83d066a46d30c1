package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.impl.testsupport.DiskBufferContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileDiskBuffer} against the {@link DiskBufferContract}, in small segments so that records span several. */
class FileDiskBufferContractTest extends DiskBufferContract {
  @TempDir
  Path dir;

  private final FaultyChannels channels = new FaultyChannels();

  {
    channels.skipRealForce = true;
  }

  @Override
  protected DiskBuffer openBuffer() {
    return FileDiskBuffer.open(BufferOptions.builder(dir).segmentBytes(4096).capacityBytes(1 << 20).build(),
        new RecordingListener(), Clock.systemUTC(), channels);
  }
}
