package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.ProxyConfig;
import io.loganalytics.sdk.impl.agent.AgentIdentity;
import io.loganalytics.sdk.impl.agent.AgentOptions;
import io.loganalytics.sdk.impl.agent.AgentStatus;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What a command talks to: its streams, environment, clock, how clients are built, and the stop signal of the
 * long-running commands ({@code tail}, {@code syslog}). Production uses {@link #system()}; tests pass their own
 * streams, a fixed clock and a factory that returns a recording client.
 *
 * <p>Immutable apart from the stop latch; thread-safe.
 */
final class CliContext {
  /** How the program is invoked, for help texts. */
  static final String PROGRAM = "java -jar loganalytics-collector.jar";

  final PrintStream out;
  final PrintStream err;
  final InputStream in;
  final Map<String, String> env;
  final Path home;
  final Clock clock;
  final boolean interactive;
  final Function<LogAnalyticsClientBuilder, LogAnalyticsClient> clientFactory;
  final CountDownLatch stopRequested;
  /**
   * Applied to every builder after the options: identity in production; tests point the client at a workspace
   * emulator with it (its cloud with a loopback port and its host resolver, which no option can express).
   */
  final UnaryOperator<LogAnalyticsClientBuilder> customizer;
  /**
   * How inputs wait between attempts when the buffer refuses a record with a retryable error. By default it waits
   * on {@link #stopRequested}, so a stop request ends the wait at once; tests pass one that does not wait.
   */
  final Backoff.Sleeper sleeper;
  /**
   * The legacy agent's proxy files, read when neither {@code -p} nor the state directory's {@code proxy.conf} names a
   * proxy: {@link ProxyConfig#AGENT_PROXY_CONF}, then {@link ProxyConfig#AGENT_LEGACY_PROXY_CONF}; tests pass their
   * own.
   */
  final List<Path> agentProxyFiles;
  /** Onboards an agent ({@code onboard}): {@link AgentIdentity#onboard} in production, a fake in tests. */
  final Function<AgentOptions, AgentStatus> onboarder;

  CliContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Path home, Clock clock,
      boolean interactive, Function<LogAnalyticsClientBuilder, LogAnalyticsClient> clientFactory,
      CountDownLatch stopRequested) {
    this(out, err, in, env, home, clock, interactive, clientFactory, stopRequested, UnaryOperator.identity());
  }

  CliContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Path home, Clock clock,
      boolean interactive, Function<LogAnalyticsClientBuilder, LogAnalyticsClient> clientFactory,
      CountDownLatch stopRequested, UnaryOperator<LogAnalyticsClientBuilder> customizer) {
    this(out, err, in, env, home, clock, interactive, clientFactory, stopRequested, customizer,
        d -> stopRequested.await(d.toNanos(), TimeUnit.NANOSECONDS));
  }

  CliContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Path home, Clock clock,
      boolean interactive, Function<LogAnalyticsClientBuilder, LogAnalyticsClient> clientFactory,
      CountDownLatch stopRequested, UnaryOperator<LogAnalyticsClientBuilder> customizer, Backoff.Sleeper sleeper) {
    this(out, err, in, env, home, clock, interactive, clientFactory, stopRequested, customizer, sleeper,
        List.of(ProxyConfig.AGENT_PROXY_CONF, ProxyConfig.AGENT_LEGACY_PROXY_CONF), AgentIdentity::onboard);
  }

  CliContext(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Path home, Clock clock,
      boolean interactive, Function<LogAnalyticsClientBuilder, LogAnalyticsClient> clientFactory,
      CountDownLatch stopRequested, UnaryOperator<LogAnalyticsClientBuilder> customizer, Backoff.Sleeper sleeper,
      List<Path> agentProxyFiles, Function<AgentOptions, AgentStatus> onboarder) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.in = Objects.requireNonNull(in, "in");
    this.env = Map.copyOf(env);
    this.home = Objects.requireNonNull(home, "home");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.interactive = interactive;
    this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
    this.stopRequested = Objects.requireNonNull(stopRequested, "stopRequested");
    this.customizer = Objects.requireNonNull(customizer, "customizer");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.agentProxyFiles = List.copyOf(agentProxyFiles);
    this.onboarder = Objects.requireNonNull(onboarder, "onboarder");
  }

  /** @return the process's streams and environment, the system clock, and {@link LogAnalyticsClientBuilder#build} */
  static CliContext system() {
    return new CliContext(System.out, System.err, System.in, System.getenv(),
        Path.of(System.getProperty("user.home", ".")), Clock.systemUTC(), System.console() != null,
        LogAnalyticsClientBuilder::build, new CountDownLatch(1));
  }

  /**
   * The same context with other environment variables (the run mode gives each destination its own shared key).
   *
   * @param environment the variables
   * @return a new context sharing everything else, the stop latch included
   */
  CliContext withEnv(Map<String, String> environment) {
    return new CliContext(out, err, in, environment, home, clock, interactive, clientFactory, stopRequested,
        customizer, sleeper, agentProxyFiles, onboarder);
  }
}
