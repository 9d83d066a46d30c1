package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.HostResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLServerSocket;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A lean HTTPS server on loopback for benchmarks: TLS with a self-signed certificate for {@link #HOST}, HTTP/1.1
 * keep-alive, and for every request it reads the headers, drains the {@code Content-Length} body and answers
 * {@code 200} (or {@code 204}, as the Logs Ingestion API does) with an empty body. It parses nothing else and keeps nothing, so the server costs little more than
 * TLS decryption on the shared cores and long runs use constant memory.
 *
 * <p>The SDK reaches it through its production TLS executor: the certificate is written as PEM
 * ({@link #trustPem()}) for {@code trustCertificates}, and {@link #resolver()} maps {@link #HOST} to loopback;
 * hostname verification stays on. The certificate also names {@code 127.0.0.1} ({@link #loopbackUri(String)}), for
 * clients that cannot be given a resolver (Azure's, which trust the same certificate, {@link #certificate()}).
 * Thread-safe: one daemon thread per connection.
 */
final class LoopbackTlsSink implements AutoCloseable {
  /** The host name in the certificate and in the upload URL. */
  static final String HOST = "bench-workspace.ods.opinsights.azure.com";
  private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final SSLServerSocket server;
  private final Path pem;
  private final X509Certificate certificate;
  private final byte[] answer;
  private final Thread acceptor;
  final LongAdder requests = new LongAdder();
  final LongAdder bytes = new LongAdder();

  /**
   * Starts the server on an ephemeral loopback port.
   *
   * @param pemDirectory where to write the certificate's PEM
   * @throws IOException when the port cannot be opened or the PEM written
   */
  LoopbackTlsSink(Path pemDirectory) throws IOException {
    this(pemDirectory, 200);
  }

  /**
   * Starts the server on an ephemeral loopback port.
   *
   * @param pemDirectory where to write the certificate's PEM
   * @param status the status of every answer, 200 or 204
   * @throws IOException when the port cannot be opened or the PEM written
   */
  LoopbackTlsSink(Path pemDirectory, int status) throws IOException {
    if (status != 200 && status != 204) {
      throw new IllegalArgumentException("status must be 200 or 204, was " + status);
    }
    this.answer = status == 200 ? OK : NO_CONTENT;
    HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName(HOST)
        .addSubjectAlternativeName("127.0.0.1").build();
    this.certificate = certificate.certificate();
    HandshakeCertificates server = new HandshakeCertificates.Builder().heldCertificate(certificate).build();
    pem = pemDirectory.resolve("bench-sink.pem");
    Files.writeString(pem, certificate.certificatePem());
    this.server = (SSLServerSocket) server.sslContext().getServerSocketFactory()
        .createServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "bench-tls-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the PEM file of the server certificate, for {@code trustCertificates} */
  Path trustPem() {
    return pem;
  }

  /** @return the server certificate (self-signed), for clients that take a certificate instead of a PEM file */
  X509Certificate certificate() {
    return certificate;
  }

  /** @return a resolver that maps {@link #HOST} to loopback and refuses every other name */
  HostResolver resolver() {
    return host -> {
      if (!host.equals(HOST)) {
        throw new UnknownHostException(host + " is not the benchmark sink");
      }
      return List.of(InetAddress.getLoopbackAddress());
    };
  }

  /**
   * @param path the path, starting with {@code /}
   * @return {@code https://HOST:port/path}
   */
  URI uri(String path) {
    return URI.create("https://" + HOST + ":" + server.getLocalPort() + path);
  }

  /**
   * @param path the path, starting with {@code /}, or empty
   * @return {@code https://127.0.0.1:port/path}
   */
  URI loopbackUri(String path) {
    return URI.create("https://127.0.0.1:" + server.getLocalPort() + path);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Thread t = new Thread(() -> serve(s), "bench-tls-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!server.isClosed()) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        OutputStream out = socket.getOutputStream()) {
      byte[] drain = new byte[64 * 1024];
      while (true) {
        long length = readHeaders(in);
        if (length < 0) {
          return;
        }
        long left = length;
        while (left > 0) {
          int n = in.read(drain, 0, (int) Math.min(drain.length, left));
          if (n < 0) {
            return;
          }
          left -= n;
        }
        bytes.add(length);
        requests.increment();
        out.write(answer);
        out.flush();
      }
    } catch (SocketException e) {
      // The client closed the connection.
    } catch (IOException e) {
      if (!server.isClosed()) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Reads one request's headers; returns its Content-Length, 0 when absent, or -1 at the end of the stream. */
  private static long readHeaders(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    long length = 0;
    while (true) {
      int c = in.read();
      if (c < 0) {
        return -1;
      }
      if (c == '\n') {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        if (end == 0) {
          return length;
        }
        String header = line.substring(0, end);
        if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Long.parseLong(header.substring("content-length:".length()).trim());
        }
        line.setLength(0);
      } else {
        line.append((char) c);
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
