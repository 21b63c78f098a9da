package dev.keyguard.examples;

import dev.keyguard.VersionedCredential;
import dev.keyguard.azure.AzureKeyVaultKeyProvider;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * Azure quick start: an API key kept in Azure Key Vault, read through KeyGuard.
 *
 * <p>Against a vault, with {@code DefaultAzureCredential} (environment variables, workload or
 * managed identity, or {@code az login}); the identity needs the RBAC role <em>Key Vault Secrets
 * User</em> on the vault or the secret:
 *
 * <pre>
 * az keyvault secret set --vault-name my-vault --name coingecko-pro --value "$COINGECKO_KEY"
 * java -cp ... dev.keyguard.examples.AzureQuickStart --vault-url https://my-vault.vault.azure.net
 * </pre>
 *
 * <p>Options: {@code --vault-url URL} (or the environment variable {@code
 * KEYGUARD_AZURE_VAULT_URL}), {@code --key ID} (default {@code coingecko.pro}, which reads secret
 * {@code coingecko-pro}). The examples' tests run {@link #readKey} against the Key Vault emulator
 * of {@code keyguard-azure}'s tests, not against Azure.
 *
 * <p>Nothing here prints a key: the credential prints as key id, Key Vault version id and
 * fingerprint.
 */
public final class AzureQuickStart {

  private AzureQuickStart() {}

  /**
   * Runs the quick start against a vault.
   *
   * @param args see the class documentation
   */
  public static void main(String[] args) {
    Map<String, String> options = AwsQuickStart.Options.parse(args);
    String vaultUrl =
        options.getOrDefault("--vault-url", System.getenv("KEYGUARD_AZURE_VAULT_URL"));
    if (vaultUrl == null) {
      System.err.println(
          "usage: AzureQuickStart --vault-url https://<vault-name>.vault.azure.net [--key ID]");
      System.exit(2);
      return;
    }
    String keyId = options.getOrDefault("--key", "coingecko.pro");

    // README-AZURE-BEGIN
    AzureKeyVaultKeyProvider azure =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(vaultUrl) // https://<vault-name>.vault.azure.net
            .build(); // DefaultAzureCredential: environment, workload or managed identity, az login
    // README-AZURE-END

    readKey(azure, keyId, System.out);
  }

  /**
   * Reads one key through a key manager and prints what is safe to print.
   *
   * @param azure the provider
   * @param keyId the key id
   * @param out where to print
   * @return the credential read
   */
  static VersionedCredential readKey(
      AzureKeyVaultKeyProvider azure, String keyId, PrintStream out) {
    // README-AZURE-BEGIN
    try (KeyManager manager = KeyManager.builder().provider(azure).build()) {
      ManagedKey key = manager.key(keyId); // "coingecko.pro" reads secret coingecko-pro
      key.awaitReady(Duration.ofSeconds(10)); // fails fast: not found, denied, disabled
      VersionedCredential credential = key.current(); // refreshed ahead of expiresOn
      out.println("read " + credential); // key id, Key Vault version id, fingerprint
      return credential;
    }
    // README-AZURE-END
  }
}
