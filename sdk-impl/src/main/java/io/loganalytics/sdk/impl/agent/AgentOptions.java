package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.LogAnalyticsListener;
import io.loganalytics.sdk.WorkspaceCredentials;
import io.loganalytics.sdk.impl.cert.CertificateGenerator;
import io.loganalytics.sdk.impl.http.HttpSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link AgentIdentity} needs to onboard, load, run and renew an agent identity. Internal: public only
 * for the client implementation and the CLI.
 *
 * <p>Defaults: no credentials (an onboarded state directory suffices to run; onboarding and the re-onboarding
 * fallback need them); the cloud named by the state directory's {@code URL_TLD}, else the public cloud;
 * {@link HttpSettings#defaults()}; the system clock (UTC); no listener; certificates valid 90 days, renewed when
 * fewer than 30 days are left; heartbeat every 20 minutes until the service names its {@code queryInterval};
 * certificate checks (expiry, key rotation) every minute; a failed renewal tried again after one hour; a scheduler
 * with one daemon thread; a {@link SecureRandom}; the host's name as FQDN; {@code User-Agent}
 * {@value #DEFAULT_USER_AGENT}.
 *
 * <p>Immutable and thread-safe; the builder is not. {@link #toString()} never shows a key.
 */
public final class AgentOptions {
  /** The {@code User-Agent} of agent-service requests: the agent's product token, then ours. */
  public static final String DEFAULT_USER_AGENT = "LinuxMonitoringAgent/1.0.0 loganalytics-java-sdk/0.1.0";

  private final Path stateDirectory;
  private final WorkspaceCredentials credentials;
  private final CloudEnvironment cloud;
  private final HttpSettings httpSettings;
  private final Clock clock;
  private final LogAnalyticsListener listener;
  private final Duration certificateValidity;
  private final Duration renewalWindow;
  private final Duration heartbeatInterval;
  private final Duration checkInterval;
  private final Duration renewalRetryInterval;
  private final AgentScheduler scheduler;
  private final SecureRandom random;
  private final String hostname;
  private final String userAgent;

  private AgentOptions(Builder b) {
    this.stateDirectory = b.stateDirectory;
    this.credentials = b.credentials;
    this.cloud = b.cloud;
    this.httpSettings = b.httpSettings;
    this.clock = b.clock;
    this.listener = b.listener;
    this.certificateValidity = b.certificateValidity;
    this.renewalWindow = b.renewalWindow;
    this.heartbeatInterval = b.heartbeatInterval;
    this.checkInterval = b.checkInterval;
    this.renewalRetryInterval = b.renewalRetryInterval;
    this.scheduler = b.scheduler;
    this.random = b.random;
    this.hostname = b.hostname;
    this.userAgent = b.userAgent;
  }

  /**
   * A builder for a state directory.
   *
   * @param stateDirectory the agent state directory
   * @return the builder
   */
  public static Builder builder(Path stateDirectory) {
    return new Builder(stateDirectory);
  }

  /**
   * The options a client builder implies: its state directory, credentials, cloud, proxy, extra trust anchors,
   * resolver, clock, listener, certificate validity and renewal window.
   *
   * @param client the client builder
   * @return a builder pre-filled from it
   * @throws ConfigurationException naming {@code stateDirectory} when the client builder has none
   */
  public static Builder from(LogAnalyticsClientBuilder client) {
    Path dir = client.stateDirectory().orElseThrow(() -> new ConfigurationException("stateDirectory",
        "is required for the agent transport (it holds the certificate and omsadmin.conf)"));
    return builder(dir)
        .credentials(client.credentials().orElse(null))
        .cloud(client.cloud())
        .httpSettings(HttpSettings.from(client).build())
        .clock(client.clock())
        .listener(client.listener())
        .certificateValidity(client.certificateValidity())
        .renewalWindow(client.renewalWindow());
  }

  /** @return the state directory */
  public Path stateDirectory() {
    return stateDirectory;
  }

  /** @return the credentials, if given */
  public Optional<WorkspaceCredentials> credentials() {
    return Optional.ofNullable(credentials);
  }

  /** @return the cloud, if given */
  public Optional<CloudEnvironment> cloud() {
    return Optional.ofNullable(cloud);
  }

  /** @return the HTTP settings */
  public HttpSettings httpSettings() {
    return httpSettings;
  }

  /** @return the clock */
  public Clock clock() {
    return clock;
  }

  /** @return the listener */
  public LogAnalyticsListener listener() {
    return listener;
  }

  /** @return the validity of new certificates */
  public Duration certificateValidity() {
    return certificateValidity;
  }

  /** @return renew when less than this is left */
  public Duration renewalWindow() {
    return renewalWindow;
  }

  /** @return the heartbeat interval until the service names one */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** @return how often expiry and key rotation are checked */
  public Duration checkInterval() {
    return checkInterval;
  }

  /** @return the wait before a failed renewal is tried again */
  public Duration renewalRetryInterval() {
    return renewalRetryInterval;
  }

  /** @return the scheduler, if given (otherwise the session creates and owns one) */
  public Optional<AgentScheduler> scheduler() {
    return Optional.ofNullable(scheduler);
  }

  /** @return the randomness for agent GUIDs, keys and serial numbers */
  public SecureRandom random() {
    return random;
  }

  /** @return the host name sent as {@code FullyQualfiedDomainName} */
  public String hostname() {
    if (hostname != null) {
      return hostname;
    }
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (UnknownHostException e) {
      return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
    }
  }

  /** @return the {@code User-Agent} */
  public String userAgent() {
    return userAgent;
  }

  CertificateGenerator certificateGenerator() {
    return new CertificateGenerator(clock, certificateValidity, random);
  }

  /** Shows every option; credentials and proxy passwords appear as {@code OBFUSCATED}. */
  @Override
  public String toString() {
    return "AgentOptions{stateDirectory=" + stateDirectory + ", credentials=" + credentials + ", cloud=" + cloud
        + ", http=" + httpSettings + ", certificateValidity=" + certificateValidity + ", renewalWindow="
        + renewalWindow + ", heartbeatInterval=" + heartbeatInterval + "}";
  }

  /** Builds {@link AgentOptions}; setters validate at once and name the field they refuse. Not thread-safe. */
  public static final class Builder {
    private final Path stateDirectory;
    private WorkspaceCredentials credentials;
    private CloudEnvironment cloud;
    private HttpSettings httpSettings = HttpSettings.defaults();
    private Clock clock = Clock.systemUTC();
    private LogAnalyticsListener listener = LogAnalyticsListener.NONE;
    private Duration certificateValidity = CertificateGenerator.DEFAULT_VALIDITY;
    private Duration renewalWindow = Duration.ofDays(30);
    private Duration heartbeatInterval = TopologyResponse.DEFAULT_INTERVAL;
    private Duration checkInterval = Duration.ofMinutes(1);
    private Duration renewalRetryInterval = Duration.ofHours(1);
    private AgentScheduler scheduler;
    private SecureRandom random;
    private String hostname;
    private String userAgent = DEFAULT_USER_AGENT;

    private Builder(Path stateDirectory) {
      if (stateDirectory == null) {
        throw new ConfigurationException("stateDirectory", "is required");
      }
      this.stateDirectory = stateDirectory;
    }

    /**
     * The workspace credentials. Needed to onboard and as the renewal fallback; rotating them on this object
     * renews the certificate at once.
     *
     * @param credentials the credentials, or {@code null}
     * @return this builder
     */
    public Builder credentials(WorkspaceCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /**
     * The cloud (and port, for emulators).
     *
     * @param cloud the cloud, or {@code null} for the state directory's
     * @return this builder
     */
    public Builder cloud(CloudEnvironment cloud) {
      this.cloud = cloud;
      return this;
    }

    /**
     * The HTTP client settings (proxy, trust anchors, resolver, timeouts).
     *
     * @param settings the settings
     * @return this builder
     */
    public Builder httpSettings(HttpSettings settings) {
      this.httpSettings = Objects.requireNonNull(settings, "httpSettings");
      return this;
    }

    /**
     * The clock for certificate validity, renewal decisions and signatures.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Receives renewal, expiry and authentication events.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(LogAnalyticsListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Validity of new certificates. Default 90 days.
     *
     * @param validity at least one day
     * @return this builder
     */
    public Builder certificateValidity(Duration validity) {
      if (validity == null || validity.compareTo(Duration.ofDays(1)) < 0) {
        throw new ConfigurationException("certificateValidity", "must be at least 1 day, was " + validity);
      }
      this.certificateValidity = validity;
      return this;
    }

    /**
     * Renew proactively when less than this is left. Default 30 days.
     *
     * @param window zero or positive
     * @return this builder
     */
    public Builder renewalWindow(Duration window) {
      if (window == null || window.isNegative()) {
        throw new ConfigurationException("renewalWindow", "must be zero or positive, was " + window);
      }
      this.renewalWindow = window;
      return this;
    }

    /**
     * Heartbeat interval until the service names one. Default 20 minutes.
     *
     * @param interval 60 s to 7 days
     * @return this builder
     */
    public Builder heartbeatInterval(Duration interval) {
      if (interval == null || interval.compareTo(TopologyResponse.MIN_INTERVAL) < 0
          || interval.compareTo(TopologyResponse.MAX_INTERVAL) > 0) {
        throw new ConfigurationException("heartbeatInterval", "must be between 60 s and 7 days, was " + interval);
      }
      this.heartbeatInterval = interval;
      return this;
    }

    /**
     * How often expiry and key rotation are checked (no network). Default 1 minute.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder checkInterval(Duration interval) {
      if (interval == null || interval.isZero() || interval.isNegative()) {
        throw new ConfigurationException("checkInterval", "must be positive, was " + interval);
      }
      this.checkInterval = interval;
      return this;
    }

    /**
     * The wait before a failed renewal is tried again. Default 1 hour.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder renewalRetryInterval(Duration interval) {
      if (interval == null || interval.isZero() || interval.isNegative()) {
        throw new ConfigurationException("renewalRetryInterval", "must be positive, was " + interval);
      }
      this.renewalRetryInterval = interval;
      return this;
    }

    /**
     * The scheduler for heartbeats and checks. Default: the session's own daemon thread.
     *
     * @param scheduler the scheduler, or {@code null}
     * @return this builder
     */
    public Builder scheduler(AgentScheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * The randomness for agent GUIDs, keys and serial numbers. Default a new {@link SecureRandom}.
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The host name sent as {@code FullyQualfiedDomainName}. Default the local host's canonical name.
     *
     * @param hostname the name
     * @return this builder
     */
    public Builder hostname(String hostname) {
      if (hostname == null || hostname.isBlank()) {
        throw new ConfigurationException("hostname", "must not be empty");
      }
      this.hostname = hostname.strip();
      return this;
    }

    /**
     * The {@code User-Agent} of agent-service requests.
     *
     * @param userAgent the value
     * @return this builder
     */
    public Builder userAgent(String userAgent) {
      if (userAgent == null || userAgent.isBlank()) {
        throw new ConfigurationException("userAgent", "must not be empty");
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * @return the options
     * @throws ConfigurationException naming {@code renewalWindow} when it is not shorter than the validity
     */
    public AgentOptions build() {
      if (renewalWindow.compareTo(certificateValidity) >= 0) {
        throw new ConfigurationException("renewalWindow", renewalWindow + " must be shorter than "
            + "certificateValidity " + certificateValidity);
      }
      if (random == null) {
        random = new SecureRandom();
      }
      return new AgentOptions(this);
    }
  }
}
