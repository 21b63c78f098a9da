package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.EnvironmentMismatchException;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.FormBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Binance with a read-only key and a trade-only key against a loopback HTTPS server: each request
 * carries the least-privileged key that may make it, and what no key may do is refused before
 * anything is sent.
 */
class KeyGuardClientLeastPrivilegeTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private final VersionedCredential read =
      TestCredentials.credential(KeyId.of("binance-read"), "1").toBuilder()
          .scopes(List.of("USER_DATA"))
          .build();
  private final VersionedCredential trade =
      TestCredentials.credential(KeyId.of("binance-trade"), "1");

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .preset(ApiPresets.BINANCE)
        .baseUrl(api.url("/"))
        .managedKey(new FakeManagedKey(trade))
        .addManagedKey(new FakeManagedKey(read))
        .keyScopes(KeyId.of("binance-trade"), "trade") // scopes from configuration
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  private static FormBody form() {
    return new FormBody.Builder().add("symbol", "BTCUSDT").build();
  }

  private static String keySent(RecordedRequest r) {
    return r.getHeaders().get("X-MBX-APIKEY");
  }

  @Test
  void marketData_carriesTheReadKey_andAnOrderTheTradeKey() {
    KeyGuardClient client = builder().build();
    api.enqueue(json(200, "{\"bids\":[]}"));
    api.enqueue(json(200, "{\"orderId\":1}"));
    api.enqueue(json(200, "{\"balances\":[]}"));

    client.get("/api/v3/depth", Map.of("symbol", "BTCUSDT"), JsonNode.class);
    client.send(ApiRequest.post("/api/v3/order", form()), JsonNode.class);
    client.get("/api/v3/account", JsonNode.class);

    assertThat(takeAll(api))
        .extracting(KeyGuardClientLeastPrivilegeTest::keySent)
        .containsExactly(
            TestCredentials.apiKeyOf(read),
            TestCredentials.apiKeyOf(trade),
            TestCredentials.apiKeyOf(read));
    assertThat(client.keyIds())
        .containsExactly(KeyId.of("binance-trade"), KeyId.of("binance-read"));
  }

  @Test
  void withdrawal_isRefusedBeforeAnythingIsSent_namingTheRouteAndTheScope() {
    KeyGuardClient client = builder().build();

    assertThatThrownBy(
            () ->
                client.send(
                    ApiRequest.post("/sapi/v1/capital/withdraw/apply", Map.of("coin", "BTC")),
                    JsonNode.class))
        .isInstanceOf(InsufficientScopeException.class)
        .hasMessageContaining("POST /sapi/v1/capital/withdraw/apply")
        .hasMessageContaining("requires scope WITHDRAW")
        .hasMessageContaining("'binance-read' [USER_DATA]")
        .hasMessageContaining("'binance-trade' [TRADE]");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void unmappedRoute_goesWithTheLeastPrivilegedKeyByDefault() {
    api.enqueue(json(200, "{}"));

    builder().build().get("/api/v3/somethingNew", JsonNode.class);

    assertThat(takeAll(api))
        .extracting(KeyGuardClientLeastPrivilegeTest::keySent)
        .containsExactly(TestCredentials.apiKeyOf(read));
  }

  @Test
  void routesAreRelativeToTheBaseUrlsPath_andAPathOutsideItMatchesNone() throws Exception {
    KeyGuardClient client =
        builder().baseUrl(api.url("/binance")).unmappedRoutes(UnmappedRoutes.DENY).build();
    api.enqueue(json(200, "{}"));

    client.get("/api/v3/account", JsonNode.class);
    assertThat(takeAll(api))
        .extracting(KeyGuardClientLeastPrivilegeTest::keySent)
        .containsExactly(TestCredentials.apiKeyOf(read));

    // the same path outside the base path, through the raw OkHttp client, is unmapped: denied
    okhttp3.Request outside = new okhttp3.Request.Builder().url(api.url("/api/v3/account")).build();
    assertThatThrownBy(() -> client.okHttpClient().newCall(outside).execute())
        .isInstanceOf(java.io.IOException.class)
        .cause()
        .isInstanceOf(InsufficientScopeException.class);
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void unmappedRoute_isRefusedWhenUnmappedRoutesAreDenied() {
    KeyGuardClient client = builder().unmappedRoutes(UnmappedRoutes.DENY).build();

    assertThatThrownBy(() -> client.get("/api/v3/somethingNew", JsonNode.class))
        .isInstanceOf(InsufficientScopeException.class)
        .hasMessageContaining("matches no route of the client")
        .hasMessageContaining("UnmappedRoutes.DENY");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void unmappedRouteUnderASensitivePrefix_isRefusedWhateverThePolicy() {
    KeyGuardClient client = builder().build();

    assertThatThrownBy(
            () ->
                client.send(
                    ApiRequest.post("/sapi/v1/capital/withdraw/applyV2", Map.of()), JsonNode.class))
        .isInstanceOf(InsufficientScopeException.class)
        .hasMessageContaining("lies under '/sapi/v1/capital/'");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void routeOverride_changesTheScope_andAnOverlappingOneFailsAtBuild() {
    api.enqueue(json(200, "{}"));
    builder().route("GET /api/v3/depth", "TRADE").build().get("/api/v3/depth", JsonNode.class);
    assertThat(takeAll(api))
        .extracting(KeyGuardClientLeastPrivilegeTest::keySent)
        .containsExactly(TestCredentials.apiKeyOf(trade));

    assertThatThrownBy(
            () ->
                builder()
                    .route("GET /api/v3/{a}/x", "NONE")
                    .route("GET /api/v3/y/{b}", "NONE")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'GET /api/v3/{a}/x' and 'GET /api/v3/y/{b}' overlap");
  }

  @Test
  void scopeNotInThePresetsVocabulary_failsAtBuildNamingTheKnownOnes() {
    assertThatThrownBy(() -> builder().keyScopes(KeyId.of("binance-read"), "READ").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scope READ is not a scope of the preset")
        .hasMessageContaining("NONE, USER_STREAM, USER_DATA, TRADE, TRANSFER, WITHDRAW");
    assertThatThrownBy(() -> builder().route("GET /api/v3/x", "ADMIN").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scope ADMIN is not a scope of the preset");
  }

  @Test
  void sameKeyTwice_orScopesForAKeyTheClientHasNot_failAtBuild() {
    assertThatThrownBy(() -> builder().addManagedKey(new FakeManagedKey(read)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("key 'binance-read' is given twice");
    assertThatThrownBy(() -> builder().keyScopes(KeyId.of("nope"), "TRADE").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keyScopes names key 'nope'");
  }

  @Test
  void oneKeyWithoutScopes_keepsCallingEveryMappedRoute() {
    api.enqueue(json(200, "{}"));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.BINANCE)
            .baseUrl(api.url("/"))
            .managedKey(new FakeManagedKey(trade))
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();

    client.get("/api/v3/account", JsonNode.class);
    client.send(ApiRequest.post("/api/v3/order", form()), JsonNode.class);

    assertThat(takeAll(api)).hasSize(2);
  }

  @Test
  void productionKey_isNeverSentToTheTestnet() {
    VersionedCredential prod = trade.toBuilder().environment("prod").build();
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.BINANCE.forEnvironment("testnet"))
            .baseUrl(api.url("/"))
            .endpointEnvironment("testnet")
            .managedKey(new FakeManagedKey(prod))
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();

    assertThatThrownBy(() -> client.get("/api/v3/account", JsonNode.class))
        .isInstanceOf(EnvironmentMismatchException.class)
        .hasMessageContaining("is a production key (tagged 'prod')")
        .hasMessageContaining("the 'testnet' environment: refused before sending");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void testnetKey_isNeverSentToProduction() {
    VersionedCredential testnet = trade.toBuilder().environment("testnet").build();
    KeyGuardClient client =
        builder().managedKey(new FakeManagedKey(testnet)).endpointEnvironment("prod").build();

    assertThatThrownBy(() -> client.send(ApiRequest.post("/api/v3/order", form()), JsonNode.class))
        .isInstanceOf(EnvironmentMismatchException.class)
        .hasMessageContaining("is a non-production key (tagged 'testnet')")
        .hasMessageContaining("the endpoint is production");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void presetEndpoints_knowTheirEnvironments() {
    assertThat(ApiPresets.BINANCE.environment()).isEqualTo("prod");
    assertThat(ApiPresets.BINANCE.forEnvironment("testnet").baseUrl().host())
        .isEqualTo("testnet.binance.vision");
    assertThat(ApiPresets.BINANCE.forEnvironment("testnet").forEnvironment("prod"))
        .satisfies(p -> assertThat(p.baseUrl()).isEqualTo(ApiPresets.BINANCE.baseUrl()));
    assertThat(ApiPresets.COINBASE_ADVANCED_TRADE.forEnvironment("sandbox").baseUrl().host())
        .isEqualTo("api-sandbox.coinbase.com");
    assertThatThrownBy(() -> ApiPresets.KRAKEN.forEnvironment("demo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("known: prod");
    // the endpoint's environment follows from the base URL when it is a preset's
    assertThat(
            KeyGuardClient.builder()
                .preset(ApiPresets.BINANCE.forEnvironment("testnet"))
                .managedKey(new FakeManagedKey(trade.toBuilder().environment("prod").build()))
                .build())
        .satisfies(
            c ->
                assertThatThrownBy(() -> c.get("/api/v3/time", JsonNode.class))
                    .isInstanceOf(EnvironmentMismatchException.class));
  }
}
