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

  /**
   * Recall on random keys: a short random value can read as words (letters only, its camelCase
   * pieces each holding a vowel): about 1 in 650 base64url or alphanumeric values of 16 chars, none
   * of the hex, long base64 or UUID values (measured over 50,000 draws each). The check allows 0.5
   * %, well above that rate so it never fails by chance, and far below what would matter for the
   * second net (registered secrets are always redacted).
   */
  @Test
  void looksLikeCredential_whenRandomKeysOfTheSupportedAlphabets_isTrueAlmostAlways() {
    int draws = 5_000;
    int misses = 0;
    for (int i = 0; i < draws; i++) {
      for (String key :
          new String[] {
            TestSecrets.randomHex(20), // 40 hex chars
            TestSecrets.randomBase64Url(12), // 16 chars
            TestSecrets.randomBase64(48), // 64, + / =
            TestSecrets.randomAlphanumeric(16),
            UUID.randomUUID().toString()
          }) {
        if (!looksLikeCredential(key)) {
          misses++;
        }
      }
    }
    assertThat(misses)
        .as("misses in %d random keys", draws * 5)
        .isLessThanOrEqualTo(draws * 5 / 200);
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
