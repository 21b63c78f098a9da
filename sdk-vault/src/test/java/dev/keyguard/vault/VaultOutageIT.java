package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Vault stopped mid-run: the last good key is served, and a new one once Vault is back. */
class VaultOutageIT {

  @RegisterExtension static final OpenBaoServer BAO = new OpenBaoServer();

  @Test
  void serverStoppedMidRun_servesTheLastGoodKey_thenRecoversWhenItReturns() throws Exception {
    String path = "outage/market-data";
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    try (VaultKeyProvider provider =
            BAO.providerBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        KeyManager manager =
            KeyManager.builder()
                .provider(provider)
                .refreshAfter(Duration.ofMillis(300))
                .retryBackoff(Duration.ofMillis(200), Duration.ofMillis(500))
                .listener(events::add)
                .build()) {
      ManagedKey key = manager.key(path);
      manager.awaitReady(Duration.ofSeconds(10));
      assertThat(key.current().version()).isEqualTo("2");

      BAO.stop();
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    events.stream()
                        .anyMatch(
                            e ->
                                e instanceof KeyEvent.RefreshFailed f
                                    && f.servingStale()
                                    && f.retryable()
                                    && f.cause() instanceof KeyProviderUnavailableException));
        assertThat(key.current().version()).as("stale on error").isEqualTo("2");
      } finally {
        BAO.start();
      }
      // the dev server lost its state: three versions make a version the key has not served
      for (int i = 0; i < 3; i++) {
        BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> key.current().version().equals("3"));
      assertThat(events).anyMatch(KeyEvent.RefreshRecovered.class::isInstance);
    }
  }
}
