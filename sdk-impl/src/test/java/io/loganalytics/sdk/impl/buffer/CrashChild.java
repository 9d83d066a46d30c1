package io.loganalytics.sdk.impl.buffer;

import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.Chunk;
import io.loganalytics.sdk.DropReason;
import io.loganalytics.sdk.Durability;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.OverflowPolicy;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * The process {@link CrashTest} kills.
 *
 * <p>{@code simple DIR FIRST_ID}: opens a SYNC buffer, prints {@code open}, then appends records as fast as it can
 * (single appends, and every tenth time a batch of five) and prints the id of every record whose append returned,
 * one per line, until it is killed.
 *
 * <p>{@code full DIR FIRST_ID THREADS SEED DURABILITY}: opens a small buffer under {@code DROP_OLDEST}; prints
 * {@code opening} before and {@code open} after; then THREADS appenders (thread t appends ids
 * {@code FIRST_ID + t + k * THREADS}, k = 0, 1, ...; every tenth time a batch of three) print {@code a ID} for every
 * record whose append returned, while one reader reads chunks, keeps up to three out, releases some and
 * acknowledges the others in random order, printing {@code i IDS} before and {@code k IDS} after an acknowledgement.
 * The listener prints {@code d RECORDS} for every drop it hears. Every record carries a CRC32 of its filler, checked
 * on every read ({@code BAD ID} when it does not match). Output lines are written whole, under one lock.
 */
final class CrashChild {
  private CrashChild() {}

  static byte[] record(long id) {
    String s = "id=" + id + ";" + "p".repeat((int) (id % 97));
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static long idOf(byte[] record) {
    String s = new String(record, StandardCharsets.UTF_8);
    return Long.parseLong(s.substring(3, s.indexOf(';')));
  }

  /** A record of the full mode: {@code id=ID;crc=CRC32(filler);filler}, the filler pseudo-random per id. */
  static byte[] checkedRecord(long id) {
    Random r = new Random(id * 31 + 7);
    StringBuilder filler = new StringBuilder();
    int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 600 : 90);
    for (int i = 0; i < n; i++) {
      filler.append((char) ('a' + r.nextInt(26)));
    }
    CRC32 crc = new CRC32();
    byte[] f = filler.toString().getBytes(StandardCharsets.UTF_8);
    crc.update(f);
    return ("id=" + id + ";crc=" + Long.toHexString(crc.getValue()) + ";" + filler).getBytes(StandardCharsets.UTF_8);
  }

  /** @return the id of a record of the full mode whose checksum matches, or -1 */
  static long checkedId(byte[] record) {
    String s = new String(record, StandardCharsets.UTF_8);
    int a = s.indexOf(";crc=");
    int b = s.indexOf(';', a + 1);
    if (!s.startsWith("id=") || a < 0 || b < 0) {
      return -1;
    }
    CRC32 crc = new CRC32();
    crc.update(s.substring(b + 1).getBytes(StandardCharsets.UTF_8));
    if (!Long.toHexString(crc.getValue()).equals(s.substring(a + 5, b))) {
      return -1;
    }
    return Long.parseLong(s.substring(3, a));
  }

  static BufferOptions options(Path dir) {
    return BufferOptions.builder(dir).segmentBytes(16 * 1024).capacityBytes(50_000_000).build();
  }

  static BufferOptions fullOptions(Path dir, Durability durability) {
    return BufferOptions.builder(dir).segmentBytes(16 * 1024).capacityBytes(96 * 1024)
        .overflowPolicy(OverflowPolicy.DROP_OLDEST).durability(durability).build();
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("full")) {
      full(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
          Durability.valueOf(args[5]));
    } else {
      simple(Path.of(args[1]), Long.parseLong(args[2]));
    }
  }

  private static void simple(Path dir, long id) {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    FileDiskBuffer buffer = FileDiskBuffer.open(options(dir), LogAnalyticsListener.NONE);
    out.println("open");
    out.flush();
    for (long n = 0; ; n++) {
      if (n % 10 == 9) {
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          batch.add(record(id + i));
        }
        buffer.appendAll(batch);
        for (int i = 0; i < 5; i++) {
          out.println(id++);
        }
      } else {
        buffer.append(record(id));
        out.println(id++);
      }
      out.flush();
    }
  }

  private static void full(Path dir, long firstId, int threads, long seed, Durability durability)
      throws InterruptedException {
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    Object printLock = new Object();
    LogAnalyticsListener listener = new LogAnalyticsListener() {
      @Override
      public void onRecordsDropped(DropReason reason, long records, long bytes, String detail) {
        drops.incrementAndGet();
        synchronized (printLock) {
          out.println("d " + records);
          out.flush();
        }
      }
    };
    synchronized (printLock) {
      out.println("opening");
      out.flush();
    }
    FileDiskBuffer buffer = FileDiskBuffer.open(fullOptions(dir, durability), listener);
    synchronized (printLock) {
      out.println("open");
      out.flush();
    }
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      all.add(new Thread(() -> {
        for (long k = 0; ; k++) {
          long id = firstId + thread + k * threads;
          if (k % 10 == 9) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
              batch.add(checkedRecord(firstId + thread + (k + i) * threads));
            }
            buffer.appendAll(batch);
            synchronized (printLock) {
              for (int i = 0; i < 3; i++) {
                out.println("a " + (firstId + thread + (k + i) * threads));
              }
              out.flush();
            }
            k += 2;
          } else {
            buffer.append(checkedRecord(id));
            synchronized (printLock) {
              out.println("a " + id);
              out.flush();
            }
          }
        }
      }, "appender-" + t));
    }
    all.add(new Thread(() -> read(buffer, out, printLock, new Random(seed)), "reader"));
    for (Thread t : all) {
      t.setDaemon(true);
      t.start();
    }
    for (Thread t : all) {
      t.join();
    }
  }

  /** Drop reports received by the full mode's listener. */
  private static final AtomicLong drops = new AtomicLong();

  private static void read(FileDiskBuffer buffer, PrintStream out, Object printLock, Random random) {
    List<Chunk> held = new ArrayList<>();
    while (true) {
      if (held.size() < 3) {
        Optional<Chunk> c = buffer.read(1 + random.nextInt(2000), 1 + random.nextInt(8));
        if (c.isPresent()) {
          for (byte[] r : c.get().records()) {
            if (checkedId(r) < 0) {
              synchronized (printLock) {
                out.println("BAD " + new String(r, StandardCharsets.UTF_8));
                out.flush();
              }
            }
          }
          held.add(c.get());
          continue;
        }
      }
      if (held.isEmpty()) {
        Thread.onSpinWait();
        continue;
      }
      if (random.nextInt(100) == 0) {
        // Now and then the reader stops until the appenders filled the small buffer and an eviction was reported:
        // an acknowledgement costs about as much as an append's force, so a reader that never stops keeps up.
        long before = drops.get();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (drops.get() == before && System.nanoTime() < end) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
      }
      Chunk c = held.remove(random.nextInt(held.size()));
      if (random.nextInt(5) == 0) {
        buffer.release(c);
        continue;
      }
      StringBuilder ids = new StringBuilder();
      for (byte[] r : c.records()) {
        ids.append(' ').append(checkedId(r));
      }
      synchronized (printLock) {
        out.println("i" + ids);
        out.flush();
      }
      buffer.acknowledge(c);
      synchronized (printLock) {
        out.println("k" + ids);
        out.flush();
      }
    }
  }
}
