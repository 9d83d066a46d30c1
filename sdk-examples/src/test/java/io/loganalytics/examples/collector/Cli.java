package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** Runs the collector in-process with captured streams, a fixed clock and a chosen client factory. */
final class Cli {
  /** The outcome of one run. */
  record Result(int exit, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }
  }

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

  final Path home;
  final AtomicReference<LogAnalyticsClientBuilder> lastBuilder = new AtomicReference<>();
  final CountDownLatch stop = new CountDownLatch(1);
  private Function<LogAnalyticsClientBuilder, LogAnalyticsClient> factory;
  private String stdin = "";
  private Clock clock = CLOCK;
  private boolean interactive;
  private Map<String, String> env = Map.of();
  private java.util.function.UnaryOperator<LogAnalyticsClientBuilder> customizer =
      java.util.function.UnaryOperator.identity();
  private Backoff.Sleeper sleeper;
  private java.util.List<Path> agentProxyFiles = java.util.List.of();
  private Function<io.loganalytics.sdk.impl.agent.AgentOptions, io.loganalytics.sdk.impl.agent.AgentStatus> onboarder =
      o -> {
        throw new AssertionError("no onboarding expected");
      };

  Cli(Path home) {
    this.home = home;
    this.factory = b -> {
      throw new AssertionError("no client should be built");
    };
  }

  /** Every build returns this client; the builder is kept in {@link #lastBuilder}. */
  Cli client(LogAnalyticsClient client) {
    this.factory = b -> {
      lastBuilder.set(b);
      return client;
    };
    return this;
  }

  /** Every build goes through this factory; the builder is kept in {@link #lastBuilder}. */
  Cli factory(Function<LogAnalyticsClientBuilder, LogAnalyticsClient> f) {
    this.factory = b -> {
      lastBuilder.set(b);
      return f.apply(b);
    };
    return this;
  }

  /** Builds real clients (the SDK implementation on the class path). */
  Cli realClients() {
    this.onboarder = io.loganalytics.sdk.impl.agent.AgentIdentity::onboard;
    this.factory = b -> {
      lastBuilder.set(b);
      return b.build();
    };
    return this;
  }

  /** Applied to every builder after the options (to reach an emulator). */
  Cli customizer(java.util.function.UnaryOperator<LogAnalyticsClientBuilder> customizer) {
    this.customizer = customizer;
    return this;
  }

  /** The clock of the context (a fixed one unless set; real clients want the system clock). */
  Cli clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** How the command waits between retries (by default on the stop latch, as in production). */
  Cli sleeper(Backoff.Sleeper sleeper) {
    this.sleeper = sleeper;
    return this;
  }

  /** Runs as if standard output were a terminal (progress is shown). */
  Cli interactive() {
    this.interactive = true;
    return this;
  }

  /** The legacy agent's proxy.conf files (none by default, so the machine's own never leak into a test). */
  Cli agentProxyFiles(Path... files) {
    this.agentProxyFiles = java.util.List.of(files);
    return this;
  }

  /** How {@code onboard} onboards (by default it must not). */
  Cli onboarder(Function<io.loganalytics.sdk.impl.agent.AgentOptions, io.loganalytics.sdk.impl.agent.AgentStatus> o) {
    this.onboarder = o;
    return this;
  }

  /** Onboards with the real SDK ({@code AgentIdentity.onboard}). */
  Cli realOnboarding() {
    this.onboarder = io.loganalytics.sdk.impl.agent.AgentIdentity::onboard;
    return this;
  }

  Cli stdin(String text) {
    this.stdin = text;
    return this;
  }

  Cli env(Map<String, String> env) {
    this.env = env;
    return this;
  }

  Result run(String... args) {
    return start(args).await();
  }

  /**
   * Starts a run on its own thread, for the long-running commands; stop it with {@link #stop}.
   *
   * @param args the command line
   * @return the running command
   */
  Running start(String... args) {
    return new Running(args);
  }

  /** A command running on its own thread. */
  final class Running {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();

    Running(String[] args) {
      CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8),
          new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env, home, clock, interactive, factory, stop,
          customizer, sleeper != null ? sleeper
              : d -> stop.await(d.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS), agentProxyFiles, onboarder);
      Thread t = new Thread(() -> {
        try {
          exit.complete(CollectorMain.run(args, ctx));
        } catch (Throwable e) {
          exit.completeExceptionally(e);
        }
      }, "cli-under-test");
      t.setDaemon(true);
      t.start();
    }

    /** @return what the command wrote on standard error so far */
    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }

    /** Waits (at most 30 s) until standard error contains the text. */
    void awaitErr(String text) throws InterruptedException {
      long end = System.nanoTime() + 30_000_000_000L;
      while (!err().contains(text)) {
        if (System.nanoTime() > end || exit.isDone()) {
          throw new AssertionError("never printed '" + text + "'; stderr: " + err());
        }
        Thread.sleep(10); // waiting for another thread to start listening, not for a backoff
      }
    }

    /** Waits (at most 60 s) for the command to end. */
    Result await() {
      try {
        int code = exit.get(60, java.util.concurrent.TimeUnit.SECONDS);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err());
      } catch (Exception e) {
        throw new AssertionError("the command did not end: " + e + "; stderr: " + err(), e);
      }
    }
  }
}
