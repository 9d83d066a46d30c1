package io.loganalytics.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A minimal, independent agent for the emulator's tests: a plain OkHttp client that trusts the emulator's CA,
 * presents a self-signed agent certificate (built with Bouncy Castle, subject as the legacy agent's), and computes
 * both shared-key signatures itself with {@code javax.crypto}. Not thread-safe.
 */
final class TestAgent {
  static final MediaType JSON = MediaType.get("application/json");
  static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
  private static final AtomicLong SERIAL = new AtomicLong(1);
  private static final KeyPair[] KEYS = new KeyPair[2];

  /** An HTTP answer, read completely. */
  record Answer(int status, String body, Headers headers) {
    String header(String name) {
      return headers.get(name);
    }
  }

  final WorkspaceEmulator emulator;
  final String agentId;
  final Instant now;
  KeyPair keyPair;
  X509Certificate certificate;
  OkHttpClient http;

  TestAgent(WorkspaceEmulator emulator, Instant now) {
    this.emulator = emulator;
    this.agentId = UUID.randomUUID().toString();
    this.now = now;
    use(key(0), certificate(key(0), emulator.workspaceId(), agentId, now, now.plus(Duration.ofDays(90))));
  }

  /** One of two RSA-2048 key pairs, made once per JVM to keep the tests fast. */
  static synchronized KeyPair key(int index) {
    if (KEYS[index] == null) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KEYS[index] = g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return KEYS[index];
  }

  void use(KeyPair keyPair, X509Certificate certificate) {
    this.keyPair = keyPair;
    this.certificate = certificate;
    this.http = client(emulator, new HeldCertificate(keyPair, certificate));
  }

  /** A self-signed agent certificate: CN=ws, CN=agent, OU=Linux Monitoring Agent, O=Microsoft, SHA256withRSA. */
  static X509Certificate certificate(KeyPair keyPair, String workspaceId, String agentId, Instant notBefore,
      Instant notAfter) {
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, workspaceId);
    if (agentId != null) {
      name.addRDN(BCStyle.CN, agentId);
    }
    X500Name subject = name.addRDN(BCStyle.OU, "Linux Monitoring Agent").addRDN(BCStyle.O, "Microsoft").build();
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(notBefore), Date.from(notAfter), subject,
          keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, false, new BasicConstraints(true));
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot build a test certificate", e);
    }
  }

  /** A client trusting the emulator's CA, presenting {@code clientCertificate} when not null. */
  static OkHttpClient client(WorkspaceEmulator emulator, HeldCertificate clientCertificate) {
    HandshakeCertificates.Builder tls = new HandshakeCertificates.Builder()
        .addTrustedCertificate(emulator.caCertificate());
    if (clientCertificate != null) {
      tls.heldCertificate(clientCertificate);
    }
    HandshakeCertificates certificates = tls.build();
    return new OkHttpClient.Builder()
        .sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager())
        .dns(host -> emulator.hostResolver().resolve(host))
        .protocols(java.util.List.of(Protocol.HTTP_1_1))
        .retryOnConnectionFailure(false)
        .callTimeout(20, TimeUnit.SECONDS)
        .build();
  }

  static String base64Der(X509Certificate c) {
    try {
      return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  String topologyXml(X509Certificate c) {
    return "<?xml version=\"1.0\"?>\n"
        + "<AgentTopologyRequest xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
        + " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
        + " xmlns=\"http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/\">\n"
        + "  <FullyQualfiedDomainName>host.example.org</FullyQualfiedDomainName>\n"
        + "  <EntityTypeId>" + agentId + "</EntityTypeId>\n"
        + "  <AuthenticationCertificate>" + base64Der(c) + "</AuthenticationCertificate>\n"
        + "</AgentTopologyRequest>\n";
  }

  static String isoDate(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.ofHours(-7)).toString();
  }

  static String httpDate(Instant t) {
    return EmulatorDispatcher.HTTP_DATE.format(t);
  }

  static String hmac(String base64Key, String stringToSign) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] body) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Onboards with the emulator's current key and a date of {@link #now}. */
  Answer onboard() throws IOException {
    return onboard(emulator.sharedKey(), isoDate(now), topologyXml(certificate).getBytes(StandardCharsets.UTF_8),
        null);
  }

  /** Onboards with the given key, date and body; {@code hashOverride} replaces the computed content hash. */
  Answer onboard(String key, String date, byte[] body, String hashOverride) throws IOException {
    String hash = hashOverride != null ? hashOverride : sha256(body);
    String signature = hmac(key, date + "\n" + hash + "\n");
    Request request = new Request.Builder()
        .url(emulator.cloud().topologyRequestUri(emulator.workspaceId()).toString())
        .post(RequestBody.create(body, FORM))
        .header("x-ms-Date", date)
        .header("x-ms-version", "August, 2014")
        .header("x-ms-SHA256_Content", hash)
        .header("Authorization", emulator.workspaceId() + "; " + signature)
        .header("User-Agent", "LinuxMonitoringAgent/1.0")
        .header("Accept-Language", "en-US")
        .build();
    return execute(http, request);
  }

  Answer heartbeat() throws IOException {
    Request request = new Request.Builder()
        .url(emulator.cloud().topologyRequestUri(emulator.workspaceId()).toString())
        .post(RequestBody.create(topologyXml(certificate).replace('\n', ' ').getBytes(StandardCharsets.UTF_8), FORM))
        .header("x-ms-Date", isoDate(now))
        .header("User-Agent", "LinuxMonitoringAgent/1.0")
        .build();
    return execute(http, request);
  }

  Answer renew(X509Certificate newCertificate) throws IOException {
    String body = "<?xml version=\"1.0\"?>\n<CertificateUpdateRequest"
        + " xmlns=\"http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/\">"
        + "<NewCertificate>" + base64Der(newCertificate) + "</NewCertificate></CertificateUpdateRequest>";
    Request request = new Request.Builder()
        .url(emulator.cloud().renewCertificateUri(emulator.workspaceId()).toString())
        .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), FORM))
        .build();
    return execute(http, request);
  }

  /** Posts a PostJsonDataItems envelope, deflated when asked. */
  Answer postOds(String json, boolean deflate, String requestId) throws IOException {
    return postOds(http, emulator, json, deflate, requestId);
  }

  static Answer postOds(OkHttpClient http, WorkspaceEmulator emulator, String json, boolean deflate,
      String requestId) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Request.Builder request = new Request.Builder()
        .url(emulator.cloud().odsUploadUri(emulator.workspaceId()).toString())
        .header("X-Request-ID", requestId)
        .header("User-Agent", "LinuxMonitoringAgent/1.0");
    if (deflate) {
      body = deflate(body);
      request.header("Content-Encoding", "deflate");
    }
    return execute(http, request.post(RequestBody.create(body, JSON)).build());
  }

  static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater();
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  /** Posts to the Data Collector API, signed with {@code key} over the given date and content type. */
  static Answer postDataCollector(OkHttpClient http, WorkspaceEmulator emulator, String key, String logType,
      byte[] body, String date, String signedContentType, String sentContentType) throws IOException {
    String signature = hmac(key, "POST\n" + body.length + "\n" + signedContentType + "\nx-ms-date:" + date
        + "\n/api/logs");
    Request.Builder request = new Request.Builder()
        .url(emulator.cloud().dataCollectorUri(emulator.workspaceId()).toString())
        .post(RequestBody.create(body, MediaType.get(sentContentType)))
        .header("Authorization", "SharedKey " + emulator.workspaceId() + ":" + signature)
        .header("x-ms-date", date)
        .header("X-Request-ID", "dc-request-1");
    if (logType != null) {
      request.header("Log-Type", logType);
    }
    return execute(http, request.build());
  }

  static Answer execute(OkHttpClient http, Request request) throws IOException {
    try (Response response = http.newCall(request).execute()) {
      return new Answer(response.code(), response.body().string(), response.headers());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
