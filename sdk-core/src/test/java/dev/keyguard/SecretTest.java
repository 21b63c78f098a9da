package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyguard.testing.TestSecrets;
import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretTest {

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  @Test
  void of_whenText_valueReturnsSameText() {
    String value = TestSecrets.randomValueWithSpecialCharacters();

    assertThat(Secret.of(value).value(ACCESS)).isEqualTo(value);
  }

  @Test
  void of_whenCallerMutatesItsCharArray_secretIsUnchanged() {
    String value = TestSecrets.randomValue();
    char[] chars = value.toCharArray();

    Secret secret = Secret.of(chars);
    Arrays.fill(chars, 'x');

    assertThat(secret.value(ACCESS)).isEqualTo(value);
  }

  @Test
  void ofBytes_whenCallerMutatesItsArray_secretIsUnchanged() {
    byte[] bytes = TestSecrets.randomBytes(32);
    byte[] expected = bytes.clone();

    Secret secret = Secret.ofBytes(bytes);
    Arrays.fill(bytes, (byte) 0);

    assertThat(secret.bytes(ACCESS)).isEqualTo(expected);
  }

  @Test
  void bytes_whenCallerMutatesTheReturnedArray_secretIsUnchanged() {
    String value = TestSecrets.randomValue();
    Secret secret = Secret.of(value);

    byte[] out = secret.bytes(ACCESS);
    Arrays.fill(out, (byte) 'x');

    assertThat(secret.bytes(ACCESS)).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
    assertThat(secret.bytes(ACCESS)).isNotSameAs(secret.bytes(ACCESS));
  }

  @Test
  void ofChars_whenNonAsciiText_holdsUtf8LikeOfString() {
    String value = TestSecrets.randomValueWithSpecialCharacters();

    Secret fromChars = Secret.of(value.toCharArray());

    assertThat(fromChars.equalsSecret(Secret.of(value))).isTrue();
    assertThat(fromChars.bytes(ACCESS)).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void toString_showsOnlyTheFingerprint() {
    String value = TestSecrets.randomValue();
    Secret secret = Secret.of(value);

    assertThat(secret.fingerprint()).matches("fp:[0-9a-f]{12}");
    assertThat(secret.toString())
        .isEqualTo("Secret[" + secret.fingerprint() + "]")
        .doesNotContain(value);
  }

  @Test
  void fingerprint_ofShortValue_isNotFoundByExhaustiveSearchOfUnkeyedHashes() throws Exception {
    // every 4-digit value, hashed the ways an attacker would try without the process key
    String value = String.format("%04d", new java.security.SecureRandom().nextInt(10_000));
    String fingerprint = Secret.of(value).fingerprint();
    String digits = fingerprint.substring(fingerprint.lastIndexOf(':') + 1);
    List<String> recovered = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String candidate = String.format("%04d", i);
      byte[] sha =
          MessageDigest.getInstance("SHA-256").digest(candidate.getBytes(StandardCharsets.UTF_8));
      String hex = HexFormat.of().formatHex(sha);
      if (hex.startsWith(digits)) {
        recovered.add(candidate);
      }
    }

    assertThat(recovered).isEmpty();
  }

  @Test
  void fingerprint_inAnotherProcess_differs_soItCannotBeLookedUpAcrossProcesses() throws Exception {
    String value = TestSecrets.randomValue();
    URL classes = Secret.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader otherProcess =
        new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
      Class<?> secretClass = Class.forName(Secret.class.getName(), true, otherProcess);
      Object other = secretClass.getMethod("of", String.class).invoke(null, value);
      String otherFingerprint = (String) secretClass.getMethod("fingerprint").invoke(other);

      assertThat(otherFingerprint)
          .matches("fp:[0-9a-f]{12}")
          .isNotEqualTo(Secret.of(value).fingerprint());
    }
  }

  @Test
  void fingerprint_whenSameValue_isSame_whenDifferentValue_differs() {
    String value = TestSecrets.randomValue();

    assertThat(Secret.of(value).fingerprint()).isEqualTo(Secret.of(value).fingerprint());
    assertThat(Secret.of(value).fingerprint())
        .isNotEqualTo(Secret.of(TestSecrets.randomValue()).fingerprint());
  }

  @Test
  void equalsSecret_whenSameValueInAnotherInstance_isTrue() {
    String value = TestSecrets.randomValue();

    assertThat(Secret.of(value).equalsSecret(Secret.of(value))).isTrue();
    assertThat(
            Secret.of(value).equalsSecret(Secret.ofBytes(value.getBytes(StandardCharsets.UTF_8))))
        .isTrue();
  }

  @Test
  void equalsSecret_whenValuesDifferInOneByte_isFalse() {
    byte[] a = TestSecrets.randomBytes(32);
    byte[] first = a.clone();
    first[0] ^= 1;
    byte[] last = a.clone();
    last[31] ^= 1;

    assertThat(Secret.ofBytes(a).equalsSecret(Secret.ofBytes(first))).isFalse();
    assertThat(Secret.ofBytes(a).equalsSecret(Secret.ofBytes(last))).isFalse();
  }

  @Test
  void equalsSecret_whenOtherIsNullOrOfDifferentLength_isFalse() {
    String value = TestSecrets.randomValue();
    Secret secret = Secret.of(value);

    assertThat(secret.equalsSecret(null)).isFalse();
    assertThat(secret.equalsSecret(Secret.of(value + "x"))).isFalse();
    assertThat(secret.equalsSecret(Secret.of(value.substring(1)))).isFalse();
  }

  @Test
  void equalsAndHashCode_areIdentityBased_notValueBased() {
    String value = TestSecrets.randomValue();
    Secret a = Secret.of(value);
    Secret b = Secret.of(value);

    assertThat(a).isEqualTo(a).isNotEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
    assertThat(b.hashCode()).isEqualTo(System.identityHashCode(b));
    Set<Secret> set = new HashSet<>(Set.of(a));
    set.add(b);
    assertThat(set).hasSize(2);
  }

  @Test
  void destroy_wipesThePrivateCopy() throws Exception {
    Secret secret = Secret.of(TestSecrets.randomValue());
    Field field = Secret.class.getDeclaredField("value");
    field.setAccessible(true);
    byte[] privateCopy = (byte[]) field.get(secret);

    secret.destroy();

    assertThat(privateCopy).containsOnly((byte) 0);
    assertThat(secret.isDestroyed()).isTrue();
  }

  @Test
  void destroy_laterAccessThrows_fingerprintStaysAvailable() {
    String value = TestSecrets.randomValue();
    Secret secret = Secret.of(value);
    String fingerprint = secret.fingerprint();

    secret.destroy();
    secret.destroy(); // idempotent

    assertThatThrownBy(() -> secret.value(ACCESS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(fingerprint)
        .hasMessageContaining("destroyed")
        .hasMessageNotContaining(value);
    assertThatThrownBy(() -> secret.bytes(ACCESS)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> secret.equalsSecret(Secret.of(value)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Secret.of(value).equalsSecret(secret))
        .isInstanceOf(IllegalStateException.class);
    assertThat(secret.fingerprint()).isEqualTo(fingerprint);
    assertThat(secret.toString()).contains(fingerprint);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n\r ", "\u2003\u2028 "})
  void of_whenBlankText_isRejectedWithoutTheValue(String blank) {
    assertThatThrownBy(() -> Secret.of(blank))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a secret must not be empty or blank");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n\r ", "\u2003 "})
  void ofChars_whenBlank_isRejectedLikeOfString(String blank) {
    assertThatThrownBy(() -> Secret.of(blank.toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a secret must not be empty or blank");
  }

  @Test
  void ofBytes_whenEmptyOrAsciiWhitespace_isRejected() {
    assertThatThrownBy(() -> Secret.ofBytes(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Secret.ofBytes(" \t\n\r\f\u000b".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a secret must not be empty or blank");
  }

  @Test
  void of_whenValueHasAnUnpairedSurrogate_isRejectedWithoutEchoingIt() {
    // UTF-8 encoding would silently turn the lone surrogate into '?': the secret would then be
    // another value than the one configured, and the Redactor would not recognise the original
    String value = TestSecrets.randomBase64Url(12) + '\uD800' + TestSecrets.randomBase64Url(12);
    String trailing = TestSecrets.randomBase64Url(12) + '\uDC00';

    for (String bad : new String[] {value, trailing}) {
      assertThatThrownBy(() -> Secret.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining(bad.substring(0, 12));
      assertThatThrownBy(() -> Secret.of(bad.toCharArray()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining(bad.substring(0, 12));
    }
    String paired = TestSecrets.randomBase64Url(12) + "\uD83D\uDD11";
    assertThat(Secret.of(paired).value(ACCESS)).isEqualTo(paired);
    assertThat(Secret.of(paired.toCharArray()).value(ACCESS)).isEqualTo(paired);
  }

  @Test
  void of_whenNull_throwsNullPointerException() {
    assertThatThrownBy(() -> Secret.of((String) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Secret.of((char[]) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Secret.ofBytes(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Secret.of(TestSecrets.randomValue()).value(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void value_whenBinaryNotUtf8_throwsWithFingerprintOnly_bytesStillWork() {
    byte[] binary = TestSecrets.randomBytes(32);
    binary[0] = (byte) 0xC3; // lead byte of a two-byte sequence...
    binary[1] = (byte) 0x28; // ...followed by a byte that cannot continue it
    Secret secret = Secret.ofBytes(binary);

    assertThatThrownBy(() -> secret.value(ACCESS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(secret.fingerprint())
        .hasMessageContaining("not UTF-8");
    assertThat(secret.bytes(ACCESS)).isEqualTo(binary);
  }

  @Test
  void javaSerialization_isRefused() {
    Secret secret = Secret.of(TestSecrets.randomValue());

    assertThat(secret).isNotInstanceOf(Serializable.class);
    assertThatThrownBy(
            () -> new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(secret))
        .isInstanceOf(NotSerializableException.class);
  }

  @Test
  void jackson_refusesToSerialize_evenWhenNestedOrWithEmptyBeansAllowed() {
    Secret secret = Secret.of(TestSecrets.randomValue());
    ObjectMapper lenient =
        JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();

    assertThatThrownBy(() -> new ObjectMapper().writeValueAsString(secret))
        .isInstanceOf(JsonMappingException.class)
        .hasMessageContaining("never serialized");
    assertThatThrownBy(() -> lenient.writeValueAsString(secret))
        .isInstanceOf(JsonMappingException.class);
    assertThatThrownBy(() -> lenient.writeValueAsString(Map.of("key", secret)))
        .isInstanceOf(JsonMappingException.class);
  }

  @Test
  void insecureSecretAccess_isASingleStatelessToken() {
    assertThat(InsecureSecretAccess.get()).isSameAs(InsecureSecretAccess.get());
    assertThat(InsecureSecretAccess.get().toString()).isEqualTo("InsecureSecretAccess");
  }
}
