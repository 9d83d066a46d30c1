package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Client credentials with an app registration's client secret (LOGS-INGESTION §2a): {@code grant_type},
 * {@code client_id}, {@code client_secret} and {@code scope} posted to the tenant's token endpoint.
 *
 * <p>Internal, not API. Thread-safe. {@link #toString()} never shows the secret.
 */
final class ClientSecretTokenProvider implements AccessTokenProvider {
  private final EntraTokenClient client;
  private final URI tokenEndpoint;
  private final String clientId;
  private final String secret;

  ClientSecretTokenProvider(EntraTokenClient client, URI tokenEndpoint, String clientId, String secret) {
    this.client = Objects.requireNonNull(client, "client");
    this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.secret = Objects.requireNonNull(secret, "secret");
  }

  @Override
  public AccessToken getToken(String scope) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", clientId);
    form.put("client_secret", secret);
    form.put("scope", EntraTokenClient.requireScope(scope));
    return client.request(tokenEndpoint, form, "client secret credential of client " + clientId);
  }

  @Override
  public String toString() {
    return "ClientSecretTokenProvider{" + tokenEndpoint + ", clientId=" + clientId + ", secret=***}";
  }
}
