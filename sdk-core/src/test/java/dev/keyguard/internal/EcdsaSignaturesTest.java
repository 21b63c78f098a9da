package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EcdsaSignaturesTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void derToJose_whenComponentsHaveLeadingZeroByte_stripsIt() {
    // r = 0x80 followed by 31 bytes: DER prefixes a 00 so the INTEGER stays positive.
    String r = "80" + "11".repeat(31);
    String s = "7f" + "22".repeat(31);
    byte[] der = HEX.parseHex("3045" + "0221" + "00" + r + "0220" + s);

    assertThat(HEX.formatHex(EcdsaSignatures.derToJose(der, 32))).isEqualTo(r + s);
  }

  @Test
  void derToJose_whenComponentsAreShort_leftPadsThemWithZeros() {
    byte[] der = HEX.parseHex("3006" + "0201" + "05" + "0201" + "07");

    byte[] jose = EcdsaSignatures.derToJose(der, 32);

    assertThat(HEX.formatHex(jose)).isEqualTo("00".repeat(31) + "05" + "00".repeat(31) + "07");
  }

  @Test
  void derToJose_whenComponentIsWiderThanTheCurve_throws() {
    byte[] der = HEX.parseHex("3026" + "0221" + "01" + "11".repeat(32) + "0201" + "07");

    assertThatThrownBy(() -> EcdsaSignatures.derToJose(der, 32))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void derToJose_whenNotDer_throws() {
    assertThatThrownBy(() -> EcdsaSignatures.derToJose(new byte[] {0x31, 0x00}, 32))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EcdsaSignatures.derToJose(HEX.parseHex("3006020105"), 32))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void derToJose_ofManyJdkSignatures_verifiesInP1363Form() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    for (int i = 0; i < 200; i++) {
      byte[] message = ("message " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(pair.getPrivate());
      signer.update(message);
      byte[] jose = EcdsaSignatures.derToJose(signer.sign(), 32);

      Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
      verifier.initVerify(pair.getPublic());
      verifier.update(message);
      assertThat(verifier.verify(jose)).as("signature %d", i).isTrue();
    }
  }
}
