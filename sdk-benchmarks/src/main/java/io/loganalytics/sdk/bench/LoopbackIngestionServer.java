package io.loganalytics.sdk.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A plain-HTTP loopback server that reads every request body completely and answers 200, counting requests and
 * bytes. Keeps nothing, so long runs use constant memory (MockWebServer records every request).
 */
final class LoopbackIngestionServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "bench-server");
    t.setDaemon(true);
    return t;
  });
  final LongAdder requests = new LongAdder();
  final LongAdder bytes = new LongAdder();

  LoopbackIngestionServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        bytes.add(in.transferTo(OutputStream.nullOutputStream()));
      }
      requests.increment();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.setExecutor(executor);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
