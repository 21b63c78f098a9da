package dev.keyguard.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.testing.TestSecrets;
import org.junit.jupiter.api.Test;

class VendorTextTest {

  @Test
  void oneLine_foldsWhiteSpaceAndControlCharactersAndBoundsTheLength() {
    assertThat(VendorText.oneLine("a\r\nb\t  c")).isEqualTo("a b c");
    assertThat(VendorText.oneLine("x".repeat(400))).hasSize(VendorText.MAX_CHARS + 1).endsWith("…");
  }

  @Test
  void oneLine_whenNullBlankOrMarkup_isEmpty() {
    assertThat(VendorText.oneLine(null)).isEmpty();
    assertThat(VendorText.oneLine("  \n ")).isEmpty();
    assertThat(VendorText.oneLine("<html><body>502 Bad Gateway</body></html>")).isEmpty();
  }

  @Test
  void oneLine_whenALiveSecretCrossesTheCut_redactsItWholeBeforeCutting() {
    Secret secret = Secret.of(TestSecrets.randomBase64Url(30));
    String value = secret.value(InsecureSecretAccess.get());
    Redactor.global().register(secret);
    try {
      for (int start = VendorText.MAX_CHARS - value.length();
          start <= VendorText.MAX_CHARS;
          start++) {
        String text = "e".repeat(start) + value + " tail";

        String line = VendorText.oneLine(text);

        assertThat(line).doesNotContain(value.substring(0, 8));
        assertThat(line.length()).isLessThanOrEqualTo(VendorText.MAX_CHARS + 1);
      }
    } finally {
      Redactor.global().retire(secret);
    }
  }
}
