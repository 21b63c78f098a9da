package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.client.InsecureTransportException;
import dev.keyguard.client.KeyRejectedException;
import dev.keyguard.testing.TestSecrets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeyGuardExceptionTest {

  private static final KeyId ID = KeyId.of("binance");

  interface FullConstructor {
    KeyGuardException create(String message, Throwable cause, KeyId keyId, String version);
  }

  static Stream<Arguments> types() {
    return Stream.of(
        Arguments.of(
            "KeyNotFoundException",
            (FullConstructor) KeyNotFoundException::new,
            (BiFunction<String, KeyId, KeyGuardException>) KeyNotFoundException::new,
            false),
        Arguments.of(
            "KeyProviderUnavailableException",
            (FullConstructor) KeyProviderUnavailableException::new,
            (BiFunction<String, KeyId, KeyGuardException>) KeyProviderUnavailableException::new,
            true),
        Arguments.of(
            "KeyAccessDeniedException",
            (FullConstructor) KeyAccessDeniedException::new,
            (BiFunction<String, KeyId, KeyGuardException>) KeyAccessDeniedException::new,
            false),
        Arguments.of(
            "MalformedSecretException",
            (FullConstructor) MalformedSecretException::new,
            (BiFunction<String, KeyId, KeyGuardException>) MalformedSecretException::new,
            false),
        Arguments.of(
            "KeyRejectedException",
            (FullConstructor) KeyRejectedException::new,
            (BiFunction<String, KeyId, KeyGuardException>) KeyRejectedException::new,
            false),
        Arguments.of(
            "InsecureTransportException",
            (FullConstructor) InsecureTransportException::new,
            (BiFunction<String, KeyId, KeyGuardException>) InsecureTransportException::new,
            false),
        Arguments.of(
            "EnvironmentMismatchException",
            (FullConstructor) EnvironmentMismatchException::new,
            (BiFunction<String, KeyId, KeyGuardException>) EnvironmentMismatchException::new,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void fullConstructor_keepsMessageCauseKeyIdVersion_andHasTheTypesRetryability(
      String name,
      FullConstructor full,
      BiFunction<String, KeyId, KeyGuardException> shortForm,
      boolean retryable) {
    IOException cause = new IOException("connection reset");

    KeyGuardException e = full.create("what failed", cause, ID, "v7");

    assertThat(e).isInstanceOf(RuntimeException.class).hasMessage("what failed").hasCause(cause);
    assertThat(e.getClass().getSimpleName()).isEqualTo(name);
    assertThat(e.keyId()).contains(ID);
    assertThat(e.version()).contains("v7");
    assertThat(e.isRetryable()).isEqualTo(retryable);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void shortConstructor_hasKeyIdButNoCauseOrVersion(
      String name,
      FullConstructor full,
      BiFunction<String, KeyId, KeyGuardException> shortForm,
      boolean retryable) {
    KeyGuardException e = shortForm.apply("what failed", ID);

    assertThat(e).hasMessage("what failed").hasNoCause();
    assertThat(e.keyId()).contains(ID);
    assertThat(e.version()).isEmpty();
    assertThat(e.isRetryable()).isEqualTo(retryable);
  }

  @Test
  void rootConstructor_isNotRetryableAndConcernsNoKey() {
    KeyGuardException e = new KeyGuardException("general failure");

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.keyId()).isEmpty();
    assertThat(e.version()).isEmpty();
    assertThat(new KeyGuardException("x", null, null, null, true).isRetryable()).isTrue();
  }

  @Test
  void message_whenItContainsALiveSecret_isRedacted() {
    Secret secret = TestSecrets.randomSecret();
    String value = secret.value(InsecureSecretAccess.get());
    Redactor.global().register(secret);

    KeyGuardException e = new KeyProviderUnavailableException("vendor said: bad key " + value, ID);

    assertThat(e.getMessage())
        .doesNotContain(value)
        .contains("[REDACTED:" + secret.fingerprint() + "]");
  }

  @Test
  void javaSerialization_roundTripsMessageVersionAndRetryability_butNotTheKeyId() throws Exception {
    KeyGuardException e = new KeyProviderUnavailableException("down", null, ID, "v2");

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(e);
    }
    KeyGuardException back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (KeyGuardException) in.readObject();
    }

    assertThat(back).isInstanceOf(KeyProviderUnavailableException.class).hasMessage("down");
    assertThat(back.version()).contains("v2");
    assertThat(back.isRetryable()).isTrue();
    assertThat(back.keyId()).isEmpty();
  }
}
