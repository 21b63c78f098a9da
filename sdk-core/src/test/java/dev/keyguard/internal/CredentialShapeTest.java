package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.Secret;
import dev.keyguard.testing.TestSecrets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the keyword and Bearer anchors take for a credential. Values are built at run time. */
class CredentialShapeTest {

  private static boolean looksLikeCredential(String value) {
    String text = "x=" + value + " y";
    return CredentialShape.looksLikeCredential(text, 2, 2 + value.length());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "loaded",
        "environment",
        "refresh",
        "AWSCURRENT",
        "COINGECKO_API_KEY",
        "keyguard.api.token",
        "prod/market-data/api-key",
        "GetSecretValue",
        "IllegalStateException",
        "java.lang.IllegalStateException",
        "https://auth.example.com/oauth2/token",
        "/run/secrets/api-key",
        "1.2.3-SNAPSHOT",
        "v20261201",
        "AWS4-HMAC-SHA256",
        "user@example.com",
        "your-api-key-here",
        "X-API-Key",
        "1048576",
        "192.168.178.25",
        "2026-12-01T20:00:00Z",
        "2026-12-01T20:00:00.123+01:00",
        "500ms",
        "********",
        "xxxxxxxxxxxxxxxx",
        "short",
      })
  void looksLikeCredential_whenWordsNumbersNamesOrVersions_isFalse(String value) {
    assertThat(looksLikeCredential(value)).isFalse();
  }

  @Test
  void looksLikeCredential_whenWhatKeyGuardPrintsInsteadOfAValue_isFalse() {
    Secret secret = Secret.of(TestSecrets.randomBase64Url(24));

    assertThat(looksLikeCredential(secret.fingerprint())).isFalse();
    assertThat(looksLikeCredential(secret.toString())).isFalse();
    assertThat(looksLikeCredential("[REDACTED:" + secret.fingerprint() + "]")).isFalse();
    assertThat(looksLikeCredential("REDACTED")).isFalse();
  }

  @Test
  void looksLikeCredential_whenLowEntropyPattern_isFalse() {
    assertThat(looksLikeCredential("X1X1X1X1X1X1")).isFalse();
    assertThat(looksLikeCredential("ab12ab12ab12ab12ab12ab12")).isFalse();
  }

  @Test
  void looksLikeCredential_whenValueHasWhitespace_isFalse() {
    assertThat(
            looksLikeCredential(
                TestSecrets.randomBase64Url(8) + " " + TestSecrets.randomBase64Url(8)))
        .isFalse();
  }

  @Test
  void looksLikeCredential_whenRandomKeysOfTheSupportedAlphabets_isTrue() {
    for (int i = 0; i < 50; i++) {
      assertThat(looksLikeCredential(TestSecrets.randomHex(20))).isTrue(); // 40 hex chars
      assertThat(looksLikeCredential(TestSecrets.randomBase64Url(12))).isTrue(); // 16 chars
      assertThat(looksLikeCredential(TestSecrets.randomBase64(48))).isTrue(); // 64, + / =
      assertThat(looksLikeCredential(TestSecrets.randomAlphanumeric(16))).isTrue();
      assertThat(looksLikeCredential(UUID.randomUUID().toString())).isTrue();
    }
  }

  @Test
  void looksLikeCredential_whenShortPasswordWithDigitsAndSymbols_isTrue() {
    assertThat(looksLikeCredential("p@ssw0rd")).isTrue();
    assertThat(looksLikeCredential("Zq7" + "xY2kP9")).isTrue();
  }

  @Test
  void entropy_isShannonBitsPerChar() {
    assertThat(CredentialShape.entropy("abcd", 0, 4)).isEqualTo(2.0);
    assertThat(CredentialShape.entropy("aaaa", 0, 4)).isEqualTo(0.0);
  }
}
