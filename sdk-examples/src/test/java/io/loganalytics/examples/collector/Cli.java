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
  private Map<String, String> env = Map.of();

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

  Cli stdin(String text) {
    this.stdin = text;
    return this;
  }

  Cli env(Map<String, String> env) {
    this.env = env;
    return this;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env, home, CLOCK, false, factory, stop);
    int exit = CollectorMain.run(args, ctx);
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
