package io.loganalytics.sdk.bench;

import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.RetryPolicy;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.client.DefaultLogAnalyticsClient;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.transport.OdsTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds an agent-path client for benchmarks: the production {@link OdsTransport} (deflated envelopes) over the
 * production HTTPS executor of {@code impl.http}, trusting the {@link LoopbackTlsSink}'s certificate with hostname
 * verification on, and a buffer chosen by the caller. Onboarding is skipped: the session is a fixed stand-in whose
 * upload URL is the sink.
 */
final class BenchClients {
  static final String UPLOAD_PATH = "/OperationalData.svc/PostJsonDataItems";

  private BenchClients() {}

  /**
   * @param sink the server
   * @param maxRequestBytes the request size limit
   * @param bufferOpener opens the buffer (the file buffer through {@link DiskBuffer#open} in the benchmarks)
   * @return a running client; closing it closes the HTTPS executor too
   */
  static LogAnalyticsClient agentClient(LoopbackTlsSink sink, int maxRequestBytes,
      Function<LogAnalyticsListener, DiskBuffer> bufferOpener) {
    LogAnalyticsClientBuilder config = LogAnalyticsClient.builder()
        .transport(Transport.AGENT_CERTIFICATE)
        .stateDirectory(Path.of("unused-bench-state"))
        .bufferDirectory(Path.of("unused-bench-buffer"))
        .maxRequestBytes(maxRequestBytes)
        .trustCertificates(sink.trustPem())
        .hostResolver(sink.resolver())
        .retryPolicy(RetryPolicy.builder().uploadInterval(Duration.ofSeconds(1)).build());
    ClientCertificateExecutor executor = HttpClients.withoutClientCertificate(HttpSettings.from(config).build());
    AgentSession session = new FixedSession(executor, sink.uri(UPLOAD_PATH));
    return DefaultLogAnalyticsClient.create(config, bufferOpener, OdsTransport.create(config, session), session);
  }

  /** An agent session over a fixed executor and upload URL; closing it closes the executor. */
  private static final class FixedSession implements AgentSession {
    private final ClientCertificateExecutor executor;
    private final URI uri;

    FixedSession(ClientCertificateExecutor executor, URI uri) {
      this.executor = executor;
      this.uri = uri;
    }

    @Override
    public HttpExecutor executor() {
      return executor;
    }

    @Override
    public URI uploadUri() {
      return uri;
    }

    @Override
    public String agentGuid() {
      return "00000000-0000-4000-8000-000000000000";
    }

    @Override
    public Instant certificateExpiry() {
      return Instant.now().plus(Duration.ofDays(90));
    }

    @Override
    public void onAuthenticationFailure(int status) {}

    @Override
    public void close() {
      executor.close();
    }

    @Override
    public String toString() {
      return "FixedSession{" + uri + "}";
    }
  }

  /** @return {@code records} split round-robin into {@code parts} lists */
  static <T> List<List<T>> split(List<T> records, int parts) {
    List<List<T>> out = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      List<T> part = new ArrayList<>();
      for (int i = p; i < records.size(); i += parts) {
        part.add(records.get(i));
      }
      out.add(part);
    }
    return out;
  }
}
