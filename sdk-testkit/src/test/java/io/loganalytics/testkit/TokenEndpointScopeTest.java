package io.loganalytics.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.testkit.TestAgent.Answer;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator's Entra token endpoint reads the scope as Entra does for client credentials. */
class TokenEndpointScopeTest {
  private static final String APP = "0f8fad5b-d9cb-469f-a165-70867728950e";
  private static final String SECRET = "Sec~scope-test";
  private WorkspaceEmulator emulator;
  private OkHttpClient http;

  @BeforeEach
  void start() {
    emulator = WorkspaceEmulator.builder().start();
    emulator.registerClientSecret(APP, SECRET);
    http = TestAgent.client(emulator, null);
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private Answer token(String scope) throws Exception {
    Request request = new Request.Builder()
        .url(emulator.logsIngestionCloud().tokenEndpoint(emulator.tenantId()).toString())
        .post(new FormBody.Builder().add("grant_type", "client_credentials").add("client_id", APP)
            .add("client_secret", SECRET).add("scope", scope).build())
        .build();
    return TestAgent.execute(http, request);
  }

  @Test
  void theOpenIdScopesMsalAddsAreIgnored() throws Exception {
    String scope = emulator.logsIngestionCloud().ingestionScope();
    Answer plain = token(scope);
    Answer msal = token("openid profile offline_access " + scope);

    assertThat(plain.status()).isEqualTo(200);
    assertThat(msal.status()).as(msal.body()).isEqualTo(200);
    assertThat(msal.body()).contains("\"access_token\"");
  }

  @Test
  void twoResourcesOrNoDefaultSuffixAreRefused() throws Exception {
    String scope = emulator.logsIngestionCloud().ingestionScope();
    for (String bad : new String[] {"https://other.test/.default " + scope, "openid profile",
        "https://monitor.emulator.test/user_impersonation"}) {
      Answer a = token(bad);
      assertThat(a.status()).as(bad).isEqualTo(400);
      assertThat(a.body()).as(bad).contains("invalid_scope").contains("1002012");
    }
  }
}
