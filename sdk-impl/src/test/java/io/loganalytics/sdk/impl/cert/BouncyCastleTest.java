package io.loganalytics.sdk.impl.cert;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ConfigurationException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class BouncyCastleTest {
  @Test
  void presentOnTheTestClassPath() {
    assertThatCode(() -> BouncyCastle.require("the agent transport")).doesNotThrowAnyException();
  }

  @Test
  void missingItNamesTheArtifactsAndTheAlternative() throws Exception {
    try (URLClassLoader withoutBouncyCastle = new URLClassLoader(new URL[0], null)) {
      assertThatThrownBy(() -> BouncyCastle.require("the agent transport", withoutBouncyCastle))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith("transport: the agent transport needs Bouncy Castle")
          .hasMessageContaining("org.bouncycastle:bcpkix-jdk18on")
          .hasMessageContaining("Logs Ingestion transport");
    }
  }
}
