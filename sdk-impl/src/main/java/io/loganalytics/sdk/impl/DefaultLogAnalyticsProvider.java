package io.loganalytics.sdk.impl;

import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.BufferOptions;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.ChunkUploader;
import io.loganalytics.sdk.DiskBuffer;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.impl.agent.AgentIdentity;
import io.loganalytics.sdk.impl.agent.AgentOptions;
import io.loganalytics.sdk.impl.agent.AgentSession;
import io.loganalytics.sdk.impl.buffer.FileDiskBuffer;
import io.loganalytics.sdk.impl.cert.BouncyCastle;
import io.loganalytics.sdk.impl.client.DefaultLogAnalyticsClient;
import io.loganalytics.sdk.impl.client.StandaloneUploader;
import io.loganalytics.sdk.impl.http.ClientCertificateExecutor;
import io.loganalytics.sdk.impl.http.HttpClients;
import io.loganalytics.sdk.impl.http.HttpSettings;
import io.loganalytics.sdk.impl.identity.EntraTokenProviders;
import io.loganalytics.sdk.impl.identity.TokenCache;
import io.loganalytics.sdk.impl.transport.DataCollectorTransport;
import io.loganalytics.sdk.impl.transport.LogsIngestionTransport;
import io.loganalytics.sdk.impl.transport.OdsTransport;
import io.loganalytics.sdk.spi.LogAnalyticsProvider;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The implementation behind {@link LogAnalyticsClient#builder()}, {@link DiskBuffer#open} and
 * {@link DiskBuffer#verify}, registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.loganalytics.sdk.spi.LogAnalyticsProvider}. Internal: not API.
 *
 * <p>It wires the parts: the {@link FileDiskBuffer}; on the Logs Ingestion path (the default) one HTTPS executor
 * of {@code impl.http} for both the Entra token endpoint and the ingestion endpoint, the token provider of the
 * {@link io.loganalytics.sdk.EntraCredential} ({@link EntraTokenProviders}) or the user's own, behind a
 * {@link TokenCache}, under the {@link LogsIngestionTransport}; on the Data Collector path an HTTPS executor of
 * {@code impl.http} (JVM trust plus extra anchors, proxy, resolver) under the {@link DataCollectorTransport}; on the
 * agent path an {@link AgentSession} (onboarding when the state directory holds no identity yet, then heartbeat and
 * renewal) under the {@link OdsTransport}.
 *
 * <p><b>Onboarding on the agent path</b> ({@link AgentIdentity#openForClient}): when the state directory holds no
 * identity, {@link #createClient} tries to onboard once, so that what retrying cannot cure fails the build at once
 * (no credentials, a state directory that is not writable or belongs to another workspace, a key the service refuses
 * with HTTP 403, also reported as an {@link io.loganalytics.sdk.AuthenticationException} event). When the attempt
 * fails for a reason that may pass (network down, HTTP 5xx or 429), the client is built anyway: it buffers records
 * and its uploader onboards with the retry policy's backoff, then uploads.
 *
 * <p>Stateless and thread-safe.
 */
public final class DefaultLogAnalyticsProvider implements LogAnalyticsProvider {
  /** For {@link java.util.ServiceLoader}. */
  public DefaultLogAnalyticsProvider() {}

  @Override
  public LogAnalyticsClient createClient(LogAnalyticsClientBuilder config) {
    Function<LogAnalyticsListener, DiskBuffer> opener = listener -> FileDiskBuffer.open(config.bufferOptions(),
        listener);
    if (config.transport() == Transport.DATA_COLLECTOR) {
      ClientCertificateExecutor executor = HttpClients.withoutClientCertificate(HttpSettings.from(config).build());
      return DefaultLogAnalyticsClient.create(config, opener, DataCollectorTransport.create(config, executor),
          executor);
    }
    if (config.transport() == Transport.LOGS_INGESTION) {
      LogsIngestionWiring wiring = logsIngestion(config);
      try {
        return DefaultLogAnalyticsClient.create(config, opener, wiring.transport, wiring.executors);
      } catch (RuntimeException e) {
        wiring.close();
        throw e;
      }
    }
    BouncyCastle.require("the agent transport");
    AgentSession session = AgentIdentity.openForClient(AgentOptions.from(config).build());
    try {
      return DefaultLogAnalyticsClient.createAgent(config, opener, session);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The Data Collector transport over the same HTTPS executor as {@link #createClient}; the agent transport is
   * refused by the builder before this is called.
   */
  @Override
  public ChunkUploader createUploader(LogAnalyticsClientBuilder config) {
    if (config.transport() == Transport.DATA_COLLECTOR) {
      ClientCertificateExecutor executor = HttpClients.withoutClientCertificate(HttpSettings.from(config).build());
      try {
        return StandaloneUploader.create(config, DataCollectorTransport.create(config, executor), executor);
      } catch (RuntimeException e) {
        executor.close();
        throw e;
      }
    }
    if (config.transport() == Transport.LOGS_INGESTION) {
      LogsIngestionWiring wiring = logsIngestion(config);
      try {
        return StandaloneUploader.create(config, wiring.transport, wiring.executors);
      } catch (RuntimeException e) {
        wiring.close();
        throw e;
      }
    }
    throw new UnsupportedOperationException("a stand-alone uploader supports LOGS_INGESTION and DATA_COLLECTOR, not "
        + config.transport());
  }

  /** The Logs Ingestion transport and the executors to close with whatever uses it. */
  private static final class LogsIngestionWiring {
    final LogsIngestionTransport transport;
    final ClientCertificateExecutor[] executors;

    LogsIngestionWiring(LogsIngestionTransport transport, ClientCertificateExecutor... executors) {
      this.transport = transport;
      this.executors = executors;
    }

    void close() {
      for (ClientCertificateExecutor e : executors) {
        e.close();
      }
    }
  }

  /**
   * One executor for the token endpoint and the ingestion endpoint (the same proxy, trust anchors and resolver);
   * managed identity endpoints are local (IMDS, App Service, the Arc agent) and get a direct executor that allows
   * plain http to loopback and link-local addresses only. The token provider sits behind a {@link TokenCache}.
   */
  private static LogsIngestionWiring logsIngestion(LogAnalyticsClientBuilder config) {
    HttpSettings settings = HttpSettings.from(config).build();
    ClientCertificateExecutor executor = HttpClients.withoutClientCertificate(settings);
    ClientCertificateExecutor identityExecutor = null;
    try {
      AccessTokenProvider provider;
      if (config.tokenProvider().isPresent()) {
        provider = config.tokenProvider().get();
      } else {
        EntraCredential credential = config.entraCredential().orElseThrow(() -> new ConfigurationException(
            "entraCredential", "is required for the Logs Ingestion transport"));
        if (EntraTokenProviders.isManagedIdentity(credential)) {
          identityExecutor = HttpClients.forManagedIdentity(settings);
        }
        provider = EntraTokenProviders.create(credential, config.cloud(),
            identityExecutor == null ? executor : identityExecutor, config.clock());
      }
      TokenCache tokens = new TokenCache(provider, config.cloud().ingestionScope(), config.clock());
      LogsIngestionTransport transport = LogsIngestionTransport.create(config, executor, tokens);
      return identityExecutor == null ? new LogsIngestionWiring(transport, executor)
          : new LogsIngestionWiring(transport, executor, identityExecutor);
    } catch (RuntimeException e) {
      executor.close();
      if (identityExecutor != null) {
        identityExecutor.close();
      }
      throw e;
    }
  }

  @Override
  public DiskBuffer openBuffer(BufferOptions options, LogAnalyticsListener listener) {
    return FileDiskBuffer.open(options, listener);
  }

  @Override
  public BufferReport verifyBuffer(Path directory) {
    return FileDiskBuffer.verify(directory);
  }
}
