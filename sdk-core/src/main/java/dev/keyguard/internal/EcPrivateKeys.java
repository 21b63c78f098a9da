package dev.keyguard.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads a P-256 (secp256r1) EC private key from PEM text with the JDK only: SEC1 ({@code BEGIN EC
 * PRIVATE KEY}, as Coinbase issues CDP keys) or PKCS#8 ({@code BEGIN PRIVATE KEY}). Escaped
 * newlines ({@code \n} written as two characters, as in environment variables and JSON copied by
 * hand) are accepted.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message says what is wrong with the
 * key's format and never contains any part of the key. Thread-safe (stateless).
 */
public final class EcPrivateKeys {

  private static final String SEC1_BEGIN = "-----BEGIN EC PRIVATE KEY-----";
  private static final String SEC1_END = "-----END EC PRIVATE KEY-----";
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";

  /** DER encoding of OID 1.2.840.10045.3.1.7 (prime256v1 / secp256r1), contents only. */
  private static final byte[] P256_OID = {
    0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07
  };

  private static final int P256_SCALAR_BYTES = 32;

  private static final ECParameterSpec P256 = p256();

  private EcPrivateKeys() {}

  /**
   * Parses a PEM-encoded P-256 private key.
   *
   * @param pemUtf8 the PEM text as UTF-8 bytes; not modified
   * @return the private key
   * @throws IllegalArgumentException if the text is not a PEM EC private key on P-256; the message
   *     names the problem, never the content
   */
  public static ECPrivateKey parseP256(byte[] pemUtf8) {
    String text =
        new String(pemUtf8, StandardCharsets.UTF_8).replace("\\r", "").replace("\\n", "\n");
    byte[] der;
    if (text.contains(SEC1_BEGIN)) {
      der = decodeBlock(text, SEC1_BEGIN, SEC1_END);
      try {
        return fromSec1(der);
      } finally {
        Arrays.fill(der, (byte) 0);
      }
    }
    if (text.contains(PKCS8_BEGIN)) {
      der = decodeBlock(text, PKCS8_BEGIN, PKCS8_END);
      try {
        return fromPkcs8(der);
      } finally {
        Arrays.fill(der, (byte) 0);
      }
    }
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "the private key is encrypted; store it unencrypted in the vault, which protects it");
    }
    if (text.contains("-----BEGIN")) {
      throw new IllegalArgumentException(
          "the PEM block is not an EC private key; expected 'BEGIN EC PRIVATE KEY' (SEC1) or"
              + " 'BEGIN PRIVATE KEY' (PKCS#8)");
    }
    // Messages name PEM labels without the dashes: the Redactor's PEM net would take a quoted
    // "-----BEGIN ... PRIVATE KEY-----" for a key block and mask the rest of the message.
    throw new IllegalArgumentException(
        "the value is not a PEM private key; an ES256 key is a PEM 'BEGIN EC PRIVATE KEY' block"
            + " (Ed25519 keys are not supported by this scheme)");
  }

  private static byte[] decodeBlock(String text, String begin, String end) {
    int start = text.indexOf(begin) + begin.length();
    int stop = text.indexOf(end, start);
    if (stop < 0) {
      throw new IllegalArgumentException(
          "the PEM block has no '" + end.replace("-----", "") + "' line");
    }
    StringBuilder base64 = new StringBuilder(stop - start);
    for (int i = start; i < stop; i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c)) {
        base64.append(c);
      }
    }
    try {
      return Base64.getDecoder().decode(base64.toString());
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the offending character: keep neither message nor cause.
      throw new IllegalArgumentException("the PEM block is not valid base64");
    }
  }

  private static ECPrivateKey fromSec1(byte[] der) {
    byte[] scalar = null;
    try {
      // ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING,
      //   parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }  (RFC 5915)
      DerReader key = new DerReader(der).readConstructed(DerReader.SEQUENCE);
      byte[] version = key.readPrimitive(DerReader.INTEGER);
      if (version.length != 1 || version[0] != 1) {
        throw new IllegalArgumentException("the SEC1 key has an unsupported version");
      }
      scalar = key.readPrimitive(DerReader.OCTET_STRING);
      while (key.hasMore()) {
        if (key.peekTag() == 0xa0) {
          byte[] oid = key.readConstructed(0xa0).readPrimitive(DerReader.OBJECT_IDENTIFIER);
          if (!Arrays.equals(oid, P256_OID)) {
            throw new IllegalArgumentException(
                "the EC key is not on curve P-256 (secp256r1), which ES256 requires");
          }
        } else {
          key.skip();
        }
      }
      if (scalar.length != P256_SCALAR_BYTES) {
        throw new IllegalArgumentException(
            "the EC key is not on curve P-256 (secp256r1), which ES256 requires");
      }
      ECPrivateKeySpec spec = new ECPrivateKeySpec(new BigInteger(1, scalar), P256);
      return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(spec);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the SEC1 EC private key could not be read");
    } finally {
      if (scalar != null) {
        Arrays.fill(scalar, (byte) 0);
      }
    }
  }

  private static ECPrivateKey fromPkcs8(byte[] der) {
    PrivateKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("the PKCS#8 key is not an EC private key");
    }
    if (!(key instanceof ECPrivateKey ecKey)) {
      throw new IllegalArgumentException("the PKCS#8 key is not an EC private key");
    }
    if (!isP256(ecKey.getParams())) {
      throw new IllegalArgumentException(
          "the EC key is not on curve P-256 (secp256r1), which ES256 requires");
    }
    return ecKey;
  }

  private static boolean isP256(ECParameterSpec params) {
    return params != null
        && params.getCurve().equals(P256.getCurve())
        && params.getOrder().equals(P256.getOrder())
        && params.getGenerator().equals(P256.getGenerator())
        && params.getCofactor() == P256.getCofactor();
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK provides no secp256r1 (P-256) curve", e);
    }
  }
}
