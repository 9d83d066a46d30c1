package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.BufferFullException;
import io.loganalytics.sdk.RecordTooLargeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyslogReceiverTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
  static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void udpMessagesBecomeSyslogRecords() throws Exception {
    RecordingClient client = new RecordingClient();
    try (SyslogReceiver r = SyslogReceiver.udp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), client::send, CLOCK);
        DatagramSocket s = new DatagramSocket()) {
      udp(s, r.port(), "<86>Nov 25 09:00:00 web01 sshd[77]: Accepted publickey");

      List<RecordingClient.Sent> got = client.awaitRecords(1);

      assertThat(got).hasSize(1);
      assertThat(got.get(0).type()).isEqualTo("LINUX_SYSLOGS_BLOB");
      assertThat(got.get(0).map()).containsEntry("Facility", "authpriv")
          .containsEntry("Severity", "info").containsEntry("Host", "web01").containsEntry("ident", "sshd")
          .containsEntry("ProcessId", "77").containsEntry("Message", "Accepted publickey")
          .containsEntry("EventTime", "2026-11-25T09:00:00.000Z").containsEntry("Timestamp",
              "2026-11-25T10:00:00.000Z").containsEntry("HostIP", "127.0.0.1");
    }
  }

  @Test
  void tcpMessagesWithBothFramingsBecomeRecords() throws Exception {
    RecordingClient client = new RecordingClient();
    try (SyslogReceiver r = SyslogReceiver.tcp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), client::send, CLOCK);
        Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
      OutputStream out = s.getOutputStream();
      String counted = "<14>1 2026-11-25T09:00:00Z h app 5 - - multi\nline";
      out.write((counted.getBytes(StandardCharsets.UTF_8).length + " " + counted).getBytes(StandardCharsets.UTF_8));
      out.write("<13>Nov 25 09:00:00 h b: newline framed\n".getBytes(StandardCharsets.UTF_8));
      out.flush();

      List<RecordingClient.Sent> got = client.awaitRecords(2);

      assertThat(got).extracting(x -> x.field("Message"))
          .containsExactly("multi\nline", "newline framed");
    }
  }

  @Test
  void garbageNeverStopsTheReceiver() throws Exception {
    RecordingClient client = new RecordingClient();
    Random random = new Random(7);
    try (SyslogReceiver r = SyslogReceiver.udp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), client::send, CLOCK);
        DatagramSocket s = new DatagramSocket()) {
      int sent = 0;
      for (int i = 0; i < 200; i++) {
        byte[] noise = new byte[1 + random.nextInt(2000)];
        random.nextBytes(noise);
        noise[0] = (byte) ('A' + (i % 20)); // never blank, so every datagram yields a record
        s.send(new DatagramPacket(noise, noise.length, InetAddress.getLoopbackAddress(), r.port()));
        sent++;
        if (i % 50 == 49) {
          client.awaitRecords(sent); // pace the sender so the kernel does not drop datagrams
        }
      }
      udp(s, r.port(), "<13>Nov 25 09:00:00 h a: still alive");

      List<RecordingClient.Sent> got = client.awaitRecords(sent + 1);

      assertThat(got).hasSize(sent + 1);
      assertThat(got.get(sent).map()).containsEntry("Message", "still alive");
    }
  }

  @Test
  void aSinkThatThrowsIsCountedAndTheReceiverGoesOn() throws Exception {
    RecordingClient client = new RecordingClient();
    AtomicInteger calls = new AtomicInteger();
    RecordSink flaky = (type, record) -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("buffer full");
      }
      client.send(type, record);
    };
    try (SyslogReceiver r = SyslogReceiver.tcp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), flaky, CLOCK);
        Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
      s.getOutputStream().write("<13>first\n<13>second\n".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();

      List<RecordingClient.Sent> got = client.awaitRecords(1);
      awaitCount(r::received, 1); // counted just after the sink returns

      assertThat(got).extracting(x -> x.field("Message")).containsExactly("second");
      assertThat(r.failed()).isEqualTo(1);
      assertThat(r.received()).isEqualTo(1);
    }
  }

  @Test
  void tcpWithARefusingBufferHoldsTheSenderBackAndLosesNothing() throws Exception {
    RecordingClient client = new RecordingClient();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger waits = new AtomicInteger();
    RecordSink full = (type, record) -> {
      int n = calls.incrementAndGet();
      if (n <= 5 || n == 12) {
        throw new BufferFullException(Path.of("buffer"), "buffer full");
      }
      client.send(type, record);
    };
    try (SyslogReceiver r = SyslogReceiver.tcp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), full, CLOCK,
        d -> waits.incrementAndGet());
        Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
      List<String> expected = new ArrayList<>();
      StringBuilder batch = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        expected.add("message " + i);
        batch.append("<13>Nov 25 09:00:00 h app: message ").append(i).append('\n');
      }
      s.getOutputStream().write(batch.toString().getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();

      List<RecordingClient.Sent> got = client.awaitRecords(20);
      awaitCount(r::received, 20); // counted just after the sink returns

      assertThat(got).extracting(x -> x.field("Message")).containsExactlyElementsOf(expected);
      assertThat(r.received()).isEqualTo(20);
      assertThat(r.dropped()).isZero();
      assertThat(r.failed()).isZero();
      assertThat(waits.get()).isEqualTo(6);
    }
  }

  @Test
  void tcpDoesNotRetryARecordRefusedForGood() throws Exception {
    RecordingClient client = new RecordingClient();
    AtomicInteger calls = new AtomicInteger();
    RecordSink sink = (type, record) -> {
      if (calls.incrementAndGet() == 1) {
        throw new RecordTooLargeException("record is too large");
      }
      client.send(type, record);
    };
    try (SyslogReceiver r = SyslogReceiver.tcp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), sink, CLOCK, d -> {
      throw new AssertionError("not retried");
    });
        Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
      s.getOutputStream().write("<13>first\n<13>second\n".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();

      assertThat(client.awaitRecords(1)).extracting(x -> x.field("Message")).containsExactly("second");
      assertThat(r.failed()).isEqualTo(1);
      assertThat(r.dropped()).isZero();
    }
  }

  @Test
  void udpDropsWhileTheBufferRefusesAreCountedAndWarnedOncePerIntervalOfTheClock() throws Exception {
    RecordingClient client = new RecordingClient();
    AtomicInteger calls = new AtomicInteger();
    RecordSink full = (type, record) -> {
      if (calls.incrementAndGet() <= 3) {
        throw new BufferFullException(Path.of("buffer"), "buffer full");
      }
      client.send(type, record);
    };
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try (SyslogReceiver r = SyslogReceiver.udp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), full, CLOCK);
        DatagramSocket s = new DatagramSocket()) {
      for (int i = 0; i < 5; i++) {
        udp(s, r.port(), "<13>Nov 25 09:00:00 h app: message " + i);
      }

      client.awaitRecords(2);
      awaitCount(r::dropped, 3);
      awaitCount(r::received, 2); // counted just after the sink returns

      assertThat(r.dropped()).isEqualTo(3);
      assertThat(r.received()).isEqualTo(2);
      assertThat(r.failed()).isZero();
      assertThat(client.records()).extracting(x -> x.field("Message")).containsExactly("message 3", "message 4");
    } finally {
      System.setErr(originalErr);
    }
    // The clock stands still: one WARN for the three drops, the others at DEBUG.
    assertThat(log.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("WARN") && l.contains("dropped, the buffer refused it")))
        .singleElement().asString().contains("(1 dropped so far, 1 since the last warning)");
  }

  /** Waits (at most 10 s) for the receiver's thread to count; a wait for another thread, not for a backoff. */
  private static void awaitCount(LongSupplier count, long expected) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (count.getAsLong() < expected && System.nanoTime() < end) {
      Thread.sleep(5);
    }
  }

  @Test
  void closeStopsListening() throws Exception {
    SyslogReceiver r = SyslogReceiver.tcp(LOOPBACK, new SyslogParser(ZoneId.of("UTC")), (t, m) -> { }, CLOCK);
    int port = r.port();
    r.close();
    r.close(); // idempotent

    assertThat(connectable(port)).isFalse();
  }

  private static boolean connectable(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return s.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  static void udp(DatagramSocket s, int port, String msg) throws IOException {
    byte[] b = msg.getBytes(StandardCharsets.UTF_8);
    s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
  }
}
