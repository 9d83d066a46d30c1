package io.loganalytics.sdk.impl.testsupport;

import io.loganalytics.sdk.DiskBuffer;
import java.time.Clock;

/** The test double {@link InMemoryDiskBuffer} against the {@link DiskBufferContract}: tests may trust it. */
class InMemoryDiskBufferContractTest extends DiskBufferContract {
  private InMemoryDiskBuffer buffer;

  @Override
  protected DiskBuffer openBuffer() {
    buffer = buffer == null ? new InMemoryDiskBuffer(Clock.systemUTC()) : buffer.reopen();
    return buffer;
  }
}
