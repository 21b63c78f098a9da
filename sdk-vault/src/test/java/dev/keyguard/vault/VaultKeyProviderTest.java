package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Secret;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Answers a real server cannot be made to give (412, 429, 503, a redirect, bodies without a field),
 * headers, settings and leaks; against an HTTPS stub. The token is a canary throughout.
 */
class VaultKeyProviderTest {

  @RegisterExtension final VaultStub vault = new VaultStub();

  private static final String ROOT_LOOKUP =
      "{\"data\":{\"ttl\":0,\"renewable\":false,\"expire_time\":null}}";

  private final FakeClock clock = new FakeClock();
  private VaultKeyProvider provider;

  @AfterEach
  void tearDown() {
    if (provider != null) {
      provider.close();
    }
  }

  private VaultKeyProvider provider(VaultKeyProvider.Builder b) {
    provider = b.timeSource(clock).build();
    return provider;
  }

  private VaultKeyProvider rootProvider() {
    vault.json(200, ROOT_LOOKUP);
    return provider(vault.builder(VaultAuthentication.token(Canaries.apiKey())));
  }

  @Test
  void fetch_sendsTheTokenAndNamespaceHeaders_toTheDataPath_overHttps() throws Exception {
    vault.json(200, ROOT_LOOKUP);
    VaultKeyProvider p =
        provider(vault.builder(VaultAuthentication.token(Canaries.apiKey())).namespace("team-a/"));
    vault.kv2(3, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    assertThat(p.fetch(KeyId.of("apps/openai")).version()).isEqualTo("3");

    vault.take(); // lookup-self
    RecordedRequest read = vault.take();
    assertThat(read.getUrl().encodedPath()).isEqualTo("/v1/secret/data/apps/openai");
    assertThat(read.getHeaders().get(VaultHttp.NAMESPACE_HEADER)).isEqualTo("team-a");
    assertThat(Canaries.rawValue(Canaries.apiKey()).equals(read.getHeaders().get("X-Vault-Token")))
        .isTrue();
    assertThat(read.getHandshake()).as("TLS").isNotNull();
  }

  @ParameterizedTest
  @CsvSource({
    "412, replica",
    "429, throttled",
    "503, sealed",
    "500, HTTP 500",
    "502, HTTP 502",
  })
  void fetch_onATransientStatus_isRetryableUnavailable(int status, String said) {
    VaultKeyProvider p = rootProvider();
    vault.json(status, "{\"errors\":[\"try later\"]}");

    KeyProviderUnavailableException e =
        catchThrowableOfType(KeyProviderUnavailableException.class, () -> p.fetch(KeyId.of("app")));

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains(said).contains("secret/data/app").contains("try later");
  }

  @Test
  void fetch_on400_isAMalformedRequestThatIsNotRetried() {
    VaultKeyProvider p = rootProvider();
    vault.json(400, "{\"errors\":[\"invalid request\"]}");

    KeyGuardException e =
        catchThrowableOfType(KeyGuardException.class, () -> p.fetch(KeyId.of("app")));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("malformed").contains("HTTP 400");
  }

  @Test
  void fetch_whileAKvMountIsUpgradedToV2_isRetryable() {
    VaultKeyProvider p = rootProvider();
    vault.json(
        400,
        "{\"errors\":[\"Upgrading from non-versioned to versioned data. This backend will be"
            + " unavailable for a brief period and will resume service shortly.\"]}");

    assertThatThrownBy(() -> p.fetch(KeyId.of("app")))
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasMessageContaining("upgrading")
        .satisfies(e -> assertThat(((KeyGuardException) e).isRetryable()).isTrue());
  }

  @Test
  void fetch_onARedirect_doesNotFollowIt_becauseTheTokenWouldGoAlong() {
    VaultKeyProvider p = rootProvider();
    vault
        .server()
        .enqueue(
            new MockResponse.Builder()
                .code(307)
                .addHeader("Location", "https://elsewhere.example/v1/secret/data/app")
                .build());

    assertThatThrownBy(() -> p.fetch(KeyId.of("app")))
        .isInstanceOf(KeyGuardException.class)
        .hasMessageContaining("redirect")
        .hasMessageContaining("active node");
    assertThat(vault.server().getRequestCount()).isEqualTo(2);
  }

  @Test
  void fetch_whenTheAnswerLacksAField_isMalformedNamingTheField() {
    VaultKeyProvider p = rootProvider();
    vault.json(
        200, "{\"data\":{\"data\":{\"apiKey\":\"x\"},\"metadata\":{\"created_time\":\"\"}}}");

    assertThatThrownBy(() -> p.fetch(KeyId.of("app")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("'data.metadata.version'");
  }

  @Test
  void fetch_kvV1AnswerFromAMountTakenForKvV2_saysWhichVersionToSet() {
    VaultKeyProvider p = rootProvider();
    vault.json(200, "{\"data\":{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}}");

    assertThatThrownBy(() -> p.fetch(KeyId.of("app")))
        .isInstanceOf(MalformedSecretException.class)
        .hasMessageContaining("'data.metadata'")
        .hasMessageContaining("kvVersion(\"secret\", 1)");
  }

  @Test
  void fetch_whenTheSecretHasNoApiKeyField_namesTheFieldAndNotTheValues() {
    VaultKeyProvider p = rootProvider();
    String value = TestSecrets.randomValue();
    vault.kv2(1, "{\"token\":\"" + value + "\"}");

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> p.fetch(KeyId.of("app")));

    assertThat(e.getMessage()).contains("'apiKey'").contains("token").doesNotContain(value);
  }

  @Test
  void fetch_versionWhoseDeletionTimeIsStillAhead_isServed_andOneWhoseTimeHasPassedIsNot() {
    VaultKeyProvider p = rootProvider();
    String later = clock.now().plus(Duration.ofHours(1)).toString();
    String earlier = clock.now().minus(Duration.ofSeconds(1)).toString();
    String metadata = "\"created_time\":\"2026-11-01T10:00:00Z\",\"destroyed\":false,\"version\":4";
    vault.json(
        200,
        "{\"data\":{\"data\":{\"apiKey\":\"k\"},\"metadata\":{"
            + metadata
            + ",\"deletion_time\":\""
            + later
            + "\"}}}");
    vault.json(
        200,
        "{\"data\":{\"data\":{\"apiKey\":\"k\"},\"metadata\":{"
            + metadata
            + ",\"deletion_time\":\""
            + earlier
            + "\"}}}");

    assertThat(p.fetch(KeyId.of("app")).version()).isEqualTo("4");
    assertThatThrownBy(() -> p.fetch(KeyId.of("app")))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("deleted");
  }

  @Test
  void vaultErrorsQuotingASecret_areRedactedInTheMessage() {
    VaultKeyProvider p = rootProvider();
    vault.json(
        500, "{\"errors\":[\"backend said " + Canaries.rawValue(Canaries.apiSecret()) + "\"]}");

    KeyProviderUnavailableException e =
        catchThrowableOfType(KeyProviderUnavailableException.class, () -> p.fetch(KeyId.of("app")));

    assertThat(e.getMessage()).contains("backend said");
    Canaries.assertAbsentFrom(e.getMessage());
  }

  @Test
  void provider_neverShowsTheToken_inToStringOrSerialization() {
    VaultKeyProvider p = rootProvider();
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");
    p.fetch(KeyId.of("app"));

    SecretLeakAssertions.assertNoLeak(p, Canaries.apiKey());
    SecretLeakAssertions.assertNoLeak(
        VaultAuthentication.token(Canaries.apiKey()), Canaries.apiKey());
    assertThat(p.toString()).contains("auth=token").contains("defaultMount=secret (KV v2)");
  }

  @Test
  void token_withACharacterAHeaderCannotCarry_isRefusedWithoutShowingIt() {
    Secret special = Canaries.withSpecialCharacters(); // a space and a non-ASCII letter

    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class, () -> VaultAuthentication.token(special));

    assertThat(e.getMessage()).contains("cannot be sent in a header");
    Canaries.assertAbsentFrom(e.getMessage());
  }

  @Test
  void tokenFile_isReadAtLogin_withTheTrailingNewlineStripped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, Canaries.rawValue(Canaries.apiKey()) + "\n");
    vault.json(200, ROOT_LOOKUP);
    VaultKeyProvider p = provider(vault.builder(VaultAuthentication.tokenFile(file)));
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

    p.fetch(KeyId.of("app"));

    vault.take();
    assertThat(
            Canaries.rawValue(Canaries.apiKey())
                .equals(vault.take().getHeaders().get(VaultHttp.TOKEN_HEADER)))
        .isTrue();
  }

  @Test
  void tokenFile_rotatedTwiceByTheAgent_isReadAgainAtEachRefusal(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("token");
    String[] tokens = {
      TestSecrets.randomAlphanumeric(26),
      TestSecrets.randomAlphanumeric(26),
      TestSecrets.randomAlphanumeric(26)
    };
    Files.writeString(file, tokens[0] + "\n");
    vault.json(200, ROOT_LOOKUP);
    VaultKeyProvider p = provider(vault.builder(VaultAuthentication.tokenFile(file)));
    vault.kv2(1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");
    p.fetch(KeyId.of("app"));
    vault.take();
    vault.take();

    for (int rotation = 1; rotation <= 2; rotation++) {
      // Vault Agent writes a new token and revokes the one before
      Files.writeString(file, tokens[rotation] + "\n");
      vault.json(403, "{\"errors\":[\"permission denied\"]}");
      vault.json(200, ROOT_LOOKUP);
      vault.kv2(rotation + 1, "{\"apiKey\":\"" + TestSecrets.randomValue() + "\"}");

      assertThat(p.fetch(KeyId.of("app")).version()).isEqualTo(Integer.toString(rotation + 1));

      assertThat(vault.next()).isEqualTo("GET /v1/secret/data/app");
      assertThat(vault.next()).isEqualTo("GET /v1/auth/token/lookup-self");
      RecordedRequest read = vault.take();
      assertThat(tokens[rotation].equals(read.getHeaders().get(VaultHttp.TOKEN_HEADER)))
          .as("rotation %d: the read carries the token the agent wrote", rotation)
          .isTrue();
    }
  }

  @Test
  void missingTokenOrJwtFile_isDeniedNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-token");
    VaultKeyProvider withTokenFile =
        provider(vault.builder(VaultAuthentication.tokenFile(missing)));

    assertThatThrownBy(() -> withTokenFile.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("token file " + missing)
        .hasMessageContaining("NoSuchFileException");
    provider.close();
    VaultKeyProvider withJwt =
        provider(vault.builder(VaultAuthentication.kubernetes("app").jwtFile(missing).build()));
    assertThatThrownBy(() -> withJwt.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("service-account token file " + missing);
    assertThat(vault.server().getRequestCount()).as("nothing sent without a credential").isZero();
  }

  @Test
  void appRoleSecretIdVariableUnset_isDeniedNamingTheVariable() {
    VaultKeyProvider p =
        provider(
            vault.builder(
                VaultAuthentication.appRole()
                    .roleId("r")
                    .secretIdFromEnvironment("KEYGUARD_TEST_SECRET_ID", name -> null)
                    .build()));

    assertThatThrownBy(() -> p.fetch(KeyId.of("app")))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("KEYGUARD_TEST_SECRET_ID");
  }

  @Test
  void build_refusesHttpToANonLoopbackHost_evenWithTheTestingSwitch() {
    assertThatThrownBy(
            () ->
                VaultKeyProvider.builder()
                    .address("http://vault.example.com:8200")
                    .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
                    .authentication(VaultAuthentication.token(Canaries.apiKey()))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must use https");
  }

  @Test
  void build_namesWhatIsMissing() {
    assertThatThrownBy(() -> VaultKeyProvider.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("address");
    assertThatThrownBy(() -> VaultKeyProvider.builder().address("https://vault:8200").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authentication is required");
    assertThatThrownBy(
            () ->
                VaultKeyProvider.builder()
                    .address("https://vault:8200")
                    .authentication(VaultAuthentication.token(Canaries.apiKey()))
                    .kvVersion("legacy", 1)
                    .key("a", "legacy", "a")
                    .pinVersion("a", 2)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("KV v1");
  }

  @Test
  void keyMapping_isReadableAtAGlance() {
    VaultKeyProvider p =
        provider(
            VaultKeyProvider.builder()
                .address("https://vault:8200")
                .authentication(VaultAuthentication.token(Canaries.apiKey()))
                .key("coingecko", "secret", "market-data/coingecko")
                .key("openai", "legacy-kv", "apps/openai", "token")
                .kvVersion("legacy-kv", 1));

    assertThat(p.locate(KeyId.of("coingecko")).toString())
        .isEqualTo("secret/data/market-data/coingecko (KV v2)");
    assertThat(p.locate(KeyId.of("openai")).toString()).isEqualTo("legacy-kv/apps/openai (KV v1)");
    assertThat(p.locate(KeyId.of("other/key")).toString())
        .isEqualTo("secret/data/other/key (KV v2)");
    assertThatThrownBy(() -> p.locate(KeyId.of("../sys/seal")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromEnvironment_readsTheCliVariables_andRefusesSkipVerify() {
    VaultKeyProvider p =
        provider(
            VaultKeyProvider.builder()
                .fromEnvironment(
                    Map.of(
                        "BAO_ADDR", "https://bao.example.com:8200",
                        "VAULT_TOKEN", Canaries.rawValue(Canaries.apiKey()),
                        "VAULT_NAMESPACE", "team-a")));

    assertThat(p.toString())
        .contains("https://bao.example.com:8200")
        .contains("namespace=team-a")
        .contains("auth=token");
    assertThatThrownBy(
            () -> VaultKeyProvider.builder().fromEnvironment(Map.of("VAULT_SKIP_VERIFY", "true")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("never skips TLS verification");
    assertThatThrownBy(
            () ->
                VaultKeyProvider.builder()
                    .fromEnvironment(Map.of("VAULT_ADDR", "https://vault:8200"))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("VAULT_TOKEN");
  }

  @Test
  void appRoleBuilder_namesWhatIsMissing() {
    assertThatThrownBy(() -> VaultAuthentication.appRole().build()).hasMessageContaining("roleId");
    assertThatThrownBy(() -> VaultAuthentication.appRole().roleId("r").build())
        .hasMessageContaining("secretIdFile");
  }
}
