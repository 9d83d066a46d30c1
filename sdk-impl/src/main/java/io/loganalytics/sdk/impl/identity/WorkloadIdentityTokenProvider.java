package io.loganalytics.sdk.impl.identity;

import io.loganalytics.sdk.AccessToken;
import io.loganalytics.sdk.AccessTokenProvider;
import io.loganalytics.sdk.LogAnalyticsException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Workload identity (LOGS-INGESTION §2c): the federated token in {@code AZURE_FEDERATED_TOKEN_FILE} is the client
 * assertion. The file is read again for every token request, because its issuer (a Kubernetes projected service
 * account token, for example) rotates it in place.
 *
 * <p>A file that cannot be read, is empty or is larger than {@value #MAX_FILE_BYTES} bytes fails the request with a
 * retryable {@link LogAnalyticsException} naming the file (a rotation in progress passes), never its content.
 *
 * <p>Internal, not API. Thread-safe.
 */
final class WorkloadIdentityTokenProvider implements AccessTokenProvider {
  /** A projected token is a few kilobytes. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  private final EntraTokenClient client;
  private final URI tokenEndpoint;
  private final String clientId;
  private final Path tokenFile;

  WorkloadIdentityTokenProvider(EntraTokenClient client, URI tokenEndpoint, String clientId, Path tokenFile) {
    this.client = Objects.requireNonNull(client, "client");
    this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.tokenFile = Objects.requireNonNull(tokenFile, "tokenFile");
  }

  @Override
  public AccessToken getToken(String scope) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", clientId);
    form.put("client_assertion_type", ClientAssertion.ASSERTION_TYPE);
    form.put("client_assertion", readToken());
    form.put("scope", EntraTokenClient.requireScope(scope));
    return client.request(tokenEndpoint, form, "workload identity of client " + clientId + " (federated token file "
        + tokenFile + ")");
  }

  private String readToken() {
    try {
      long size = Files.size(tokenFile);
      if (size > MAX_FILE_BYTES) {
        throw new LogAnalyticsException("The federated token file " + tokenFile + " is " + size + " bytes, more than "
            + MAX_FILE_BYTES + "; it should hold one JWT (AZURE_FEDERATED_TOKEN_FILE)", true);
      }
      String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new LogAnalyticsException("The federated token file " + tokenFile + " is empty; its issuer may be "
            + "rotating it (AZURE_FEDERATED_TOKEN_FILE)", true);
      }
      return token;
    } catch (IOException e) {
      throw new LogAnalyticsException("Cannot read the federated token file " + tokenFile + " ("
          + e.getClass().getSimpleName() + "); check AZURE_FEDERATED_TOKEN_FILE and the volume that projects it",
          true, e);
    }
  }

  @Override
  public String toString() {
    return "WorkloadIdentityTokenProvider{" + tokenEndpoint + ", clientId=" + clientId + ", file=" + tokenFile + "}";
  }
}
