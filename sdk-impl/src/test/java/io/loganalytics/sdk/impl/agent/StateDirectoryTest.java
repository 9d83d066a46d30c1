package io.loganalytics.sdk.impl.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.impl.cert.AgentCertificate;
import io.loganalytics.sdk.impl.cert.CertificateGenerator;
import io.loganalytics.sdk.impl.cert.Pem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StateDirectoryTest extends AgentTestBase {
  static final Path FIXTURE = Path.of("src/test/resources/legacy-agent-state");
  static final String LEGACY_WS = "5e0e1c5b-7f3c-4b8e-9a41-2d6f0c8b1a77";
  static final String LEGACY_GUID = "0b1f7c2e-9d4a-4e61-8c3b-5a2e7d9f4c10";

  static AgentCertificate a;
  static AgentCertificate b;

  @BeforeAll
  static void certificates() {
    CertificateGenerator g = new CertificateGenerator(Clock.fixed(START, ZoneOffset.UTC), Duration.ofDays(90),
        new SecureRandom());
    a = g.generate(WS, "guid-a");
    b = g.generate(WS, "guid-a");
  }

  Path copyFixture(String keyFile) throws IOException {
    Path dir = tmp.resolve("legacy");
    Files.createDirectories(dir.resolve("certs"));
    Files.copy(FIXTURE.resolve("omsadmin.conf"), dir.resolve("omsadmin.conf"));
    Files.copy(FIXTURE.resolve("certs/oms.crt"), dir.resolve("certs/oms.crt"));
    Files.copy(FIXTURE.resolve("certs/" + keyFile), dir.resolve("certs/oms.key"));
    return dir;
  }

  static AgentState state(AgentCertificate c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("WORKSPACE_ID", WS);
    m.put("AGENT_GUID", "guid-a");
    m.put("URL_TLD", "opinsights.azure.com");
    m.put("CUSTOM_KEY", "kept");
    return new AgentState(OmsAdminConf.of(m), c);
  }

  @Test
  void aLegacyAgentDirectoryIsReadAndItsIdentityUsed() throws Exception {
    Path dir = copyFixture("oms.key");
    AgentStatus status = AgentIdentity.status(dir);
    assertThat(status.workspaceId()).isEqualTo(LEGACY_WS);
    assertThat(status.agentGuid()).isEqualTo(LEGACY_GUID);
    assertThat(status.subject()).isEqualTo("CN=" + LEGACY_WS + ",CN=" + LEGACY_GUID
        + ",OU=Linux Monitoring Agent,O=Microsoft");
    assertThat(status.urlTld()).isEqualTo("opinsights.azure.com");
    assertThat(StateDirectory.of(dir).load().dscEndpoint()).contains("https://scus-agentservice-prod-1"
        + ".azure-automation.net/Accounts/" + LEGACY_WS + "/Nodes(AgentId='" + LEGACY_GUID + "')");

    // Use it against the service (the emulated cloud replaces the recorded public endpoints).
    AgentState legacy = StateDirectory.of(dir).load();
    service.register(legacy.certificate().certificate());
    clock.advance(Duration.between(clock.instant(), legacy.certificate().notBefore().plus(Duration.ofDays(30))));
    try (AgentSession session = AgentIdentity.open(options(dir).credentials(null).build())) {
      assertThat(session.agentGuid()).isEqualTo(LEGACY_GUID);
      assertThat(upload(session).status()).isEqualTo(200);
      assertThat(lastPeer("upload")).isEqualTo(legacy.certificate().certificate());
    }
  }

  @Test
  void aPkcs8KeyIsReadToo() throws Exception {
    Path dir = copyFixture("oms-pkcs8.key");
    assertThat(StateDirectory.of(dir).load().agentGuid()).isEqualTo(LEGACY_GUID);
  }

  @Test
  void theKeyIsWrittenPkcs1Mode0600InAMode0700Directory() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    assertThat(Files.readString(dir.keyFile())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(dir.keyFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir.keyFile().getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (var files = Files.list(dir.keyFile().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("oms.crt", "oms.key");
    }
    assertThat(dir.load().conf().get("CUSTOM_KEY")).contains("kept");
  }

  @Test
  void saveWritesTheConfigurationAndCertificateReadableByAllAndLeavesNoTemporaryFile() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    dir.savePending(b);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile().resolveSibling(
        "oms.key.new")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.certFile().resolveSibling(
        "oms.crt.new")))).as("pending until verified: owner only").isEqualTo("rw-------");
    dir.save(state(b));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.confFile()))).isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.certFile()))).isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile()))).isEqualTo("rw-------");
    try (var files = Files.list(stateDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("omsadmin.conf", "certs");
    }
    try (var files = Files.list(dir.certFile().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("oms.crt", "oms.key");
    }
  }

  @Test
  void aLinkPlantedAtTheTemporaryNameOfTheKeyIsNeitherWrittenThroughNorChmodded() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    Path victim = Files.writeString(tmp.resolve("victim.txt"), "precious");
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-rw-r--"));
    Files.createSymbolicLink(dir.keyFile().resolveSibling(".oms.key.new.tmp"), victim);

    dir.save(state(b));

    assertThat(dir.load().certificate().certificate()).isEqualTo(b.certificate());
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(Files.getPosixFilePermissions(victim)).isEqualTo(PosixFilePermissions.fromString("rw-rw-r--"));
  }

  @Test
  void aHugeConfigurationIsRefusedWithAClearErrorInsteadOfReadIntoMemory() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    try (var ch = FileChannel.open(dir.confFile(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'\n'}), 64L << 20);
    }

    assertThatThrownBy(dir::load)
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("stateDirectory"))
        .hasMessageContaining(dir.confFile().toString()).hasMessageContaining("larger than");
  }

  @Test
  void aCrashBetweenTheKeyAndCertificateRenamesIsCompletedOnLoad() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    // What a crash after renaming oms.key.new but before oms.crt.new leaves behind:
    Files.writeString(dir.keyFile(), Pem.privateKeyPkcs1(b.privateKey()));
    Files.writeString(dir.certFile().resolveSibling("oms.crt.new"), Pem.certificate(b.certificate()));

    assertThat(dir.load().certificate().certificate()).isEqualTo(b.certificate());
    assertThat(dir.certFile().resolveSibling("oms.crt.new")).doesNotExist();
  }

  @Test
  void aCrashBeforeTheRenamesKeepsTheOldStateAndTheNewPairPendingVerification() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    Files.writeString(dir.keyFile().resolveSibling("oms.key.new"), Pem.privateKeyPkcs1(b.privateKey()));
    Files.writeString(dir.certFile().resolveSibling("oms.crt.new"), Pem.certificate(b.certificate()));

    assertThat(dir.load().certificate().certificate()).isEqualTo(a.certificate());
    assertThat(dir.loadPending()).hasValueSatisfying(p -> assertThat(p.certificate()).isEqualTo(b.certificate()));
  }

  @Test
  void loadingTightensALegacyKeyAndCertificateFolderToTheirOwner() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    dir.savePending(b);
    Files.setPosixFilePermissions(dir.keyFile().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir.keyFile(), PosixFilePermissions.fromString("rw-r-----"));
    Files.setPosixFilePermissions(dir.keyFile().resolveSibling("oms.key.new"),
        PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(dir.load().certificate().certificate()).isEqualTo(a.certificate());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile().getParent())))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        dir.keyFile().resolveSibling("oms.key.new")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.certFile())))
        .as("the certificate itself is public").isEqualTo("rw-r--r--");
  }

  @Test
  void aPendingPairWhoseKeyDoesNotMatchIsDeletedOnLoad() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    Files.writeString(dir.keyFile().resolveSibling("oms.key.new"), Pem.privateKeyPkcs1(a.privateKey()));
    Files.writeString(dir.certFile().resolveSibling("oms.crt.new"), Pem.certificate(b.certificate()));

    assertThat(dir.load().certificate().certificate()).isEqualTo(a.certificate());
    assertThat(dir.loadPending()).isEmpty();
    assertThat(dir.keyFile().resolveSibling("oms.key.new")).doesNotExist();
    assertThat(dir.certFile().resolveSibling("oms.crt.new")).doesNotExist();
  }

  @Test
  void savePendingLeavesThePairInUseAndSaveThenPromotesIt() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    dir.savePending(b);

    assertThat(dir.load().certificate().certificate()).isEqualTo(a.certificate());
    assertThat(dir.loadPending()).hasValueSatisfying(p -> assertThat(p.certificate()).isEqualTo(b.certificate()));
    dir.save(state(b));
    assertThat(dir.load().certificate().certificate()).isEqualTo(b.certificate());
    assertThat(dir.loadPending()).isEmpty();
    dir.savePending(a);
    dir.discardPending();
    assertThat(dir.loadPending()).isEmpty();
  }

  @Test
  void aKeyOfAnotherCertificateIsAClearError() throws Exception {
    StateDirectory dir = StateDirectory.of(stateDir);
    dir.save(state(a));
    Files.copy(FIXTURE.resolve("certs/oms.key"), dir.keyFile(), StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(dir::load)
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("stateDirectory"))
        .hasMessageContaining("does not belong to");
  }

  @Test
  void anEmptyDirectoryIsNotOnboarded() {
    assertThat(StateDirectory.of(stateDir).isOnboarded()).isFalse();
    assertThatThrownBy(() -> AgentIdentity.status(stateDir))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("stateDirectory"))
        .hasMessageContaining("not onboarded");
    assertThatThrownBy(() -> AgentIdentity.open(options().credentials(null).build()))
        .hasMessageContaining("not onboarded and no workspace credentials");
  }

  @Test
  void omsadminConfRoundTripsUnknownKeysCommentsAndEscapedParentheses() {
    OmsAdminConf conf = OmsAdminConf.parse("# written by omsadmin\nWORKSPACE_ID=ws\n\nDSC_ENDPOINT=https://x/"
        + "Nodes\\(AgentId='g'\\)\nOTHER=\"quoted\"\n");
    assertThat(conf.get("DSC_ENDPOINT")).contains("https://x/Nodes(AgentId='g')");
    assertThat(conf.get("OTHER")).contains("quoted");
    assertThat(conf.format()).isEqualTo("WORKSPACE_ID=ws\nDSC_ENDPOINT=https://x/Nodes\\(AgentId='g'\\)\n"
        + "OTHER=quoted\n");
    assertThat(OmsAdminConf.parse(conf.format())).isEqualTo(conf);
  }

  @Test
  void theFixtureCertificateIsTheAgentsShape() throws Exception {
    AgentCertificate c = StateDirectory.of(copyFixture("oms.key")).load().certificate();
    assertThat(c.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(c.notAfter()).isAfter(Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void aPlantedKeySymlinkIsRefusedAndItsTargetIsNeitherReadNorChmodded() throws Exception {
    AgentIdentity.onboard(options().build());
    Path victim = tmp.resolve("victim.txt");
    Files.writeString(victim, "not a key");
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-rw-r--"));
    Path key = stateDir.resolve("certs/oms.key");
    Files.delete(key);
    Files.createSymbolicLink(key, victim);

    assertThat(StateDirectory.of(stateDir).isOnboarded()).isTrue();
    assertThatThrownBy(() -> AgentIdentity.status(stateDir))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.field()).isEqualTo("stateDirectory"))
        .hasMessageContaining(key + " is a symbolic link; the agent's state files must be regular files");
    assertThatThrownBy(() -> AgentIdentity.onboard(options().build()))
        .hasMessageContaining(key + " is a symbolic link");
    assertThatThrownBy(() -> AgentIdentity.open(options().build()))
        .hasMessageContaining(key + " is a symbolic link");

    assertThat(Files.getPosixFilePermissions(victim)).isEqualTo(PosixFilePermissions.fromString("rw-rw-r--"));
    assertThat(Files.readString(victim)).isEqualTo("not a key");
    assertThat(Files.isSymbolicLink(key)).isTrue();
  }

  @Test
  void aSymlinkedCertsDirectoryIsRefusedAndItsTargetKeepsItsMode() throws Exception {
    AgentIdentity.onboard(options().build());
    Path elsewhere = tmp.resolve("elsewhere");
    Files.createDirectory(elsewhere);
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path certs = stateDir.resolve("certs");
    Files.move(certs.resolve("oms.key"), elsewhere.resolve("oms.key"));
    Files.move(certs.resolve("oms.crt"), elsewhere.resolve("oms.crt"));
    Files.delete(certs);
    Files.createSymbolicLink(certs, elsewhere);

    assertThatThrownBy(() -> AgentIdentity.status(stateDir)).hasMessageContaining(certs + " is a symbolic link");
    assertThat(Files.getPosixFilePermissions(elsewhere)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void everyDirectoryCreatedIsOwnerOnlyEvenUnderAWorldWritableParent() throws Exception {
    Path open = tmp.resolve("open");
    Files.createDirectory(open);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path dir = open.resolve("a/b/state");

    StateDirectory.of(dir).save(state(a));

    for (Path p : new Path[] {open.resolve("a"), open.resolve("a/b"), dir, dir.resolve("certs")}) {
      assertThat(Files.getPosixFilePermissions(p)).as(p.toString())
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
    assertThat(Files.getPosixFilePermissions(open)).as("an existing parent keeps its mode")
        .isEqualTo(PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("certs/oms.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }
}
