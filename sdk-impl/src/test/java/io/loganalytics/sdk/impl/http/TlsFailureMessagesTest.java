package io.loganalytics.sdk.impl.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS failure says whose certificate was refused: the server's by us, or ours by the server. */
class TlsFailureMessagesTest {
  static final String HOST = "0123.oms." + TestTls.DOMAIN;
  static final TestTls tls = TestTls.shared();
  static HeldCertificate agent;

  @TempDir
  Path tmp;

  @BeforeAll
  static void agentCertificate() {
    agent = new HeldCertificate.Builder().commonName("agent").rsa2048().build();
  }

  static HttpRequest post(MockWebServer server) {
    return HttpRequest.post(URI.create("https://" + HOST + ":" + server.getPort() + "/"), "application/json",
        "{}".getBytes(StandardCharsets.UTF_8), Map.of());
  }

  @Test
  void anUntrustedServerCertificateSuggestsATrustAnchor() throws IOException {
    try (MockWebServer server = tls.startServer();
        ClientCertificateExecutor ex = HttpClients.withClientCertificate(
            HttpSettings.builder().resolver(TestTls.loopbackResolver()).build(), agent.keyPair().getPrivate(),
            agent.certificate())) {
      assertThatThrownBy(() -> ex.execute(post(server)))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(ClientCertificateRefusedException.class)
          .hasMessageContaining("does not trust the server certificate")
          .hasMessageContaining("TLS-inspecting proxy")
          .hasMessageContaining("trustCertificates")
          .hasMessageContaining("--ca-file")
          .hasMessageNotContaining("agent certificate");
    }
  }

  @Test
  void aRefusedClientCertificateSaysTheServiceRefusedTheAgentCertificate() throws IOException {
    try (MockWebServer server = tls.startServerRefusingClientCertificates();
        ClientCertificateExecutor ex = HttpClients.withClientCertificate(
            HttpSettings.builder().resolver(TestTls.loopbackResolver())
                .trustedCertificates(List.of(tls.writeCaPem(tmp))).build(),
            agent.keyPair().getPrivate(), agent.certificate())) {
      assertThatThrownBy(() -> ex.execute(post(server)))
          .isInstanceOf(ClientCertificateRefusedException.class)
          .hasMessageContaining("the service refused the agent certificate (expired or not registered?)")
          .hasMessageContaining("serial " + agent.certificate().getSerialNumber())
          .hasMessageNotContaining("trust anchor")
          .hasMessageNotContaining("--ca-file");
      assertThat(server.getRequestCount()).isZero();
    }
  }
}
