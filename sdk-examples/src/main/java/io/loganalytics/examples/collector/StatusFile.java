package io.loganalytics.examples.collector;

import io.loganalytics.sdk.ClientStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;

/**
 * {@code collector-status.properties} in the state directory: the counters of the last sending run, so that
 * {@code status} (another process) can show the last upload. Written whole to a temporary file and renamed over the
 * old one, so a reader never sees half a file. Holds no secret. Stateless; thread-safe.
 */
final class StatusFile {
  static final String NAME = "collector-status.properties";
  static final String LAST_SUCCESS = "lastSuccess";
  static final String SENT = "recordsSent";
  static final String GIVEN_UP = "recordsGivenUp";
  static final String REQUESTS = "requests";
  static final String RETRIES = "retries";
  static final String UPDATED = "updated";
  /** Records an input dropped before the client took them (UDP syslog while the buffer was full). */
  static final String INPUT_DROPPED = "inputDropped";

  private StatusFile() {}

  /**
   * Writes the counters.
   *
   * @param stateDir the state directory (created when missing)
   * @param s the counters
   * @param now the time of writing
   * @throws IOException when it cannot be written
   */
  static void write(Path stateDir, ClientStats s, Instant now) throws IOException {
    write(stateDir, s, 0, now);
  }

  /**
   * Writes the counters and the input's drops.
   *
   * @param stateDir the state directory (created when missing)
   * @param s the counters
   * @param inputDropped records the input dropped before the client took them
   * @param now the time of writing
   * @throws IOException when it cannot be written
   */
  static void write(Path stateDir, ClientStats s, long inputDropped, Instant now) throws IOException {
    Properties p = new Properties();
    p.setProperty(INPUT_DROPPED, Long.toString(inputDropped));
    s.lastSuccess().ifPresent(t -> p.setProperty(LAST_SUCCESS, t.toString()));
    p.setProperty(SENT, Long.toString(s.recordsSent()));
    p.setProperty(GIVEN_UP, Long.toString(s.recordsDroppedTotal()));
    p.setProperty(REQUESTS, Long.toString(s.requests()));
    p.setProperty(RETRIES, Long.toString(s.retries()));
    p.setProperty(UPDATED, now.toString());
    Files.createDirectories(stateDir);
    Path tmp = stateDir.resolve(NAME + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "written by the collector at the end of each send, tail or syslog run");
    }
    try {
      Files.move(tmp, stateDir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, stateDir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * @param stateDir the state directory
   * @return the counters of the last run, empty when there was none
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
