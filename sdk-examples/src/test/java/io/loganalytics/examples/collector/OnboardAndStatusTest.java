package io.loganalytics.examples.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.sdk.LogAnalyticsClientBuilder;
import io.loganalytics.sdk.ServiceException;
import io.loganalytics.sdk.impl.agent.AgentOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onboard} and {@code status} against a client factory that does what the SDK does on onboarding: write the
 * agent state directory (omsadmin.conf and certs/oms.crt). The real onboarding against the emulator is covered once
 * sdk-impl and sdk-testkit are merged.
 */
class OnboardAndStatusTest {
  static final String GUID = "7d4bd4b9-3c5e-4a7e-8a44-8f1b2bb0c1d2";
  static final Instant EXPIRY = Cli.CLOCK.instant().plus(Duration.ofDays(90));

  @TempDir Path dir;

  @Test
  void onboardWithoutAKeyNamesTheEnvironmentVariable() {
    Cli.Result r = new Cli(dir).onboarder(o -> {
      throw new ServiceException("Onboarding request failed", 0, null, null, true,
          new java.io.IOException("connect", new java.net.ConnectException("Connection refused")));
    }).run("onboard", "-w", CommandLineErrorsTest.WS, "--state-dir", dir.resolve("state").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).isEqualTo("error: -s: is required (or set LOGANALYTICS_SHARED_KEY)\n");
  }

  @Test
  void onboardFailureNamesTheConnectionCauseAndNeverTheKey() {
    Cli.Result r = new Cli(dir).env(Map.of("LOGANALYTICS_SHARED_KEY", CommandLineErrorsTest.KEY)).onboarder(o -> {
      throw new ServiceException("Onboarding request failed", 0, null, null, true,
          new java.io.IOException("connect", new java.net.ConnectException("Connection refused")));
    }).run("onboard", "-w", CommandLineErrorsTest.WS, "--state-dir", dir.resolve("state").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("error: onboarding failed: Onboarding request failed (cause: connection refused")
        .contains("check the proxy").doesNotContain(CommandLineErrorsTest.KEY);
  }

  @Test
  void onboardFailureForAnUntrustedCertificateNamesCaFile() {
    Cli.Result r = new Cli(dir).env(Map.of("LOGANALYTICS_SHARED_KEY", CommandLineErrorsTest.KEY)).onboarder(o -> {
      throw new ServiceException("Onboarding request failed", 0, null, null, true,
          new javax.net.ssl.SSLHandshakeException("PKIX path building failed: unable to find valid certification "
              + "path to requested target"));
    }).run("onboard", "-w", CommandLineErrorsTest.WS, "--state-dir", dir.resolve("state").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("not trusted").contains("--ca-file PEM");
  }

  @Test
  void onboardPrintsWhatTheSdkSaved() throws Exception {
    Path state = dir.resolve("state");
    var seen = new java.util.concurrent.atomic.AtomicReference<AgentOptions>();
    Cli cli = new Cli(dir).env(Map.of("LOGANALYTICS_SHARED_KEY", CommandLineErrorsTest.KEY)).onboarder(o -> {
      seen.set(o);
      writeAgentState(state);
      return null;
    });

    Cli.Result r = cli.run("onboard", "-w", CommandLineErrorsTest.WS, "-d", "opinsights.azure.us", "-p",
        "http://proxy.example:3128", "--state-dir", state.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("agent GUID          " + GUID).contains("certificate expires " + EXPIRY)
        .contains("onboarded to workspace " + CommandLineErrorsTest.WS).contains("cloud               "
        + "opinsights.azure.com");
    AgentOptions o = seen.get();
    assertThat(o.credentials()).map(c -> c.workspaceId()).contains(CommandLineErrorsTest.WS);
    assertThat(o.cloud()).map(c -> c.domain()).contains("opinsights.azure.us");
    assertThat(o.stateDirectory()).isEqualTo(state);
    assertThat(r.out() + r.err()).doesNotContain(CommandLineErrorsTest.KEY);
  }

  @Test
  void statusShowsTheIdentityAndCertificateExpiry() throws Exception {
    writeAgentState(dir.resolve("state"));

    Cli.Result r = new Cli(dir).run("status", "--state-dir", dir.resolve("state").toString(), "--buffer-dir",
        dir.resolve("none").toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("workspace        " + CommandLineErrorsTest.WS)
        .contains("agent GUID       " + GUID)
        .contains("CN=" + GUID)
        .contains("expires        " + EXPIRY + " (in 90 days)")
        .contains("last upload      -");
  }

  @Test
  void statusSaysWhenTheCertificateExpired() throws Exception {
    writeAgentState(dir.resolve("state"));
    Cli later = new Cli(dir).clock(java.time.Clock.fixed(EXPIRY.plusSeconds(1), java.time.ZoneOffset.UTC));

    Cli.Result r = later.run("status", "--state-dir", dir.resolve("state").toString());

    assertThat(r.out()).contains("(EXPIRED)");
  }

  @Test
  void statusNamesAnUnreadableCertificate() throws Exception {
    Path state = dir.resolve("state");
    Files.createDirectories(state.resolve("certs"));
    Files.writeString(state.resolve("certs/oms.crt"), "not a certificate");

    Cli.Result r = new Cli(dir).run("status", "--state-dir", state.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("oms.crt is not a readable X.509 certificate");
  }

  /** Writes what onboarding leaves: omsadmin.conf and a self-signed certificate with the agent's subject. */
  static void writeAgentState(Path state) {
    try {
      Files.createDirectories(state.resolve("certs"));
      Files.writeString(state.resolve("omsadmin.conf"), "WORKSPACE_ID=" + CommandLineErrorsTest.WS + "\nAGENT_GUID="
          + GUID + "\nURL_TLD=opinsights.azure.com\n", StandardCharsets.UTF_8);
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      KeyPair keys = gen.generateKeyPair();
      X500Name subject = new X500Name("CN=" + CommandLineErrorsTest.WS + ",CN=" + GUID
          + ",OU=Linux Monitoring Agent,O=Microsoft");
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
          subject, BigInteger.ONE, Date.from(Cli.CLOCK.instant()), Date.from(EXPIRY), subject, keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
      Files.writeString(state.resolve("certs/oms.crt"), "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
          + "\n-----END CERTIFICATE-----\n");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
