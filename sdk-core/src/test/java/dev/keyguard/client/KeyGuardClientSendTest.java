package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static dev.keyguard.testing.TestSecrets.randomAlphanumeric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.auth.AuthTestSupport;
import dev.keyguard.testing.FakeClock;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The request value and send/sendAsync under the sugar; derived builders; the time source. */
class KeyGuardClientSendTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private final FakeManagedKey key =
      new FakeManagedKey(TestCredentials.credential(KeyId.of("send-test"), "1"));

  record Price(String symbol, BigDecimal price) {}

  /** {@code List<Price>} as a plain reflection type, without Jackson's TypeReference. */
  private static final Type LIST_OF_PRICES =
      new ParameterizedType() {
        @Override
        public Type[] getActualTypeArguments() {
          return new Type[] {Price.class};
        }

        @Override
        public Type getRawType() {
          return List.class;
        }

        @Override
        public Type getOwnerType() {
          return null;
        }
      };

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/v2"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  @Test
  void send_sendsTheRequestValue_withItsQueryHeadersAndJsonBody() {
    api.enqueue(json(200, "{\"symbol\":\"BTC\",\"price\":1}"));
    ApiRequest request =
        ApiRequest.builder("PUT", "/orders/7")
            .queryParameter("symbol", "BTC")
            .header("X-Idempotency-Key", "idem-1")
            .body(Map.of("qty", 2))
            .build();

    ApiResponse<Price> response = builder().build().send(request, Price.class);

    assertThat(response.body()).isEqualTo(new Price("BTC", BigDecimal.ONE));
    RecordedRequest r = takeAll(api).get(0);
    assertThat(r.getMethod()).isEqualTo("PUT");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v2/orders/7");
    assertThat(r.getUrl().encodedQuery()).isEqualTo("symbol=BTC");
    assertThat(r.getHeaders().get("X-Idempotency-Key")).isEqualTo("idem-1");
    assertThat(r.getHeaders().get("X-Api-Key")).isNotNull();
    assertThat(r.getBody().utf8()).isEqualTo("{\"qty\":2}");
  }

  @Test
  void send_withAReflectionType_decodesWithoutATypeReference() {
    api.enqueue(json(200, "[{\"symbol\":\"BTC\",\"price\":1},{\"symbol\":\"ETH\",\"price\":2}]"));
    api.enqueue(json(200, "[{\"symbol\":\"SOL\",\"price\":3}]"));
    KeyGuardClient client = builder().build();

    ApiResponse<List<Price>> sent = client.send(ApiRequest.get("/prices"), LIST_OF_PRICES);
    List<Price> got = client.get("/prices", Map.of("limit", 1), LIST_OF_PRICES);

    assertThat(sent.body()).extracting(Price::symbol).containsExactly("BTC", "ETH");
    assertThat(got).containsExactly(new Price("SOL", new BigDecimal("3")));
  }

  @Test
  void sendAsync_completesWithTheResponse() throws Exception {
    api.enqueue(json(200, "{\"symbol\":\"BTC\",\"price\":1}"));

    ApiResponse<Price> response =
        builder().build().sendAsync(ApiRequest.get("/price"), Price.class).get(5, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().symbol()).isEqualTo("BTC");
  }

  @Test
  void getResponseAndGetAsync_withoutQuery_areSugarOverSend() throws Exception {
    api.enqueue(json(200, "{\"symbol\":\"BTC\",\"price\":1}"));
    api.enqueue(json(200, "{\"symbol\":\"ETH\",\"price\":2}"));
    KeyGuardClient client = builder().build();

    ApiResponse<Price> response = client.getResponse("/price", Price.class);
    Price async = client.getAsync("/price", Price.class).get(5, TimeUnit.SECONDS);

    assertThat(response.body().symbol()).isEqualTo("BTC");
    assertThat(async.symbol()).isEqualTo("ETH");
    assertThat(takeAll(api)).extracting(r -> r.getUrl().encodedQuery()).containsOnlyNulls();
  }

  @Test
  void toBuilder_derivesFromTheClientsSettings_everySettingKept() {
    ObjectMapper mapper = new ObjectMapper();
    Interceptor logging = chain -> chain.proceed(chain.request());
    FakeClock clock = new FakeClock();
    KeyGuardClient first =
        builder()
            .readTimeout(Duration.ofSeconds(3))
            .callTimeout(Duration.ofSeconds(7))
            .objectMapper(mapper)
            .rejectionErrorCodes("error", "E:bad")
            .rateLimitHeaderPrefixes("x-cg-")
            .clientRateLimit(5, Duration.ofSeconds(1))
            .loggingInterceptor(logging)
            .timeSource(clock)
            .build();

    KeyGuardClient.Builder derived = first.toBuilder();
    OkHttpClient second = derived.build().okHttpClient();

    assertThat(derived.objectMapper).isSameAs(mapper);
    assertThat(derived.rejectionRule.errorCodes()).containsExactly("E:bad");
    assertThat(derived.rateLimitHeaderPrefixes).containsExactly("x-cg-");
    assertThat(derived.rateLimitRequests).isEqualTo(5);
    assertThat(derived.timeSource).isSameAs(clock);
    assertThat(derived.okHttpClient).isSameAs(TestTls.TRUSTING_OKHTTP);
    assertThat(second.readTimeoutMillis()).isEqualTo(3000);
    assertThat(second.callTimeoutMillis()).isEqualTo(7000);
    assertThat(second.interceptors()).contains(logging);
  }

  @Test
  void toBuilder_changesToTheDerivedBuilderLeaveTheFirstClientAlone() {
    KeyGuardClient first = builder().rejectionStatuses(401).build();

    KeyGuardClient.Builder derived = first.toBuilder().rejectionStatuses(403);

    assertThat(derived.rejectionRule.statuses()).containsExactly(403);
    assertThat(first.toBuilder().rejectionRule.statuses()).containsExactly(401);
  }

  @Test
  void timeSource_isUsedByThePresetsAuthScheme() {
    FakeClock clock = new FakeClock(Instant.ofEpochMilli(1_767_225_600_000L));
    KeyGuardClient.Builder b =
        KeyGuardClient.builder().timeSource(clock).preset(ApiPresets.BINANCE);

    Request signed =
        b.authScheme.apply(
            new Request.Builder().url("https://api.binance.com/api/v3/account").build(),
            AuthTestSupport.credential(randomAlphanumeric(64), randomAlphanumeric(64)));

    assertThat(signed.url().queryParameter("timestamp")).isEqualTo("1767225600000");
  }

  @Test
  void getAsync_whenTheApiFails_completesWithTheKeyGuardExceptionItselfNotAWrapper()
      throws Exception {
    api.enqueue(json(500, "{}"));

    Throwable seen =
        builder()
            .build()
            .getAsync("/price", Map.of(), Price.class)
            .handle((price, failure) -> failure)
            .get(5, TimeUnit.SECONDS);

    assertThat(seen).isInstanceOf(ApiResponseException.class);
  }
}
