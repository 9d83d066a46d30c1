package io.loganalytics.examples.collector;

/**
 * Placeholder until the implementation it needs (sdk-impl identity facadeRenewCert) is merged: reports that
 * the command is not available in this build. Stateless; thread-safe.
 */
final class RenewCertCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    ctx.err.println("error: renew-cert is not available in this build yet");
    return 1;
  }
}
