package dev.keyguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.testing.TestSecrets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionedCredentialTest {

  private static final KeyId ID = KeyId.of("binance");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void build_whenAllPartsSet_exposesThem() {
    Secret key = TestSecrets.randomSecret();
    Secret secret = TestSecrets.randomSecret();

    VersionedCredential c =
        VersionedCredential.builder(ID, key)
            .apiSecret(secret)
            .version("7")
            .fetchedAt(T0)
            .notBefore(T0.minusSeconds(60))
            .expiresAt(T0.plusSeconds(3600))
            .createdAt(T0.minusSeconds(86400))
            .scopes(List.of("read", "trade"))
            .environment("prod")
            .build();

    assertThat(c.keyId()).isEqualTo(ID);
    assertThat(c.version()).isEqualTo("7");
    assertThat(c.apiKey()).isSameAs(key);
    assertThat(c.apiSecret()).containsSame(secret);
    assertThat(c.fetchedAt()).isEqualTo(T0);
    assertThat(c.notBefore()).contains(T0.minusSeconds(60));
    assertThat(c.expiresAt()).contains(T0.plusSeconds(3600));
    assertThat(c.createdAt()).contains(T0.minusSeconds(86400));
    assertThat(c.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(c.environment()).contains("prod");
  }

  @Test
  void build_whenOptionalPartsMissing_areEmpty() {
    Instant before = Instant.now();
    VersionedCredential c = VersionedCredential.builder(ID, TestSecrets.randomSecret()).build();

    assertThat(c.apiSecret()).isEmpty();
    assertThat(c.notBefore()).isEmpty();
    assertThat(c.expiresAt()).isEmpty();
    assertThat(c.createdAt()).isEmpty();
    assertThat(c.environment()).isEmpty();
    assertThat(c.scopes()).isEmpty();
    assertThat(c.fetchedAt()).isBetween(before, Instant.now());
  }

  @Test
  void scopes_areUnmodifiable() {
    VersionedCredential c =
        VersionedCredential.builder(ID, TestSecrets.randomSecret()).scopes(List.of("read")).build();

    assertThatThrownBy(() -> c.scopes().add("admin"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void version_whenNotSet_isDerivedFromTheFingerprints() {
    Secret key = TestSecrets.randomSecret();
    Secret secret = TestSecrets.randomSecret();

    assertThat(VersionedCredential.builder(ID, key).build().version()).isEqualTo(key.fingerprint());
    assertThat(VersionedCredential.builder(ID, key).apiSecret(secret).build().version())
        .isEqualTo(key.fingerprint() + "+" + secret.fingerprint());
  }

  @Test
  void sameVersionAs_whenDerivedVersionsOfEqualValues_isTrue_whenValueChanged_isFalse() {
    String value = TestSecrets.randomValue();
    VersionedCredential a = VersionedCredential.builder(ID, Secret.of(value)).build();
    VersionedCredential b = VersionedCredential.builder(ID, Secret.of(value)).fetchedAt(T0).build();
    VersionedCredential changed =
        VersionedCredential.builder(ID, TestSecrets.randomSecret()).build();

    assertThat(a.sameVersionAs(b)).isTrue();
    assertThat(a.sameVersionAs(changed)).isFalse();
    assertThat(a.sameVersionAs(null)).isFalse();
  }

  @Test
  void sameVersionAs_whenSameVersionOfAnotherKey_isFalse() {
    Secret key = TestSecrets.randomSecret();
    VersionedCredential a = VersionedCredential.builder(ID, key).version("1").build();
    VersionedCredential other =
        VersionedCredential.builder(KeyId.of("other"), key).version("1").build();

    assertThat(a.sameVersionAs(other)).isFalse();
    assertThat(a.sameVersionAs(a.toBuilder().build())).isTrue();
  }

  @Test
  void isUsableAt_honoursNotBeforeInclusiveAndExpiresAtExclusive() {
    VersionedCredential c =
        VersionedCredential.builder(ID, TestSecrets.randomSecret())
            .notBefore(T0)
            .expiresAt(T0.plusSeconds(10))
            .build();

    assertThat(c.isUsableAt(T0.minusNanos(1))).isFalse();
    assertThat(c.isUsableAt(T0)).isTrue();
    assertThat(c.isUsableAt(T0.plusSeconds(10).minusNanos(1))).isTrue();
    assertThat(c.isUsableAt(T0.plusSeconds(10))).isFalse();
    assertThat(VersionedCredential.builder(ID, TestSecrets.randomSecret()).build().isUsableAt(T0))
        .isTrue();
  }

  @Test
  void build_whenNotBeforeIsNotBeforeExpiry_throwsNamingBoth() {
    VersionedCredential.Builder b =
        VersionedCredential.builder(ID, TestSecrets.randomSecret()).notBefore(T0).expiresAt(T0);

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("binance")
        .hasMessageContaining("notBefore")
        .hasMessageContaining("expiresAt");
  }

  @Test
  void builder_rejectsMissingOrBlankSettingsAsTheyAreSet() {
    Secret key = TestSecrets.randomSecret();
    VersionedCredential.Builder b = VersionedCredential.builder(ID, key);

    assertThatThrownBy(() -> VersionedCredential.builder(null, key))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> VersionedCredential.builder(ID, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.version(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.version(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.fetchedAt(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.scopes(java.util.Arrays.asList("a", null)))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void toBuilder_copiesEverything() {
    VersionedCredential c =
        VersionedCredential.builder(ID, TestSecrets.randomSecret())
            .apiSecret(TestSecrets.randomSecret())
            .version("3")
            .fetchedAt(T0)
            .notBefore(T0)
            .expiresAt(T0.plusSeconds(1))
            .createdAt(T0)
            .scopes(List.of("read"))
            .environment("dev")
            .build();

    VersionedCredential copy = c.toBuilder().build();

    assertThat(copy).usingRecursiveComparison().isEqualTo(c);
    assertThat(c.toBuilder().version("4").build().version()).isEqualTo("4");
  }

  @Test
  void toString_showsIdVersionAndFingerprintsOnly() {
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValue();
    VersionedCredential c =
        VersionedCredential.builder(ID, Secret.of(key))
            .apiSecret(Secret.of(secret))
            .version("9")
            .environment("prod")
            .build();

    assertThat(c.toString())
        .startsWith("VersionedCredential[keyId=binance, version=9")
        .contains(c.apiKey().fingerprint())
        .contains(c.apiSecret().orElseThrow().fingerprint())
        .doesNotContain(key)
        .doesNotContain(secret);
  }
}
