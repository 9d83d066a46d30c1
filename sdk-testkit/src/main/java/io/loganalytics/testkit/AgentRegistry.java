package io.loganalytics.testkit;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agents that onboarded, each with its current certificate and, after a renewal or re-onboarding, its previous
 * certificate for a grace period.
 *
 * <p>Grace period: after a certificate is replaced, the previous one keeps authenticating heartbeats and uploads
 * (not renewals) until {@code now + gracePeriod} by the emulator clock, or its own expiry if sooner. The SDK verifies
 * a renewal with one heartbeat on the new certificate and rolls back on failure; the grace period lets such a rolled
 * back client keep working, and connections opened with the old certificate finish their work. A grace period of
 * zero cuts the old certificate off at once.
 *
 * <p>Thread-safe (all methods synchronized).
 */
final class AgentRegistry {
  /** A certificate that authenticated, and for which agent. */
  static final class Match {
    final String agentId;
    final boolean current;
    final long generation;

    Match(String agentId, boolean current, long generation) {
      this.agentId = agentId;
      this.current = current;
      this.generation = generation;
    }
  }

  private static final class Agent {
    byte[] current;
    long generation;
    byte[] previous;
    Instant previousUntil;
  }

  private final Map<String, Agent> agents = new LinkedHashMap<>();

  /** Registers {@code certificate} as the agent's current one; a replaced one stays valid for the grace period. */
  synchronized void register(String agentId, X509Certificate certificate, long generation, Instant graceUntil) {
    Agent agent = agents.computeIfAbsent(agentId, id -> new Agent());
    byte[] encoded = der(certificate);
    if (agent.current != null && !Arrays.equals(agent.current, encoded)) {
      agent.previous = agent.current;
      agent.previousUntil = graceUntil;
    }
    agent.current = encoded;
    agent.generation = generation;
  }

  /** The agent a certificate belongs to, or {@code null} when it is neither current nor in its grace period. */
  synchronized Match find(X509Certificate certificate, Instant now) {
    byte[] encoded = der(certificate);
    for (Map.Entry<String, Agent> e : agents.entrySet()) {
      Agent agent = e.getValue();
      if (Arrays.equals(agent.current, encoded)) {
        return new Match(e.getKey(), true, agent.generation);
      }
      if (agent.previous != null && Arrays.equals(agent.previous, encoded) && now.isBefore(agent.previousUntil)) {
        return new Match(e.getKey(), false, agent.generation);
      }
    }
    return null;
  }

  synchronized Set<String> agentIds() {
    return new TreeSet<>(agents.keySet());
  }

  static byte[] der(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded", e);
    }
  }
}
