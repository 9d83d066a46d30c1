package io.loganalytics.sdk;

/** When an append to a {@link DiskBuffer} counts as safe. */
public enum Durability {
  /**
   * An append returns only once its bytes are forced to the storage device ({@code fsync}); appends waiting at the
   * same moment share one force (group commit). Survives a power cut. The default.
   */
  SYNC,
  /**
   * An append returns once its bytes are written to the operating system; they are forced every
   * {@link BufferOptions#syncInterval()}. Survives a crash of the process, but <strong>may lose the last interval on
   * power loss</strong>.
   */
  INTERVAL
}
