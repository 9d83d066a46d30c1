package io.loganalytics.sdk;

import static io.loganalytics.sdk.TestSupport.configurationError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.loganalytics.sdk.EntraCredential.Kind;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EntraCredential#fromEnvironment(Map)} as a table (which variables select which credential, in the order of
 * azure-identity's {@code DefaultAzureCredential}: environment credential, workload identity, managed identity), the
 * overrides, and bad values named by their variable.
 */
class EntraCredentialTest {
  private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  private static final String CLIENT = "11111111-2222-3333-4444-555555555555";
  private static final String SECRET = "Sec~ret.value_that-must-never-show";

  /** Builds an environment from name/value pairs. */
  private static Map<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static Stream<Arguments> selection() {
    return Stream.of(
        // the environment credential: secret, then certificate
        arguments("secret", env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT, "AZURE_CLIENT_SECRET", SECRET),
            Kind.CLIENT_SECRET, CLIENT, null),
        arguments("secret wins over certificate and token file", env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID",
            CLIENT, "AZURE_CLIENT_SECRET", SECRET, "AZURE_CLIENT_CERTIFICATE_PATH", "/etc/app.pem",
            "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"), Kind.CLIENT_SECRET, CLIENT, null),
        arguments("certificate", env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
            "AZURE_CLIENT_CERTIFICATE_PATH", "/etc/app.pem"), Kind.CLIENT_CERTIFICATE, CLIENT, "/etc/app.pem"),
        arguments("certificate wins over token file", env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
            "AZURE_CLIENT_CERTIFICATE_PATH", "/etc/app.pem", "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
            Kind.CLIENT_CERTIFICATE, CLIENT, "/etc/app.pem"),
        // workload identity
        arguments("workload identity", env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
            "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"), Kind.WORKLOAD_IDENTITY, CLIENT, "/var/run/token"),
        arguments("workload identity beats the managed identity variables", env("AZURE_TENANT_ID", TENANT,
            "AZURE_CLIENT_ID", CLIENT, "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token", "IDENTITY_ENDPOINT",
            "http://localhost:40342/metadata/identity/oauth2/token", "IMDS_ENDPOINT", "http://localhost:40342"),
            Kind.WORKLOAD_IDENTITY, CLIENT, "/var/run/token"),
        // an incomplete app registration is not one: the chain goes on to managed identity, as azure-identity's
        arguments("secret without tenant", env("AZURE_CLIENT_ID", CLIENT, "AZURE_CLIENT_SECRET", SECRET),
            Kind.MANAGED_IDENTITY_IMDS, CLIENT, null),
        arguments("blank secret is unset", env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
            "AZURE_CLIENT_SECRET", "  "), Kind.MANAGED_IDENTITY_IMDS, CLIENT, null),
        // managed identity: App Service, Arc, IMDS
        arguments("App Service", env("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token", "IDENTITY_HEADER",
            "hdr-secret"), Kind.MANAGED_IDENTITY_APP_SERVICE, null, null),
        arguments("App Service user-assigned", env("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token",
            "IDENTITY_HEADER", "hdr-secret", "AZURE_CLIENT_ID", CLIENT), Kind.MANAGED_IDENTITY_APP_SERVICE, CLIENT,
            null),
        arguments("Arc", env("IDENTITY_ENDPOINT", "http://localhost:40342/metadata/identity/oauth2/token",
            "IMDS_ENDPOINT", "http://localhost:40342"), Kind.MANAGED_IDENTITY_ARC, null, null),
        // MSAL's order (ManagedIdentityClient): App Service (endpoint + header) before Arc (endpoint + IMDS_ENDPOINT)
        arguments("App Service before Arc", env("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token",
            "IDENTITY_HEADER", "hdr-secret", "IMDS_ENDPOINT", "http://localhost:40342"),
            Kind.MANAGED_IDENTITY_APP_SERVICE, null, null),
        arguments("IDENTITY_ENDPOINT alone is not enough: IMDS", env("IDENTITY_ENDPOINT",
            "http://127.0.0.1:41741/msi/token"), Kind.MANAGED_IDENTITY_IMDS, null, null),
        arguments("nothing: IMDS system-assigned", env(), Kind.MANAGED_IDENTITY_IMDS, null, null),
        arguments("client id only: IMDS user-assigned", env("AZURE_CLIENT_ID", CLIENT), Kind.MANAGED_IDENTITY_IMDS,
            CLIENT, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("selection")
  void variablesSelectTheCredentialInDefaultAzureCredentialsOrder(String name, Map<String, String> env, Kind kind,
      String clientId, String file) {
    EntraCredential c = EntraCredential.fromEnvironment(env);

    assertThat(c.kind()).isEqualTo(kind);
    assertThat(c.clientId().orElse(null)).isEqualTo(clientId);
    assertThat(c.file().map(Path::toString).orElse(null)).isEqualTo(file);
    if (kind == Kind.CLIENT_SECRET || kind == Kind.CLIENT_CERTIFICATE || kind == Kind.WORKLOAD_IDENTITY) {
      assertThat(c.tenantId()).contains(TENANT);
    }
    if (kind == Kind.CLIENT_SECRET) {
      assertThat(c.secret()).contains(SECRET);
    }
    if (kind == Kind.MANAGED_IDENTITY_APP_SERVICE) {
      assertThat(c.secret()).contains("hdr-secret");
      assertThat(c.managedIdentityEndpoint()).contains(URI.create("http://127.0.0.1:41741/msi/token"));
    }
    if (kind == Kind.MANAGED_IDENTITY_ARC) {
      assertThat(c.managedIdentityEndpoint())
          .contains(URI.create("http://localhost:40342/metadata/identity/oauth2/token"));
    }
    if (kind == Kind.MANAGED_IDENTITY_IMDS) {
      assertThat(c.managedIdentityEndpoint()).contains(EntraCredential.DEFAULT_IMDS_ENDPOINT);
    }
    assertThat(c.authorityHost()).isEmpty();
    assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("hdr-secret");
  }

  @Test
  void azureAuthorityHostOverridesTheCloudsAuthorityForAppRegistrations() {
    EntraCredential c = EntraCredential.fromEnvironment(env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
        "AZURE_FEDERATED_TOKEN_FILE", "/var/run/token", "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"));

    assertThat(c.authorityHost()).contains(URI.create("https://login.microsoftonline.us/"));
  }

  @Test
  void azureAuthorityHostDoesNotApplyToManagedIdentities() {
    EntraCredential c = EntraCredential.fromEnvironment(env("AZURE_AUTHORITY_HOST",
        "https://login.microsoftonline.us/"));

    assertThat(c.kind()).isEqualTo(Kind.MANAGED_IDENTITY_IMDS);
    assertThat(c.authorityHost()).isEmpty();
  }

  @Test
  void podIdentityAuthorityHostMovesImds() {
    EntraCredential c = EntraCredential.fromEnvironment(env("AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "http://10.0.0.7:2579", "AZURE_CLIENT_ID", CLIENT));

    assertThat(c.kind()).isEqualTo(Kind.MANAGED_IDENTITY_IMDS);
    assertThat(c.clientId()).contains(CLIENT);
    assertThat(c.managedIdentityEndpoint()).contains(URI.create("http://10.0.0.7:2579"));
  }

  @Test
  void valuesAreTrimmedAndIdsLowercased() {
    EntraCredential c = EntraCredential.fromEnvironment(env("AZURE_TENANT_ID", " " + TENANT.toUpperCase() + "\n",
        "AZURE_CLIENT_ID", CLIENT.toUpperCase(), "AZURE_CLIENT_SECRET", " " + SECRET + " "));

    assertThat(c.tenantId()).contains(TENANT);
    assertThat(c.clientId()).contains(CLIENT);
    assertThat(c.secret()).contains(SECRET);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        arguments(env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", "not-a-guid", "AZURE_CLIENT_SECRET", SECRET),
            "AZURE_CLIENT_ID", "not a GUID"),
        arguments(env("AZURE_TENANT_ID", "bad tenant!", "AZURE_CLIENT_ID", CLIENT, "AZURE_CLIENT_SECRET", SECRET),
            "AZURE_TENANT_ID", "neither a GUID nor a domain"),
        arguments(env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT, "AZURE_FEDERATED_TOKEN_FILE", "/t",
            "AZURE_AUTHORITY_HOST", "not a url"), "AZURE_AUTHORITY_HOST", "not a URL"),
        arguments(env("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT, "AZURE_CLIENT_SECRET", SECRET,
            "AZURE_AUTHORITY_HOST", "http://login.example"), "AZURE_AUTHORITY_HOST", "https"),
        arguments(env("IDENTITY_ENDPOINT", "ftp://x/", "IDENTITY_HEADER", "h"), "IDENTITY_ENDPOINT", "http or https"),
        arguments(env("IDENTITY_ENDPOINT", "http://localhost:40342/", "IMDS_ENDPOINT", "x", "IDENTITY_HEADER", "h",
            "AZURE_CLIENT_ID", "nope"), "AZURE_CLIENT_ID", "not a GUID"),
        arguments(env("AZURE_CLIENT_ID", "nope"), "AZURE_CLIENT_ID", "not a GUID"),
        arguments(env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "::"), "AZURE_POD_IDENTITY_AUTHORITY_HOST", "URL"),
        arguments(env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://user:pw@10.0.0.7"),
            "AZURE_POD_IDENTITY_AUTHORITY_HOST", "user information"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void aBadValueIsRefusedNamingItsVariableNeverTheSecret(Map<String, String> env, String variable, String problem) {
    ConfigurationException e = configurationError(() -> EntraCredential.fromEnvironment(env));

    assertThat(e.field()).isEqualTo(variable);
    assertThat(e.getMessage()).startsWith(variable + ": ").contains(problem).doesNotContain(SECRET);
  }

  @Test
  void directFactoriesNameTheirOwnFieldsAndHideTheSecret() {
    assertThat(configurationError(() -> EntraCredential.clientSecret(TENANT, CLIENT, " ")).field())
        .isEqualTo("clientSecret");
    assertThat(configurationError(() -> EntraCredential.clientSecret(TENANT, "x", SECRET)).field())
        .isEqualTo("clientId");
    assertThat(configurationError(() -> EntraCredential.clientSecret(null, CLIENT, SECRET)).field())
        .isEqualTo("tenantId");
    assertThat(configurationError(() -> EntraCredential.appServiceManagedIdentity(
        URI.create("http://127.0.0.1/msi/token"), " ", null)).field()).isEqualTo("identityHeader");
    assertThat(configurationError(() -> EntraCredential.clientSecret(TENANT, CLIENT, SECRET)
        .withAuthorityHost(URI.create("http://login.microsoftonline.com/"))).field()).isEqualTo("authorityHost");
    assertThat(configurationError(() -> EntraCredential.clientSecret(TENANT, CLIENT, SECRET)
        .withManagedIdentityEndpoint(URI.create("http://127.0.0.1"))).field()).isEqualTo("managedIdentityEndpoint");

    EntraCredential c = EntraCredential.clientSecret(TENANT, CLIENT, SECRET);
    assertThat(c.toString()).contains("CLIENT_SECRET").contains(CLIENT).contains("***").doesNotContain(SECRET);
    EntraCredential app = EntraCredential.appServiceManagedIdentity(URI.create("http://127.0.0.1/msi/token"),
        "hdr-secret", null);
    assertThat(app.toString()).doesNotContain("hdr-secret");
  }
}
