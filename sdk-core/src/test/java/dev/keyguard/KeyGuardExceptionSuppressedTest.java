package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.TestSecrets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An exception a caller attaches to a KeyGuard exception after construction ({@code addSuppressed},
 * try-with-resources) cannot be replaced when it is added, so every channel that prints or ships
 * the KeyGuard exception must redact it.
 */
class KeyGuardExceptionSuppressedTest {

  private final String key = TestSecrets.randomBase64Url(32);
  private final Secret secret = Secret.of(key);

  KeyGuardExceptionSuppressedTest() {
    Redactor.global().register(secret);
  }

  @AfterEach
  void retire() {
    Redactor.global().retire(secret);
  }

  private KeyGuardException withForeignSuppressed() {
    KeyGuardException e =
        new KeyProviderUnavailableException(
            "backend down; retry later", null, KeyId.of("exchange"), null);
    e.addSuppressed(new IllegalStateException("close failed for key " + key));
    return e;
  }

  @Test
  void printStackTrace_toAStream_redactsASuppressedExceptionAddedLater() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    withForeignSuppressed().printStackTrace(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .doesNotContain(key)
        .contains("Suppressed: java.lang.IllegalStateException: close failed for key [REDACTED:")
        .contains("KeyProviderUnavailableException: backend down; retry later");
  }

  @Test
  void printStackTrace_toAWriter_redactsASuppressedExceptionAddedLater() {
    StringWriter out = new StringWriter();
    withForeignSuppressed().printStackTrace(new PrintWriter(out, true));

    assertThat(out.toString()).doesNotContain(key).contains("close failed for key [REDACTED:");
  }

  @Test
  void serialization_ofAnExceptionWithASuppressedSecret_carriesNoSecret() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(withForeignSuppressed());
    }

    assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain(key);
    Object back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = in.readObject();
    }
    assertThat(back).isInstanceOf(RedactedThrowable.class);
    RedactedThrowable copy = (RedactedThrowable) back;
    assertThat(copy.originalClassName()).isEqualTo(KeyProviderUnavailableException.class.getName());
    assertThat(copy.getSuppressed()).hasSize(1);
    assertThat(copy.getSuppressed()[0].getMessage()).doesNotContain(key).contains("[REDACTED:");
  }

  @Test
  void serialization_ofACleanException_keepsItsType() throws Exception {
    KeyGuardException clean = new KeyNotFoundException("no such key", KeyId.of("exchange"));
    clean.addSuppressed(new IllegalStateException("nothing secret here"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(clean);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      Object back = in.readObject();
      assertThat(back).isInstanceOf(KeyNotFoundException.class);
      assertThat(((KeyNotFoundException) back).getMessage()).isEqualTo("no such key");
    }
  }
}
