package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ConfigurationException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The collector command line: {@code java -jar loganalytics-collector.jar COMMAND [options]}. See
 * {@link Commands} for the commands and their options.
 *
 * <p>Exit status: 0 done; 1 failed (records given up, service unreachable, I/O error), with one line on standard
 * error; 2 bad input, with exactly one line {@code error: <field>: <what is wrong>} on standard error.
 *
 * <p>{@link #run} is what tests call; it never calls {@link System#exit}. Thread-safe as long as each call has its
 * own {@link CliContext}.
 */
public final class CollectorMain {
  private static final Map<String, Command> COMMANDS = Map.of(
      "onboard", new OnboardCommand(),
      "send", new SendCommand(),
      "tail", new TailCommand(),
      "syslog", new SyslogCommand(),
      "status", new StatusCommand(),
      "renew-cert", new RenewCertCommand(),
      "verify-buffer", new VerifyBufferCommand(),
      "demo", new DemoCommand());

  private CollectorMain() {}

  /**
   * Runs the collector and exits with its status. On SIGINT/SIGTERM the long-running commands stop, push what is
   * buffered (bounded by the client's close timeout) and exit.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    // The SDK logs through SLF4J; the collector shows warnings and errors unless told otherwise
    // (-Dorg.slf4j.simpleLogger.defaultLogLevel=info shows onboarding, renewals and retries).
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    CliContext ctx = CliContext.system();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      ctx.stopRequested.countDown();
      try {
        boolean done = finished.await(15, TimeUnit.SECONDS);
        if (!done) {
          ctx.err.println("warning: stopped before the buffer was closed cleanly; records stay on disk");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "collector-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int status = run(args, ctx);
    finished.countDown();
    ctx.out.flush();
    System.exit(status);
  }

  /**
   * Runs one command line.
   *
   * @param args the command line
   * @param ctx the streams, environment and factories
   * @return the exit status
   */
  static int run(String[] args, CliContext ctx) {
    List<String> list = Arrays.asList(args);
    if (list.isEmpty()) {
      return usageError(ctx, new UsageException("command", "is missing; one of " + Commands.names()
          + " (see --help)"));
    }
    String name = list.get(0);
    if (name.equals("--help") || name.equals("-h") || name.equals("help")) {
      ctx.out.print(Commands.globalHelp(CliContext.PROGRAM));
      return 0;
    }
    CommandSpec spec = Commands.find(name).orElse(null);
    if (spec == null) {
      return usageError(ctx, new UsageException("command", "'" + ArgParser.printable(name) + "' is not one of "
          + Commands.names()));
    }
    try {
      ParsedArgs parsed = ArgParser.parse(spec, list.subList(1, list.size()));
      if (parsed.has(ArgParser.HELP)) {
        ctx.out.print(spec.help(CliContext.PROGRAM));
        return 0;
      }
      return COMMANDS.get(name).run(parsed, ctx);
    } catch (UsageException e) {
      return usageError(ctx, e);
    } catch (ConfigurationException e) {
      return usageError(ctx, new UsageException(ClientSetup.optionFor(e.field()), ClientSetup.problem(e)));
    } catch (Exception e) {
      ctx.err.println("error: " + oneLine(e));
      return 1;
    }
  }

  private static int usageError(CliContext ctx, UsageException e) {
    ctx.err.println(e.errorLine());
    return UsageException.EXIT_CODE;
  }

  /** One line describing a failure; the messages of the SDK's exceptions never contain secrets. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.replace('\n', ' ').replace('\r', ' ');
  }
}
