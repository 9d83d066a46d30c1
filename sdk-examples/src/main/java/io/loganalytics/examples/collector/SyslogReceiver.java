package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives syslog messages over UDP or TCP, as the legacy agent's fluentd {@code in_syslog} did on port 25224, and
 * hands each one to a {@link RecordSink} as a {@link SyslogRecords syslog record}.
 *
 * <p><b>Guarantees.</b> No input stops the receiver: a message that cannot be parsed is still delivered as text
 * (see {@link SyslogParser}); a sink that refuses a message for good (a non-retryable error, any other exception)
 * is counted in {@link #failed()} and logged (throttled), and the receiver goes on. When the sink refuses with a
 * retryable {@link LogAnalyticsException} (a full buffer or disk):
 * <ul>
 *   <li><b>TCP</b> applies backpressure: the connection's thread retries the same message with a growing wait
 *       ({@link Backoff}) and reads nothing more from that socket meanwhile, so the sender is slowed by TCP flow
 *       control and nothing is lost (a message being retried when the receiver is closed is counted in
 *       {@link #dropped()});
 *   <li><b>UDP</b> cannot hold the sender back: the message is dropped, counted in {@link #dropped()} and logged
 *       (throttled: the 1st, 2nd, 4th, 8th... drop). UDP datagrams may also be lost by the network or the kernel,
 *       unseen, as for any UDP syslog.
 * </ul>
 *
 * <p><b>Threading.</b> One daemon thread, {@code syslog-udp} or {@code syslog-tcp-accept}, plus one daemon thread
 * per TCP connection ({@code syslog-tcp-<peer>}), at most {@value #MAX_CONNECTIONS} at a time. The sink is called
 * from these threads. {@link #close()} stops them all and may be called from any thread; it is idempotent.
 */
final class SyslogReceiver implements AutoCloseable {
  /** The agent's syslog port. */
  static final int DEFAULT_PORT = 25224;

  static final int MAX_CONNECTIONS = 64;

  private static final Logger LOG = LoggerFactory.getLogger(SyslogReceiver.class);

  private final SyslogParser parser;
  private final RecordSink sink;
  private final Clock clock;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  private final Backoff.Sleeper sleeper;
  /** Wakes the default sleeper when the receiver is closed. */
  private final Object wake = new Object();
  private volatile boolean closed;
  /** The UDP receive or TCP accept thread; close() waits for it, so the port is released when close() returns. */
  private volatile Thread listener;

  private SyslogReceiver(SyslogParser parser, RecordSink sink, Clock clock, Backoff.Sleeper sleeper,
      DatagramSocket udp, ServerSocket tcp) {
    this.parser = parser;
    this.sleeper = sleeper != null ? sleeper : this::sleepUntilClosed;
    this.sink = sink;
    this.clock = clock;
    this.udp = udp;
    this.tcp = tcp;
  }

  /**
   * Starts a UDP receiver.
   *
   * @param bind the address and port to listen on (port 0 picks a free one)
   * @param parser the parser
   * @param sink where records go
   * @param clock the time of arrival
   * @return the running receiver
   * @throws IOException when the port cannot be bound
   */
  static SyslogReceiver udp(InetSocketAddress bind, SyslogParser parser, RecordSink sink, Clock clock)
      throws IOException {
    DatagramSocket socket = new DatagramSocket(bind);
    socket.setReceiveBufferSize(4 * 1024 * 1024);
    SyslogReceiver r = new SyslogReceiver(parser, sink, clock, null, socket, null);
    r.listener = r.startThread("syslog-udp", r::udpLoop);
    return r;
  }

  /**
   * Starts a TCP receiver.
   *
   * @param bind the address and port to listen on (port 0 picks a free one)
   * @param parser the parser
   * @param sink where records go
   * @param clock the time of arrival
   * @return the running receiver
   * @throws IOException when the port cannot be bound
   */
  static SyslogReceiver tcp(InetSocketAddress bind, SyslogParser parser, RecordSink sink, Clock clock)
      throws IOException {
    return tcp(bind, parser, sink, clock, null);
  }

  /**
   * Starts a TCP receiver that waits with the given sleeper while the sink refuses a message with a retryable error.
   *
   * @param bind the address and port to listen on (port 0 picks a free one)
   * @param parser the parser
   * @param sink where records go
   * @param clock the time of arrival
   * @param sleeper how to wait between attempts, or null for a real wait that {@link #close()} cuts short
   * @return the running receiver
   * @throws IOException when the port cannot be bound
   */
  static SyslogReceiver tcp(InetSocketAddress bind, SyslogParser parser, RecordSink sink, Clock clock,
      Backoff.Sleeper sleeper) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind);
    SyslogReceiver r = new SyslogReceiver(parser, sink, clock, sleeper, null, server);
    r.listener = r.startThread("syslog-tcp-accept", r::acceptLoop);
    return r;
  }

  /** @return the port listened on */
  int port() {
    return udp != null ? udp.getLocalPort() : tcp.getLocalPort();
  }

  /** @return messages handed to the sink successfully */
  long received() {
    return received.get();
  }

  /** @return messages the sink refused for good (not retryable), or that could not be turned into a record */
  long failed() {
    return failed.get();
  }

  /**
   * @return messages dropped because the sink refused them with a retryable error (a full buffer): UDP messages,
   *     and TCP messages still being retried when the receiver was closed
   */
  long dropped() {
    return dropped.get();
  }

  /**
   * Parses one message and hands it to the sink. Never throws. A retryable refusal is retried (TCP) or counted as a
   * drop (UDP), see the class description.
   *
   * @param data the message bytes (UTF-8; invalid bytes become U+FFFD)
   * @param length how many bytes of {@code data} to use
   * @param source the sender's address
   */
  void handle(byte[] data, int length, InetAddress source) {
    Instant now = clock.instant();
    String ip = source == null ? "Unknown IP" : source.getHostAddress();
    Map<String, Object> record;
    try {
      Optional<SyslogMessage> m = parser.parse(new String(data, 0, length, StandardCharsets.UTF_8), now, ip);
      if (m.isEmpty()) {
        return;
      }
      record = SyslogRecords.toRecord(m.get(), now, ip);
    } catch (RuntimeException e) {
      fail(ip, e);
      return;
    }
    Backoff backoff = new Backoff();
    while (true) {
      try {
        sink.accept(SyslogRecords.DATA_TYPE, record);
        received.incrementAndGet();
        return;
      } catch (LogAnalyticsException e) {
        if (!e.isRetryable()) {
          fail(ip, e);
          return;
        }
        if (udp != null || closed) {
          long n = dropped.incrementAndGet();
          if (Backoff.shouldWarn(n)) {
            LOG.warn("syslog message from {} dropped, the buffer refused it ({} dropped so far): {}", ip, n,
                e.toString());
          }
          return;
        }
        long n = refusals.incrementAndGet();
        Duration wait = backoff.next();
        if (Backoff.shouldWarn(n)) {
          LOG.warn("syslog TCP from {}: the buffer refused a message, not reading until it takes it, retrying in "
              + "{} ms ({} refusals so far): {}", ip, wait.toMillis(), n, e.toString());
        }
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          dropped.incrementAndGet();
          return;
        }
      } catch (RuntimeException e) {
        fail(ip, e);
        return;
      }
    }
  }

  private void fail(String ip, RuntimeException e) {
    long n = failed.incrementAndGet();
    if (Backoff.shouldWarn(n)) { // throttled: the 1st, 2nd, 4th, 8th... failure
      LOG.warn("syslog message from {} not taken ({} so far): {}", ip, n, e.toString());
    }
  }

  /** The default sleeper: waits, but no longer than until {@link #close()}. */
  private void sleepUntilClosed(Duration d) throws InterruptedException {
    synchronized (wake) {
      if (!closed) {
        wake.wait(Math.max(1, d.toMillis()));
      }
    }
  }

  private void udpLoop() {
    byte[] buf = new byte[SyslogFraming.MAX_FRAME];
    DatagramPacket packet = new DatagramPacket(buf, buf.length);
    while (!closed) {
      try {
        packet.setLength(buf.length);
        udp.receive(packet);
        handle(packet.getData(), packet.getLength(), packet.getAddress());
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("syslog UDP receive failed: {}", e.toString());
        }
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = tcp.accept();
        if (connections.size() >= MAX_CONNECTIONS) {
          LOG.warn("syslog TCP connection from {} refused: {} connections open", s.getInetAddress(),
              MAX_CONNECTIONS);
          s.close();
          continue;
        }
        connections.add(s);
        startThread("syslog-tcp-" + s.getRemoteSocketAddress(), () -> connectionLoop(s));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("syslog TCP accept failed: {}", e.toString());
        }
      }
    }
  }

  private void connectionLoop(Socket s) {
    try (s; InputStream in = new BufferedInputStream(s.getInputStream())) {
      SyslogFraming framing = new SyslogFraming(in, SyslogFraming.MAX_FRAME);
      byte[] frame;
      while ((frame = framing.next()) != null) {
        handle(frame, frame.length, s.getInetAddress());
      }
    } catch (SocketException e) {
      // closed by us or reset by the peer: the connection ends
    } catch (IOException e) {
      if (!closed) {
        LOG.warn("syslog TCP connection from {} failed: {}", s.getRemoteSocketAddress(), e.toString());
      }
    } finally {
      connections.remove(s);
    }
  }

  private Thread startThread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Stops receiving; open TCP connections are closed. Idempotent. */
  @Override
  public void close() {
    closed = true;
    synchronized (wake) {
      wake.notifyAll();
    }
    if (udp != null) {
      udp.close();
    }
    if (tcp != null) {
      try {
        tcp.close();
      } catch (IOException e) {
        LOG.debug("closing the syslog TCP socket failed", e);
      }
    }
    for (Socket s : connections) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debug("closing a syslog TCP connection failed", e);
      }
    }
    // The JDK defers the real close of a socket while a thread is blocked in accept/receive on it; wait for that
    // thread to leave, so that the port no longer answers once close() has returned.
    Thread t = listener;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "SyslogReceiver{" + (udp != null ? "udp" : "tcp") + " port " + port() + "}";
  }

  static SyslogReceiver start(boolean useTcp, InetSocketAddress bind, SyslogParser parser, RecordSink sink,
      Clock clock) throws IOException {
    Objects.requireNonNull(sink, "sink");
    return useTcp ? tcp(bind, parser, sink, clock, null) : udp(bind, parser, sink, clock);
  }
}
