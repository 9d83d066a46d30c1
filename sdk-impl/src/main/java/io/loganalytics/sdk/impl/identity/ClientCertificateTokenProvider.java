package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Client credentials with a certificate (LOGS-INGESTION §2b): a new {@link ClientAssertion} for every token request,
 * its audience the token endpoint.
 *
 * <p>Internal, not API. Thread-safe; {@link #toString()} never shows the key or an assertion.
 */
final class ClientCertificateTokenProvider implements AccessTokenProvider {
  private final EntraTokenClient client;
  private final URI tokenEndpoint;
  private final String clientId;
  private final ClientAssertion assertion;

  ClientCertificateTokenProvider(EntraTokenClient client, URI tokenEndpoint, String clientId,
      ClientAssertion assertion) {
    this.client = Objects.requireNonNull(client, "client");
    this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.assertion = Objects.requireNonNull(assertion, "assertion");
  }

  @Override
  public AccessToken getToken(String scope) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", clientId);
    form.put("client_assertion_type", ClientAssertion.ASSERTION_TYPE);
    form.put("client_assertion", assertion.create(tokenEndpoint.toString(), clientId));
    form.put("scope", EntraTokenClient.requireScope(scope));
    return client.request(tokenEndpoint, form, "client certificate credential of client " + clientId
        + " (certificate x5t#S256 " + assertion.thumbprint() + ")");
  }

  @Override
  public String toString() {
    return "ClientCertificateTokenProvider{" + tokenEndpoint + ", clientId=" + clientId + ", " + assertion + "}";
  }
}
