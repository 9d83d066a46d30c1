package io.loganalytics.sdk.impl.agent;

import io.loganalytics.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An {@link AgentScheduler} driven by the test: tasks are due at the {@link MutableClock}'s time plus their delay
 * and run, on the test's thread, only when the test calls {@link #runDue()} or {@link #advance}. A task scheduled
 * while running is not run in the same pass (so a periodic task runs once per pass).
 */
final class ManualScheduler implements AgentScheduler {
  private final MutableClock clock;
  private final List<Entry> entries = new ArrayList<>();
  private long sequence;

  private static final class Entry {
    final Instant due;
    final long order;
    final Runnable task;
    boolean cancelled;

    Entry(Instant due, long order, Runnable task) {
      this.due = due;
      this.order = order;
      this.task = task;
    }
  }

  ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Task schedule(Runnable task, Duration delay) {
    Entry e = new Entry(clock.instant().plus(delay), sequence++, task);
    entries.add(e);
    return () -> {
      synchronized (ManualScheduler.this) {
        e.cancelled = true;
      }
    };
  }

  @Override
  public void shutdown() {}

  /** Runs every task due now, in due order; returns how many ran. */
  int runDue() {
    List<Entry> due;
    synchronized (this) {
      Instant now = clock.instant();
      due = new ArrayList<>();
      for (Entry e : entries) {
        if (!e.due.isAfter(now)) {
          due.add(e);
        }
      }
      entries.removeAll(due);
      due.sort(Comparator.<Entry, Instant>comparing(e -> e.due).thenComparingLong(e -> e.order));
    }
    int ran = 0;
    for (Entry e : due) {
      if (!e.cancelled) {
        e.task.run();
        ran++;
      }
    }
    return ran;
  }

  /** Moves the clock and runs what became due. */
  void advance(Duration d) {
    clock.advance(d);
    runDue();
  }

  synchronized int pending() {
    return (int) entries.stream().filter(e -> !e.cancelled).count();
  }
}
