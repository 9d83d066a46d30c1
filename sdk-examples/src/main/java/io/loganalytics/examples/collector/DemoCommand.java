package io.loganalytics.examples.collector;

/**
 * Placeholder until the workspace emulator of sdk-testkit and the agent identity facade of sdk-impl is merged into this branch; the full command is
 * written and tested on the merged code and handed to the lead. Until then it says, in one line, that the command
 * is not available (exit status 1). Stateless; thread-safe.
 */
final class DemoCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    args.intValue("records", 5000, 1, 1_000_000);
    ctx.err.println("error: demo is not available in this build yet");
    return 1;
  }
}
