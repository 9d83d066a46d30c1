package io.loganalytics.sdk.impl.cert;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM encoding of agent certificates and keys, compatible with the legacy agent's {@code certs/oms.crt} and
 * {@code certs/oms.key}. Keys are written in the traditional PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}), as the
 * agent wrote them; both PKCS#1 and PKCS#8 ({@code BEGIN PRIVATE KEY}) are read. Encrypted keys are refused: the
 * agent never encrypted them.
 *
 * <p>Error messages name the file's role and what was found, never key material. Internal: public only for the
 * SDK's other packages. Stateless and thread-safe.
 */
public final class Pem {
  private Pem() {}

  /**
   * Encodes a certificate as PEM ({@code BEGIN CERTIFICATE}, 64-character lines, trailing newline).
   *
   * @param certificate the certificate
   * @return the PEM text
   */
  public static String certificate(X509Certificate certificate) {
    return write(certificate);
  }

  /**
   * Encodes an RSA private key as PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}). The result is a secret.
   *
   * @param key the key
   * @return the PEM text
   */
  public static String privateKeyPkcs1(PrivateKey key) {
    return write(key);
  }

  private static String write(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + o.getClass().getSimpleName() + " as PEM", e);
    }
    return out.toString();
  }

  /**
   * Reads the first certificate of a PEM text.
   *
   * @param pem the text
   * @param what what the text is, for error messages (e.g. a file name)
   * @return the certificate
   * @throws IOException when there is no certificate or it is malformed
   */
  public static X509Certificate readCertificate(String pem, String what) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder) {
          return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o);
        }
      }
    } catch (CertificateException | RuntimeException e) {
      throw new IOException(what + ": the certificate is malformed (" + e.getClass().getSimpleName() + ")", e);
    }
    throw new IOException(what + ": no PEM block 'BEGIN CERTIFICATE' found");
  }

  /**
   * Reads a private key in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or PKCS#8 ({@code BEGIN PRIVATE KEY}) PEM.
   *
   * @param pem the text; a secret
   * @param what what the text is, for error messages (e.g. a file name)
   * @return the key
   * @throws IOException when no unencrypted key is found; the message never contains key material
   */
  public static PrivateKey readPrivateKey(String pem, String what) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PEMKeyPair) {
          return converter.getKeyPair((PEMKeyPair) o).getPrivate();
        }
        if (o instanceof PrivateKeyInfo) {
          return converter.getPrivateKey((PrivateKeyInfo) o);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IOException(what + ": the private key is encrypted; the agent's key files are not (decrypt it "
              + "with 'openssl rsa' first)");
        }
      }
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(what + ":")) {
        throw e;
      }
      throw new IOException(what + ": the private key is malformed (" + e.getClass().getSimpleName() + ")");
    } catch (RuntimeException e) {
      // Parser exceptions can quote input; keep neither message nor cause.
      throw new IOException(what + ": the private key is malformed (" + e.getClass().getSimpleName() + ")");
    }
    throw new IOException(what + ": no PEM block 'BEGIN RSA PRIVATE KEY' or 'BEGIN PRIVATE KEY' found");
  }

  /**
   * Whether a private key belongs to a public key (RSA: same modulus, and the public exponent when known).
   *
   * @param publicKey the certificate's key
   * @param privateKey the private key
   * @return {@code true} when they form a pair
   */
  public static boolean keyMatches(PublicKey publicKey, PrivateKey privateKey) {
    if (publicKey instanceof RSAPublicKey && privateKey instanceof RSAPrivateKey) {
      RSAPublicKey pub = (RSAPublicKey) publicKey;
      BigInteger modulus = ((RSAPrivateKey) privateKey).getModulus();
      if (!pub.getModulus().equals(modulus)) {
        return false;
      }
      return !(privateKey instanceof RSAPrivateCrtKey)
          || ((RSAPrivateCrtKey) privateKey).getPublicExponent().equals(pub.getPublicExponent());
    }
    return publicKey.getAlgorithm().equals(privateKey.getAlgorithm());
  }

  /**
   * The subject's RDNs in their encoded order ({@code CN=ws,CN=guid,OU=...,O=...}); the JDK's
   * {@code X500Principal.getName()} prints them reversed.
   *
   * @param certificate the certificate
   * @return the subject
   */
  static String subjectInOrder(X509Certificate certificate) {
    X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    StringBuilder sb = new StringBuilder();
    for (RDN rdn : name.getRDNs()) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(BCStyle.INSTANCE.oidToDisplayName(rdn.getFirst().getType())).append('=')
          .append(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    return sb.toString();
  }

  /**
   * The values of the subject's CN attributes, in order (for the agent: workspace ID, then agent GUID).
   *
   * @param certificate the certificate
   * @return the common names
   */
  public static java.util.List<String> commonNames(X509Certificate certificate) {
    X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    java.util.List<String> out = new java.util.ArrayList<>();
    for (RDN rdn : name.getRDNs(BCStyle.CN)) {
      out.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
    }
    return out;
  }
}
