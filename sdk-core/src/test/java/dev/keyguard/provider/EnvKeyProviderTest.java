package dev.keyguard.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.keyguard.CredentialFieldMapping;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class EnvKeyProviderTest {

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private final FakeClock clock = new FakeClock(NOW);

  private final Map<String, String> env = new ConcurrentHashMap<>();

  private EnvKeyProvider provider() {
    return EnvKeyProvider.builder().variables(env).timeSource(clock).build();
  }

  @Test
  void fetch_whenVariableHoldsAPlainKey_returnsItWithAFingerprintVersion() {
    String key = TestSecrets.randomValue();
    env.put("STRIPE_KEY", key + "\n");

    VersionedCredential c = provider().fetch(KeyId.of("STRIPE_KEY"));

    assertThat(c.keyId()).isEqualTo(KeyId.of("STRIPE_KEY"));
    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret()).isEmpty();
    assertThat(c.version()).isEqualTo(c.apiKey().fingerprint());
    assertThat(c.fetchedAt()).isEqualTo(NOW);
  }

  @Test
  void fetch_whenVariableHoldsJson_mapsTheParts() {
    String key = TestSecrets.randomValue();
    String secret = TestSecrets.randomValue();
    env.put(
        "BINANCE",
        "{\"apiKey\":\"" + key + "\",\"apiSecret\":\"" + secret + "\",\"environment\":\"prod\"}");

    VersionedCredential c = provider().fetch(KeyId.of("BINANCE"));

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(key);
    assertThat(c.apiSecret().orElseThrow().value(ACCESS)).isEqualTo(secret);
    assertThat(c.environment()).contains("prod");
  }

  @Test
  void fetch_whenCustomFieldMapping_usesIt() {
    String key = TestSecrets.randomValue();
    env.put("K", "{\"token\":\"" + key + "\"}");
    EnvKeyProvider provider =
        EnvKeyProvider.builder()
            .variables(env)
            .fieldMapping(CredentialFieldMapping.builder().apiKeyField("token").build())
            .build();

    assertThat(provider.fetch(KeyId.of("K")).apiKey().value(ACCESS)).isEqualTo(key);
  }

  @Test
  void fetch_whenVariableNotSet_isNotFoundNamingTheVariable() {
    EnvKeyProvider provider =
        EnvKeyProvider.builder().variables(env).prefix("APP_").upperCaseNames().build();

    assertThatThrownBy(() -> provider.fetch(KeyId.of("payments.stripe")))
        .isInstanceOfSatisfying(
            KeyNotFoundException.class,
            e -> {
              assertThat(e.keyId()).contains(KeyId.of("payments.stripe"));
              assertThat(e.isRetryable()).isFalse();
            })
        .hasMessageContaining("environment variable 'APP_PAYMENTS_STRIPE' is not set")
        .hasMessageContaining("'payments.stripe'");
  }

  @Test
  void fetch_whenValueBlank_isMalformedNamingTheVariable() {
    env.put("EMPTY", "  \t ");

    assertThatThrownBy(() -> provider().fetch(KeyId.of("EMPTY")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("environment variable 'EMPTY'")
        .hasMessageContaining("empty or blank");
  }

  @Test
  void fetch_whenJsonMalformed_namesVariableAndFieldWithoutEchoingTheContent() {
    String key = TestSecrets.randomValue();
    env.put("BROKEN", "{\"apiKey\":\"" + key + "\",}");

    MalformedSecretException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            MalformedSecretException.class, () -> provider().fetch(KeyId.of("BROKEN")));

    assertThat(e)
        .hasMessageContaining("environment variable 'BROKEN'")
        .hasMessageContaining("'apiKey'");
    SecretLeakAssertions.assertNoLeak(e, Secret.of(key));
  }

  @Test
  void nameMapping_prefixAndUpperCase_mapKeyIdsToConventionalNames() {
    EnvKeyProvider provider =
        EnvKeyProvider.builder().variables(env).prefix("APP_").upperCaseNames().build();

    assertThat(provider.variableName(KeyId.of("payments.stripe-key")))
        .isEqualTo("APP_PAYMENTS_STRIPE_KEY");
    assertThat(provider.variableName(KeyId.of("a b/c:ü"))).isEqualTo("APP_A_B_C__");
    assertThat(EnvKeyProvider.builder().prefix("X_").build().variableName(KeyId.of("k.v")))
        .isEqualTo("X_k.v");
    assertThat(EnvKeyProvider.builder().upperCaseNames().build().variableName(KeyId.of("k.v")))
        .isEqualTo("K_V");
    assertThat(EnvKeyProvider.create().variableName(KeyId.of("as.is"))).isEqualTo("as.is");
  }

  @Test
  void fetch_whenNameMappingFunction_readsTheNameItReturns() {
    String key = TestSecrets.randomValue();
    env.put("SECRET_FOR_binance", key);
    EnvKeyProvider provider =
        EnvKeyProvider.builder()
            .variables(env)
            .nameMapping(id -> "SECRET_FOR_" + id.value())
            .build();

    assertThat(provider.fetch(KeyId.of("binance")).apiKey().value(ACCESS)).isEqualTo(key);
  }

  @Test
  void fetch_whenNameMappingGivesNoValidName_isNotFoundSayingWhy() {
    EnvKeyProvider nulls = EnvKeyProvider.builder().variables(env).nameMapping(id -> null).build();
    EnvKeyProvider equalsSign =
        EnvKeyProvider.builder().variables(env).nameMapping(id -> "A=B").build();

    assertThatThrownBy(() -> nulls.fetch(KeyId.of("k")))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("not a valid environment variable name");
    assertThatThrownBy(() -> equalsSign.fetch(KeyId.of("k")))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("'A=B'");
  }

  @Test
  void fetch_whenNameMappingThrows_isAConfigurationErrorNotNotFound() {
    EnvKeyProvider provider =
        EnvKeyProvider.builder()
            .variables(env)
            .nameMapping(
                id -> {
                  throw new IllegalArgumentException("unsupported id");
                })
            .build();

    assertThatThrownBy(() -> provider.fetch(KeyId.of("k")))
        .isExactlyInstanceOf(KeyGuardException.class)
        .hasMessageContaining("name mapping failed")
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(((KeyGuardException) e).isRetryable()).isFalse());
  }

  @Test
  void fetch_whenLookupDenied_isAccessDenied_whenLookupFails_isUnavailable() {
    EnvKeyProvider denied =
        EnvKeyProvider.builder()
            .lookup(
                name -> {
                  throw new SecurityException("no getenv");
                })
            .build();
    EnvKeyProvider failing =
        EnvKeyProvider.builder()
            .lookup(
                name -> {
                  throw new IllegalStateException("loader broken");
                })
            .build();

    assertThatThrownBy(() -> denied.fetch(KeyId.of("K")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("'K'")
        .hasCauseInstanceOf(SecurityException.class);
    assertThatThrownBy(() -> failing.fetch(KeyId.of("K")))
        .isInstanceOfSatisfying(
            KeyProviderUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void fetch_readsTheSourceEveryTime_unchangedValueIsTheSameVersion() {
    EnvKeyProvider provider = provider();
    KeyId id = KeyId.of("ROTATING");
    env.put("ROTATING", TestSecrets.randomValue());

    VersionedCredential first = provider.fetch(id);
    VersionedCredential again = provider.fetch(id);
    env.put("ROTATING", TestSecrets.randomValue());
    VersionedCredential rotated = provider.fetch(id);

    assertThat(again.sameVersionAs(first)).isTrue();
    assertThat(rotated.sameVersionAs(first)).isFalse();
  }

  @Test
  void fetch_whenJsonHasAVersion_usesIt() {
    env.put("V", "{\"apiKey\":\"" + TestSecrets.randomValue() + "\",\"version\":\"2026-03\"}");

    assertThat(provider().fetch(KeyId.of("V")).version()).isEqualTo("2026-03");
  }

  @Test
  void create_readsTheRealProcessEnvironment() {
    String name =
        System.getenv().keySet().stream()
            .filter(n -> !System.getenv(n).isBlank() && !System.getenv(n).strip().startsWith("{"))
            .findFirst()
            .orElseThrow();

    VersionedCredential c = EnvKeyProvider.create().fetch(KeyId.of(name));

    assertThat(c.apiKey().value(ACCESS)).isEqualTo(System.getenv(name).strip());
    assertThatThrownBy(
            () ->
                EnvKeyProvider.create()
                    .fetch(KeyId.of("KEYGUARD_UNSET_" + TestSecrets.randomHex(8))))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void builder_rejectsConflictsAtBuild_andBadValuesWhenSet() {
    assertThatThrownBy(
            () -> EnvKeyProvider.builder().prefix("A_").nameMapping(KeyId::value).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "nameMapping cannot be combined with prefix or upperCaseNames: put them in the function");
    assertThatThrownBy(
            () -> EnvKeyProvider.builder().upperCaseNames().nameMapping(KeyId::value).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("upperCaseNames");
    assertThatThrownBy(() -> EnvKeyProvider.builder().prefix("A_").prefix("A="))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an environment variable prefix must be non-empty, without '=' or NUL");
    assertThatThrownBy(() -> EnvKeyProvider.builder().timeSource(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> EnvKeyProvider.builder().prefix("A="))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvKeyProvider.builder().prefix(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvKeyProvider.builder().variables(null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void builder_whenASettingIsSetTwice_theLastCallWins() {
    String first = TestSecrets.randomValue();
    String second = TestSecrets.randomValue();
    env.put("B_K", first);
    Map<String, String> other = Map.of("B_K", "{\"token\":\"" + second + "\"}");
    FakeClock later = new FakeClock(NOW.plus(Duration.ofHours(1)));

    EnvKeyProvider provider =
        EnvKeyProvider.builder()
            .prefix("A_")
            .prefix("B_")
            .variables(env)
            .lookup(other::get)
            .fieldMapping(CredentialFieldMapping.defaults())
            .fieldMapping(CredentialFieldMapping.builder().apiKeyField("token").build())
            .timeSource(clock)
            .timeSource(later)
            .build();
    VersionedCredential c = provider.fetch(KeyId.of("K"));

    assertThat(provider.variableName(KeyId.of("K"))).isEqualTo("B_K");
    assertThat(c.apiKey().value(ACCESS)).isEqualTo(second);
    assertThat(c.fetchedAt()).isEqualTo(later.instant());
    assertThat(provider)
        .hasToString("EnvKeyProvider[prefix 'B_', variables from a lookup function]");
  }

  @Test
  void build_whenTheBuilderChangesAfterwards_theBuiltProviderKeepsItsSettings() {
    EnvKeyProvider.Builder builder =
        EnvKeyProvider.builder().prefix("A_").variables(env).timeSource(clock);
    EnvKeyProvider provider = builder.build();

    builder.prefix("B_").upperCaseNames().timeSource(new FakeClock(NOW.plusSeconds(60)));
    env.put("A_k", TestSecrets.randomValue());

    assertThat(provider.variableName(KeyId.of("k"))).isEqualTo("A_k");
    assertThat(provider.fetch(KeyId.of("k")).fetchedAt()).isEqualTo(NOW);
    assertThat(builder.build().variableName(KeyId.of("k"))).isEqualTo("B_K");
  }

  @Test
  void build_canBeCalledTwice() {
    EnvKeyProvider.Builder builder = EnvKeyProvider.builder().variables(env);

    assertThat(builder.build()).isNotSameAs(builder.build());
  }

  @Test
  void logs_nameKeyAndVariableButNeverTheValue() {
    String key = TestSecrets.randomValue();
    env.put("LOGGED", key);

    try (LogCapture logs = LogCapture.of(EnvKeyProvider.class)) {
      provider().fetch(KeyId.of("LOGGED"));

      assertThat(logs.messages(Level.DEBUG)).singleElement().asString().contains("'LOGGED'");
      SecretLeakAssertions.assertNoLeakInText("EnvKeyProvider logs", logs.text(), Secret.of(key));
    }
  }

  @Test
  void nameAndToString_describeTheMappingOnly() {
    env.put("X", TestSecrets.randomValue());
    EnvKeyProvider provider =
        EnvKeyProvider.builder().variables(env).prefix("APP_").upperCaseNames().build();

    assertThat(provider.name()).isEqualTo("env");
    assertThat(provider.toString())
        .isEqualTo("EnvKeyProvider[prefix 'APP_', upper-case names, variables from a map]");
    assertThat(EnvKeyProvider.create().toString()).isEqualTo("EnvKeyProvider[no prefix]");
  }
}
