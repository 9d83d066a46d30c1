package io.loganalytics.examples.collector;

import io.loganalytics.sdk.LogAnalyticsClient;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.Transport;
import io.loganalytics.sdk.impl.agent.AgentIdentity;
import io.loganalytics.sdk.impl.agent.AgentOptions;
import io.loganalytics.sdk.impl.agent.AgentStatus;
import java.time.Instant;

/**
 * {@code renew-cert}: renews the agent certificate of {@code --state-dir} now: {@code RenewCertificate} with the
 * current certificate, else (with {@code -w}/{@code -s}) onboarding again under the same GUID; the new certificate
 * is verified with a heartbeat before it replaces the old one. Prints the old and new expiry. When the renewal
 * fails the old certificate is kept and the exit status is 1.
 *
 * <p>Stateless; thread-safe.
 */
final class RenewCertCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) {
    ClientSetup setup = new ClientSetup(args, ctx);
    Instant before = AgentIdentity.status(setup.stateDirectory()).notAfter();
    LogAnalyticsClientBuilder b = LogAnalyticsClient.builder()
        .transport(Transport.AGENT_CERTIFICATE)
        .stateDirectory(setup.stateDirectory());
    setup.credentials(false).ifPresent(b::credentials);
    setup.applyCommon(b);
    AgentStatus status = AgentIdentity.renew(AgentOptions.from(b).build());
    ctx.out.println("renewed the certificate of agent " + status.agentGuid());
    ctx.out.println("old expiry " + before);
    ctx.out.println("new expiry " + status.notAfter() + " (serial " + status.serial() + ")");
    return 0;
  }
}
