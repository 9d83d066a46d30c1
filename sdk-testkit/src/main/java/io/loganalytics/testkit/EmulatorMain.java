package io.loganalytics.testkit;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link WorkspaceEmulator} from the command line until the process is killed:
 *
 * <pre>
 * java -cp ... io.loganalytics.testkit.EmulatorMain [--port N] [--domain D] [--workspace-id GUID]
 *     [--shared-key BASE64] [--ca-out FILE]
 * </pre>
 *
 * Prints the workspace id, the shared key (a test key, printed on purpose), the port and the path of the CA
 * certificate clients must trust. Clients must resolve {@code <ws>.oms.<domain>} and {@code <ws>.ods.<domain>} to
 * {@code 127.0.0.1} (for example with {@code /etc/hosts} entries). Exits with status 2 and a one-line reason on bad
 * arguments.
 */
public final class EmulatorMain {
  private EmulatorMain() {}

  /**
   * Starts the emulator.
   *
   * @param args the options above
   * @throws InterruptedException when interrupted while running
   */
  public static void main(String[] args) throws InterruptedException {
    Options options;
    WorkspaceEmulator emulator;
    try {
      options = Options.parse(args);
      if (options.help) {
        usage(System.out);
        return;
      }
      emulator = options.builder.start();
      emulator.writeCaCertificate(options.caOut);
    } catch (RuntimeException e) {
      System.err.println("emulator: " + e.getMessage() + " (see --help)");
      System.exit(2);
      return;
    }
    WorkspaceEmulator running = emulator;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "workspace-emulator-shutdown"));
    PrintStream out = System.out;
    out.println("Workspace emulator running on 127.0.0.1:" + emulator.port());
    out.println("workspace id: " + emulator.workspaceId());
    out.println("shared key:   " + emulator.sharedKey());
    out.println("domain:       " + emulator.cloud().domain());
    out.println("port:         " + emulator.port());
    out.println("CA file:      " + options.caOut.toAbsolutePath());
    out.println("hosts:        " + emulator.cloud().omsHost(emulator.workspaceId()) + ", "
        + emulator.cloud().odsHost(emulator.workspaceId()) + " -> 127.0.0.1");
    out.flush();
    stopped.await();
  }

  /** The parsed command line. */
  static final class Options {
    final WorkspaceEmulator.Builder builder = WorkspaceEmulator.builder();
    Path caOut = Path.of("emulator-ca.pem");
    boolean help;

    /**
     * Parses the options.
     *
     * @throws IllegalArgumentException or {@link io.loganalytics.sdk.ConfigurationException} naming the bad option
     */
    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (option.equals("--help") || option.equals("-h")) {
          o.help = true;
          return o;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(option + " needs a value");
        }
        String value = args[++i];
        switch (option) {
          case "--port":
            o.builder.port(parsePort(value));
            break;
          case "--domain":
            o.builder.domain(value);
            break;
          case "--workspace-id":
            o.builder.workspaceId(value);
            break;
          case "--shared-key":
            o.builder.sharedKey(value);
            break;
          case "--ca-out":
            o.caOut = Path.of(value);
            break;
          default:
            throw new IllegalArgumentException("unknown option " + option);
        }
      }
      return o;
    }
  }

  private static int parsePort(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port '" + value + "' is not a number");
    }
  }

  private static void usage(PrintStream out) {
    out.println("Usage: EmulatorMain [--port N] [--domain DOMAIN] [--workspace-id GUID] [--shared-key BASE64] "
        + "[--ca-out FILE]");
    out.println("Runs a local Log Analytics workspace emulator over TLS on 127.0.0.1 until killed.");
  }
}
