package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.testing.TestSecrets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** OpenBao with TLS ({@code -dev-tls}): its CA trusted as {@code VAULT_CACERT} does, or refused. */
class VaultTlsIT {

  @RegisterExtension static final OpenBaoServer BAO = OpenBaoServer.withTls();

  @Test
  void fromEnvironment_withVaultCacert_readsOverTls() {
    String apiKey = TestSecrets.randomValue();
    BAO.put("secret", "tls/app", Map.of("apiKey", apiKey));
    Map<String, String> env =
        Map.of(
            "VAULT_ADDR", BAO.address(),
            "VAULT_CACERT", BAO.caFile().toString(),
            "VAULT_TOKEN", OpenBaoServer.rootToken().value(InsecureSecretAccess.get()));

    try (VaultKeyProvider provider = VaultKeyProvider.builder().fromEnvironment(env).build()) {
      assertThat(provider.fetch(KeyId.of("tls/app")).apiKey().value(InsecureSecretAccess.get()))
          .isEqualTo(apiKey);
      assertThat(BAO.address()).startsWith("https://");
    }
  }

  @Test
  void fetch_withoutTheDevCa_failsTheTlsHandshake_retryably() {
    BAO.put("secret", "tls/other", Map.of("apiKey", TestSecrets.randomValue()));

    try (VaultKeyProvider provider =
        VaultKeyProvider.builder()
            .address(BAO.address())
            .authentication(VaultAuthentication.token(OpenBaoServer.rootToken()))
            .build()) {
      assertThatThrownBy(() -> provider.fetch(KeyId.of("tls/other")))
          .isInstanceOf(KeyProviderUnavailableException.class)
          .hasMessageContaining("TLS")
          .hasMessageContaining("VAULT_CACERT");
    }
  }
}
