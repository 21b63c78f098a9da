package dev.keyguard.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class SystemPropertyKeyProviderTest {

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private final Map<String, String> properties = new ConcurrentHashMap<>();

  @Test
  void fetch_whenRealSystemPropertySet_readsIt_andSeesAChangeAtTheNextFetch() {
    String name = "keyguard.test." + TestSecrets.randomHex(8);
    String first = TestSecrets.randomValue();
    String second = TestSecrets.randomValue();
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder().prefix("keyguard.test.").build();
    KeyId id = KeyId.of(name.substring("keyguard.test.".length()));
    try {
      System.setProperty(name, first);
      VersionedCredential a = provider.fetch(id);
      System.setProperty(name, second);
      VersionedCredential b = provider.fetch(id);

      assertThat(a.apiKey().value(ACCESS)).isEqualTo(first);
      assertThat(b.apiKey().value(ACCESS)).isEqualTo(second);
      assertThat(b.sameVersionAs(a)).isFalse();
      assertThat(provider.propertyName(id)).isEqualTo(name);
    } finally {
      System.clearProperty(name);
    }
  }

  @Test
  void fetch_whenPropertyNotSet_isNotFoundNamingTheProperty() {
    String name = "keyguard.unset." + TestSecrets.randomHex(8);

    assertThatThrownBy(() -> SystemPropertyKeyProvider.create().fetch(KeyId.of(name)))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("system property '" + name + "' is not set");
  }

  @Test
  void fetch_whenJsonInAMap_mapsThePartsAndStampsTheClock() {
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValue();
    properties.put("kg.kraken", "{\"apiKey\":\"" + key + "\",\"apiSecret\":\"" + secret + "\"}");
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder()
            .properties(properties)
            .prefix("kg.")
            .timeSource(new FakeClock(NOW))
            .build();

    VersionedCredential c = provider.fetch(KeyId.of("kraken"));

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret().orElseThrow().value(ACCESS)).isEqualTo(secret);
    assertThat(c.fetchedAt()).isEqualTo(NOW);
    assertThat(c.version())
        .isEqualTo(c.apiKey().fingerprint() + "+" + c.apiSecret().orElseThrow().fingerprint());
  }

  @Test
  void fetch_whenBlankOrMalformed_isMalformedNamingThePropertyWithoutTheContent() {
    String key = TestSecrets.randomValue();
    properties.put("blank", " ");
    properties.put("broken", "{\"apiKey\":\"" + key + "\"");
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder().properties(properties).build();

    assertThatThrownBy(() -> provider.fetch(KeyId.of("blank")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("system property 'blank'");
    MalformedSecretException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            MalformedSecretException.class, () -> provider.fetch(KeyId.of("broken")));
    assertThat(e).hasMessageContaining("system property 'broken'").hasMessageContaining("'apiKey'");
    SecretLeakAssertions.assertNoLeak(e, Secret.of(key));
  }

  @Test
  void fetch_whenNameMappingFunction_readsTheNameItReturns() {
    String key = TestSecrets.randomValue();
    properties.put("secrets/binance/key", key);
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder()
            .properties(properties)
            .nameMapping(id -> "secrets/" + id.value() + "/key")
            .build();

    assertThat(provider.fetch(KeyId.of("binance")).apiKey().value(ACCESS)).isEqualTo(key);
  }

  @Test
  void fetch_whenLookupDenied_isAccessDenied() {
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder()
            .lookup(
                n -> {
                  throw new SecurityException("denied");
                })
            .build();

    assertThatThrownBy(() -> provider.fetch(KeyId.of("k")))
        .isInstanceOf(KeyAccessDeniedException.class);
  }

  @Test
  void builder_rejectsConflictsAtBuild_andBadValuesWhenSet() {
    assertThatThrownBy(
            () ->
                SystemPropertyKeyProvider.builder().prefix("a.").nameMapping(KeyId::value).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("nameMapping cannot be combined with prefix: put the prefix in the function");
    assertThatThrownBy(() -> SystemPropertyKeyProvider.builder().prefix(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a system property prefix must be non-empty, without NUL");
    assertThat(
            SystemPropertyKeyProvider.builder().prefix("a=b.").build().propertyName(KeyId.of("k")))
        .isEqualTo("a=b.k");
  }

  @Test
  void builder_whenASettingIsSetTwice_theLastCallWins() {
    String key = TestSecrets.randomValue();
    properties.put("b.k", "{\"token\":\"" + key + "\"}");
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder()
            .lookup(System::getProperty)
            .properties(properties)
            .prefix("a.")
            .prefix("b.")
            .fieldMapping(CredentialFieldMapping.defaults())
            .fieldMapping(CredentialFieldMapping.builder().apiKeyField("token").build())
            .build();

    assertThat(provider.fetch(KeyId.of("k")).apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(provider)
        .hasToString("SystemPropertyKeyProvider[prefix 'b.', properties from a map]");
  }

  @Test
  void logsNameAndToString_neverShowTheValue() {
    String key = TestSecrets.randomValue();
    properties.put("p", key);
    SystemPropertyKeyProvider provider =
        SystemPropertyKeyProvider.builder().properties(properties).build();

    try (LogCapture logs = LogCapture.of(SystemPropertyKeyProvider.class)) {
      provider.fetch(KeyId.of("p"));
      assertThat(logs.text()).contains("'p'");
      SecretLeakAssertions.assertNoLeakInText("logs", logs.text(), Secret.of(key));
    }
    assertThat(provider.name()).isEqualTo("system-properties");
    assertThat(provider).hasToString("SystemPropertyKeyProvider[no prefix, properties from a map]");
  }
}
