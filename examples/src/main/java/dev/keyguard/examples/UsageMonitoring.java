package dev.keyguard.examples;

import dev.keyguard.client.ApiPresets;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.UsageOptions;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.micrometer.KeyGuardMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Consumer;

/**
 * The README's usage monitoring example, compiled: usage alerts with the key events, declared route
 * templates, a daily budget that refuses a runaway loop, and the Micrometer binder.
 */
final class UsageMonitoring {

  private UsageMonitoring() {}

  /** A key manager and a monitored client on it. */
  record Monitored(KeyManager keys, KeyGuardClient client) {}

  static Monitored start(KeyProvider provider, MeterRegistry registry, Consumer<String> page) {
    // README-USAGE-BEGIN
    KeyManager keys =
        KeyManager.builder()
            .provider(provider)
            .listener(
                event -> { // one listener for key events and usage alerts
                  if (event instanceof KeyEvent.UsageAlert alert) {
                    page.accept(
                        alert.anomaly() + " on key " + alert.keyId() + ": " + alert.detail());
                  }
                })
            .build();
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.COINGECKO_PRO)
            .managedKey(keys.key("coingecko"))
            .usageOptions(
                UsageOptions.builder()
                    .routes("GET /coins/{id}", "GET /coins/{id}/history") // one route, any coin
                    .dailyBudget(10_000) // requests per key and UTC day
                    .refuseOverBudget(true) // a runaway loop cannot drain the paid plan
                    .build())
            .build();
    new KeyGuardMetrics(List.of(client), List.of(keys)).bindTo(registry); // keyguard-micrometer
    // README-USAGE-END
    return new Monitored(keys, client);
  }
}
