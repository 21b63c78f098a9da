package dev.keyguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.Secret;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The leak assertions must be able to fail: each channel and encoding is caught. */
class SecretLeakAssertionsTest {

  private static final String VALUE = TestSecrets.randomValueWithSpecialCharacters();
  private static final Secret SECRET = Secret.of(VALUE);

  /** An object whose toString is built by a function of the value. */
  private static Object printing(String text) {
    return new Object() {
      @Override
      public String toString() {
        return "Leaky[" + text + "]";
      }
    };
  }

  static Stream<Arguments> encodings() {
    byte[] raw = VALUE.getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of("raw text", (Function<String, String>) v -> v),
        Arguments.of(
            "URL-encoded",
            (Function<String, String>) v -> URLEncoder.encode(v, StandardCharsets.UTF_8)),
        Arguments.of(
            "base64", (Function<String, String>) v -> Base64.getEncoder().encodeToString(raw)),
        // found as "base64" or "base64url…": the forms coincide when no byte encodes to + or /
        Arguments.of(
            "base64",
            (Function<String, String>)
                v -> Base64.getUrlEncoder().withoutPadding().encodeToString(raw)),
        Arguments.of("hex", (Function<String, String>) v -> HexFormat.of().formatHex(raw)),
        Arguments.of(
            "JSON-escaped",
            (Function<String, String>) v -> v.replace("\\", "\\\\").replace("\"", "\\\"")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("encodings")
  void assertNoLeak_whenToStringHoldsAnEncodedValue_failsNamingTheFormButNotTheText(
      String form, Function<String, String> encode) {
    Object leaky = printing(encode.apply(VALUE));

    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak(leaky, SECRET))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("toString()")
        .hasMessageContaining(form)
        .hasMessageContaining(SECRET.fingerprint())
        .hasMessageNotContaining(VALUE)
        .hasMessageNotContaining(encode.apply(VALUE));
  }

  @Test
  void assertNoLeak_whenADeepCauseOrSuppressedExceptionHoldsTheValue_fails() {
    RuntimeException deep =
        new RuntimeException("outer", new IllegalStateException("mid", new Exception(VALUE)));
    RuntimeException suppressing = new RuntimeException("outer");
    suppressing.addSuppressed(new Exception("x " + VALUE));

    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak(deep, SECRET))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("java.lang.Exception]")
        .hasMessageContaining("getMessage()")
        .hasMessageContaining("stack trace");
    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak(suppressing, SECRET))
        .isInstanceOf(AssertionError.class);
  }

  /** A bean whose getter exposes the value. */
  public static final class Bean {
    private final String value;

    Bean(String value) {
      this.value = value;
    }

    public String getValue() {
      return value;
    }

    @Override
    public String toString() {
      return "Bean";
    }
  }

  /** Hides the value from toString and getters, but not from field access or serialization. */
  public static final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String value;

    Holder(String value) {
      this.value = value;
    }

    @Override
    public String toString() {
      return "Holder";
    }

    int length() {
      return value.length();
    }
  }

  /** Holds the value as characters only. */
  public static final class CharHolder implements Serializable {
    private static final long serialVersionUID = 1L;
    private final char[] chars;

    CharHolder(char[] chars) {
      this.chars = chars;
    }

    @Override
    public String toString() {
      return "CharHolder";
    }

    int length() {
      return chars.length;
    }
  }

  @Test
  void assertNoLeak_whenJacksonSerializesTheValueThroughAGetter_fails() {
    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak(new Bean(VALUE), SECRET))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Jackson (default ObjectMapper) output");
  }

  @Test
  void assertNoLeak_whenThePrivateFieldIsSerialized_failsForFieldAccessAndJavaSerialization() {
    assertThat(new Holder(VALUE).length()).isPositive();

    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak(new Holder(VALUE), SECRET))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Jackson (private fields visible) output")
        .hasMessageContaining("Java serialization output")
        .hasMessageNotContaining("Jackson (default ObjectMapper)");
  }

  @Test
  void assertNoLeak_whenACharArrayIsJavaSerialized_findsItsUtf16Form() {
    CharHolder holder = new CharHolder(VALUE.toCharArray());
    assertThat(holder.length()).isPositive();

    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak(holder, SECRET))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Java serialization output")
        .hasMessageContaining("UTF-16");
  }

  @Test
  void assertNoLeak_whenBinarySecretLeaksAsBase64_fails() {
    byte[] raw = TestSecrets.randomBytes(24);
    raw[0] = (byte) 0xFF;
    Secret binary = Secret.ofBytes(raw);

    assertThatThrownBy(
            () ->
                SecretLeakAssertions.assertNoLeak(
                    printing(Base64.getEncoder().encodeToString(raw)), binary))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("base64");
  }

  @Test
  void assertNoLeak_whenNothingLeaks_passes() {
    assertThatCode(() -> SecretLeakAssertions.assertNoLeak(printing(SECRET.fingerprint()), SECRET))
        .doesNotThrowAnyException();
    assertThatCode(() -> SecretLeakAssertions.assertNoLeak(List.of("a", 1), SECRET))
        .doesNotThrowAnyException();
    assertThatCode(() -> SecretLeakAssertions.assertNoLeak(null, SECRET))
        .doesNotThrowAnyException();
  }

  @Test
  void assertNoLeakInText_findsEncodedForms() {
    String text = "GET /v1?apikey=" + URLEncoder.encode(VALUE, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeakInText("log", text, SECRET))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("log contains")
        .hasMessageContaining("URL-encoded");
    assertThatCode(() -> SecretLeakAssertions.assertNoLeakInText("log", "nothing here", SECRET))
        .doesNotThrowAnyException();
  }

  @Test
  void assertNoLeak_rejectsUnusableSecrets() {
    Secret destroyed = TestSecrets.randomSecret();
    destroyed.destroy();

    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak("x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak("x", destroyed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("destroyed");
    assertThatThrownBy(() -> SecretLeakAssertions.assertNoLeak("x", Secret.of("short")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter than");
  }

  @Test
  void secretsOf_listsBothPartsOfCredentials() {
    Secret key = TestSecrets.randomSecret();
    Secret secret = TestSecrets.randomSecret();
    dev.keyguard.VersionedCredential c =
        dev.keyguard.VersionedCredential.builder(dev.keyguard.KeyId.of("k"), key)
            .apiSecret(secret)
            .build();

    assertThat(SecretLeakAssertions.secretsOf(c)).containsExactly(key, secret);
    assertThat(key.value(InsecureSecretAccess.get())).isNotEmpty();
  }
}
