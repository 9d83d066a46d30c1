package io.loganalytics.sdk.impl.agent;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent session's heartbeat and certificate checks later. Injected so that tests drive time by hand (a
 * fake scheduler runs due tasks when the test moves its clock); production uses {@link #daemonThread()}. Internal:
 * public only for the SDK's other packages. Implementations must be thread-safe. The schedulers made here log
 * anything a task throws (an executor service would keep it in the task's {@code Future}, where nobody looks).
 */
public interface AgentScheduler {
  /** A scheduled run that can be called off. */
  interface Task {
    /** Calls the run off if it has not started. */
    void cancel();
  }

  /**
   * Runs a task once after a delay.
   *
   * @param task the task
   * @param delay the delay, zero for as soon as possible
   * @return a handle to cancel it
   */
  Task schedule(Runnable task, Duration delay);

  /** Stops this scheduler's threads, if it owns any. Idempotent. */
  void shutdown();

  /**
   * A scheduler with one daemon thread named {@code loganalytics-agent-identity}. Tasks run one at a time.
   *
   * @return the scheduler; {@link #shutdown()} stops its thread
   */
  static AgentScheduler daemonThread() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "loganalytics-agent-identity");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    return of(executor, true);
  }

  /**
   * A scheduler over the caller's executor service, which is never shut down by the SDK.
   *
   * @param executor the executor
   * @return the scheduler
   */
  static AgentScheduler of(ScheduledExecutorService executor) {
    return of(executor, false);
  }

  private static Runnable logFailures(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        LoggerFactory.getLogger(AgentScheduler.class).error("An agent task failed unexpectedly", t);
      }
    };
  }

  private static AgentScheduler of(ScheduledExecutorService executor, boolean owned) {
    return new AgentScheduler() {
      @Override
      public Task schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> f = executor.schedule(logFailures(task), Math.max(0, delay.toMillis()),
            TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public void shutdown() {
        if (owned) {
          executor.shutdownNow();
        }
      }
    };
  }
}
