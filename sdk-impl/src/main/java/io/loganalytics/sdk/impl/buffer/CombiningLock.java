package io.loganalytics.sdk.impl.buffer;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The buffer's lock ({@code FileDiskBuffer.lock}): a {@link ReentrantLock} whose {@link #unlock()} runs a hook once
 * the calling thread released it fully, so that blocking appends queued while it was held ({@link GroupCommit#drain})
 * are staged by the thread that held it, whatever it held it for, instead of waiting for the lock themselves.
 *
 * <p>Thread-safe. The hook runs without the lock held; it takes the lock with {@link #tryLock()} and gives it back
 * with {@link #release()}, which does not run the hook again.
 */
final class CombiningLock extends ReentrantLock {
  private static final long serialVersionUID = 1L;

  /** Set once, before the buffer is shared. */
  private transient Runnable afterRelease;

  void afterRelease(Runnable hook) {
    this.afterRelease = hook;
  }

  @Override
  public void unlock() {
    super.unlock();
    Runnable hook = afterRelease;
    if (hook != null && getHoldCount() == 0) {
      hook.run();
    }
  }

  /** Unlocks without running the hook (the hook itself, so it does not recurse). */
  void release() {
    super.unlock();
  }
}
