package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.loganalytics.sdk.ProxyConfig;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.cert.Pem;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs onboarding (refused, then accepted), heartbeats, a renewal and uploads through an authenticating proxy, and
 * checks that no secret appears in the log (SLF4J simple writes to {@code System.err}, captured here), in exception
 * messages, in listener events or in any {@code toString}: not the shared keys, not the proxy password or its Basic
 * token, not the private key, not an onboarding signature.
 */
class NoSecretsTest extends AgentTestBase {
  static final String PROXY_PASSWORD = "Pr0xyS3cret!";

  @Test
  void noSecretReachesLogsExceptionsEventsOrToString() throws Exception {
    ProxyConfig proxy = ProxyConfig.of("localhost", server.getPort()).withCredentials("alice", PROXY_PASSWORD);
    http = http.toBuilder().proxy(proxy).build();
    service.proxying = true;
    List<String> texts = new ArrayList<>();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    String privateKeyPem;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      credentials = WorkspaceCredentials.of(WS, OTHER_KEY);
      Throwable refused = catchThrowable(() -> AgentIdentity.onboard(options().build()));
      assertThat(refused).isNotNull();
      for (Throwable t = refused; t != null; t = t.getCause()) {
        texts.add(t.toString());
      }
      credentials = WorkspaceCredentials.of(WS, KEY, OTHER_KEY);
      AgentOptions options = options().build();
      texts.add(options.toString());
      texts.add(credentials.toString());
      try (DefaultAgentSession session = (DefaultAgentSession) AgentIdentity.open(options)) {
        service.updateCertificate = true;
        scheduler.runDue();
        service.updateCertificate = false;
        assertThat(upload(session).status()).isEqualTo(200);
        texts.add(session.toString());
        texts.add(session.state().toString());
        texts.add(session.executor().toString());
        texts.add(session.state().certificate().toString());
        privateKeyPem = Pem.privateKeyPkcs1(session.state().certificate().privateKey());
      }
    } finally {
      System.setErr(originalErr);
    }
    texts.add(log.toString(StandardCharsets.UTF_8));
    texts.addAll(listener.events);
    texts.addAll(listener.renewalFailureReasons);
    listener.authenticationFailures.forEach(e -> texts.add(e.getMessage()));

    assertThat(service.connects).isNotEmpty()
        .allSatisfy(c -> assertThat(c.getHeaders().get("Proxy-Authorization")).startsWith("Basic "));
    assertThat(service.calls).isNotEmpty()
        .allSatisfy(c -> assertThat(c.header("Proxy-Authorization")).isNull());
    assertThat(listener.count("renewed")).isEqualTo(1);

    List<String> secrets = new ArrayList<>(List.of(KEY, OTHER_KEY, PROXY_PASSWORD,
        Base64.getEncoder().encodeToString(("alice:" + PROXY_PASSWORD).getBytes(StandardCharsets.UTF_8))));
    secrets.add(privateKeyPem.split("\n")[1]);
    secrets.add(privateKeyPem.split("\n")[5]);
    for (FakeAgentService.Call c : service.calls("onboard")) {
      String auth = c.header("Authorization");
      secrets.add(auth.substring(auth.indexOf(';') + 2));
    }
    String all = String.join("\n", texts);
    assertThat(all).contains("InvalidWorkspaceKey", "Certificate renewed");
    for (String secret : secrets) {
      assertThat(all).doesNotContain(secret);
    }
  }
}
