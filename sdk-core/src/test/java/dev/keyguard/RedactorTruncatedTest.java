package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.keyguard.testing.TestSecrets;
import org.junit.jupiter.api.Test;

/** {@link Redactor#redactTruncated(CharSequence)}: the start of a text whose rest was not read. */
class RedactorTruncatedTest {

  private static final String FILLER = "lorem ipsum, dolor sit amet; ";

  private static String filler(int length) {
    return FILLER.repeat(length / FILLER.length() + 1).substring(0, length);
  }

  @Test
  void redactTruncated_whenTheReadCutsASecret_leavesNoPartOfIt_afterShrunkTextBeforeIt() {
    Redactor redactor = Redactor.isolated();
    String secret = TestSecrets.randomHex(40);
    redactor.register(Secret.of(secret));
    // 20 000 chars of a JWT shape shrink to a short marker; the read ends inside the secret
    String jwt = "eyJ" + "a".repeat(20) + ".eyJ" + "b".repeat(20_000) + ".sig";
    String read = jwt + " then " + secret.substring(0, 50);

    String out = redactor.redactTruncated(read);

    assertThat(out).startsWith("[REDACTED:jwt]").doesNotContain(secret.substring(0, 6));
    assertThat(redactor.redact(read)).contains(secret.substring(0, 50));
  }

  @Test
  void redactTruncated_leavesOutExactlyTheReachOfTheLongestForm_andKeepsAMarkerWhole() {
    Redactor redactor = Redactor.isolated(RedactorOptions.builder().knownFormats(false).build());
    String secret = TestSecrets.randomHex(50);
    redactor.register(Secret.of(secret));
    String marker = redactor.redact(secret);
    // the longest form of the 100-char secret is its 200-char hex: a cut one starts in the last 199
    int reach = 199;
    qt().withExamples(300)
        .forAll(integers().between(0, 1000), integers().between(0, 1000))
        .checkAssert(
            (before, after) -> {
              String text = filler(before) + secret + filler(after);
              int certified = Math.max(0, text.length() - reach);
              int secretEnd = before + secret.length();
              String expected =
                  before >= certified
                      ? text.substring(0, certified)
                      : filler(before)
                          + marker
                          + (secretEnd < certified ? text.substring(secretEnd, certified) : "");

              String out = redactor.redactTruncated(text);

              assertThat(out).isEqualTo(expected);
              assertThat(redactor.redact(text)).startsWith(out);
            });
  }

  @Test
  void redactTruncated_withNothingToRedact_returnsTheTextUnchanged() {
    Redactor redactor = Redactor.isolated(RedactorOptions.builder().knownFormats(false).build());

    assertThat(redactor.redactTruncated("plain text")).isEqualTo("plain text");
    assertThat(redactor.redactTruncated(null)).isNull();
  }

  @Test
  void redactTruncated_whenTheTextIsShorterThanTheReachOfTheKnownFormats_returnsNothing() {
    Redactor redactor = Redactor.isolated();

    assertThat(redactor.redactTruncated("api_key=" + "x".repeat(100))).isEmpty();
  }
}
