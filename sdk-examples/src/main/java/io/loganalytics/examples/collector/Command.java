package io.loganalytics.examples.collector;

/** One subcommand's behaviour. Implementations are stateless; one instance may serve many runs. */
interface Command {
  /**
   * Runs the command.
   *
   * @param args the parsed arguments (never with {@code --help}; the caller handles that)
   * @param ctx the streams, environment and factories to use
   * @return the exit status: 0 done, 1 failed
   * @throws UsageException on bad input (exit status 2)
   * @throws Exception on any other failure (exit status 1, one line on standard error)
   */
  int run(ParsedArgs args, CliContext ctx) throws Exception;
}
