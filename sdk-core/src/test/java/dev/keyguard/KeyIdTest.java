package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyIdTest {

  @Test
  void of_whenValidName_keepsItAsValueAndToString() {
    KeyId id = KeyId.of("payments/stripe.live-key_1");

    assertThat(id.value()).isEqualTo("payments/stripe.live-key_1");
    assertThat(id).hasToString("payments/stripe.live-key_1");
  }

  @Test
  void equalsHashCodeAndCompareTo_areValueBased() {
    assertThat(KeyId.of("a")).isEqualTo(KeyId.of("a")).hasSameHashCodeAs(KeyId.of("a"));
    assertThat(KeyId.of("a")).isNotEqualTo(KeyId.of("b")).isNotEqualTo("a");
    assertThat(KeyId.of("a")).isLessThan(KeyId.of("b"));
    assertThat(KeyId.of("b").compareTo(KeyId.of("b"))).isZero();
  }

  @Test
  void of_whenMaximumLength_isAccepted_whenLonger_isRejected() {
    assertThat(KeyId.of("k".repeat(512)).value()).hasSize(512);
    assertThatThrownBy(() -> KeyId.of("k".repeat(513)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 512");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", " key", "key ", "\tkey", "ke\ny", "ke\u0000y", "ke\u007fy", "ke\u0085y"})
  void of_whenEmptyPaddedOrWithControlCharacters_isRejected(String bad) {
    assertThatThrownBy(() -> KeyId.of(bad)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void of_whenNull_throwsNullPointerException() {
    assertThatThrownBy(() -> KeyId.of(null)).isInstanceOf(NullPointerException.class);
  }
}
