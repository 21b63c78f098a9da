package dev.keyguard.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Name mapping, settings and log safety, without a vault. */
class AzureKeyVaultKeyProviderTest {

  private static final String VAULT = "https://my-vault.vault.azure.net";

  @Test
  void secretNameFor_writesDotsUnderscoresSlashesAndColonsAsHyphens() {
    assertThat(AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("coingecko.pro")))
        .isEqualTo("coingecko-pro");
    assertThat(AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("prod/binance_spot:v2")))
        .isEqualTo("prod-binance-spot-v2");
    assertThat(AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("Market-Data-7")))
        .isEqualTo("Market-Data-7");
  }

  @Test
  void secretNameFor_refusesACharacterWithoutMapping_namingIt() {
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("a+b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a+b'")
        .hasMessageContaining("index 1 ('+')")
        .hasMessageContaining("secretNameMapping");
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("prix en €")))
        .hasMessageContaining("(U+0020)");
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("clé")))
        .hasMessageContaining("(U+00E9)");
  }

  @Test
  void secretNameFor_refusesANameLongerThan127() {
    assertThat(AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("k".repeat(127)))).hasSize(127);
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.secretNameFor(KeyId.of("k".repeat(128))))
        .hasMessageContaining("128 characters");
  }

  @Test
  void aCustomMapping_isCheckedToo() {
    AzureKeyVaultKeyProvider provider =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(VAULT)
            .credential(new AzureTestSupport.StaticTokenCredential(TestSecrets.randomValue()))
            .secretNameMapping(id -> "prefix_" + id.value())
            .build();

    assertThatThrownBy(() -> provider.fetch(KeyId.of("x")))
        .hasMessageContaining("maps to 'prefix_x'")
        .hasMessageContaining("letters, digits and '-'");
  }

  @Test
  void aCustomMappingThatThrows_failsTheFetch_notRetryable() {
    AzureKeyVaultKeyProvider provider =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(VAULT)
            .credential(new AzureTestSupport.StaticTokenCredential(TestSecrets.randomValue()))
            .secretNameMapping(
                id -> {
                  throw new IllegalStateException("no table entry");
                })
            .build();

    assertThatThrownBy(() -> provider.fetch(KeyId.of("x")))
        .isInstanceOf(KeyGuardException.class)
        .hasMessageContaining("the secretNameMapping failed for key id 'x'")
        .satisfies(e -> assertThat(((KeyGuardException) e).isRetryable()).isFalse());
  }

  @Test
  void vaultUrl_mustBeHttps() {
    String password = TestSecrets.randomHex(12);
    assertThatThrownBy(
            () -> AzureKeyVaultKeyProvider.builder().vaultUrl("http://u:" + password + "@my-vault"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https")
        .hasMessageContaining("scheme http on host my-vault")
        .hasMessageNotContaining(password);
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.builder().vaultUrl("https://a b/" + password))
        .hasMessageNotContaining(password);
    assertThatThrownBy(
            () ->
                AzureKeyVaultKeyProvider.builder().vaultUrl("https://u:p@my-vault.vault.azure.net"))
        .hasMessageContaining("no user info")
        .hasMessageNotContaining("u:p");
  }

  @Test
  void build_withoutVaultUrlOrClient_saysWhatToSet() {
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("vaultUrl");
  }

  @Test
  void build_withAClientAndClientSettings_namesTheConflicts() {
    SecretClient client =
        new SecretClientBuilder()
            .vaultUrl(VAULT)
            .credential(new AzureTestSupport.StaticTokenCredential(TestSecrets.randomValue()))
            .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE))
            .buildClient();

    assertThatThrownBy(
            () ->
                AzureKeyVaultKeyProvider.builder()
                    .client(client)
                    .vaultUrl(VAULT)
                    .httpLogLevel(HttpLogDetailLevel.BASIC)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("vaultUrl, httpLogLevel");
    assertThat(AzureKeyVaultKeyProvider.builder().client(client).build().toString())
        .contains("client=caller's");
  }

  @Test
  void build_withAnHttpClientAndTimeouts_isRefused() {
    assertThatThrownBy(
            () ->
                AzureKeyVaultKeyProvider.builder()
                    .vaultUrl(VAULT)
                    .credential(
                        new AzureTestSupport.StaticTokenCredential(TestSecrets.randomValue()))
                    .httpClient(com.azure.core.http.HttpClient.createDefault())
                    .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("timeouts");
  }

  @Test
  void withoutACredential_theDefaultAzureCredentialIsUsed() {
    AzureKeyVaultKeyProvider provider = AzureKeyVaultKeyProvider.builder().vaultUrl(VAULT).build();

    assertThat(provider.toString()).contains("credential=DefaultAzureCredential");
  }

  @Test
  void pinVersion_refusesAnIdThatIsNotAVersion() {
    assertThatThrownBy(() -> AzureKeyVaultKeyProvider.builder().pinVersion("k", "../latest"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void safeLogOptions_neverLogsABody_whateverIsAskedFor() {
    assertThat(
            AzureKeyVaultKeyProvider.safeLogOptions(HttpLogDetailLevel.BODY_AND_HEADERS)
                .getLogLevel())
        .isEqualTo(HttpLogDetailLevel.HEADERS);
    assertThat(AzureKeyVaultKeyProvider.safeLogOptions(HttpLogDetailLevel.BODY).getLogLevel())
        .isEqualTo(HttpLogDetailLevel.HEADERS);
    assertThat(AzureKeyVaultKeyProvider.safeLogOptions(HttpLogDetailLevel.BASIC).getLogLevel())
        .isEqualTo(HttpLogDetailLevel.BASIC);
    // the tests run with AZURE_HTTP_LOG_DETAIL_LEVEL=BODY_AND_HEADERS (see the pom)
    assertThat(AzureKeyVaultKeyProvider.safeLogOptions(null).getLogLevel())
        .isEqualTo(HttpLogDetailLevel.HEADERS);
    assertThat(AzureKeyVaultKeyProvider.safeLogOptions(null).getAllowedHeaderNames())
        .noneMatch(h -> h.equalsIgnoreCase("Authorization"));
  }

  @Test
  void toString_showsSettingsOnly() {
    String token = TestSecrets.randomValue();
    AzureKeyVaultKeyProvider provider =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(VAULT)
            .credential(new AzureTestSupport.StaticTokenCredential(token))
            .pinVersion("market-data", "0123456789abcdef0123456789abcdef")
            .build();

    assertThat(provider.toString())
        .contains(VAULT)
        .contains("pinned=[market-data]")
        .doesNotContain(token);
    assertThat(provider.name()).isEqualTo("azure-key-vault");
  }

  @Test
  void clean_keepsOneBoundedLine_andDropsMarkup() {
    assertThat(AzureErrors.clean("a\r\nb\t c")).isEqualTo("a b c");
    assertThat(AzureErrors.clean("<html>502</html>")).isEmpty();
    assertThat(AzureErrors.clean("x".repeat(400))).hasSize(301).endsWith("…");
  }
}
