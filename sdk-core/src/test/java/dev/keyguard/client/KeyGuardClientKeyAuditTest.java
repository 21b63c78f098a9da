package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyManagerFixture;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key hygiene audit against a loopback HTTPS server answering each documented shape of
 * Binance's {@code GET /sapi/v1/account/apiRestrictions} and Coinbase's {@code GET
 * /api/v3/brokerage/key_permissions}, and the events each shape raises.
 */
class KeyGuardClientKeyAuditTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private final KeyManagerFixture f = new KeyManagerFixture();
  private final KeyId tradeId = KeyId.of("binance-trade");
  private final KeyId readId = KeyId.of("binance-read");
  private VersionedCredential trade;
  private VersionedCredential read;
  private KeyManager keys;

  @AfterEach
  void tearDown() {
    f.close();
  }

  private KeyGuardClient.Builder binance(KeyAuditMode mode) {
    trade = f.put(f.credential(tradeId, "1").scopes(List.of("TRADE")).build());
    read = f.put(f.credential(readId, "1").scopes(List.of("USER_DATA")).build());
    keys = f.start();
    return KeyGuardClient.builder()
        .preset(ApiPresets.BINANCE)
        .baseUrl(api.url("/"))
        .managedKey(keys.key(tradeId))
        .addManagedKey(keys.key(readId))
        .keyAudit(mode)
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  private static String restrictions(
      boolean ipRestrict, boolean reading, boolean trading, boolean withdrawals) {
    return "{\"ipRestrict\":"
        + ipRestrict
        + ",\"createTime\":1698645219000,\"enableReading\":"
        + reading
        + ",\"enableWithdrawals\":"
        + withdrawals
        + ",\"enableInternalTransfer\":false,\"enableMargin\":false,\"enableFutures\":false,"
        + "\"permitsUniversalTransfer\":false,\"enableVanillaOptions\":false,"
        + "\"enableFixApiTrade\":false,\"enableFixReadOnly\":true,"
        + "\"enableSpotAndMarginTrading\":"
        + trading
        + ",\"enablePortfolioMarginTrading\":false}";
  }

  @Test
  void tradeKeyWithWithdrawalsAndNoIpRestriction_isTooPowerfulAndNotIpRestricted() {
    KeyGuardClient client = binance(KeyAuditMode.WARN).build();
    api.enqueue(json(200, restrictions(false, true, true, true))); // the trade key
    api.enqueue(json(200, restrictions(true, true, false, false))); // the read key

    List<KeyAuditResult> results = client.auditKeys();

    assertThat(results).hasSize(2);
    KeyAuditResult tradeResult = results.get(0);
    assertThat(tradeResult.keyId()).isEqualTo(tradeId);
    assertThat(tradeResult.unneededScopes()).containsExactly("WITHDRAW");
    assertThat(tradeResult.notIpRestricted()).isTrue();
    assertThat(tradeResult.permissions().flags()).containsEntry("enableWithdrawals", true);
    assertThat(results.get(1).hasFinding()).isFalse();
    assertThat(f.events(KeyEvent.KeyTooPowerful.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.keyId()).isEqualTo(tradeId);
              assertThat(e.unneededScopes()).containsExactly("WITHDRAW");
            });
    assertThat(f.events(KeyEvent.KeyNotIpRestricted.class))
        .extracting(KeyEvent::keyId)
        .containsExactly(tradeId);
    assertThat(client.keyAudits()).hasSize(2);

    List<RecordedRequest> sent = takeAll(api);
    assertThat(sent)
        .extracting(r -> r.getUrl().encodedPath())
        .containsOnly("/sapi/v1/account/apiRestrictions");
    assertThat(sent)
        .extracting(r -> r.getHeaders().get("X-MBX-APIKEY"))
        .as("one request per key, signed with that key")
        .containsExactly(TestCredentials.apiKeyOf(trade), TestCredentials.apiKeyOf(read));
    assertThat(sent.get(0).getUrl().queryParameter("signature")).isNotBlank();
  }

  @Test
  void ipRestrictedKeysWithoutWithdrawals_raiseNothing() {
    KeyGuardClient client = binance(KeyAuditMode.REFUSE_TO_START).build();
    api.enqueue(json(200, restrictions(true, true, true, false)));
    api.enqueue(json(200, restrictions(true, true, false, false)));

    assertThat(client.auditKeys()).noneMatch(KeyAuditResult::hasFinding);
    assertThat(f.events(KeyEvent.KeyTooPowerful.class)).isEmpty();
    assertThat(f.events(KeyEvent.KeyNotIpRestricted.class)).isEmpty();
  }

  @Test
  void readKeyThatCanTrade_isTooPowerful_andRefusesToStartWhenSoConfigured() {
    KeyGuardClient client = binance(KeyAuditMode.REFUSE_TO_START).build();
    api.enqueue(json(200, restrictions(true, true, true, false)));
    api.enqueue(json(200, restrictions(true, true, true, false))); // the read key can trade

    assertThatThrownBy(client::auditKeys)
        .isInstanceOf(KeyHygieneException.class)
        .hasMessageContaining("key 'binance-read' version 1")
        .hasMessageContaining("holds permissions no route of it needs: [TRADE]")
        .satisfies(e -> assertThat(((KeyHygieneException) e).results()).hasSize(2));
    assertThat(f.events(KeyEvent.KeyTooPowerful.class))
        .singleElement()
        .satisfies(e -> assertThat(e.keyId()).isEqualTo(readId));
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403, 404, 500, 503})
  void failingAuditEndpoint_neverBlocksStartUp_andNeverLogsTheBody(int status) {
    String marker = "body-" + TestSecrets.randomAlphanumeric(16);
    KeyGuardClient client = binance(KeyAuditMode.WARN).build();
    for (int i = 0; i < 12; i++) { // 5xx answers to a GET are retried
      api.enqueue(json(status, "{\"msg\":\"" + marker + "\"}"));
    }

    try (LogCapture log = LogCapture.of(KeyGuardClient.class)) {
      List<KeyAuditResult> results = client.auditKeys();

      assertThat(results).allSatisfy(r -> assertThat(r.failure()).startsWith("HTTP " + status));
      assertThat(log.text()).contains("HTTP " + status).doesNotContain(marker);
    }
  }

  @Test
  void failingAuditEndpoint_refusesToStartWhenSoConfigured() {
    KeyGuardClient client = binance(KeyAuditMode.REFUSE_TO_START).build();
    api.enqueue(json(403, "{}"));
    api.enqueue(json(403, "{}"));

    assertThatThrownBy(client::auditKeys)
        .isInstanceOf(KeyHygieneException.class)
        .hasMessageContaining("could not be audited (HTTP 403)");
  }

  @Test
  void answerOfAnotherShape_isAFailure_notAFinding() {
    KeyGuardClient client = binance(KeyAuditMode.WARN).build();
    api.enqueue(json(200, "{\"unexpected\":true}"));
    api.enqueue(json(200, "not json"));

    assertThat(client.auditKeys())
        .extracting(KeyAuditResult::failure)
        .containsExactly(
            "answer does not have the documented shape"
                + " (https://developers.binance.com/docs/wallet/account/api-key-permission)",
            "answer is not JSON");
  }

  @Test
  void newVersionMetByARequest_isAuditedInTheBackground() {
    KeyGuardClient client = binance(KeyAuditMode.WARN).build();
    api.enqueue(json(200, restrictions(true, true, true, false)));
    api.enqueue(json(200, restrictions(true, true, false, false)));
    client.auditKeys();
    takeAll(api);

    VersionedCredential v2 = f.put(f.credential(tradeId, "2").scopes(List.of("TRADE")).build());
    f.scheduler.advance(KeyManagerFixture.REFRESH); // rotated in the key manager
    String tooPowerful = restrictions(false, true, true, true);
    api.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return request.getUrl().encodedPath().equals("/sapi/v1/account/apiRestrictions")
                ? json(200, tooPowerful)
                : json(200, "{\"orderId\":1}");
          }
        });
    client.send(
        ApiRequest.post(
            "/api/v3/order", new okhttp3.FormBody.Builder().add("symbol", "BTCUSDT").build()),
        JsonNode.class);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(f.events(KeyEvent.KeyTooPowerful.class))
                    .singleElement()
                    .satisfies(e -> assertThat(e.version()).isEqualTo("2")));
    assertThat(client.keyAudits())
        .filteredOn(r -> r.keyId().equals(tradeId))
        .singleElement()
        .satisfies(r -> assertThat(r.version()).isEqualTo(v2.version()));
  }

  @Test
  void coinbaseKeyThatCanTransfer_isTooPowerful_andIpRestrictionIsNotReported() {
    VersionedCredential view = f.put(f.credential(KeyId.of("coinbase"), "1").build());
    keys = f.start();
    ManagedKey key = keys.key(view.keyId());
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.COINBASE_ADVANCED_TRADE)
            .authScheme(TestSchemes.header())
            .baseUrl(api.url("/"))
            .managedKey(key)
            .keyScopes(view.keyId(), "VIEW")
            .keyAudit(KeyAuditMode.WARN)
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();
    api.enqueue(
        json(
            200,
            "{\"can_view\":true,\"can_trade\":false,\"can_transfer\":true,"
                + "\"portfolio_uuid\":\"p-1\",\"portfolio_type\":\"DEFAULT\"}"));

    KeyAuditResult result = client.auditKeys().get(0);

    assertThat(result.unneededScopes()).containsExactly("TRANSFER");
    assertThat(result.permissions().ipRestriction())
        .isEqualTo(KeyPermissions.IpRestriction.NOT_REPORTED);
    assertThat(result.notIpRestricted()).isFalse();
    assertThat(takeAll(api))
        .extracting(r -> r.getUrl().encodedPath())
        .containsExactly("/api/v3/brokerage/key_permissions");
    assertThat(f.events(KeyEvent.KeyNotIpRestricted.class)).isEmpty();
  }

  @Test
  void auditKeys_whenOffOrWithoutAnEndpoint_saysSo() {
    KeyGuardClient off = binance(KeyAuditMode.OFF).build();
    assertThatThrownBy(off::auditKeys)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the key audit is off");
    assertThat(off.keyAudits()).isEmpty();

    KeyGuardClient kraken =
        KeyGuardClient.builder()
            .preset(ApiPresets.KRAKEN)
            .managedKey(keys.key(tradeId))
            .keyAudit(KeyAuditMode.WARN)
            .build();
    assertThatThrownBy(kraken::auditKeys)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no key audit endpoint");
  }
}
