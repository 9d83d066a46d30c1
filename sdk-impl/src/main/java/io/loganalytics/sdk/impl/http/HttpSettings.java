package io.loganalytics.sdk.impl.http;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.HostResolver;
import io.loganalytics.sdk.ProxyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the SDK's one HTTP client is set up: proxy, resolver, extra trust anchors, timeouts and the response size cap.
 * Internal: public only for the SDK's other packages.
 *
 * <p>Defaults: no proxy; the system resolver; only the JVM's trust store; connect 30 s (the agent's
 * {@code open_timeout}), read 60 s (Ruby's default read timeout, which the agent used), write 60 s, whole call
 * 5 min; responses read up to 1 MiB (the rest is dropped); Basic proxy credentials sent preemptively.
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class HttpSettings {
  private final ProxyConfig proxy;
  private final HostResolver resolver;
  private final List<Path> trustedCertificates;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration writeTimeout;
  private final Duration callTimeout;
  private final int maxResponseBytes;
  private final boolean preemptiveProxyAuthentication;

  private HttpSettings(Builder b) {
    this.proxy = b.proxy;
    this.resolver = b.resolver;
    this.trustedCertificates = List.copyOf(b.trustedCertificates);
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.callTimeout = b.callTimeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.preemptiveProxyAuthentication = b.preemptiveProxyAuthentication;
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The settings a client builder implies: its proxy, extra trust anchors and resolver; the rest default.
   *
   * @param client the client builder
   * @return a builder pre-filled from it
   */
  public static Builder from(io.loganalytics.sdk.LogAnalyticsClientBuilder client) {
    return builder().proxy(client.proxy().orElse(null)).resolver(client.hostResolver())
        .trustedCertificates(client.trustedCertificates());
  }

  /** @return the defaults */
  public static HttpSettings defaults() {
    return builder().build();
  }

  /** @return the proxy, if any */
  public Optional<ProxyConfig> proxy() {
    return Optional.ofNullable(proxy);
  }

  /** @return the host resolver */
  public HostResolver resolver() {
    return resolver;
  }

  /** @return PEM files whose certificates are trusted in addition to the JVM's trust store */
  public List<Path> trustedCertificates() {
    return trustedCertificates;
  }

  /** @return the TCP connect timeout */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** @return the socket read timeout */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** @return the socket write timeout */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  /** @return the limit for a whole call, zero for none */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** @return how many bytes of a response body are read at most */
  public int maxResponseBytes() {
    return maxResponseBytes;
  }

  /** @return whether proxy credentials go with the first {@code CONNECT} rather than after a 407 */
  public boolean preemptiveProxyAuthentication() {
    return preemptiveProxyAuthentication;
  }

  /** @return a builder holding these settings */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.proxy = proxy;
    b.resolver = resolver;
    b.trustedCertificates.addAll(trustedCertificates);
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.writeTimeout = writeTimeout;
    b.callTimeout = callTimeout;
    b.maxResponseBytes = maxResponseBytes;
    b.preemptiveProxyAuthentication = preemptiveProxyAuthentication;
    return b;
  }

  /** Shows everything; the proxy password appears as {@code OBFUSCATED} (see {@link ProxyConfig#toString()}). */
  @Override
  public String toString() {
    return "HttpSettings{proxy=" + proxy + ", trustedCertificates=" + trustedCertificates + ", connectTimeout="
        + connectTimeout + ", readTimeout=" + readTimeout + ", writeTimeout=" + writeTimeout + ", callTimeout="
        + callTimeout + ", maxResponseBytes=" + maxResponseBytes + "}";
  }

  /** Builds {@link HttpSettings}; every setter validates at once. Not thread-safe. */
  public static final class Builder {
    private ProxyConfig proxy;
    private HostResolver resolver = HostResolver.system();
    private final List<Path> trustedCertificates = new ArrayList<>();
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofSeconds(60);
    private Duration writeTimeout = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ofMinutes(5);
    private int maxResponseBytes = 1024 * 1024;
    private boolean preemptiveProxyAuthentication = true;

    private Builder() {}

    /**
     * The proxy. Default none.
     *
     * @param proxy the proxy, or {@code null} for a direct connection
     * @return this builder
     */
    public Builder proxy(ProxyConfig proxy) {
      this.proxy = proxy;
      return this;
    }

    /**
     * The resolver. Default {@link HostResolver#system()}.
     *
     * @param resolver the resolver
     * @return this builder
     */
    public Builder resolver(HostResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Trusts the certificates of PEM files in addition to the JVM's trust store. Default none.
     *
     * @param pemFiles the files
     * @return this builder
     */
    public Builder trustedCertificates(List<Path> pemFiles) {
      for (Path p : pemFiles) {
        trustedCertificates.add(Objects.requireNonNull(p, "trustedCertificates entry"));
      }
      return this;
    }

    /**
     * Connect timeout. Default 30 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /**
     * Read timeout. Default 60 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive("readTimeout", timeout);
      return this;
    }

    /**
     * Write timeout. Default 60 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = positive("writeTimeout", timeout);
      return this;
    }

    /**
     * Limit for a whole call including retries of the connection. Default 5 min; zero disables it.
     *
     * @param timeout zero or a positive duration
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new ConfigurationException("callTimeout", "must be zero or positive, was " + timeout);
      }
      this.callTimeout = timeout;
      return this;
    }

    /**
     * How many bytes of a response body are kept. Default 1 MiB.
     *
     * @param bytes 1 or more
     * @return this builder
     */
    public Builder maxResponseBytes(int bytes) {
      if (bytes < 1) {
        throw new ConfigurationException("maxResponseBytes", "must be at least 1, was " + bytes);
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /**
     * Whether proxy credentials go with the first {@code CONNECT} (default {@code true}) or only after the proxy
     * answered 407.
     *
     * @param preemptive the choice
     * @return this builder
     */
    public Builder preemptiveProxyAuthentication(boolean preemptive) {
      this.preemptiveProxyAuthentication = preemptive;
      return this;
    }

    /** @return the settings */
    public HttpSettings build() {
      return new HttpSettings(this);
    }

    private static Duration positive(String field, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new ConfigurationException(field, "must be positive, was " + d);
      }
      return d;
    }
  }
}
