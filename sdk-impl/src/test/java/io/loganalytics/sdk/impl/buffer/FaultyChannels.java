package io.loganalytics.sdk.impl.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ChannelFactory} whose channels fail on demand, as in Tape's tests: at the N-th write (after writing half
 * of the bytes, like a torn write), at the N-th force, on every write while the "disk" is full, and on every open for
 * writing while the file system is read-only. Counters cover all channels of the factory. Thread-safe.
 */
final class FaultyChannels implements ChannelFactory {
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger forces = new AtomicInteger();
  final AtomicLong bytesRead = new AtomicLong();
  volatile int failAtWrite = -1;
  volatile int failAtForce = -1;
  volatile boolean diskFull;
  volatile boolean readOnly;
  /** Counts forces without asking the device (the logic under test is the same; the tests run much faster). */
  volatile boolean skipRealForce;
  /** Channels opened and not yet closed. */
  final AtomicInteger openChannels = new AtomicInteger();
  /** Files with a channel that wrote bytes no later force of that channel covered. */
  final Set<Path> unforced = ConcurrentHashMap.newKeySet();
  /** When set, every read, write and force fails (a watchdog uses it to stop a thread that spins). */
  volatile boolean broken;
  /** When set, every force waits until the test opens it. */
  volatile CountDownLatch forceBarrier;
  /** Forces waiting at {@link #forceBarrier} right now. */
  final AtomicInteger forcesWaiting = new AtomicInteger();
  /** When set, a force of a channel opened on a path it accepts fails (the directory's, a spare's). */
  volatile java.util.function.Predicate<Path> failForcesOf;
  /**
   * When set, receives "THREAD open FILE" ("open-new" when created), "THREAD force FILE" and "THREAD force-failed
   * FILE" for every open and force.
   */
  volatile java.util.Queue<String> journal;

  private void note(String what, Path path) {
    java.util.Queue<String> j = journal;
    if (j != null) {
      j.add(Thread.currentThread().getName() + " " + what + " " + path.getFileName());
    }
  }

  @Override
  public FileChannel open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    if (readOnly && (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.CREATE))) {
      throw new FileSystemException(path.toString(), null, "Read-only file system");
    }
    Faulty f = new Faulty(path, FileChannel.open(path, options, attrs));
    note(options.contains(StandardOpenOption.CREATE_NEW) ? "open-new" : "open", path);
    openChannels.incrementAndGet();
    return f;
  }

  private void beforeWrite() throws IOException {
    checkBroken();
    if (diskFull) {
      throw new IOException("No space left on device");
    }
    if (readOnly) {
      throw new IOException("Read-only file system");
    }
  }

  private void checkBroken() throws IOException {
    if (broken) {
      throw new IOException("the test broke this file system");
    }
  }

  /** Whether this write is the one to fail. */
  private boolean failThisWrite() {
    return writes.incrementAndGet() == failAtWrite;
  }

  private final class Faulty extends FileChannel {
    private final Path path;
    private final FileChannel d;
    /** Writes not yet covered by a force of this channel. Guarded by this. */
    private int dirty;

    Faulty(Path path, FileChannel d) {
      this.path = path;
      this.d = d;
    }

    private int write0(ByteBuffer src, long position, boolean positional) throws IOException {
      beforeWrite();
      if (failThisWrite()) {
        int half = src.remaining() / 2;
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + half);
        if (positional) {
          d.write(part, position);
        } else {
          d.write(part);
        }
        throw new IOException("injected failure at write " + failAtWrite);
      }
      try {
        int n = positional ? d.write(src, position) : d.write(src);
        written();
        return n;
      } catch (ClosedChannelException e) {
        closeLikeTheDelegate();
        throw e;
      }
    }

    /** An interrupt closes the real channel; this wrapper must then look closed too, as a real one would. */
    private void closeLikeTheDelegate() throws IOException {
      if (!d.isOpen()) {
        close();
      }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return write0(src, 0, false);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return write0(src, position, true);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      checkBroken();
      CountDownLatch barrier = forceBarrier;
      if (barrier != null) {
        forcesWaiting.incrementAndGet();
        try {
          if (!barrier.await(60, TimeUnit.SECONDS)) {
            throw new IOException("force barrier never opened");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the force barrier", e);
        } finally {
          forcesWaiting.decrementAndGet();
        }
      }
      int covered;
      synchronized (this) {
        covered = dirty;
      }
      java.util.function.Predicate<Path> fail = failForcesOf;
      if (fail != null && fail.test(path)) {
        note("force-failed", path);
        throw new IOException("injected failure forcing " + path.getFileName());
      }
      note("force", path);
      if (forces.incrementAndGet() == failAtForce) {
        throw new IOException("injected failure at force " + failAtForce);
      }
      if (!skipRealForce) {
        try {
          d.force(metaData);
        } catch (ClosedChannelException e) {
          closeLikeTheDelegate();
          throw e;
        }
      }
      synchronized (this) {
        dirty -= covered;
        if (dirty == 0) {
          unforced.remove(path);
        }
      }
    }

    private synchronized void written() {
      dirty++;
      unforced.add(path);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      checkBroken();
      return counted(d.read(dst));
    }

    private int counted(int n) {
      if (n > 0) {
        bytesRead.addAndGet(n);
      }
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return d.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      checkBroken();
      try {
        return counted(d.read(dst, position));
      } catch (ClosedChannelException e) {
        closeLikeTheDelegate();
        throw e;
      }
    }

    @Override
    public long position() throws IOException {
      return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      d.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      try {
        d.truncate(size);
      } catch (ClosedChannelException e) {
        closeLikeTheDelegate();
        throw e;
      }
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return d.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      beforeWrite();
      return d.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return d.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      openChannels.decrementAndGet();
      d.close();
    }
  }
}
