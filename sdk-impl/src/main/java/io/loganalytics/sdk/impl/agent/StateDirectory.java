package io.loganalytics.sdk.impl.agent;

import io.loganalytics.sdk.ConfigurationException;
import io.loganalytics.sdk.LogAnalyticsException;
import io.loganalytics.sdk.impl.cert.AgentCertificate;
import io.loganalytics.sdk.impl.cert.Pem;
import io.loganalytics.sdk.impl.io.AtomicFile;
import io.loganalytics.sdk.impl.io.FileOpener;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent state directory, laid out as the legacy agent's ({@code /var/opt/microsoft/omsagent/<workspace>/}):
 *
 * <pre>
 * omsadmin.conf        KEY=value lines: WORKSPACE_ID, AGENT_GUID, URL_TLD, OMS_ENDPOINT, CERTIFICATE_UPDATE_ENDPOINT,
 *                      DSC_ENDPOINT, ... (unknown keys are kept)
 * certs/               mode 0700 when created here; group and other permissions are removed on load
 * certs/oms.crt        the client certificate, PEM
 * certs/oms.key        its private key, PEM PKCS#1 ("BEGIN RSA PRIVATE KEY"), mode 0600 (a legacy 0640 is
 *                      tightened on load); PKCS#8 is read too
 * certs/oms.crt.new    a renewed certificate the service registered but not yet verified (mode 0600), and
 * certs/oms.key.new    its key (mode 0600): the pending pair, see {@link #savePending}
 * </pre>
 *
 * <p><b>Links and permissions.</b> The files and {@code certs/} are opened without following symbolic links
 * ({@code NOFOLLOW_LINKS}): a link planted in place of {@code oms.key} (or any other state file) is refused with a
 * {@link ConfigurationException} naming it, and neither read nor chmodded, so the link's target is never touched. The
 * directory given may itself be a link (an administrator's choice). Every directory this class creates, the state
 * directory and its missing parents included, is set to 0700 after creation, whatever the umask.
 *
 * <p><b>Crash safety.</b> Every file is written through {@link AtomicFile}: to a hidden temporary sibling
 * ({@code .NAME.tmp}, created with its final mode, so a key is never readable by others, not even briefly), forced to
 * disk, atomically renamed over the old one, and the directory forced. The configuration and {@code oms.crt} are
 * 0644, every key and the pending pair 0600. A file larger than 1 MiB is refused on read. A new
 * certificate is written as {@code oms.key.new} and {@code oms.crt.new}, then renamed key first, certificate second;
 * {@code omsadmin.conf} is written last and is the commit record of an onboarding: without it the directory is not
 * onboarded. {@link #load()} repairs the one torn state a crash can leave (new key, old certificate): the matching
 * {@code oms.crt.new} is still there and is renamed into place. Any crash therefore shows either the old or the new
 * state, never a mix. A complete {@code .new} pair whose key matches its certificate is kept as the pending pair
 * (a crash before the renames leaves the same thing, and it is verified before use); an incomplete or mismatched one
 * is deleted.
 *
 * <p>Internal: public only for the SDK's other packages. Not thread-safe: one writer at a time (the agent session
 * serializes its writes); readers see whole files.
 */
public final class StateDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
  static final String CONF = "omsadmin.conf";
  static final String CERTS = "certs";
  static final String CERT_FILE = "oms.crt";
  static final String KEY_FILE = "oms.key";
  private static final String NEW = ".new";
  /** The largest state file read (the configuration and PEM files are a few KiB). */
  private static final int MAX_FILE_BYTES = 1 << 20;
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path directory;

  private StateDirectory(Path directory) {
    this.directory = directory;
  }

  /**
   * A state directory; nothing is read or created yet.
   *
   * @param directory the directory
   * @return the state directory
   */
  public static StateDirectory of(Path directory) {
    return new StateDirectory(Objects.requireNonNull(directory, "stateDirectory").toAbsolutePath());
  }

  /** @return the directory */
  public Path directory() {
    return directory;
  }

  Path confFile() {
    return directory.resolve(CONF);
  }

  Path certFile() {
    return directory.resolve(CERTS).resolve(CERT_FILE);
  }

  Path keyFile() {
    return directory.resolve(CERTS).resolve(KEY_FILE);
  }

  /**
   * Whether the directory holds an onboarded agent: a non-empty {@code omsadmin.conf} with a workspace and agent ID,
   * and both certificate files (the legacy agent's own test).
   *
   * @return {@code true} when {@link #load()} can be expected to succeed
   */
  public boolean isOnboarded() {
    try {
      // Links count as present here, so that load() refuses them with a clear error instead of onboarding anew.
      return readConf().isPresent() && Files.exists(certFile(), LinkOption.NOFOLLOW_LINKS)
          && Files.exists(keyFile(), LinkOption.NOFOLLOW_LINKS);
    } catch (ConfigurationException e) {
      return false;
    }
  }

  /**
   * Reads the state, repairing a certificate rename torn by a crash.
   *
   * @return the state
   * @throws ConfigurationException naming {@code stateDirectory} when the directory is not onboarded or its files
   *     are unreadable, malformed or do not belong together
   */
  public AgentState load() {
    OmsAdminConf conf = readConf().orElseThrow(() -> new ConfigurationException("stateDirectory", directory
        + " is not onboarded: " + CONF + " is missing or has no " + OmsAdminConf.WORKSPACE_ID + " and "
        + OmsAdminConf.AGENT_GUID + " (onboard first)"));
    refuseLinks();
    tightenPermissions();
    AgentCertificate certificate = readCertificate();
    return new AgentState(conf, certificate);
  }

  /**
   * Refuses a symbolic link in place of {@code certs/} or a certificate or key file, before anything is read or
   * chmodded through it.
   *
   * @throws ConfigurationException naming {@code stateDirectory} and the link
   */
  void refuseLinks() {
    for (Path p : List.of(directory.resolve(CERTS), certFile(), keyFile(), sibling(certFile(), NEW),
        sibling(keyFile(), NEW))) {
      refuseLink(p);
    }
  }

  private static void refuseLink(Path p) {
    if (Files.isSymbolicLink(p)) {
      throw new ConfigurationException("stateDirectory", p + " is a symbolic link; the agent's state files must be "
          + "regular files in the state directory (remove the link and restore the file, or onboard again). "
          + "Nothing was read or changed through it.");
    }
  }

  /**
   * Takes group and other permissions away from {@code certs/} and the key files, which an older agent or a copy
   * may have left readable (a legacy {@code oms.key} is often 0640): one INFO line when anything changed, a WARN
   * for what cannot be changed. Nothing on a file system without POSIX permissions.
   */
  private void tightenPermissions() {
    if (!POSIX) {
      return;
    }
    List<String> changed = new ArrayList<>();
    tighten(directory.resolve(CERTS), changed);
    tighten(keyFile(), changed);
    tighten(sibling(keyFile(), NEW), changed);
    tighten(sibling(certFile(), NEW), changed);
    if (!changed.isEmpty()) {
      LOG.info("Restricted the agent's key files to their owner: {}", String.join(", ", changed));
    }
  }

  private static void tighten(Path path, List<String> changed) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      PosixFileAttributes attributes = view.readAttributes();
      if (attributes.isSymbolicLink()) {
        refuseLink(path);
      }
      Set<PosixFilePermission> now = attributes.permissions();
      Set<PosixFilePermission> ownerOnly = EnumSet.noneOf(PosixFilePermission.class);
      for (PosixFilePermission p : now) {
        if (p.name().startsWith("OWNER_")) {
          ownerOnly.add(p);
        }
      }
      if (!ownerOnly.equals(now)) {
        view.setPermissions(ownerOnly);
        changed.add(path + " " + PosixFilePermissions.toString(now) + " -> "
            + PosixFilePermissions.toString(ownerOnly));
      }
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      LOG.warn("Cannot restrict {} to its owner (it should be 0700 for certs/, 0600 for a key): {}", path,
          e.toString());
    }
  }

  private Optional<OmsAdminConf> readConf() {
    String text;
    try {
      text = readNoFollow(confFile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ConfigurationException("stateDirectory", "cannot read " + confFile() + ": " + e, e);
    }
    OmsAdminConf conf = OmsAdminConf.parse(text);
    if (conf.get(OmsAdminConf.WORKSPACE_ID).isEmpty() || conf.get(OmsAdminConf.AGENT_GUID).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(conf);
  }

  private AgentCertificate readCertificate() {
    PrivateKey key = readKey(keyFile());
    X509Certificate cert = readCert(certFile());
    if (!Pem.keyMatches(cert.getPublicKey(), key)) {
      Path pending = sibling(certFile(), NEW);
      if (Files.isRegularFile(pending) && Pem.keyMatches(readCert(pending).getPublicKey(), key)) {
        LOG.warn("Completing a certificate update interrupted by a crash: {} -> {}", pending, certFile());
        try {
          AtomicFile.replace(pending, certFile());
          AtomicFile.forceDirectory(certFile().getParent(), FileOpener.DEFAULT);
        } catch (IOException e) {
          throw new ConfigurationException("stateDirectory", "cannot complete the interrupted certificate update ("
              + pending + "): " + e, e);
        }
        cert = readCert(certFile());
      } else {
        throw new ConfigurationException("stateDirectory", keyFile() + " does not belong to " + certFile()
            + " (different public keys); restore both files from the same agent, or onboard again");
      }
    }
    if (readPending(cert).isEmpty()) {
      deleteQuietly(sibling(certFile(), NEW));
      deleteQuietly(sibling(keyFile(), NEW));
    }
    return new AgentCertificate(cert, key);
  }

  /**
   * The pending pair ({@code oms.crt.new} and {@code oms.key.new}), if both are there, readable, belong together and
   * differ from the certificate in use.
   *
   * @return the pending certificate, or empty
   */
  Optional<AgentCertificate> loadPending() {
    try {
      return readPending(readCert(certFile()));
    } catch (ConfigurationException e) {
      return Optional.empty();
    }
  }

  private Optional<AgentCertificate> readPending(X509Certificate inUse) {
    Path certNew = sibling(certFile(), NEW);
    Path keyNew = sibling(keyFile(), NEW);
    if (!Files.isRegularFile(certNew) || !Files.isRegularFile(keyNew)) {
      return Optional.empty();
    }
    try {
      X509Certificate cert = readCert(certNew);
      PrivateKey key = readKey(keyNew);
      if (!Pem.keyMatches(cert.getPublicKey(), key) || cert.equals(inUse)) {
        return Optional.empty();
      }
      return Optional.of(new AgentCertificate(cert, key));
    } catch (ConfigurationException e) {
      LOG.debug("Ignoring an unreadable pending certificate pair: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Keeps a renewed pair that the service registered but that is not verified yet, as {@code oms.key.new} and
   * {@code oms.crt.new} (each written to a temporary file with mode 0600, forced and renamed; key first). The pair in
   * use is not touched; {@link #save} later promotes the pair, {@link #discardPending()} drops it.
   *
   * @param pending the renewed certificate and key
   * @throws LogAnalyticsException (retryable) when a file cannot be written
   */
  void savePending(AgentCertificate pending) {
    try {
      createDirectories();
      AtomicFile.of(sibling(keyFile(), NEW)).write(Pem.privateKeyPkcs1(pending.privateKey())
          .getBytes(StandardCharsets.US_ASCII));
      AtomicFile.of(sibling(certFile(), NEW)).write(Pem.certificate(pending.certificate())
          .getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new LogAnalyticsException("cannot keep the renewed certificate in " + certFile().getParent() + ": " + e,
          true, e);
    }
  }

  /** Deletes the pending pair, if any. */
  void discardPending() {
    deleteQuietly(sibling(certFile(), NEW));
    deleteQuietly(sibling(keyFile(), NEW));
  }

  private static X509Certificate readCert(Path file) {
    try {
      return Pem.readCertificate(readNoFollow(file, StandardCharsets.US_ASCII), file.toString());
    } catch (IOException e) {
      throw new ConfigurationException("stateDirectory", "cannot read the agent certificate: " + e.getMessage(), e);
    }
  }

  private static PrivateKey readKey(Path file) {
    try {
      return Pem.readPrivateKey(readNoFollow(file, StandardCharsets.US_ASCII), file.toString());
    } catch (IOException e) {
      // Pem's messages never hold key material.
      throw new ConfigurationException("stateDirectory", "cannot read the agent key: " + e.getMessage());
    }
  }

  /**
   * Writes a whole state: certificate files when they differ from those on disk, then {@code omsadmin.conf}.
   *
   * @param state the state
   * @throws LogAnalyticsException (retryable) when a file cannot be written; the previous state stays readable
   */
  void save(AgentState state) {
    try {
      createDirectories();
      writeCertificate(state.certificate());
      writeConf(state.conf());
    } catch (IOException e) {
      throw new LogAnalyticsException("cannot write the agent state in " + directory + ": " + e, true, e);
    }
  }

  /**
   * Writes {@code omsadmin.conf} only (after a heartbeat named new endpoints).
   *
   * @param conf the configuration
   */
  void saveConf(OmsAdminConf conf) {
    try {
      createDirectories();
      writeConf(conf);
    } catch (IOException e) {
      throw new LogAnalyticsException("cannot write " + confFile() + ": " + e, true, e);
    }
  }

  /**
   * Creates the state directory, its missing parents and {@code certs/}, each set to 0700 after creation (the
   * creation mode is subject to the umask, which may also leave more bits than asked for a parent). Existing
   * directories keep their mode; a link in place of {@code certs/} is refused.
   */
  private void createDirectories() throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = directory; p != null && !Files.exists(p); p = p.getParent()) {
      missing.push(p);
    }
    for (Path p : missing) {
      // Its parent exists by now, so only p itself is created, 0700.
      AtomicFile.createOwnerOnlyDirectory(p);
    }
    Path certs = directory.resolve(CERTS);
    refuseLink(certs);
    if (!Files.isDirectory(certs, LinkOption.NOFOLLOW_LINKS)) {
      AtomicFile.createOwnerOnlyDirectory(certs);
    }
  }

  /**
   * Reads a whole file that must not be a symbolic link (the open fails with ELOOP on one) and is at most
   * {@link #MAX_FILE_BYTES} long.
   */
  private static String readNoFollow(Path file, Charset charset) throws IOException {
    try {
      byte[] content = AtomicFile.of(file).read(MAX_FILE_BYTES)
          .orElseThrow(() -> new NoSuchFileException(file.toString()));
      return new String(content, charset);
    } catch (FileSystemException e) {
      if (Files.isSymbolicLink(file)) {
        refuseLink(file);
      }
      throw e;
    }
  }

  private void writeCertificate(AgentCertificate certificate) throws IOException {
    String certPem = Pem.certificate(certificate.certificate());
    if (Files.isRegularFile(certFile(), LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(keyFile(), LinkOption.NOFOLLOW_LINKS)
        && readNoFollow(certFile(), StandardCharsets.US_ASCII).equals(certPem)) {
      return;
    }
    Path keyNew = sibling(keyFile(), NEW);
    Path certNew = sibling(certFile(), NEW);
    AtomicFile.of(keyNew).write(Pem.privateKeyPkcs1(certificate.privateKey()).getBytes(StandardCharsets.US_ASCII));
    AtomicFile.of(certNew).readableByAll().write(certPem.getBytes(StandardCharsets.US_ASCII));
    AtomicFile.replace(keyNew, keyFile());
    AtomicFile.replace(certNew, certFile());
    AtomicFile.forceDirectory(certFile().getParent(), FileOpener.DEFAULT);
  }

  private void writeConf(OmsAdminConf conf) throws IOException {
    AtomicFile.of(confFile()).readableByAll().write(conf.format().getBytes(StandardCharsets.UTF_8));
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  private static void deleteQuietly(Path file) {
    try {
      if (Files.deleteIfExists(file)) {
        LOG.debug("Removed leftover {}", file);
      }
    } catch (IOException e) {
      LOG.debug("cannot remove leftover {}: {}", file, e.toString());
    }
  }

  @Override
  public String toString() {
    return "StateDirectory{" + directory + "}";
  }
}
