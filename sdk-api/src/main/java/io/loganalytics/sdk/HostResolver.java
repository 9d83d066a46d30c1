package io.loganalytics.sdk;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves host names to addresses. The default is the system resolver; a workspace emulator maps the service's
 * host names to the loopback address so that the SDK runs unchanged against it, TLS host name checks included.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface HostResolver {
  /**
   * Resolves a host.
   *
   * @param host the host name
   * @return its addresses, not empty
   * @throws UnknownHostException when the host has no address
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /**
   * The system resolver ({@link InetAddress#getAllByName(String)}).
   *
   * @return the resolver
   */
  static HostResolver system() {
    return host -> Arrays.asList(InetAddress.getAllByName(host));
  }
}
