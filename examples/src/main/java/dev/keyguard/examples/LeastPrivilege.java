package dev.keyguard.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.client.ApiPresets;
import dev.keyguard.client.ApiRequest;
import dev.keyguard.client.KeyAuditMode;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import java.time.Duration;
import java.util.Map;
import okhttp3.FormBody;
import org.jspecify.annotations.Nullable;

/**
 * The README's "Least privilege, environments and key hygiene" section, kept here so that it
 * compiles with every build ({@code ReadmeLeastPrivilegeTest} fails when the two drift apart). Each
 * method holds one README block between {@code README-LEAST-PRIVILEGE-BEGIN} and {@code
 * README-LEAST-PRIVILEGE-END}, in README order. Both call Binance: they need the network and real
 * keys.
 */
public final class LeastPrivilege {

  private LeastPrivilege() {}

  /**
   * Binance with a read-only key for market data and account reads, and a trade-only key for
   * orders.
   *
   * @param manager the application's key manager
   * @return the order Binance placed, as JSON
   */
  public static @Nullable JsonNode binanceWithTwoKeys(KeyManager manager) {
    // README-LEAST-PRIVILEGE-BEGIN
    // Two keys made at Binance: "binance-read" with reading only, "binance-trade" with Spot
    // trading; neither with withdrawals, both restricted to the server's IP addresses. Their
    // scopes come from the stored credential ({"apiKey":…,"apiSecret":…,"scopes":["TRADE"]}) or,
    // as here, from configuration.
    KeyGuardClient binance =
        KeyGuardClient.builder()
            .preset(ApiPresets.BINANCE)
            .managedKey(manager.key("binance-read"))
            .addManagedKey(manager.key("binance-trade"))
            .keyScopes(KeyId.of("binance-read"), "USER_DATA")
            .keyScopes(KeyId.of("binance-trade"), "TRADE")
            .keyAudit(KeyAuditMode.REFUSE_TO_START)
            .build();
    binance.auditKeys(); // one signed GET /sapi/v1/account/apiRestrictions per key

    // GET /api/v3/depth is market data (NONE): the least-privileged key, binance-read, signs it
    JsonNode book = binance.get("/api/v3/depth", Map.of("symbol", "BTCUSDT"), JsonNode.class);
    if (book == null) {
      throw new IllegalStateException("the order book came back empty"); // a 2xx without a body
    }
    // POST /api/v3/order needs TRADE: only binance-trade may place it
    FormBody order =
        new FormBody.Builder()
            .add("symbol", "BTCUSDT")
            .add("side", "BUY")
            .add("type", "LIMIT")
            .add("timeInForce", "GTC")
            .add("quantity", "0.001")
            .add("price", book.path("bids").path(0).path(0).asText())
            .build();
    JsonNode placed = binance.send(ApiRequest.post("/api/v3/order", order), JsonNode.class).body();
    // POST /sapi/v1/capital/withdraw/apply needs WITHDRAW, which no key has: it throws
    // InsufficientScopeException before anything is sent
    // README-LEAST-PRIVILEGE-END
    return placed;
  }

  /**
   * A key manager that knows where it runs and refuses keys past a hard age.
   *
   * @param provider where the keys come from
   * @return the key manager
   */
  public static KeyManager keyManagerInProduction(KeyProvider provider) {
    // README-LEAST-PRIVILEGE-BEGIN
    KeyManager manager =
        KeyManager.builder()
            .provider(provider)
            .environment("prod") // or KEYGUARD_ENVIRONMENT=prod; keys tagged otherwise are refused
            .maxKeyAge(Duration.ofDays(90)) // KeyTooOld: rotate quarterly (the default)
            .refuseKeysOlderThan(Duration.ofDays(180)) // never serve one older than that
            .reportUnusedAfter(Duration.ofDays(30)) // KeyUnused: decommission it (the default)
            .listener(
                event -> {
                  if (event instanceof KeyEvent.KeyTooPowerful tooPowerful) {
                    System.err.println("remove at Binance: " + tooPowerful.unneededScopes());
                  }
                })
            .build();
    // README-LEAST-PRIVILEGE-END
    return manager;
  }
}
