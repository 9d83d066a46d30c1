package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.impl.io.ThrottledLogger;
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
import java.net.SocketTimeoutException;
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
 * is counted in {@link #failed()} and logged (at WARN at most once a minute by the injected clock, DEBUG in between,
 * as every repeated warning here), and the receiver goes on. When the sink refuses with a
 * retryable {@link LogAnalyticsException} (a full buffer or disk):
 * <ul>
 *   <li><b>TCP</b> applies backpressure: the connection's thread retries the same message with a growing wait
 *       ({@link Backoff}) and reads nothing more from that socket meanwhile, so the sender is slowed by TCP flow
 *       control and nothing is lost (a message being retried when the receiver is closed is counted in
 *       {@link #dropped()});
 *   <li><b>UDP</b> cannot hold the sender back: the message is dropped, counted in {@link #dropped()} and logged
 *       (throttled). UDP datagrams may also be lost by the network or the kernel,
 *       unseen, as for any UDP syslog.
 * </ul>
 *
 * <p><b>TCP connection limits</b> ({@link TcpOptions}). A connection that sends no complete message for the idle
 * timeout (default 60 s) is closed: by the socket's read timeout, and, by the injected clock, whenever a new
 * connection arrives. At most {@link TcpOptions#maxConnections()} connections (default 64) are open; when a new one
 * arrives at the limit, the connection idle longest (by the injected clock, since its last complete message or its
 * accept) is closed to admit it, so a flood of idle or trickling peers cannot lock out a real sender. A connection
 * whose message the sink is holding back (backpressure) is never closed for this; when all are, the new one is
 * refused.
 *
 * <p><b>Threading.</b> One daemon thread, {@code syslog-udp} or {@code syslog-tcp-accept}, plus one daemon thread
 * per TCP connection ({@code syslog-tcp-<peer>}), at most {@link TcpOptions#maxConnections()} at a time. The sink is
 * called from these threads. {@link #close()} stops them all and may be called from any thread; it is idempotent.
 */
final class SyslogReceiver implements AutoCloseable {
  /** The agent's syslog port. */
  static final int DEFAULT_PORT = 25224;

  private static final Logger LOG = LoggerFactory.getLogger(SyslogReceiver.class);
  /** The least time between two warnings of the same kind. */
  static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

  /**
   * The TCP receiver's limits: the idle timeout and the most connections open at once. Immutable and thread-safe.
   */
  static final class TcpOptions {
    /** The idle timeout when none is given. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The connection limit when none is given. */
    static final int DEFAULT_MAX_CONNECTIONS = 64;

    private final Duration idleTimeout;
    private final int maxConnections;

    private TcpOptions(Duration idleTimeout, int maxConnections) {
      this.idleTimeout = idleTimeout;
      this.maxConnections = maxConnections;
    }

    /** @return 60 s idle timeout, 64 connections */
    static TcpOptions defaults() {
      return new TcpOptions(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * @param timeout how long a connection may send no complete message before it is closed; at least 1 ms, at
     *     most 24 hours
     * @return options with that idle timeout
     * @throws IllegalArgumentException naming the option when out of range
     */
    TcpOptions idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "idleTimeout");
      if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("idle timeout must be between 1 ms and 24 hours, was " + timeout);
      }
      return new TcpOptions(timeout, maxConnections);
    }

    /**
     * @param max the most TCP connections open at once, 1 to 10,000
     * @return options with that limit
     * @throws IllegalArgumentException naming the option when out of range
     */
    TcpOptions maxConnections(int max) {
      if (max < 1 || max > 10_000) {
        throw new IllegalArgumentException("max connections must be between 1 and 10000, was " + max);
      }
      return new TcpOptions(idleTimeout, max);
    }

    Duration idleTimeout() {
      return idleTimeout;
    }

    int maxConnections() {
      return maxConnections;
    }

    @Override
    public String toString() {
      return "TcpOptions{idleTimeout=" + idleTimeout + ", maxConnections=" + maxConnections + "}";
    }
  }

  /** An open TCP connection and when it last completed a message. */
  private static final class Connection {
    final Socket socket;
    /** Accept order: of two connections idle since the same instant, the earlier accepted counts as idle longer. */
    final long sequence;
    volatile Instant lastActivity;
    /** While the sink holds a message of this connection back; such a connection is never evicted. */
    volatile boolean busy;

    Connection(Socket socket, long sequence, Instant acceptedAt) {
      this.socket = socket;
      this.sequence = sequence;
      this.lastActivity = acceptedAt;
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        LOG.debug("closing a syslog TCP connection failed", e);
      }
    }
  }

  private final SyslogParser parser;
  private final RecordSink sink;
  private final Clock clock;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final TcpOptions options;
  private final AtomicLong idleClosed = new AtomicLong();
  /** Connections accepted; read and written by the accept thread only. */
  private long accepted;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  /** Repeated warnings: WARN at most once a {@link #WARN_INTERVAL} each, by the injected clock, DEBUG in between. */
  private final ThrottledLogger failedWarning;
  private final ThrottledLogger droppedWarning;
  private final ThrottledLogger refusedWarning;
  private final ThrottledLogger idleClosedWarning;
  private final Backoff.Sleeper sleeper;
  /** Wakes the default sleeper when the receiver is closed. */
  private final Object wake = new Object();
  private volatile boolean closed;
  /** The UDP receive or TCP accept thread; close() waits for it, so the port is released when close() returns. */
  private volatile Thread listener;

  private SyslogReceiver(SyslogParser parser, RecordSink sink, Clock clock, Backoff.Sleeper sleeper,
      DatagramSocket udp, ServerSocket tcp, TcpOptions options) {
    this.options = options;
    this.parser = parser;
    this.sleeper = sleeper != null ? sleeper : this::sleepUntilClosed;
    this.sink = sink;
    this.clock = clock;
    this.failedWarning = new ThrottledLogger(LOG, clock, WARN_INTERVAL);
    this.droppedWarning = new ThrottledLogger(LOG, clock, WARN_INTERVAL);
    this.refusedWarning = new ThrottledLogger(LOG, clock, WARN_INTERVAL);
    this.idleClosedWarning = new ThrottledLogger(LOG, clock, WARN_INTERVAL);
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
    SyslogReceiver r = new SyslogReceiver(parser, sink, clock, null, socket, null, TcpOptions.defaults());
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
    return tcp(bind, parser, sink, clock, sleeper, TcpOptions.defaults());
  }

  /**
   * Starts a TCP receiver with the given connection limits.
   *
   * @param bind the address and port to listen on (port 0 picks a free one)
   * @param parser the parser
   * @param sink where records go
   * @param clock the time of arrival, and of idleness
   * @param sleeper how to wait between attempts, or null for a real wait that {@link #close()} cuts short
   * @param options the idle timeout and connection limit
   * @return the running receiver
   * @throws IOException when the port cannot be bound
   */
  static SyslogReceiver tcp(InetSocketAddress bind, SyslogParser parser, RecordSink sink, Clock clock,
      Backoff.Sleeper sleeper, TcpOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind);
    SyslogReceiver r = new SyslogReceiver(parser, sink, clock, sleeper, null, server, options);
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

  /** @return TCP connections closed for idleness, by the timeout or to admit a new connection at the limit */
  long idleClosed() {
    return idleClosed.get();
  }

  /** @return TCP connections open now */
  int openConnections() {
    return connections.size();
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
          droppedWarning.warn(1, "syslog message from {} dropped, the buffer refused it ({} dropped so far, {} since "
              + "the last warning): {}", ip, n, ThrottledLogger.AMOUNT, e.toString());
          return;
        }
        long n = refusals.incrementAndGet();
        Duration wait = backoff.next();
        refusedWarning.warn(1, "syslog TCP from {}: the buffer refused a message, not reading until it takes it, "
            + "retrying in {} ms ({} refusals so far): {}", ip, wait.toMillis(), n, e.toString());
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
    failedWarning.warn(1, "syslog message from {} not taken ({} so far): {}", ip, n, e.toString());
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
        Instant now = clock.instant();
        closeIdle(now);
        if (connections.size() >= options.maxConnections() && !evictLongestIdle(now, s)) {
          LOG.warn("syslog TCP connection from {} refused: {} connections open, all delivering", s.getInetAddress(),
              options.maxConnections());
          s.close();
          continue;
        }
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.idleTimeout().toMillis()));
        Connection c = new Connection(s, accepted++, now);
        connections.add(c);
        startThread("syslog-tcp-" + s.getRemoteSocketAddress(), () -> connectionLoop(c));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("syslog TCP accept failed: {}", e.toString());
        }
      }
    }
  }

  /** Closes the connections that completed no message within the idle timeout, by the injected clock. */
  private void closeIdle(Instant now) {
    Instant cutoff = now.minus(options.idleTimeout());
    for (Connection c : connections) {
      if (!c.busy && c.lastActivity.isBefore(cutoff) && connections.remove(c)) {
        idleClosed.incrementAndGet();
        LOG.info("syslog TCP connection from {} closed: no complete message for {} (idle timeout)",
            c.socket.getRemoteSocketAddress(), Duration.between(c.lastActivity, now));
        c.close();
      }
    }
  }

  /**
   * At the limit: closes the connection idle longest, unless the sink holds each one's message back.
   *
   * @return whether a connection was closed
   */
  private boolean evictLongestIdle(Instant now, Socket newcomer) {
    Connection victim = null;
    for (Connection c : connections) {
      if (!c.busy && (victim == null || c.lastActivity.isBefore(victim.lastActivity)
          || c.lastActivity.equals(victim.lastActivity) && c.sequence < victim.sequence)) {
        victim = c;
      }
    }
    if (victim == null || !connections.remove(victim)) {
      return false;
    }
    long n = idleClosed.incrementAndGet();
    idleClosedWarning.warn(1, "syslog TCP: {} connections open; closed the one idle longest (from {}, idle {}) to "
        + "admit {} ({} closed so far)", options.maxConnections(), victim.socket.getRemoteSocketAddress(),
        Duration.between(victim.lastActivity, now), newcomer.getRemoteSocketAddress(), n);
    victim.close();
    return true;
  }

  private void connectionLoop(Connection c) {
    Socket s = c.socket;
    try (s; InputStream in = new BufferedInputStream(s.getInputStream())) {
      SyslogFraming framing = new SyslogFraming(in, SyslogFraming.MAX_FRAME);
      byte[] frame;
      while ((frame = framing.next()) != null) {
        c.busy = true;
        try {
          handle(frame, frame.length, s.getInetAddress());
        } finally {
          c.lastActivity = clock.instant();
          c.busy = false;
        }
      }
    } catch (SocketTimeoutException e) {
      if (connections.contains(c)) {
        idleClosed.incrementAndGet();
        LOG.info("syslog TCP connection from {} closed: nothing received for {} (idle timeout)",
            s.getRemoteSocketAddress(), options.idleTimeout());
      }
    } catch (SocketException e) {
      // closed by us or reset by the peer: the connection ends
    } catch (IOException e) {
      if (!closed) {
        LOG.warn("syslog TCP connection from {} failed: {}", s.getRemoteSocketAddress(), e.toString());
      }
    } finally {
      connections.remove(c);
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
    for (Connection c : connections) {
      c.close();
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
    return start(useTcp, bind, parser, sink, clock, TcpOptions.defaults());
  }

  /**
   * Starts a UDP or TCP receiver.
   *
   * @param useTcp TCP, else UDP
   * @param bind the address and port
   * @param parser the parser
   * @param sink where records go
   * @param clock the time of arrival
   * @param tcpOptions the TCP receiver's idle timeout and connection limit (unused for UDP)
   * @return the running receiver
   * @throws IOException when the port cannot be bound
   */
  static SyslogReceiver start(boolean useTcp, InetSocketAddress bind, SyslogParser parser, RecordSink sink,
      Clock clock, TcpOptions tcpOptions) throws IOException {
    Objects.requireNonNull(sink, "sink");
    return useTcp ? tcp(bind, parser, sink, clock, null, tcpOptions) : udp(bind, parser, sink, clock);
  }
}
