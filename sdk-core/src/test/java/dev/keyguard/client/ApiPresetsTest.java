package dev.keyguard.client;

import static dev.keyguard.auth.AuthTestSupport.credential;
import static dev.keyguard.auth.AuthTestSupport.fixedClock;
import static dev.keyguard.testing.TestSecrets.randomAlphanumeric;
import static dev.keyguard.testing.TestSecrets.randomBase64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.auth.AuthTestSupport;
import dev.keyguard.auth.BinanceHmacAuthSchemeTest;
import dev.keyguard.auth.CoinbaseJwtAuthSchemeTest;
import dev.keyguard.testing.FakeClock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import okhttp3.FormBody;
import okhttp3.Headers;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiPresetsTest {

  private static final FakeClock CLOCK = fixedClock(1_767_225_600_000L);

  /** Presets whose whole scheme is one header holding the API key, with that header's name. */
  static Stream<Arguments> headerPresets() {
    return Stream.of(
        Arguments.of(ApiPresets.TOKEN_METRICS, "x-api-key", "https://api.tokenmetrics.com/v2"),
        Arguments.of(
            ApiPresets.COINGECKO_DEMO, "x-cg-demo-api-key", "https://api.coingecko.com/api/v3"),
        Arguments.of(
            ApiPresets.COINGECKO_PRO, "x-cg-pro-api-key", "https://pro-api.coingecko.com/api/v3"),
        Arguments.of(
            ApiPresets.COINMARKETCAP, "X-CMC_PRO_API_KEY", "https://pro-api.coinmarketcap.com/"));
  }

  @ParameterizedTest
  @MethodSource("headerPresets")
  void headerPreset_sendsExactlyItsDocumentedHeaderAndNothingElse(
      ApiPreset preset, String header, String baseUrl) {
    String apiKey = randomAlphanumeric(48);
    Request request = requestWithAppHeaders(preset, "GET", null);

    Request signed = preset.authScheme(CLOCK).apply(request, credential(apiKey));

    assertThat(preset.baseUrl().toString()).isEqualTo(baseUrl);
    assertThat(addedHeaders(request.headers(), signed.headers()))
        .isEqualTo(Map.of(header.toLowerCase(Locale.ROOT), apiKey));
    assertThat(signed.headers().names()).contains(header);
    assertThat(signed.url()).as("no query parameter added").isEqualTo(request.url());
    assertThat(signed.body()).isNull();
    assertThat(preset.authScheme(CLOCK).headerNames())
        .containsExactly(header.toLowerCase(Locale.ROOT));
    assertThat(preset.authScheme(CLOCK).queryParameterNames()).isEmpty();
  }

  @Test
  void binance_addsOnlyTheApiKeyHeaderAndTheSignedParameters() {
    String apiKey = randomAlphanumeric(64);
    Request request = requestWithAppHeaders(ApiPresets.BINANCE, "GET", null);

    Request signed =
        ApiPresets.BINANCE
            .authScheme(CLOCK)
            .apply(request, credential(apiKey, randomAlphanumeric(64)));

    assertThat(addedHeaders(request.headers(), signed.headers()))
        .isEqualTo(Map.of("x-mbx-apikey", apiKey));
    Set<String> addedParameters = new HashSet<>(signed.url().queryParameterNames());
    addedParameters.removeAll(request.url().queryParameterNames());
    assertThat(addedParameters).containsExactlyInAnyOrder("recvWindow", "timestamp", "signature");
    assertThat(signed.url().queryParameter("recvWindow")).isEqualTo("5000");
    assertThat(signed.url().queryParameter("timestamp")).isEqualTo("1767225600000");
  }

  @Test
  void kraken_addsOnlyApiKeyAndApiSignHeadersAndTheNonce() throws Exception {
    String apiKey = randomAlphanumeric(56);
    Request request =
        requestWithAppHeaders(
            ApiPresets.KRAKEN, "POST", new FormBody.Builder().add("asset", "XBT").build());

    Request signed =
        ApiPresets.KRAKEN.authScheme(CLOCK).apply(request, credential(apiKey, randomBase64(64)));

    Map<String, String> added = addedHeaders(request.headers(), signed.headers());
    assertThat(added.keySet()).containsExactlyInAnyOrder("api-key", "api-sign");
    assertThat(added.get("api-key")).isEqualTo(apiKey);
    assertThat(signed.url()).isEqualTo(request.url());
    assertThat(BinanceHmacAuthSchemeTest.bodyOf(signed)).isEqualTo("nonce=1767225600000&asset=XBT");
  }

  @Test
  void coinbase_addsOnlyAuthorization() throws Exception {
    String keyName = "organizations/" + randomAlphanumeric(8) + "/apiKeys/" + randomAlphanumeric(8);
    Request request = requestWithAppHeaders(ApiPresets.COINBASE_ADVANCED_TRADE, "GET", null);

    Request signed =
        ApiPresets.COINBASE_ADVANCED_TRADE
            .authScheme(CLOCK)
            .apply(
                request,
                credential(keyName, AuthTestSupport.sec1Pem(AuthTestSupport.p256KeyPair())));

    Map<String, String> added = addedHeaders(request.headers(), signed.headers());
    assertThat(added.keySet()).containsExactly("authorization");
    assertThat(added.get("authorization")).startsWith("Bearer ey");
    assertThat(signed.url()).isEqualTo(request.url());
    assertThat(
            CoinbaseJwtAuthSchemeTest.Jwt.fromAuthorization(added.get("authorization"))
                .claims
                .get("uri")
                .asText())
        .isEqualTo("GET api.coinbase.com/api/v3/brokerage/accounts");
  }

  @Test
  void everyPreset_hasAnHttpsBaseUrlAndHttpsDocumentation() {
    assertThat(ApiPresets.all()).hasSize(7);
    for (ApiPreset preset : ApiPresets.all()) {
      assertThat(preset.baseUrl().isHttps()).as(preset.name()).isTrue();
      assertThat(preset.documentation()).as(preset.name()).startsWith("https://");
      assertThat(preset.toString()).contains(preset.name()).contains(preset.documentation());
    }
  }

  @Test
  void rejectionStatuses_followEachApisDocumentation() {
    assertThat(ApiPresets.TOKEN_METRICS.rejectionRule().statuses()).containsExactly(401, 403);
    assertThat(ApiPresets.COINGECKO_DEMO.rejectionRule().statuses()).containsExactly(401);
    assertThat(ApiPresets.COINMARKETCAP.rejectionRule().statuses()).containsExactly(401);
    assertThat(ApiPresets.BINANCE.rejectionRule().statuses()).containsExactly(401);
    assertThat(ApiPresets.BINANCE.rejectionRule().errorCodes()).containsExactly("-2014", "-2015");
    assertThat(ApiPresets.BINANCE.rateLimitHeaders()).contains("X-MBX-USED-WEIGHT-1M");
    assertThat(ApiPresets.KRAKEN.rejectionRule().errorCodes())
        .containsExactly("EAPI:Invalid key", "EAPI:Invalid signature");
    assertThat(ApiPresets.KRAKEN.rejectionRule().errorField()).contains("error");
    assertThat(ApiPresets.all())
        .filteredOn(p -> p != ApiPresets.KRAKEN)
        .allSatisfy(p -> assertThat(p.rejectionRule().errorField()).isEmpty());
    assertThat(ApiPresets.COINBASE_ADVANCED_TRADE.rejectionRule().statuses()).containsExactly(401);
  }

  @Test
  void authScheme_createsANewSchemeEachTime() {
    assertThat(ApiPresets.KRAKEN.authScheme(CLOCK))
        .isNotSameAs(ApiPresets.KRAKEN.authScheme(CLOCK));
  }

  @Test
  void byName_findsPresetsIgnoringCaseAndDashes() {
    assertThat(ApiPresets.byName("coingecko-demo")).isSameAs(ApiPresets.COINGECKO_DEMO);
    assertThat(ApiPresets.byName(" Binance ")).isSameAs(ApiPresets.BINANCE);
    assertThat(ApiPresets.byName("COINBASE_ADVANCED_TRADE"))
        .isSameAs(ApiPresets.COINBASE_ADVANCED_TRADE);
    for (ApiPreset preset : ApiPresets.all()) {
      assertThat(ApiPresets.byName(preset.name())).isSameAs(preset);
    }
  }

  @Test
  void byName_whenUnknown_listsTheKnownNames() {
    assertThatThrownBy(() -> ApiPresets.byName("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("TOKEN_METRICS")
        .hasMessageContaining("KRAKEN");
  }

  @Test
  void builder_whenBaseUrlIsHttp_throwsIllegalArgument() {
    assertThatThrownBy(() -> ApiPreset.builder("X").baseUrl("http://api.example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  @Test
  void builder_whenBaseUrlCarriesACredential_throwsWithoutEchoingIt() {
    String secret = randomAlphanumeric(32);
    assertThatThrownBy(
            () -> ApiPreset.builder("X").baseUrl("https://u:" + secret + "@api.example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> AuthTestSupport.assertNoSecretIn(AuthTestSupport.allText(e), secret));
    assertThatThrownBy(
            () -> ApiPreset.builder("X").baseUrl("https://api.example.com/?key=" + secret))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> AuthTestSupport.assertNoSecretIn(AuthTestSupport.allText(e), secret));
  }

  @Test
  void builder_whenSettingMissing_buildNamesIt() {
    assertThatThrownBy(() -> ApiPreset.builder("X").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> ApiPreset.builder("X").baseUrl("https://a.example").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authScheme");
    assertThatThrownBy(
            () ->
                ApiPreset.builder("X")
                    .baseUrl("https://a.example")
                    .authScheme(clock -> AuthSchemes.bearer())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("documentation");
  }

  @Test
  void builder_validatesEachSettingWhenSet() {
    assertThatThrownBy(() -> ApiPreset.builder("bad name"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiPreset.builder("X").rejectionStatuses(500))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ApiPreset.builder("X").documentation("http://docs.example"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toBuilder_derivesAVariantAndLeavesTheOriginal() {
    ApiPreset testnet =
        ApiPresets.BINANCE.toBuilder().baseUrl("https://testnet.binance.vision").build();

    assertThat(testnet.baseUrl().host()).isEqualTo("testnet.binance.vision");
    assertThat(testnet.rejectionRule().statuses())
        .isEqualTo(ApiPresets.BINANCE.rejectionRule().statuses());
    assertThat(testnet.rateLimitHeaders()).isEqualTo(ApiPresets.BINANCE.rateLimitHeaders());
    assertThat(ApiPresets.BINANCE.baseUrl().host()).isEqualTo("api.binance.com");
    assertThat(testnet.rejectionRule().statuses()).isUnmodifiable();
  }

  /** A request as an application would build it against the preset, with headers of its own. */
  private static Request requestWithAppHeaders(ApiPreset preset, String method, FormBody body) {
    String path =
        Map.of(
                "BINANCE", "api/v3/account",
                "KRAKEN", "0/private/Balance",
                "COINBASE_ADVANCED_TRADE", "api/v3/brokerage/accounts")
            .getOrDefault(preset.name(), "ping");
    return new Request.Builder()
        .url(
            preset
                .baseUrl()
                .newBuilder()
                .addPathSegments(path)
                .addQueryParameter("symbol", "BTC")
                .build())
        .header("Accept", "application/json")
        .header("User-Agent", "keyguard-test")
        .method(method, body)
        .build();
  }

  /**
   * Headers present after but not before (lower-cased names), failing if any were changed or
   * removed.
   */
  private static Map<String, String> addedHeaders(Headers before, Headers after) {
    Map<String, String> added = new HashMap<>();
    for (String name : after.names()) {
      List<String> was = before.values(name);
      List<String> now = after.values(name);
      if (was.isEmpty()) {
        assertThat(now).as(name).hasSize(1);
        added.put(name.toLowerCase(Locale.ROOT), now.get(0));
      } else {
        assertThat(now).as("application header " + name + " is unchanged").isEqualTo(was);
      }
    }
    assertThat(after.names()).containsAll(before.names());
    return added;
  }
}
