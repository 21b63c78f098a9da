package dev.keyguard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Secrets and keys generated at run time for the auth scheme tests; nothing here is a real key. */
public final class AuthTestSupport {

  private static final SecureRandom RANDOM = new SecureRandom();

  private AuthTestSupport() {}

  /** A fake time source standing at {@code epochMillis}; it moves only when the test moves it. */
  public static FakeClock fixedClock(long epochMillis) {
    return new FakeClock(Instant.ofEpochMilli(epochMillis));
  }

  public static VersionedCredential credential(String apiKey) {
    return VersionedCredential.builder(KeyId.of("test-key"), Secret.of(apiKey))
        .version("v1")
        .build();
  }

  public static VersionedCredential credential(String apiKey, String apiSecret) {
    return VersionedCredential.builder(KeyId.of("test-key"), Secret.of(apiKey))
        .apiSecret(Secret.of(apiSecret))
        .version("v1")
        .build();
  }

  /** The forms in which a secret could leak into text: raw, URL-encoded, base64, base64url. */
  public static List<String> leakForms(String secret) {
    List<String> forms = new ArrayList<>();
    forms.add(secret);
    forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    forms.add(Base64.getEncoder().encodeToString(bytes));
    forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    return forms;
  }

  /** Every message and toString in a throwable's cause chain, suppressed ones included. */
  public static String allText(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n').append(c.getMessage()).append('\n');
      for (Throwable s : c.getSuppressed()) {
        sb.append(allText(s));
      }
    }
    return sb.toString();
  }

  public static void assertNoSecretIn(String text, String... secrets) {
    for (String secret : secrets) {
      for (String form : leakForms(secret)) {
        assertThat(text).doesNotContain(form);
      }
    }
  }

  // --- EC keys -----------------------------------------------------------------------------

  public static KeyPair p256KeyPair() {
    return ecKeyPair("secp256r1");
  }

  public static KeyPair ecKeyPair(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pkcs8Pem(KeyPair pair) {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  /**
   * SEC1 (RFC 5915) encoding as Coinbase issues CDP keys: version 1, the 32-byte scalar, the curve
   * OID in [0] and the public point in [1].
   */
  public static String sec1Pem(KeyPair pair) {
    ECPrivateKey priv = (ECPrivateKey) pair.getPrivate();
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    byte[] scalar = unsigned(priv.getS(), 32);
    byte[] point =
        concat(
            new byte[] {0x04},
            unsigned(pub.getW().getAffineX(), 32),
            unsigned(pub.getW().getAffineY(), 32));
    byte[] prime256v1 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
    byte[] body =
        concat(
            tlv(0x02, new byte[] {1}),
            tlv(0x04, scalar),
            tlv(0xa0, prime256v1),
            tlv(0xa1, tlv(0x03, concat(new byte[] {0}, point))));
    return pem("EC PRIVATE KEY", tlv(0x30, body));
  }

  public static String pem(String type, byte[] der) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
  }

  private static byte[] unsigned(BigInteger value, int width) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[width];
    int copy = Math.min(raw.length, width);
    System.arraycopy(raw, raw.length - copy, out, width - copy, copy);
    return out;
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
