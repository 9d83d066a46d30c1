package io.loganalytics.examples.collector;

/**
 * Placeholder until the agent identity facade of sdk-impl (AgentIdentity.renew) is merged into this branch; the full command is
 * written and tested on the merged code and handed to the lead. Until then it says, in one line, that the command
 * is not available (exit status 1). Stateless; thread-safe.
 */
final class RenewCertCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    ctx.err.println("error: renew-cert is not available in this build yet");
    return 1;
  }
}
