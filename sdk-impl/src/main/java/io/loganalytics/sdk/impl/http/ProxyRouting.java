package io.loganalytics.sdk.impl.http;

import io.loganalytics.sdk.ProxyConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import okhttp3.Authenticator;
import okhttp3.Challenge;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes through the configured HTTP proxy (TLS to the service inside a {@code CONNECT} tunnel) except for hosts on
 * its {@code no_proxy} list, and answers the proxy's Basic challenge.
 *
 * <p>Credentials go to the proxy only: they are added to the {@code CONNECT} request, which the proxy consumes, never
 * to a request that reaches the service (this class is OkHttp's <em>proxy</em> authenticator, which is only asked for
 * 407 answers and tunnel set-up). Preemptively (default) the first {@code CONNECT} carries them; otherwise they are
 * sent after a 407. When the proxy answers 407 to credentials already sent, they are wrong: the attempt stops
 * (OkHttp then fails with "Failed to authenticate with proxy") instead of retrying a refused password.
 *
 * <p>Immutable and thread-safe.
 */
final class ProxyRouting {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyRouting.class);
  private static final String PROXY_AUTHORIZATION = "Proxy-Authorization";
  /** The challenge scheme of the fake 407 OkHttp passes for preemptive authentication. */
  private static final String PREEMPTIVE_SCHEME = "OkHttp-Preemptive";

  private ProxyRouting() {}

  static ProxySelector selector(ProxyConfig proxy) {
    Proxy httpProxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.host(), proxy.port()));
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        String host = uri.getHost();
        if (host != null && proxy.bypasses(host)) {
          return List.of(Proxy.NO_PROXY);
        }
        return List.of(httpProxy);
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // OkHttp tries the next route on its own; nothing to remember.
      }

      @Override
      public String toString() {
        return "ProxySelector{" + proxy + "}";
      }
    };
  }

  static Authenticator authenticator(ProxyConfig proxy, boolean preemptive) {
    return new Authenticator() {
      @Override
      public Request authenticate(Route route, Response response) {
        String credentials = proxy.proxyAuthorization().orElse(null);
        if (credentials == null || response.code() != 407) {
          return null;
        }
        boolean isPreemptive = false;
        boolean offersBasic = false;
        for (Challenge c : response.challenges()) {
          String scheme = c.scheme().toLowerCase(Locale.ROOT);
          isPreemptive |= c.scheme().equalsIgnoreCase(PREEMPTIVE_SCHEME);
          offersBasic |= scheme.equals("basic");
        }
        if (isPreemptive) {
          return preemptive ? withCredentials(response.request(), credentials) : null;
        }
        if (response.request().header(PROXY_AUTHORIZATION) != null) {
          LOG.warn("Proxy {}:{} refused the credentials of user '{}' (HTTP 407); check the proxy user and password",
              proxy.host(), proxy.port(), proxy.username().orElse(""));
          return null;
        }
        if (!offersBasic && !response.challenges().isEmpty()) {
          LOG.warn("Proxy {}:{} asks for {} authentication; only Basic is supported, trying Basic anyway",
              proxy.host(), proxy.port(), response.challenges().get(0).scheme());
        }
        LOG.debug("Proxy {}:{} answered 407; sending Basic credentials for user '{}'", proxy.host(), proxy.port(),
            proxy.username().orElse(""));
        return withCredentials(response.request(), credentials);
      }
    };
  }

  private static Request withCredentials(Request request, String credentials) {
    return request.newBuilder().header(PROXY_AUTHORIZATION, credentials).build();
  }
}
