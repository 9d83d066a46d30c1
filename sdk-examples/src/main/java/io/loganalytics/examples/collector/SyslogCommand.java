package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;

/**
 * {@code syslog}: listens where the agent listened (UDP 127.0.0.1:25224 unless told otherwise, or TCP with
 * {@code --tcp}) and sends every message as a syslog record (DataType {@code LINUX_SYSLOGS_BLOB}) on the agent path.
 * Runs until SIGINT/SIGTERM, then pushes what is buffered (at most 30 s) and prints the summary. While the buffer
 * is full, TCP senders are held back and UDP messages are dropped and counted ({@link SyslogReceiver}); the count is
 * in the summary and in {@code status}.
 *
 * <p>Stateless; thread-safe.
 */
final class SyslogCommand implements Command {
  private static final Duration FINAL_PUSH = Duration.ofSeconds(30);

  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException, InterruptedException {
    ClientSetup setup = new ClientSetup(args, ctx);
    var builder = setup.builder(SyslogRecords.DATA_TYPE);
    String type = setup.recordType(SyslogRecords.DATA_TYPE);
    int port = args.intValue("port", SyslogReceiver.DEFAULT_PORT, 1, 65535);
    boolean tcp = args.has("tcp");
    String bindText = args.value("bind").orElse("127.0.0.1");
    InetAddress bind = bindAddress(args, bindText);
    SyslogReceiver.TcpOptions tcpOptions = SyslogReceiver.TcpOptions.defaults()
        .idleTimeout(Duration.ofSeconds(args.intValue("idle-timeout", 60, 1, 86_400)))
        .maxConnections(args.intValue("max-connections", SyslogReceiver.TcpOptions.DEFAULT_MAX_CONNECTIONS, 1, 10_000));
    LogAnalyticsClient client = ctx.clientFactory.apply(builder);
    Delivery delivery = new Delivery(client, ctx, setup.stateDirectory()).describe(setup.listener(), builder, type);
    SyslogReceiver receiver;
    try {
      receiver = SyslogReceiver.start(tcp, new InetSocketAddress(bind, port), new SyslogParser(ZoneId.systemDefault()),
          (t, r) -> client.send(type, r), ctx.clock, tcpOptions);
    } catch (IOException e) {
      client.close(Duration.ofSeconds(10));
      throw new IOException("cannot listen on " + (tcp ? "tcp " : "udp ") + bindText + ":" + port + ": "
          + e.getMessage(), e);
    }
    delivery.inputDrops(receiver::dropped);
    try (receiver) {
      ctx.err.println("listening for syslog on " + (tcp ? "tcp " : "udp ") + bindText + ":" + receiver.port()
          + " (Ctrl-C to stop)");
      while (!ctx.stopRequested.await(1, TimeUnit.SECONDS) && delivery.fatal().isEmpty()) {
        delivery.progress(receiver.received());
        delivery.checkpoint();
      }
    }
    return delivery.finish(receiver.received() + receiver.failed() + receiver.dropped(), receiver.failed(),
        FINAL_PUSH);
  }

  /** An IP literal (no DNS lookup), {@code localhost}, or {@code 0.0.0.0} for every interface. */
  private static InetAddress bindAddress(ParsedArgs args, String text) {
    boolean ipv4 = text.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]"
        + "|[1-9]?[0-9])){3}");
    boolean ipv6 = text.indexOf(':') >= 0 && text.matches("[0-9A-Fa-f:.%\\[\\]]+");
    if (ipv4 || ipv6 || text.equals("localhost")) {
      try {
        return InetAddress.getByName(text);
      } catch (UnknownHostException e) {
        // falls through to the usage error
      }
    }
    throw new UsageException(args.name("bind"), "'" + ParsedArgs.printable(text) + "' is not an IP address");
  }
}
