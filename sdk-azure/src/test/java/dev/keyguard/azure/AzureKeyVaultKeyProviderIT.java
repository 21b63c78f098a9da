package dev.keyguard.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.ExceptionTextAssertions;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provider on the real {@code SecretClient} (azure-security-keyvault-secrets 4.11, Netty, the
 * bearer challenge and its token policy) against {@link KeyVaultEmulator}: the emulator of the Key
 * Vault REST specification, not the Azure service.
 */
class AzureKeyVaultKeyProviderIT {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static KeyVaultEmulator emulator;
  private static SecretClient admin;
  private static AzureKeyVaultKeyProvider provider;

  @BeforeAll
  static void start() throws IOException {
    emulator = KeyVaultEmulator.start(AzureTestSupport.oneSecondPerWrite());
    admin = AzureTestSupport.admin(emulator);
    provider = AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER).build();
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  private static String uniqueName(String base) {
    return base + "-" + NAMES.incrementAndGet();
  }

  private static KeyVaultSecret set(String name, String value) {
    return admin.setSecret(name, value);
  }

  private static KeyVaultSecret set(String name, String value, SecretProperties properties) {
    return admin.setSecret(new KeyVaultSecret(name, value).setProperties(properties));
  }

  private static void disable(KeyVaultSecret secret) {
    admin.updateSecretProperties(secret.getProperties().setEnabled(false));
  }

  private static String raw(Secret secret) {
    return secret.value(InsecureSecretAccess.get());
  }

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  @Test
  void fetch_readsTheLatestVersion_withItsVersionTimesAndTags() {
    String name = uniqueName("market-data");
    Secret value = TestSecrets.randomSecret();
    Instant expires =
        Instant.now().plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    KeyVaultSecret stored =
        set(
            name,
            raw(value),
            new SecretProperties()
                .setExpiresOn(at(expires))
                .setTags(Map.of("keyguard:scopes", "read, trade", "keyguard:environment", "prod")));

    VersionedCredential credential = provider.fetch(KeyId.of(name));

    assertThat(credential.apiKey().equalsSecret(value)).isTrue();
    assertThat(credential.version()).isEqualTo(stored.getProperties().getVersion()).hasSize(32);
    assertThat(credential.expiresAt()).contains(expires);
    assertThat(credential.createdAt()).contains(stored.getProperties().getCreatedOn().toInstant());
    assertThat(credential.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(credential.environment()).contains("prod");
    SecretLeakAssertions.assertNoLeak(credential, value);
    SecretLeakAssertions.assertNoLeak(provider, value);
  }

  @Test
  void theSdk_answersTheChallenge_withATokenForTheVaultResource() throws IOException {
    // a vault of its own: the SDK caches a challenge per host, so it is met on first contact only
    try (KeyVaultEmulator fresh = KeyVaultEmulator.start()) {
      AzureTestSupport.StaticTokenCredential credential =
          new AzureTestSupport.StaticTokenCredential(
              fresh.issueToken(KeyVaultEmulator.Role.SECRETS_USER));
      AzureTestSupport.admin(fresh).setSecret("challenge", TestSecrets.randomValue());
      AzureKeyVaultKeyProvider own =
          AzureKeyVaultKeyProvider.builder()
              .vaultUrl(fresh.vaultUrl())
              .credential(credential)
              .httpClient(AzureTestSupport.httpClient(fresh))
              .disableChallengeResourceVerificationForTesting()
              .build();

      own.fetch(KeyId.of("challenge"));
      own.fetch(KeyId.of("challenge"));

      // the admin client met the challenge (PUT without a body, then with the token); the
      // provider's first GET carries the token for the scope the challenge named, and the second
      // the cached token
      assertThat(credential.scopes).containsExactly("https://vault.azure.net/.default");
      assertThat(fresh.requests())
          .containsExactly(
              "PUT /secrets/challenge",
              "PUT /secrets/challenge",
              "GET /secrets/challenge/",
              "GET /secrets/challenge/");
    }
  }

  @Test
  void aChallengeNamingAnotherResource_getsNoToken_unlessVerificationIsOff() throws IOException {
    try (KeyVaultEmulator fresh = KeyVaultEmulator.start()) {
      AzureTestSupport.StaticTokenCredential credential =
          new AzureTestSupport.StaticTokenCredential(
              fresh.issueToken(KeyVaultEmulator.Role.SECRETS_USER));
      AzureKeyVaultKeyProvider verifying =
          AzureKeyVaultKeyProvider.builder()
              .vaultUrl(fresh.vaultUrl())
              .credential(credential)
              .httpClient(AzureTestSupport.httpClient(fresh))
              .retryOptions(AzureTestSupport.quickRetries())
              .build();

      // resource "https://vault.azure.net" is not the domain of host 127.0.0.1
      KeyAccessDeniedException e =
          catchThrowableOfType(
              KeyAccessDeniedException.class, () -> verifying.fetch(KeyId.of("anything")));

      ExceptionTextAssertions.assertNoRepeatedText(e);
      assertThat(e.getMessage()).contains("bearer challenge").contains("vault's own URL");
      assertThat(credential.scopes).isEmpty();
    }
  }

  @Test
  void aKeyIdWithDots_readsTheSecretWithHyphens() {
    Secret value = TestSecrets.randomSecret();
    String suffix = Integer.toString(NAMES.incrementAndGet());
    set("coingecko-pro-" + suffix, raw(value));

    VersionedCredential credential = provider.fetch(KeyId.of("coingecko.pro." + suffix));

    assertThat(credential.apiKey().equalsSecret(value)).isTrue();
    assertThat(credential.keyId()).isEqualTo(KeyId.of("coingecko.pro." + suffix));
  }

  @Test
  void aKeyIdThatCannotMap_isRefusedWithoutACall() {
    int before = emulator.requests().size();

    KeyGuardException e =
        catchThrowableOfType(KeyGuardException.class, () -> provider.fetch(KeyId.of("prix+€")));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage()).contains("prix+€").contains("'+'").contains("secretNameMapping");
    assertThat(e.isRetryable()).isFalse();
    assertThat(emulator.requests()).hasSize(before);
  }

  @Test
  void aJsonSecret_mapsItsFieldsThroughTheSharedMapping() {
    String name = uniqueName("binance");
    Secret apiKey = TestSecrets.randomSecret();
    Secret apiSecret = TestSecrets.randomSecret();
    set(
        name,
        "{\"apiKey\":\"" + raw(apiKey) + "\",\"apiSecret\":\"" + raw(apiSecret) + "\"}",
        new SecretProperties().setContentType("application/json"));

    VersionedCredential credential = provider.fetch(KeyId.of(name));

    assertThat(credential.apiKey().equalsSecret(apiKey)).isTrue();
    assertThat(credential.apiSecret()).hasValueSatisfying(s -> s.equalsSecret(apiSecret));
  }

  @Test
  void aJsonContentTypeWithAPlainValue_isMalformed_andTheMessageHoldsNoValue() {
    String name = uniqueName("not-json");
    Secret value = TestSecrets.randomSecret();
    set(name, raw(value), new SecretProperties().setContentType("application/json"));

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> provider.fetch(KeyId.of(name)));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage()).contains("application/json").contains(name);
    SecretLeakAssertions.assertNoLeak(e, value);
  }

  @Test
  void aNewVersion_isReadByTheNextFetch() {
    String name = uniqueName("rotating");
    set(name, TestSecrets.randomValue());
    VersionedCredential first = provider.fetch(KeyId.of(name));
    Secret next = TestSecrets.randomSecret();
    KeyVaultSecret second = set(name, raw(next));

    VersionedCredential read = provider.fetch(KeyId.of(name));

    assertThat(read.version())
        .isEqualTo(second.getProperties().getVersion())
        .isNotEqualTo(first.version());
    assertThat(read.apiKey().equalsSecret(next)).isTrue();
  }

  @Test
  void aDisabledLatestVersion_isSkipped_forThePreviousEnabledOne_alsoAsAlternate() {
    String name = uniqueName("disabled-latest");
    Secret older = TestSecrets.randomSecret();
    KeyVaultSecret v1 = set(name, TestSecrets.randomValue());
    KeyVaultSecret v2 = set(name, raw(older));
    KeyVaultSecret v3 = set(name, TestSecrets.randomValue());
    disable(v3);

    VersionedCredential read = provider.fetch(KeyId.of(name));
    List<VersionedCredential> alternates = provider.fetchAlternates(KeyId.of(name));

    assertThat(read.version()).isEqualTo(v2.getProperties().getVersion());
    assertThat(read.apiKey().equalsSecret(older)).isTrue();
    assertThat(alternates)
        .extracting(VersionedCredential::version)
        .containsExactly(v1.getProperties().getVersion());
  }

  @Test
  void everyVersionDisabled_isDenied_withAClearMessage() {
    String name = uniqueName("all-disabled");
    disable(set(name, TestSecrets.randomValue()));
    disable(set(name, TestSecrets.randomValue()));

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> provider.fetch(KeyId.of(name)));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage())
        .contains(name)
        .contains("no usable version")
        .contains("2 disabled")
        .contains("set-attributes --enabled true");
  }

  @Test
  void anExpiredLatestVersion_isNeverServed_thePreviousValidOneIs() {
    String name = uniqueName("expired-latest");
    KeyVaultSecret valid = set(name, TestSecrets.randomValue());
    set(
        name,
        TestSecrets.randomValue(),
        new SecretProperties().setExpiresOn(at(Instant.now().minusSeconds(60))));

    assertThat(provider.fetch(KeyId.of(name)).version())
        .isEqualTo(valid.getProperties().getVersion());
  }

  @Test
  void anExpiredSecret_isRefused() {
    String name = uniqueName("expired");
    set(
        name,
        TestSecrets.randomValue(),
        new SecretProperties().setExpiresOn(at(Instant.now().minusSeconds(60))));

    KeyGuardException e =
        catchThrowableOfType(KeyGuardException.class, () -> provider.fetch(KeyId.of(name)));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage()).contains("1 expired").contains("set a new version");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void aVersionNotValidYet_isNotServedUntilItsNotBeforePasses_onTheProvidersClock() {
    FakeClock clock =
        new FakeClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    AzureKeyVaultKeyProvider onClock =
        AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
            .timeSource(clock)
            .build();
    String name = uniqueName("staged");
    KeyVaultSecret current = set(name, TestSecrets.randomValue());
    Instant notBefore = clock.now().plus(Duration.ofHours(1));
    KeyVaultSecret staged =
        set(name, TestSecrets.randomValue(), new SecretProperties().setNotBefore(at(notBefore)));

    VersionedCredential before = onClock.fetch(KeyId.of(name));
    clock.advance(Duration.ofHours(1));
    VersionedCredential after = onClock.fetch(KeyId.of(name));

    assertThat(before.version()).isEqualTo(current.getProperties().getVersion());
    assertThat(after.version()).isEqualTo(staged.getProperties().getVersion());
    assertThat(after.notBefore()).contains(notBefore);
  }

  @Test
  void theOnlyVersionNotValidYet_isRetryable_namingWhenItBecomesValid() {
    FakeClock clock =
        new FakeClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    AzureKeyVaultKeyProvider onClock =
        AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
            .timeSource(clock)
            .build();
    String name = uniqueName("not-yet");
    Instant notBefore = clock.now().plus(Duration.ofMinutes(10));
    set(name, TestSecrets.randomValue(), new SecretProperties().setNotBefore(at(notBefore)));

    KeyProviderUnavailableException e =
        catchThrowableOfType(
            KeyProviderUnavailableException.class, () -> onClock.fetch(KeyId.of(name)));
    clock.advance(Duration.ofMinutes(10));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("becomes valid at " + notBefore);
    assertThat(onClock.fetch(KeyId.of(name)).notBefore()).contains(notBefore);
  }

  @Test
  void theFallback_findsAnEnabledVersionOnALaterPageOfTheListing() {
    String name = uniqueName("many-versions");
    Secret oldest = TestSecrets.randomSecret();
    KeyVaultSecret first = set(name, raw(oldest));
    for (int i = 0; i < 29; i++) {
      disable(set(name, TestSecrets.randomValue()));
    }

    VersionedCredential read = provider.fetch(KeyId.of(name));

    assertThat(read.version()).isEqualTo(first.getProperties().getVersion());
    assertThat(emulator.requests()).contains("GET /secrets/" + name + "/versions");
  }

  @Test
  void aPinnedVersion_isReadEvenWhenNewerOnesExist_andFailsWhenDisabled() {
    String name = uniqueName("pinned");
    KeyVaultSecret v1 = set(name, TestSecrets.randomValue());
    set(name, TestSecrets.randomValue());
    String version = v1.getProperties().getVersion();
    AzureKeyVaultKeyProvider pinned =
        AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
            .pinVersion(name, version)
            .build();

    assertThat(pinned.fetch(KeyId.of(name)).version()).isEqualTo(version);
    assertThat(pinned.fetchAlternates(KeyId.of(name))).isEmpty();
    disable(v1);
    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> pinned.fetch(KeyId.of(name)));
    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage()).contains("disabled").contains(version);
  }

  @Test
  void aMissingSecret_isNotFound() {
    KeyNotFoundException e =
        catchThrowableOfType(
            KeyNotFoundException.class, () -> provider.fetch(KeyId.of("no-such-secret")));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage()).contains("no-such-secret").contains("SecretNotFound");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void aSoftDeletedSecret_isNotFound() {
    String name = uniqueName("deleted");
    set(name, TestSecrets.randomValue());
    admin.beginDeleteSecret(name).waitForCompletion(Duration.ofSeconds(10));

    assertThat(
            catchThrowableOfType(KeyNotFoundException.class, () -> provider.fetch(KeyId.of(name))))
        .hasMessageContaining("az keyvault secret recover");
  }

  @Test
  void anIdentityWithoutTheSecretsUserRole_isDenied_namingThePermission() {
    String name = uniqueName("rbac");
    set(name, TestSecrets.randomValue());
    AzureKeyVaultKeyProvider reader =
        AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.READER).build();

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> reader.fetch(KeyId.of(name)));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage())
        .contains("secrets/get")
        .contains("Key Vault Secrets User")
        .contains("ForbiddenByRbac");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void aTokenTheVaultRejects_isDeniedAfterTheChallenge() {
    String name = uniqueName("bad-token");
    set(name, TestSecrets.randomValue());
    AzureKeyVaultKeyProvider stranger =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(emulator.vaultUrl())
            .credential(new AzureTestSupport.StaticTokenCredential(TestSecrets.randomValue()))
            .httpClient(AzureTestSupport.httpClient(emulator))
            .retryOptions(AzureTestSupport.quickRetries())
            .disableChallengeResourceVerificationForTesting()
            .build();

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> stranger.fetch(KeyId.of(name)));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.getMessage()).contains("HTTP 401").contains("TokenCredential");
  }

  @Test
  void throttling_isWaitedOutByTheSdk_honouringRetryAfter() {
    String name = uniqueName("throttled-once");
    Secret value = TestSecrets.randomSecret();
    set(name, raw(value));
    emulator.throttleNext(1, Duration.ofSeconds(1));
    long start = System.nanoTime();

    VersionedCredential read = provider.fetch(KeyId.of(name));

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(read.apiKey().equalsSecret(value)).isTrue();
  }

  @Test
  void throttlingThatOutlastsTheSdkRetries_isRetryable_withRetryAfter() {
    String name = uniqueName("throttled");
    set(name, TestSecrets.randomValue());
    emulator.throttleNext(3, Duration.ofSeconds(1));

    KeyProviderUnavailableException e =
        catchThrowableOfType(
            KeyProviderUnavailableException.class, () -> provider.fetch(KeyId.of(name)));

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage())
        .contains("throttled")
        .contains("Retry-After: 1")
        .contains("Throttled");
  }

  @Test
  void byDefault_theSdkDoesNotRetry_soAFailedFetchCostsOneKeyVaultCall() {
    String name = uniqueName("no-sdk-retries");
    set(name, TestSecrets.randomValue());
    AzureKeyVaultKeyProvider defaults =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(emulator.vaultUrl())
            .credential(
                new AzureTestSupport.StaticTokenCredential(
                    emulator.issueToken(KeyVaultEmulator.Role.SECRETS_USER)))
            .httpClient(AzureTestSupport.httpClient(emulator))
            .disableChallengeResourceVerificationForTesting()
            .build();
    defaults.fetch(KeyId.of(name)); // the bearer challenge is answered and cached
    String read = "GET /secrets/" + name;
    long before = emulator.requests().stream().filter(r -> r.startsWith(read)).count();
    emulator.throttleNext(3, Duration.ofSeconds(1));

    KeyProviderUnavailableException e =
        catchThrowableOfType(
            KeyProviderUnavailableException.class, () -> defaults.fetch(KeyId.of(name)));

    long calls = emulator.requests().stream().filter(r -> r.startsWith(read)).count() - before;
    emulator.throttleNext(0, Duration.ZERO);
    assertThat(e.isRetryable()).isTrue();
    assertThat(calls).as("Key Vault calls for one failed fetch").isEqualTo(1);
  }

  @Test
  void aVaultThatIsDown_isRetryable_andTheNextFetchAfterItIsBackSucceeds() throws IOException {
    String name = uniqueName("outage");
    set(name, TestSecrets.randomValue());

    emulator.stop();
    KeyProviderUnavailableException e;
    try {
      e =
          catchThrowableOfType(
              KeyProviderUnavailableException.class, () -> provider.fetch(KeyId.of(name)));
    } finally {
      emulator.restart();
    }

    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("could not call Azure Key Vault").contains(name);
    assertThat(provider.fetch(KeyId.of(name)).keyId()).isEqualTo(KeyId.of(name));
  }
}
