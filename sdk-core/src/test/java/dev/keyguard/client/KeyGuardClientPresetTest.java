package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.redirect;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import java.util.LinkedHashMap;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client with the real presets and auth schemes of {@link ApiPresets} / {@link AuthSchemes}.
 */
class KeyGuardClientPresetTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();
  @RegisterExtension static final HttpsMockServer OTHER_ORIGIN = new HttpsMockServer();
  private static final MockWebServer otherOrigin = OTHER_ORIGIN.server();

  private VersionedCredential credential;
  private String apiKey;

  @BeforeEach
  void setUp() {
    credential = TestCredentials.credential(KeyId.of("preset-test"), "1");
    apiKey = TestCredentials.apiKeyOf(credential);
  }

  private KeyGuardClient.Builder builder(ApiPreset preset) {
    return KeyGuardClient.builder()
        .preset(preset)
        .baseUrl(api.url("/v2")) // the mock stands in for the provider
        .managedKey(new FakeManagedKey(credential))
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  @Test
  void preset_setsTheProvidersBaseUrlAndScheme() {
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.TOKEN_METRICS)
            .managedKey(new FakeManagedKey(credential))
            .build();

    assertThat(client.baseUrl().toString()).isEqualTo("https://api.tokenmetrics.com/v2");
  }

  @Test
  void tokenMetrics_sendsTheKeyInXApiKeyOnly() {
    api.enqueue(json(200, "{}"));

    builder(ApiPresets.TOKEN_METRICS).build().get("/tokens", JsonNode.class);

    RecordedRequest r = takeAll(api).get(0);
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(apiKey);
    assertThat(r.getUrl().query()).isNull();
  }

  @Test
  void binance_crossOriginRedirect_dropsKeyHeaderSignatureAndTimestamp_andExposesWeight() {
    api.enqueue(
        new MockResponse.Builder()
            .code(302)
            .setHeader("Location", otherOrigin.url("/elsewhere").toString())
            .build());
    otherOrigin.enqueue(json(200, "{}"));
    api.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("X-MBX-USED-WEIGHT-1M", "12")
            .body("{}")
            .build());
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("symbol", "BTCUSDT");
    KeyGuardClient client = builder(ApiPresets.BINANCE).build();

    client.get("/account", query, JsonNode.class);
    ApiResponse<JsonNode> second = client.getResponse("/account", query, JsonNode.class);

    RecordedRequest signed = takeAll(api).get(0);
    assertThat(signed.getHeaders().get("X-MBX-APIKEY")).isEqualTo(apiKey);
    assertThat(signed.getUrl().queryParameter("signature")).isNotBlank();
    assertThat(signed.getUrl().queryParameter("timestamp")).isNotBlank();
    RecordedRequest hop = takeAll(otherOrigin).get(0);
    assertThat(hop.getHeaders().get("X-MBX-APIKEY")).isNull();
    assertThat(hop.getUrl().queryParameterNames())
        .doesNotContain("signature", "timestamp", "recvWindow");
    assertThat(hop.getHeaders().toMultimap().toString() + hop.getTarget()).doesNotContain(apiKey);
    assertThat(second.rateLimitHeader("X-MBX-USED-WEIGHT-1M")).contains("12");
  }

  @Test
  void queryParameterScheme_errorShowsTheParameterMasked() {
    api.enqueue(json(404, "{}"));
    KeyGuardClient client =
        builder(ApiPresets.TOKEN_METRICS)
            .authScheme(AuthSchemes.queryParameter("x_cg_demo_api_key"))
            .build();

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class,
            () -> client.get("/coins", Map.of("id", "btc"), JsonNode.class));

    assertThat(takeAll(api).get(0).getUrl().queryParameter("x_cg_demo_api_key")).isEqualTo(apiKey);
    assertThat(e.url()).contains("x_cg_demo_api_key=[REDACTED]").doesNotContain(apiKey);
    assertThat(e.getMessage()).doesNotContain(apiKey);
  }

  @Test
  void binance_sameOriginRedirect_isSignedAfreshWithoutDuplicateParameters() {
    api.enqueue(redirect(302, "/v2/account2"));
    api.enqueue(json(200, "{}"));

    builder(ApiPresets.BINANCE)
        .build()
        .get("/account", Map.of("symbol", "BTCUSDT"), JsonNode.class);

    RecordedRequest hop = takeAll(api).get(1);
    assertThat(hop.getHeaders().get("X-MBX-APIKEY")).isEqualTo(apiKey);
    assertThat(hop.getUrl().queryParameterValues("signature")).hasSize(1);
    assertThat(hop.getUrl().queryParameterValues("timestamp")).hasSize(1);
  }
}
