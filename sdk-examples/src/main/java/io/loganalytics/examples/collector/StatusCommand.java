package io.loganalytics.examples.collector;

import io.loganalytics.sdk.BufferReport;
import io.loganalytics.sdk.DiskBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code status}: the target (cloud and endpoint, from {@code omsadmin.conf} and the last run), the agent identity
 * (GUID, workspace, certificate subject and expiry) from {@code --state-dir}, the buffer's fill and oldest record
 * ({@link DiskBuffer#verify}, read-only), the last upload, the last error and the counters summed over every run
 * ({@link StatusFile}). Read-only.
 *
 * <p>Exit status 1, with one line on standard error, when the agent is not onboarded (and no run used another
 * transport), its certificate expired, or delivery is stalled: the oldest unsent record is older than
 * {@code --stalled-after} minutes. A monitoring check can call it.
 *
 * <p>Stateless; thread-safe.
 */
final class StatusCommand implements Command {
  @Override
  public int run(ParsedArgs args, CliContext ctx) throws IOException {
    ClientSetup setup = new ClientSetup(args, ctx);
    int stalledMinutes = args.intValue("stalled-after", 30, 1, 7 * 24 * 60);
    Path state = setup.stateDirectory();
    Path buffer = setup.bufferDirectory();
    Map<String, String> conf = AgentState.config(state);
    Optional<X509Certificate> cert = AgentState.certificate(state);
    Properties last = StatusFile.read(state);
    String transport = last.getProperty(StatusFile.TRANSPORT, "AGENT_CERTIFICATE");
    List<String> problems = new ArrayList<>();
    ctx.out.println("state directory  " + state);
    String tld = conf.get("URL_TLD");
    ctx.out.println("target           " + last.getProperty(StatusFile.TARGET, tld == null ? "- (no run yet)"
        : "agent (" + tld + ")"));
    if (tld != null) {
      ctx.out.println("  cloud          " + tld + (conf.containsKey("OMS_ENDPOINT") ? ", endpoint "
          + conf.get("OMS_ENDPOINT") : ""));
    }
    ctx.out.println("workspace        " + conf.getOrDefault("WORKSPACE_ID", "-"));
    boolean onboarded = conf.get("AGENT_GUID") != null && cert.isPresent();
    ctx.out.println("agent GUID       " + conf.getOrDefault("AGENT_GUID", "- (not onboarded: run onboard)"));
    if (!onboarded && transport.equals("AGENT_CERTIFICATE")) {
      problems.add("not onboarded: " + state + " holds no agent (run onboard -w ID with " + Commands.SHARED_KEY_ENV
          + ")");
    }
    if (cert.isPresent()) {
      Instant expiry = cert.get().getNotAfter().toInstant();
      Duration left = Duration.between(ctx.clock.instant(), expiry);
      ctx.out.println("certificate      " + cert.get().getSubjectX500Principal().getName());
      ctx.out.println("  expires        " + expiry + (left.isNegative() ? " (EXPIRED)"
          : " (in " + left.toDays() + " days)"));
      if (left.isNegative() && transport.equals("AGENT_CERTIFICATE")) {
        problems.add("the agent certificate expired " + expiry + ": run renew-cert, or onboard again");
      }
    } else {
      ctx.out.println("certificate      - (none)");
    }
    ctx.out.println("buffer directory " + buffer);
    if (Files.isDirectory(buffer)) {
      BufferReport r = DiskBuffer.verify(buffer);
      ctx.out.println("  records        " + r.records() + " (" + r.bytes() + " bytes of records, " + r.diskBytes()
          + " bytes on disk in " + r.segments() + " segments)" + (r.lostRecords() > 0 ? ", LOST " + r.lostRecords()
          : "") + (r.corruptSegments().isEmpty() ? "" : ", CORRUPT files: " + r.corruptSegments().size()));
      ctx.out.println("  oldest record  " + r.oldestAppendTime().map(Object::toString).orElse("-"));
      if (r.records() > 0 && r.oldestAppendTime().isPresent()) {
        Duration age = Duration.between(r.oldestAppendTime().get(), ctx.clock.instant());
        if (age.compareTo(Duration.ofMinutes(stalledMinutes)) > 0) {
          problems.add("stalled: the oldest unsent record is " + age.toMinutes() + " minutes old (limit "
              + stalledMinutes + ", --stalled-after)" + Optional.ofNullable(last.getProperty(StatusFile.LAST_ERROR))
              .map(e -> "; last error: " + e).orElse(""));
        }
      }
    } else {
      ctx.out.println("  (no buffer yet)");
    }
    ctx.out.println("last upload      " + last.getProperty(StatusFile.LAST_SUCCESS, "-"));
    ctx.out.println("last error       " + Optional.ofNullable(last.getProperty(StatusFile.LAST_ERROR))
        .map(e -> last.getProperty(StatusFile.LAST_ERROR_AT, "-") + " " + e).orElse("-"));
    ctx.out.println("counters         sent " + last.getProperty(StatusFile.SENT, "0") + ", given up "
        + last.getProperty(StatusFile.GIVEN_UP, "0") + ", requests " + last.getProperty(StatusFile.REQUESTS, "0")
        + ", retries " + last.getProperty(StatusFile.RETRIES, "0") + ", dropped at input "
        + last.getProperty(StatusFile.INPUT_DROPPED, "0") + " (over " + last.getProperty(StatusFile.RUNS, "0")
        + " runs; last update " + last.getProperty(StatusFile.UPDATED, "-") + ")");
    if (problems.isEmpty()) {
      ctx.out.println("health           ok");
      return 0;
    }
    ctx.out.println("health           " + problems.size() + " problem(s)");
    ctx.err.println("error: " + String.join("; ", problems));
    return 1;
  }
}
