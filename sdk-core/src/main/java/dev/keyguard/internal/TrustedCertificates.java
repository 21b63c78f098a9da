package dev.keyguard.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Loads certificates to trust (a private CA) from PEM text or a {@link KeyStore}, and builds the
 * trust manager and SSL context that trust them, alone or together with the system CAs. Shared by
 * the client's {@code HttpsPolicy} and the backends that need a CA of their own (Vault's {@code
 * VAULT_CACERT}).
 *
 * <p>Input is validated as it is read and every failure is an {@link IllegalArgumentException}
 * whose message says what is wrong and where (block number, entry kind), never what the input
 * holds: a file given here by mistake may be a private key. Parser exceptions are not attached as
 * causes, because their messages may quote bytes of the input.
 */
public final class TrustedCertificates {

  /** The largest PEM input read; the whole Mozilla CA bundle is about 220 KiB. */
  static final int MAX_PEM_BYTES = 4 * 1024 * 1024;

  /** A PEM encapsulation boundary with its label (RFC 7468: printable characters, no dashes). */
  private static final Pattern BEGIN =
      Pattern.compile("-----BEGIN ([\\x21-\\x2C\\x2E-\\x7E ]{1,64})-----");

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private TrustedCertificates() {}

  /**
   * Reads the certificates of a PEM file: one or more {@code CERTIFICATE} blocks (text outside the
   * blocks, as in CA bundles, is ignored).
   *
   * @param pemFile the file
   * @param setting what the caller calls this setting, to start every error message with
   * @return the certificates, in file order; never empty
   * @throws IllegalArgumentException if the file is missing, unreadable or too large, or its
   *     content is not what {@link #fromPem(byte[], String)} accepts
   */
  public static List<X509Certificate> fromPemFile(Path pemFile, String setting) {
    String where = setting + ": the PEM file " + pemFile;
    byte[] pem;
    try {
      if (Files.size(pemFile) > MAX_PEM_BYTES) {
        throw new IllegalArgumentException(
            where + " is larger than " + MAX_PEM_BYTES / (1024 * 1024) + " MiB; is it a PEM file?");
      }
      pem = Files.readAllBytes(pemFile);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(where + " does not exist", e);
    } catch (IOException e) {
      // an I/O message names the path and the error, never the content
      throw new IllegalArgumentException(where + " could not be read", e);
    }
    return parse(pem, where);
  }

  /**
   * Parses PEM text: one or more {@code CERTIFICATE} blocks; text outside the blocks is ignored.
   *
   * @param pem the PEM text (US-ASCII)
   * @param setting what the caller calls this setting, to start every error message with
   * @return the certificates, in input order; never empty
   * @throws IllegalArgumentException if there is no {@code CERTIFICATE} block, if any block is a
   *     private key or of another kind, has no end line, or does not hold an X.509 certificate; the
   *     message names the block by number and never echoes the input
   */
  public static List<X509Certificate> fromPem(byte[] pem, String setting) {
    if (pem.length > MAX_PEM_BYTES) {
      throw new IllegalArgumentException(
          setting + ": the PEM is larger than " + MAX_PEM_BYTES / (1024 * 1024) + " MiB");
    }
    return parse(pem, setting + ": the PEM");
  }

  private static List<X509Certificate> parse(byte[] pem, String where) {
    // ISO-8859-1 maps every byte to one char, so binary input (a DER file) cannot fail decoding
    String text = new String(pem, StandardCharsets.ISO_8859_1);
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher begin = BEGIN.matcher(text);
    int block = 0;
    int from = 0;
    while (begin.find(from)) {
      block++;
      String label = begin.group(1);
      if (label.endsWith("PRIVATE KEY")) {
        throw new IllegalArgumentException(
            where
                + " holds a private key (block "
                + block
                + "); give the CA certificate only,"
                + " a private key never belongs in trust settings");
      }
      if (!label.equals("CERTIFICATE")) {
        throw new IllegalArgumentException(
            where
                + ": block "
                + block
                + " is not a CERTIFICATE block; only"
                + " -----BEGIN CERTIFICATE----- blocks are accepted");
      }
      String end = "-----END CERTIFICATE-----";
      int endAt = text.indexOf(end, begin.end());
      int nextBegin = text.indexOf("-----BEGIN ", begin.end());
      if (endAt < 0 || (nextBegin >= 0 && nextBegin < endAt)) {
        throw new IllegalArgumentException(
            where + ": CERTIFICATE block " + block + " has no -----END CERTIFICATE----- line");
      }
      certificates.add(certificate(text.substring(begin.end(), endAt), where, block));
      from = endAt + end.length();
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          where
              + " holds no -----BEGIN CERTIFICATE----- block (a DER file must be converted"
              + " first: openssl x509 -inform der -in ca.der -out ca.pem)");
    }
    return Collections.unmodifiableList(certificates);
  }

  private static X509Certificate certificate(String base64, String where, int block) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(WHITESPACE.matcher(base64).replaceAll(""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": CERTIFICATE block " + block + " is not valid base64");
    }
    try (InputStream in = new ByteArrayInputStream(der)) {
      Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
      return (X509Certificate) c;
    } catch (CertificateException | IOException e) {
      // the parser's message may quote bytes of the input: not attached
      throw new IllegalArgumentException(
          where + ": CERTIFICATE block " + block + " does not hold an X.509 certificate");
    }
  }

  /**
   * The trusted certificate entries of a key store (as {@code keytool -importcert} makes them); key
   * entries are not trusted and not read.
   *
   * @param trustStore a loaded key store
   * @param setting what the caller calls this setting, to start every error message with
   * @return the certificates, in alias order; never empty
   * @throws IllegalArgumentException if the store is not loaded or holds no trusted X.509
   *     certificate entry
   */
  public static List<X509Certificate> fromKeyStore(KeyStore trustStore, String setting) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      for (Enumeration<String> aliases = trustStore.aliases(); aliases.hasMoreElements(); ) {
        String alias = aliases.nextElement();
        if (trustStore.isCertificateEntry(alias)
            && trustStore.getCertificate(alias) instanceof X509Certificate x509) {
          certificates.add(x509);
        }
      }
    } catch (KeyStoreException e) {
      throw new IllegalArgumentException(setting + ": the KeyStore is not loaded", e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          setting
              + ": the KeyStore holds no trusted X.509 certificate entry (key entries are not"
              + " trusted; import the CA with keytool -importcert)");
    }
    return Collections.unmodifiableList(certificates);
  }

  /**
   * The JDK's default trust manager: the system CAs ({@code cacerts}, or {@code
   * javax.net.ssl.trustStore} if set).
   *
   * @return the trust manager
   */
  public static X509TrustManager systemTrustManager() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      return x509(factory);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's default trust manager is not available", e);
    }
  }

  /**
   * A PKIX trust manager that trusts {@code certificates} as anchors and, if {@code withSystemCas},
   * the system CAs too (taken from {@link #systemTrustManager()}'s accepted issuers, as OkHttp's
   * {@code HandshakeCertificates.Builder.addPlatformTrustedCertificates()} does).
   *
   * @param certificates the certificates to trust
   * @param withSystemCas whether the system CAs are trusted as well
   * @return the trust manager
   * @throws IllegalStateException if the JDK cannot build a PKIX trust manager
   */
  public static X509TrustManager trustManager(
      List<X509Certificate> certificates, boolean withSystemCas) {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      int i = 0;
      if (withSystemCas) {
        for (X509Certificate ca : systemTrustManager().getAcceptedIssuers()) {
          anchors.setCertificateEntry("system-" + i++, ca);
        }
      }
      for (X509Certificate c : certificates) {
        anchors.setCertificateEntry("trusted-" + i++, c);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(anchors);
      return x509(factory);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not build a trust manager for the certificates", e);
    }
  }

  /**
   * A TLS context that authenticates servers with {@code trustManager} (no client certificate). The
   * protocol versions are set by the connection, not here.
   *
   * @param trustManager the trust manager
   * @return the context
   */
  public static SSLContext sslContext(X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not create a TLS context", e);
    }
  }

  private static X509TrustManager x509(TrustManagerFactory factory) {
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("the trust manager factory made no X509TrustManager");
  }
}
