package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.CloudEnvironment;
import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.EntraCredential;
import io.loganalytics.sdk.impl.http.HttpExecutor;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;

/**
 * Turns an {@link EntraCredential} into the {@link AccessTokenProvider} that speaks its protocol. The token endpoint
 * is {@code <authority>/<tenant>/oauth2/v2.0/token}, the authority being the credential's
 * {@linkplain EntraCredential#authorityHost() own} or else the cloud's {@link CloudEnvironment#authorityHost()}; every
 * request goes through the given executor (the client's proxy, trust anchors and resolver).
 *
 * <p>Internal, not API. Stateless and thread-safe.
 */
public final class EntraTokenProviders {
  private EntraTokenProviders() {}

  /**
   * The provider of a credential.
   *
   * @param credential the credential
   * @param cloud the cloud: authority host and ingestion audience
   * @param executor sends the token requests
   * @param clock the clock for assertions and expiry
   * @return the provider (not cached: wrap it in a {@link TokenCache})
   * @throws ConfigurationException naming {@code entraCredential} or {@code clientCertificate} when the credential
   *     cannot be used
   */
  public static AccessTokenProvider create(EntraCredential credential, CloudEnvironment cloud, HttpExecutor executor,
      Clock clock) {
    return create(credential, cloud, executor, clock, ClientAssertion.Algorithm.PS256);
  }

  static AccessTokenProvider create(EntraCredential credential, CloudEnvironment cloud, HttpExecutor executor,
      Clock clock, ClientAssertion.Algorithm algorithm) {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(cloud, "cloud");
    EntraTokenClient client = new EntraTokenClient(executor, clock);
    switch (credential.kind()) {
      case CLIENT_SECRET:
        return new ClientSecretTokenProvider(client, tokenEndpoint(credential, cloud), clientId(credential),
            credential.secret().orElseThrow(() -> new ConfigurationException("entraCredential",
                "the client secret credential has no secret")));
      case CLIENT_CERTIFICATE:
        return new ClientCertificateTokenProvider(client, tokenEndpoint(credential, cloud), clientId(credential),
            ClientAssertion.fromPem(file(credential), algorithm, clock));
      case WORKLOAD_IDENTITY:
        return new WorkloadIdentityTokenProvider(client, tokenEndpoint(credential, cloud), clientId(credential),
            file(credential));
      default:
        // Managed identities (IMDS, App Service, Arc): the executor is the direct, local one
        // (HttpClients.forManagedIdentity); the resource is the cloud's ingestion audience.
        return new ManagedIdentityTokenProvider(credential, cloud.ingestionAudience(), executor, clock);
    }
  }

  /**
   * Whether a credential is a managed identity, whose endpoint is local and needs the direct executor of
   * {@code HttpClients.forManagedIdentity}.
   *
   * @param credential the credential
   * @return {@code true} for the managed identity kinds
   */
  public static boolean isManagedIdentity(EntraCredential credential) {
    switch (credential.kind()) {
      case MANAGED_IDENTITY_IMDS:
      case MANAGED_IDENTITY_APP_SERVICE:
      case MANAGED_IDENTITY_ARC:
        return true;
      default:
        return false;
    }
  }

  /**
   * The token endpoint of a credential in a cloud.
   *
   * @param credential the credential (an app registration kind)
   * @param cloud the cloud
   * @return {@code <authority>/<tenant>/oauth2/v2.0/token}
   */
  static URI tokenEndpoint(EntraCredential credential, CloudEnvironment cloud) {
    String tenant = credential.tenantId().orElseThrow(() -> new ConfigurationException("entraCredential",
        credential.kind() + " needs a tenant id"));
    return credential.authorityHost().map(a -> cloud.withAuthorityHost(a).tokenEndpoint(tenant))
        .orElseGet(() -> cloud.tokenEndpoint(tenant));
  }

  private static String clientId(EntraCredential credential) {
    return credential.clientId().orElseThrow(() -> new ConfigurationException("entraCredential",
        credential.kind() + " needs a client id"));
  }

  private static java.nio.file.Path file(EntraCredential credential) {
    return credential.file().orElseThrow(() -> new ConfigurationException("entraCredential",
        credential.kind() + " needs a file"));
  }
}
