package dev.keyguard.examples;

import dev.keyguard.client.ApiPresets;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.provider.ChainKeyProvider;
import dev.keyguard.provider.EnvKeyProvider;
import dev.keyguard.provider.FileKeyProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The README quick start, kept here so that it compiles with every build. It calls CoinGecko's
 * public demo API with a key read from {@code /etc/keyguard/coingecko} (a mounted secret) or, on a
 * developer machine, from the environment variable {@code COINGECKO}.
 */
public final class QuickStart {

  private QuickStart() {}

  /** A typed response: CoinGecko's {@code /ping} answer. */
  public record Ping(String gecko_says) {}

  /**
   * Runs the quick start.
   *
   * @param args unused
   */
  public static void main(String[] args) {
    // README-QUICKSTART-BEGIN
    // 1. Where keys come from: a mounted secret directory first, the environment as a fallback.
    KeyProvider keys =
        ChainKeyProvider.of(
            FileKeyProvider.forDirectory(Path.of("/etc/keyguard")),
            EnvKeyProvider.builder().upperCaseNames().build());

    // 2. One KeyManager per application: caches keys, refreshes them ahead of time in the
    //    background, serves the last good key while the vault is down.
    try (KeyManager manager =
        KeyManager.builder()
            .provider(keys)
            .refreshAfter(Duration.ofMinutes(5))
            .maxStale(Duration.ofHours(1))
            .listener(event -> System.out.println("key event: " + event)) // fingerprints only
            .build()) {
      ManagedKey coingecko = manager.key("coingecko");
      coingecko.awaitReady(Duration.ofSeconds(10)); // fail fast if the key is missing

      // 3. An HTTPS-only client: the preset sets the base URL and the x-cg-demo-api-key header;
      //    a 401 after a rotation triggers one refresh-and-retry.
      KeyGuardClient client =
          KeyGuardClient.builder().preset(ApiPresets.COINGECKO_DEMO).managedKey(coingecko).build();

      Ping ping = client.get("/ping", Map.of(), Ping.class);
      System.out.println(ping == null ? "(an empty answer)" : ping.gecko_says());
    }
    // README-QUICKSTART-END
  }
}
