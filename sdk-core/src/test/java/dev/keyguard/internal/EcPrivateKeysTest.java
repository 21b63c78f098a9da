package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.Redactor;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EcPrivateKeysTest {

  @Test
  void parseP256_whenSec1WithoutOptionalFields_readsTheScalar() throws Exception {
    ECPrivateKey original = (ECPrivateKey) p256().getPrivate();
    byte[] scalar = fixed32(original.getS().toByteArray());
    // SEQUENCE { INTEGER 1, OCTET STRING scalar } with neither [0] parameters nor [1] public key.
    String der = "3025" + "020101" + "0420" + HexFormat.of().formatHex(scalar);

    ECPrivateKey parsed =
        EcPrivateKeys.parseP256(pem("EC PRIVATE KEY", HexFormat.of().parseHex(der)));

    assertThat(parsed.getS()).isEqualTo(original.getS());
  }

  @Test
  void parseP256_whenSec1NamesAnotherCurve_throwsNamingP256() {
    // [0] holds secp384r1 (1.3.132.0.34) instead of prime256v1.
    String der = "302e" + "020101" + "0420" + "11".repeat(32) + "a007" + "06052b81040022";

    assertThatThrownBy(
            () -> EcPrivateKeys.parseP256(pem("EC PRIVATE KEY", HexFormat.of().parseHex(der))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("P-256");
  }

  @Test
  void parseP256_whenRsaPkcs8_throwsNotEc() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    byte[] der = rsa.generateKeyPair().getPrivate().getEncoded();

    assertThatThrownBy(() -> EcPrivateKeys.parseP256(pem("PRIVATE KEY", der)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an EC private key");
  }

  @Test
  void parseP256_whenEncryptedOrOtherPem_throwsSayingWhat() {
    assertThatThrownBy(
            () -> EcPrivateKeys.parseP256(pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encrypted");
    assertThatThrownBy(() -> EcPrivateKeys.parseP256(pem("CERTIFICATE", new byte[] {1, 2})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an EC private key");
  }

  @Test
  void parseP256_whenEndLineMissing_throws() {
    byte[] text =
        ("-----BEGIN " + "EC PRIVATE KEY-----\nMHcCAQEE\n").getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> EcPrivateKeys.parseP256(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("END EC PRIVATE KEY");
  }

  @Test
  void errorMessages_surviveTheRedactorsPemNetWhole() {
    Redactor redactor = Redactor.isolated();
    byte[][] inputs = {
      "not a key at all".getBytes(StandardCharsets.US_ASCII),
      pem("CERTIFICATE", new byte[] {1, 2}),
      pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}),
      ("-----BEGIN " + "EC PRIVATE KEY-----\nMHcCAQEE\n").getBytes(StandardCharsets.US_ASCII),
    };

    for (byte[] input : inputs) {
      String message =
          catchThrowableOfType(IllegalArgumentException.class, () -> EcPrivateKeys.parseP256(input))
              .getMessage();

      assertThat(redactor.redact(message))
          .as("redacted message")
          .isEqualTo(message)
          .doesNotContain("-----");
    }
  }

  @Test
  void parseP256_whenNotPem_saysWhatAnEs256KeyLooksLike() {
    assertThatThrownBy(
            () -> EcPrivateKeys.parseP256("MHcCAQEEIAbc".getBytes(StandardCharsets.US_ASCII)))
        .hasMessage(
            "the value is not a PEM private key; an ES256 key is a PEM 'BEGIN EC PRIVATE KEY' block"
                + " (Ed25519 keys are not supported by this scheme)");
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static byte[] fixed32(byte[] twosComplement) {
    byte[] out = new byte[32];
    int copy = Math.min(32, twosComplement.length);
    System.arraycopy(twosComplement, twosComplement.length - copy, out, 32 - copy, copy);
    return out;
  }

  private static byte[] pem(String type, byte[] der) {
    return ("-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
