package io.loganalytics.examples.collector;

import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.DiskBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code status}: the agent identity (GUID, workspace, certificate subject and expiry) from {@code --state-dir},
 * the buffer's fill and oldest record ({@link DiskBuffer#verify}, read-only), and the last upload and counters
 * written by the last {@code send}/{@code tail}/{@code syslog} run ({@link StatusFile}). Read-only; works while
 * another collector runs only for the identity and counters (the buffer is then held by that process).
 *
 * <p>Stateless; thread-safe.
 */
final class StatusCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException {
    ClientSetup setup = new ClientSetup(args, ctx);
    Path state = setup.stateDirectory();
    Path buffer = setup.bufferDirectory();
    Map<String, String> conf = AgentState.config(state);
    Optional<X509Certificate> cert = AgentState.certificate(state);
    ctx.out.println("state directory  " + state);
    ctx.out.println("workspace        " + conf.getOrDefault("WORKSPACE_ID", "-"));
    ctx.out.println("agent GUID       " + conf.getOrDefault("AGENT_GUID", "- (not onboarded: run onboard)"));
    if (cert.isPresent()) {
      Instant expiry = cert.get().getNotAfter().toInstant();
      Duration left = Duration.between(ctx.clock.instant(), expiry);
      ctx.out.println("certificate      " + cert.get().getSubjectX500Principal().getName());
      ctx.out.println("  expires        " + expiry + (left.isNegative() ? " (EXPIRED)"
          : " (in " + left.toDays() + " days)"));
    } else {
      ctx.out.println("certificate      - (none)");
    }
    ctx.out.println("buffer directory " + buffer);
    if (Files.isDirectory(buffer)) {
      BufferReport r = DiskBuffer.verify(buffer);
      ctx.out.println("  records        " + r.records() + " (" + r.bytes() + " bytes in " + r.segments()
          + " segments)" + (r.healthy() ? "" : ", CORRUPT segments: " + r.corruptSegments().size()));
      ctx.out.println("  oldest record  " + r.oldestAppendTime().map(Object::toString).orElse("-"));
    } else {
      ctx.out.println("  (no buffer yet)");
    }
    Properties last = StatusFile.read(state);
    ctx.out.println("last upload      " + last.getProperty(StatusFile.LAST_SUCCESS, "-"));
    ctx.out.println("counters         sent " + last.getProperty(StatusFile.SENT, "0") + ", given up "
        + last.getProperty(StatusFile.GIVEN_UP, "0") + ", requests " + last.getProperty(StatusFile.REQUESTS, "0")
        + ", retries " + last.getProperty(StatusFile.RETRIES, "0") + ", dropped at input "
        + last.getProperty(StatusFile.INPUT_DROPPED, "0") + " (last run ended "
        + last.getProperty(StatusFile.UPDATED, "-") + ")");
    return 0;
  }
}
