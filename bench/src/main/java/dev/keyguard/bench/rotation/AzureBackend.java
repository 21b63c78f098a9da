package dev.keyguard.bench.rotation;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import dev.keyguard.KeyId;
import dev.keyguard.azure.AzureKeyVaultKeyProvider;
import dev.keyguard.azure.KeyVaultEmulator;
import dev.keyguard.key.KeyProvider;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.time.OffsetDateTime;
import reactor.core.publisher.Mono;

/**
 * Azure Key Vault on the in-process Key Vault emulator of keyguard-azure's tests ({@code
 * KeyVaultEmulator}, HTTPS on loopback with its own certificate; the same fixture examples/ runs
 * the Azure quick start against). Each key is a secret {@code bench-rotation-XXXX}; a rotation sets
 * a new version through an admin {@code SecretClient} (role Secrets Officer). KeyGuard reads it
 * with {@code AzureKeyVaultKeyProvider} (a token for the role Secrets User, the SDK's Netty client
 * trusting the emulator's certificate). Backend calls are counted at the emulator, which records
 * every request it receives: the {@code GET}s under {@code /secrets/<name>} (the rotations are
 * {@code PUT}s and not counted). No anchor: the Azure SDK has no caching client.
 */
final class AzureBackend implements Backend {

  private final KeyVaultEmulator vault;
  private final HttpClient http;
  private final SecretClient admin;

  private AzureBackend(KeyVaultEmulator vault) {
    this.vault = vault;
    SslContext ssl;
    try {
      ssl = SslContextBuilder.forClient().trustManager(vault.trustManager()).build();
    } catch (IOException e) {
      throw new IllegalStateException("could not trust the emulator's certificate", e);
    }
    this.http =
        new NettyAsyncHttpClientBuilder(
                reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl)))
            .build();
    this.admin =
        new SecretClientBuilder()
            .vaultUrl(vault.vaultUrl())
            .credential(token(vault.issueToken(KeyVaultEmulator.Role.SECRETS_OFFICER)))
            .httpClient(http)
            .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE))
            .disableChallengeResourceVerification() // the loopback emulator
            .buildClient();
  }

  static AzureBackend start() throws IOException {
    return new AzureBackend(KeyVaultEmulator.start());
  }

  @Override
  public String name() {
    return "Azure Key Vault (emulator)";
  }

  @Override
  public String callsCounted() {
    return "GETs of the secret (latest, versions), counted by the emulator as it receives them";
  }

  @Override
  public String createKey(String value) {
    String keyId = "bench-rotation-" + RotationUnderLoad.randomValue().substring(3, 11);
    rotate(keyId, value);
    return keyId;
  }

  @Override
  public void rotate(String keyId, String value) {
    admin.setSecret(AzureKeyVaultKeyProvider.secretNameFor(KeyId.of(keyId)), value);
  }

  @Override
  public KeyProvider provider(String keyId) {
    return AzureKeyVaultKeyProvider.builder()
        .vaultUrl(vault.vaultUrl())
        .credential(token(vault.issueToken(KeyVaultEmulator.Role.SECRETS_USER)))
        .httpClient(http)
        .disableChallengeResourceVerificationForTesting() // the loopback emulator
        .build();
  }

  @Override
  public long backendCalls(String keyId) {
    String prefix = "GET /secrets/" + AzureKeyVaultKeyProvider.secretNameFor(KeyId.of(keyId));
    return vault.requests().stream()
        .filter(r -> r.equals(prefix) || r.startsWith(prefix + "/"))
        .count();
  }

  @Override
  public void close() {
    vault.close();
  }

  private static TokenCredential token(String token) {
    return request -> Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
  }
}
