package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Test access to the package's choices that have no public switch, for tests in other packages (the end-to-end
 * tests): the RS256 client assertion and the Arc token directory. Stateless.
 */
public final class IdentityTestSupport {
  private IdentityTestSupport() {}

  /**
   * The provider of a certificate credential signing with RS256 (the builder's wiring signs with PS256).
   *
   * @param credential a {@link EntraCredential.Kind#CLIENT_CERTIFICATE} credential
   * @param cloud the cloud (authority host)
   * @param executor the HTTPS executor
   * @param clock the clock
   * @return the provider
   */
  public static AccessTokenProvider rs256(EntraCredential credential, CloudEnvironment cloud, HttpExecutor executor,
      Clock clock) {
    return EntraTokenProviders.create(credential, cloud, executor, clock, ClientAssertion.Algorithm.RS256);
  }

  /**
   * An Azure Arc provider whose challenge files must lie in {@code tokenDirectory} instead of the agent's.
   *
   * @param credential an Arc credential
   * @param resource the resource (audience)
   * @param executor the managed identity executor
   * @param clock the clock
   * @param tokenDirectory the directory challenge files must be in
   * @return the provider
   */
  public static AccessTokenProvider arc(EntraCredential credential, String resource, HttpExecutor executor,
      Clock clock, Path tokenDirectory) {
    return new ManagedIdentityTokenProvider(credential, resource, executor, clock, tokenDirectory);
  }
}
