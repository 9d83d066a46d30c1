package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import io.loganalytics.sdk.impl.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code collector-status.properties} in the state directory: the collector's counters summed over every run on that
 * state directory (a run adds its own to what the file held when it started), the last upload, the last error and
 * the target, so that {@code status} (another process) can show them. Written whole to a temporary file and renamed
 * over the old one, so a reader never sees half a file. Holds no secret. Stateless; thread-safe.
 */
final class StatusFile {
  static final String NAME = "collector-status.properties";
  static final String LAST_SUCCESS = "lastSuccess";
  static final String SENT = "recordsSent";
  static final String GIVEN_UP = "recordsGivenUp";
  static final String REQUESTS = "requests";
  static final String RETRIES = "retries";
  static final String UPDATED = "updated";
  static final String RUNS = "runs";
  static final String LAST_ERROR = "lastError";
  static final String LAST_ERROR_AT = "lastErrorAt";
  static final String TARGET = "target";
  static final String TRANSPORT = "transport";
  /** Records an input dropped before the client took them (UDP syslog while the buffer was full). */
  static final String INPUT_DROPPED = "inputDropped";

  private StatusFile() {}

  /** What one run adds, and what it knows about the target and the last error. */
  record Run(ClientStats stats, long inputDropped, String transport, String target,
      Optional<CollectorListener.LastError> lastError) {}

  /**
   * The cumulative counters: {@code base} (the file as the run found it) plus the run's own.
   *
   * @param base the counters before this run; unreadable numbers count as 0
   * @param run this run
   * @param now the time of writing
   * @return the new content
   */
  static Properties cumulative(Properties base, Run run, Instant now) {
    Properties p = new Properties();
    ClientStats s = run.stats();
    p.setProperty(SENT, Long.toString(number(base, SENT) + s.recordsSent()));
    p.setProperty(GIVEN_UP, Long.toString(number(base, GIVEN_UP) + s.recordsDroppedTotal()));
    p.setProperty(REQUESTS, Long.toString(number(base, REQUESTS) + s.requests()));
    p.setProperty(RETRIES, Long.toString(number(base, RETRIES) + s.retries()));
    p.setProperty(INPUT_DROPPED, Long.toString(number(base, INPUT_DROPPED) + run.inputDropped()));
    p.setProperty(RUNS, Long.toString(number(base, RUNS) + 1));
    Optional<String> last = s.lastSuccess().map(Instant::toString)
        .or(() -> Optional.ofNullable(base.getProperty(LAST_SUCCESS)));
    last.ifPresent(v -> p.setProperty(LAST_SUCCESS, v));
    if (run.lastError().isPresent()) {
      p.setProperty(LAST_ERROR, run.lastError().get().message());
      p.setProperty(LAST_ERROR_AT, run.lastError().get().at().toString());
    } else if (base.getProperty(LAST_ERROR) != null) {
      p.setProperty(LAST_ERROR, base.getProperty(LAST_ERROR));
      p.setProperty(LAST_ERROR_AT, base.getProperty(LAST_ERROR_AT, "-"));
    }
    if (run.target() != null) {
      p.setProperty(TARGET, run.target());
      p.setProperty(TRANSPORT, run.transport());
    }
    p.setProperty(UPDATED, now.toString());
    return p;
  }

  private static long number(Properties p, String key) {
    try {
      return Math.max(0, Long.parseLong(p.getProperty(key, "0").strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Writes the counters.
   *
   * @param stateDir the state directory (created when missing)
   * @param content what to write
   * @throws IOException when it cannot be written
   */
  static void write(Path stateDir, Properties content) throws IOException {
    Files.createDirectories(stateDir);
    AtomicFile.of(stateDir.resolve(NAME)).write(out -> content.store(out, "written by the collector during and at"
        + " the end of each send, tail, syslog or run; counters are summed over all runs"));
  }

  /**
   * @param stateDir the state directory
   * @return the counters so far, empty when there was no run
   * @throws IOException when the file exists but cannot be read
   */
  static Properties read(Path stateDir) throws IOException {
    Properties p = new Properties();
    Path f = stateDir.resolve(NAME);
    if (Files.isRegularFile(f)) {
      try (InputStream in = Files.newInputStream(f)) {
        p.load(in);
      }
    }
    return p;
  }
}
