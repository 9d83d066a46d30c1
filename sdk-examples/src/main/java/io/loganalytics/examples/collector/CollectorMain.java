package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ConfigurationException;
import java.util.Arrays;
import picocli.CommandLine;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The collector command line: {@code java -jar loganalytics-collector.jar COMMAND [options]}. See
 * {@link Commands} for the commands and their options.
 *
 * <p>Exit status: 0 done; 1 failed (records given up or still buffered, service unreachable, I/O error; {@code status}:
 * not onboarded or stalled), with one line on standard error; 2 bad input, with exactly one line
 * {@code error: <field>: <what is wrong>} on standard error; 130 and 143 when SIGINT or SIGTERM stopped it, after the
 * summary (the JVM's own status for those signals, reached once the shutdown hook has let the command finish).
 *
 * <p>{@link #run} is what tests call; it never calls {@link System#exit}. Thread-safe as long as each call has its
 * own {@link CliContext}.
 */
public final class CollectorMain {
  /** The class the demo needs, present only in the demo jar and on the build's class path. */
  static final String EMULATOR_CLASS = "io/loganalytics/testkit/WorkspaceEmulator.class";

  private static final Map<String, Supplier<Command>> COMMANDS = Map.ofEntries(
      Map.entry("onboard", () -> new OnboardCommand()),
      Map.entry("send", () -> new SendCommand()),
      Map.entry("tail", () -> new TailCommand()),
      Map.entry("syslog", () -> new SyslogCommand()),
      Map.entry("status", () -> new StatusCommand()),
      Map.entry("renew-cert", () -> new RenewCertCommand()),
      Map.entry("verify-buffer", () -> new VerifyBufferCommand()),
      Map.entry("demo", () -> new DemoCommand()),
      Map.entry("dcr-template", () -> new DcrTemplateCommand()),
      Map.entry("migrate-hint", () -> new MigrateHintCommand()),
      Map.entry("run", () -> new RunCommand()));

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
        // The command pushes for at most Delivery.STOP_PUSH, closes the client and prints its summary; the JVM then
        // exits with 130 (SIGINT) or 143 (SIGTERM).
        boolean done = finished.await(20, TimeUnit.SECONDS);
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
      Commands.commandLine(null).usage(ctx.out, ansi(ctx));
      return 0;
    }
    if (name.equals("--version") || name.equals("-V")) {
      ctx.out.println(Commands.version());
      return 0;
    }
    if (Commands.find(name).isEmpty() || !COMMANDS.containsKey(name)) {
      return usageError(ctx, new UsageException("command", "'" + ParsedArgs.printable(name) + "' is not one of "
          + Commands.names()));
    }
    CommandLine cl = Commands.commandLine(name);
    try {
      CommandLine.ParseResult result;
      try {
        result = cl.parseArgs(list.subList(1, list.size()).toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        throw usageProblem(name, cl, e);
      }
      if (result.isUsageHelpRequested()) {
        cl.usage(ctx.out, ansi(ctx));
        return 0;
      }
      if (result.isVersionHelpRequested()) {
        ctx.out.println(Commands.version());
        return 0;
      }
      if (name.equals("demo") && CollectorMain.class.getClassLoader().getResource(EMULATOR_CLASS) == null) {
        // The production jar leaves the emulator and its test libraries out; DemoCommand is never loaded here.
        ctx.err.println("error: demo: this jar has no workspace emulator (the production collector ships no test "
            + "libraries); run java -jar sdk-examples/target/loganalytics-collector-demo.jar demo");
        return 1;
      }
      return COMMANDS.get(name).get().run(ParsedArgs.of(result), ctx);
    } catch (UsageException e) {
      return usageError(ctx, e);
    } catch (ConfigurationException e) {
      return usageError(ctx, new UsageException(ClientSetup.optionFor(e.field()), ClientSetup.problem(e)));
    } catch (Exception e) {
      ctx.err.println("error: " + Failures.describe(e));
      return 1;
    }
  }

  private static CommandLine.Help.Ansi ansi(CliContext ctx) {
    return ctx.interactive ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF;
  }

  /**
   * Turns picocli's parse errors into one line naming the option as typed. A stray positional argument is named by
   * position and never echoed: it may be a key that lost its {@code -s}.
   */
  static UsageException usageProblem(String command, CommandLine cl, CommandLine.ParameterException e) {
    String see = " (see " + command + " --help)";
    if (e instanceof CommandLine.UnmatchedArgumentException u) {
      List<String> unmatched = u.getUnmatched();
      String first = unmatched.isEmpty() ? "?" : unmatched.get(0);
      if (first.startsWith("-") && first.length() > 1) {
        int eq = first.indexOf('=');
        String optionName = eq > 0 ? first.substring(0, eq) : first;
        return new UsageException(ParsedArgs.printable(optionName), "unknown option for '" + command + "'" + see);
      }
      List<String> expected = cl.getCommandSpec().positionalParameters().stream()
          .map(p -> p.paramLabel()).toList();
      return new UsageException("argument " + (expected.size() + 1), "unexpected; '" + command + "' takes "
          + (expected.isEmpty() ? "no arguments" : "only " + String.join(" ", expected)) + " (value not shown)");
    }
    if (e instanceof CommandLine.OverwrittenOptionException o) {
      return new UsageException(typed(e, o.getOverwritten()), "given more than once");
    }
    if (e instanceof CommandLine.MissingParameterException m) {
      for (CommandLine.Model.ArgSpec a : m.getMissing()) {
        if (a.isOption()) {
          return new UsageException(typed(e, a), "needs a value");
        }
        return new UsageException(a.paramLabel(), "is required");
      }
    }
    CommandLine.Model.ArgSpec a = e.getArgSpec();
    String message = e.getMessage() == null ? "" : e.getMessage();
    java.util.regex.Matcher noValue = java.util.regex.Pattern.compile("option '(-[^']+)' should be specified "
        + "without").matcher(message);
    if (noValue.find()) {
      return new UsageException(noValue.group(1), "takes no value");
    }
    if (a != null && a.isOption() && ((CommandLine.Model.OptionSpec) a).arity().max() == 0) {
      return new UsageException(typed(e, a), "takes no value");
    }
    String name = a == null ? "command line" : a.isOption() ? typed(e, a) : a.paramLabel();
    return new UsageException(name, e.getMessage() + see);
  }

  /** The spelling of an option the user typed last, else its shortest name. */
  private static String typed(CommandLine.ParameterException e, CommandLine.Model.ArgSpec a) {
    if (!(a instanceof CommandLine.Model.OptionSpec o)) {
      return a.paramLabel();
    }
    String found = o.shortestName();
    CommandLine.ParseResult pr = e.getCommandLine().getParseResult();
    if (pr != null) {
      for (String arg : pr.originalArgs()) {
        int eq = arg.indexOf('=');
        String n = eq > 0 ? arg.substring(0, eq) : arg;
        if (Arrays.asList(o.names()).contains(n)) {
          found = n;
        }
      }
    }
    return found;
  }

  private static int usageError(CliContext ctx, UsageException e) {
    ctx.err.println(e.errorLine());
    return UsageException.EXIT_CODE;
  }

  /** One line describing a failure; the messages of the SDK's exceptions never contain secrets. */
  static String oneLine(Throwable e) {
    return Failures.oneLine(e);
  }
}
