package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code onboard -w ID -s KEY [-d DOMAIN] [-p PROXY]}: builds an agent-path client on {@code --state-dir}, which
 * creates the certificate and onboards when the directory holds no identity yet (reusing the GUID and certificate
 * when it does, as {@code omsadmin.sh}), then prints the agent GUID and the certificate's expiry from the saved
 * state. Uses only the public API.
 *
 * <p>Stateless; thread-safe.
 */
final class OnboardCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException {
    ClientSetup setup = new ClientSetup(args, ctx);
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder()
        .transport(Transport.AGENT_CERTIFICATE)
        .credentials(setup.credentials(true).orElseThrow())
        .stateDirectory(setup.stateDirectory());
    setup.applyCommon(b);
    LogAnalyticsClient client = ctx.clientFactory.apply(b);
    client.close(Duration.ofSeconds(10));
    Path state = setup.stateDirectory();
    Map<String, String> conf = AgentState.config(state);
    Optional<X509Certificate> cert = AgentState.certificate(state);
    String guid = conf.get("AGENT_GUID");
    if (guid == null || cert.isEmpty()) {
      ctx.err.println("error: onboarding did not complete: " + state + " holds no "
          + (guid == null ? "AGENT_GUID in omsadmin.conf" : "certs/oms.crt"));
      return 1;
    }
    ctx.out.println("onboarded to workspace " + conf.getOrDefault("WORKSPACE_ID", "?"));
    ctx.out.println("agent GUID          " + guid);
    ctx.out.println("certificate expires " + cert.get().getNotAfter().toInstant());
    ctx.out.println("state saved in      " + state);
    return 0;
  }
}
