package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.testkit.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP receiver's idle timeout and connection limit: idle peers cannot lock out a real sender. Idleness is
 * measured by the injected clock; only {@link #theSocketReadTimeoutClosesASilentConnection} relies on the socket's
 * own timeout.
 */
class SyslogReceiverLimitsTest {
  static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final MutableClock clock = MutableClock.at("2026-11-25T10:00:00Z");
  private final RecordingClient client = new RecordingClient();
  private final List<Socket> idle = new ArrayList<>();

  @AfterEach
  void closeSockets() throws IOException {
    for (Socket s : idle) {
      s.close();
    }
  }

  private SyslogReceiver receiver(SyslogReceiver.TcpOptions options) throws IOException {
    return SyslogReceiver.tcp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), client::send, clock, null, options);
  }

  private void openIdle(SyslogReceiver r, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port());
      s.setSoTimeout(10_000); // a hang guard for the reads below
      idle.add(s);
    }
    awaitCount(r::openConnections, n);
    assertThat(r.openConnections()).isEqualTo(n);
  }

  private static void send(Socket s, String... lines) throws IOException {
    OutputStream out = s.getOutputStream();
    for (String line : lines) {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    out.flush();
  }

  /** Whether the receiver closed the socket: a read sees the end of the stream (or a reset). */
  private static boolean closedByReceiver(Socket s) {
    try {
      InputStream in = s.getInputStream();
      return in.read() < 0;
    } catch (IOException e) {
      return !(e instanceof java.net.SocketTimeoutException);
    }
  }

  @Test
  void aFloodOfIdlePeersAtTheDefaultLimitCannotLockOutARealSender() throws Exception {
    try (SyslogReceiver r = receiver(SyslogReceiver.TcpOptions.defaults())) {
      openIdle(r, SyslogReceiver.TcpOptions.DEFAULT_MAX_CONNECTIONS);
      clock.advance(Duration.ofSeconds(5));

      try (Socket sender = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
        send(sender, "<13>Nov 25 09:00:00 web01 app: one", "<13>Nov 25 09:00:01 web01 app: two",
            "<13>Nov 25 09:00:02 web01 app: three");

        assertThat(client.awaitRecords(3)).extracting(x -> x.field("Message"))
            .containsExactly("one", "two", "three");
      }
      assertThat(r.idleClosed()).isEqualTo(1);
      assertThat(closedByReceiver(idle.get(0))).as("the first idle peer, idle longest, was closed").isTrue();
    }
  }

  @Test
  void atTheLimitTheLongestIdleConnectionMakesRoomAndActiveOnesStay() throws Exception {
    try (SyslogReceiver r = receiver(SyslogReceiver.TcpOptions.defaults().maxConnections(3))) {
      openIdle(r, 3);
      clock.advance(Duration.ofSeconds(1));
      send(idle.get(0), "<13>Nov 25 09:00:00 a app: active");
      client.awaitRecords(1);
      awaitCount(() -> r.received(), 1);
      clock.advance(Duration.ofSeconds(1));

      try (Socket sender = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
        send(sender, "<13>Nov 25 09:00:03 b app: newcomer");
        assertThat(client.awaitRecords(2)).extracting(x -> x.field("Message")).contains("newcomer");
      }
      assertThat(closedByReceiver(idle.get(1))).as("idle since accept, the oldest idle").isTrue();
      send(idle.get(0), "<13>Nov 25 09:00:04 a app: still here");
      assertThat(client.awaitRecords(3)).extracting(x -> x.field("Message")).contains("still here");
    }
  }

  @Test
  void connectionsIdleLongerThanTheTimeoutAreClosedByTheClock() throws Exception {
    try (SyslogReceiver r = receiver(SyslogReceiver.TcpOptions.defaults().idleTimeout(Duration.ofSeconds(60)))) {
      openIdle(r, 3);
      clock.advance(Duration.ofSeconds(61));

      try (Socket sender = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
        send(sender, "<13>Nov 25 09:00:00 web01 app: after the sweep");
        assertThat(client.awaitRecords(1)).extracting(x -> x.field("Message")).containsExactly("after the sweep");
        assertThat(r.idleClosed()).isEqualTo(3);
        assertThat(r.openConnections()).isEqualTo(1);
      }
      assertThat(idle).allSatisfy(s -> assertThat(closedByReceiver(s)).isTrue());
    }
  }

  @Test
  void theSocketReadTimeoutClosesASilentConnection() throws Exception {
    try (SyslogReceiver r = receiver(SyslogReceiver.TcpOptions.defaults().idleTimeout(Duration.ofMillis(50)))) {
      openIdle(r, 1);

      assertThat(closedByReceiver(idle.get(0))).isTrue();
      awaitCount(r::idleClosed, 1);
      assertThat(r.idleClosed()).isEqualTo(1);
    }
  }

  @Test
  void optionsAreValidated() {
    assertThat(SyslogReceiver.TcpOptions.defaults().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(SyslogReceiver.TcpOptions.defaults().maxConnections()).isEqualTo(64);
    assertThatThrownBy(() -> SyslogReceiver.TcpOptions.defaults().maxConnections(0))
        .hasMessage("max connections must be between 1 and 10000, was 0");
    assertThatThrownBy(() -> SyslogReceiver.TcpOptions.defaults().idleTimeout(Duration.ZERO))
        .hasMessage("idle timeout must be between 1 ms and 24 hours, was PT0S");
  }

  /** Waits (at most 10 s) for the receiver's threads to count; a wait for other threads, not for a timeout. */
  private static void awaitCount(LongSupplier count, long expected) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (count.getAsLong() < expected && System.nanoTime() < end) {
      Thread.sleep(5);
    }
  }
}
