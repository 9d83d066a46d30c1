package io.loganalytics.examples.collector;

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
 * (see {@link SyslogParser}); a sink that throws is counted in {@link #failed()} and logged, and the receiver goes
 * on. UDP datagrams may be lost by the network or the kernel, as for any UDP syslog; TCP is reliable up to the
 * sink.
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
  private volatile boolean closed;
  /** The UDP receive or TCP accept thread; close() waits for it, so the port is released when close() returns. */
  private volatile Thread listener;

  private SyslogReceiver(SyslogParser parser, RecordSink sink, Clock clock, DatagramSocket udp, ServerSocket tcp) {
    this.parser = parser;
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
    SyslogReceiver r = new SyslogReceiver(parser, sink, clock, socket, null);
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
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(bind);
    SyslogReceiver r = new SyslogReceiver(parser, sink, clock, null, server);
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

  /** @return messages the sink refused */
  long failed() {
    return failed.get();
  }

  /**
   * Parses one message and hands it to the sink. Never throws.
   *
   * @param data the message bytes (UTF-8; invalid bytes become U+FFFD)
   * @param length how many bytes of {@code data} to use
   * @param source the sender's address
   */
  void handle(byte[] data, int length, InetAddress source) {
    Instant now = clock.instant();
    String ip = source == null ? "Unknown IP" : source.getHostAddress();
    try {
      Optional<SyslogMessage> m = parser.parse(new String(data, 0, length, StandardCharsets.UTF_8), now, ip);
      if (m.isEmpty()) {
        return;
      }
      Map<String, Object> record = SyslogRecords.toRecord(m.get(), now, ip);
      sink.accept(SyslogRecords.DATA_TYPE, record);
      received.incrementAndGet();
    } catch (RuntimeException e) {
      long n = failed.incrementAndGet();
      if (n == 1 || Long.bitCount(n) == 1) { // throttled: the 1st, 2nd, 4th, 8th... failure
        LOG.warn("syslog message from {} not taken ({} so far): {}", ip, n, e.toString());
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
    return useTcp ? tcp(bind, parser, sink, clock) : udp(bind, parser, sink, clock);
  }
}
