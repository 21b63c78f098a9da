package dev.keyguard.examples;

import static dev.keyguard.examples.ReadmeBlocks.javaBlocksInSection;
import static dev.keyguard.examples.ReadmeBlocks.lines;
import static dev.keyguard.examples.ReadmeBlocks.normalized;
import static dev.keyguard.examples.ReadmeBlocks.regions;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.azure.AzureKeyVaultKeyProvider;
import dev.keyguard.azure.KeyVaultEmulator;
import dev.keyguard.testing.TestSecrets;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The Azure quick start: its README blocks are its compiled code, and it runs, against the Key
 * Vault emulator of keyguard-azure's tests (not against Azure).
 */
class AzureQuickStartTest {

  private static final String SOURCE =
      "examples/src/main/java/dev/keyguard/examples/AzureQuickStart.java";

  @Test
  void readmeAzureBlocks_areTheCompiledQuickStart_blockByBlock() {
    List<List<String>> readme =
        javaBlocksInSection(lines("README.md"), "### Azure Key Vault (`keyguard-azure`)");
    List<List<String>> source =
        regions(lines(SOURCE), "// README-AZURE-BEGIN", "// README-AZURE-END");

    assertThat(source).hasSize(2);
    assertThat(readme).as("java blocks in the README's Azure section").hasSize(source.size());
    for (int i = 0; i < source.size(); i++) {
      assertThat(normalized(readme.get(i)))
          .as("README Azure block %d", i + 1)
          .isNotEmpty()
          .isEqualTo(normalized(source.get(i)));
    }
  }

  @Test
  void theQuickStart_readsTheKeyFromTheEmulator_andPrintsNoValue() throws Exception {
    try (KeyVaultEmulator vault = KeyVaultEmulator.start()) {
      HttpClient http = trusting(vault);
      String value = TestSecrets.randomHex(20);
      KeyVaultSecret stored =
          new SecretClientBuilder()
              .vaultUrl(vault.vaultUrl())
              .credential(token(vault.issueToken(KeyVaultEmulator.Role.SECRETS_OFFICER)))
              .httpClient(http)
              .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE))
              .disableChallengeResourceVerification()
              .buildClient()
              .setSecret("coingecko-pro", value);
      AzureKeyVaultKeyProvider azure =
          AzureKeyVaultKeyProvider.builder()
              .vaultUrl(vault.vaultUrl())
              .credential(token(vault.issueToken(KeyVaultEmulator.Role.SECRETS_USER)))
              .httpClient(http)
              .disableChallengeResourceVerificationForTesting() // loopback emulator only
              .build();
      ByteArrayOutputStream printed = new ByteArrayOutputStream();

      VersionedCredential credential =
          AzureQuickStart.readKey(
              azure, "coingecko.pro", new PrintStream(printed, true, StandardCharsets.UTF_8));

      String out = printed.toString(StandardCharsets.UTF_8);
      assertThat(credential.version()).isEqualTo(stored.getProperties().getVersion());
      assertThat(out)
          .contains("coingecko.pro")
          .contains(credential.version())
          .doesNotContain(value);
    }
  }

  private static TokenCredential token(String token) {
    return request -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
  }

  private static HttpClient trusting(KeyVaultEmulator vault) throws Exception {
    var ssl = SslContextBuilder.forClient().trustManager(vault.trustManager()).build();
    return new NettyAsyncHttpClientBuilder(
            reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl)))
        .build();
  }
}
