package io.loganalytics.examples.collector;

/**
 * Placeholder until the implementation it needs (sdk-impl identity facadeDemo, sdk-testkit emulator) is merged: reports that
 * the command is not available in this build. Stateless; thread-safe.
 */
final class DemoCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    args.intValue("records", 5000, 1, 1_000_000);
    ctx.err.println("error: demo is not available in this build yet");
    return 1;
  }
}
