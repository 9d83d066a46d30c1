package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.impl.agent.AgentOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;

/**
 * {@code onboard -w ID [-d DOMAIN] [-p PROXY]} with the key from {@value Commands#SHARED_KEY_ENV} (or {@code -s}):
 * creates the certificate and onboards on {@code --state-dir} (reusing the GUID and certificate when the directory
 * already holds this workspace's agent, as {@code omsadmin.sh}), then prints the agent GUID and the certificate's
 * expiry from the saved state. Onboarding is one attempt made here, so a failure ends with its real cause: the
 * service's answer, or TLS (an untrusted certificate names {@code --ca-file}), DNS or the proxy.
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
    Path state = setup.stateDirectory();
    try {
      ctx.onboarder.apply(AgentOptions.from(b).build());
    } catch (ConfigurationException e) {
      throw e;
    } catch (RuntimeException e) {
      ctx.err.println("error: onboarding failed: " + Failures.describe(e));
      return 1;
    }
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
    ctx.out.println("cloud               " + conf.getOrDefault("URL_TLD", "?") + " (saved as URL_TLD; later commands "
        + "use it)");
    ctx.out.println("state saved in      " + state);
    return 0;
  }
}
