package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgentSchedulerTest {

  /** Records how each task's Future ended. */
  static final class RecordingExecutor extends ScheduledThreadPoolExecutor {
    final List<String> outcomes = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(2);

    RecordingExecutor() {
      super(1);
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
      try {
        ((Future<?>) r).get();
        outcomes.add("completed");
      } catch (ExecutionException e) {
        outcomes.add("failed inside the Future: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        done.countDown();
      }
    }
  }

  @Test
  void aThrowingTaskIsCaughtAndLoggedInsteadOfBuriedInItsFutureAndLaterTasksRun() throws Exception {
    RecordingExecutor executor = new RecordingExecutor();
    try {
      AgentScheduler scheduler = AgentScheduler.of(executor);
      scheduler.schedule(() -> {
        throw new IllegalStateException("simulated");
      }, Duration.ZERO);
      scheduler.schedule(() -> { }, Duration.ZERO);

      assertThat(executor.done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(executor.outcomes).containsExactly("completed", "completed");
    } finally {
      executor.shutdownNow();
    }
  }
}
