package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.ExceptionTextAssertions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Typed calls, async calls, the response wrapper, and errors that never carry the key. */
class KeyGuardClientCallsTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private VersionedCredential credential;
  private String apiKey;
  private FakeManagedKey key;

  /** A response body type. */
  record Price(String symbol, BigDecimal price) {}

  @BeforeEach
  void setUp() {
    credential = TestCredentials.credential(KeyId.of("calls-test"), "3");
    apiKey = TestCredentials.apiKeyOf(credential);
    key = new FakeManagedKey(credential);
  }

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/v2"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  // ------------------------------------------------------------------------------ typed JSON

  @Test
  void get_decodesJsonIntoTheGivenType_andSendsPathAndQueryUnderTheBaseUrl() {
    api.enqueue(json(200, "{\"symbol\":\"BTC\",\"price\":64000.5,\"unknown\":1}"));
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("symbol", "BTC");
    query.put("limit", 5);

    Price price = builder().build().get("/price", query, Price.class);

    assertThat(price).isEqualTo(new Price("BTC", new BigDecimal("64000.5")));
    RecordedRequest r = takeAll(api).get(0);
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v2/price");
    assertThat(r.getUrl().encodedQuery()).isEqualTo("symbol=BTC&limit=5");
    assertThat(r.getHeaders().get("X-Api-Key")).isEqualTo(apiKey);
  }

  @Test
  void get_withTypeReference_decodesGenericTypes() {
    api.enqueue(json(200, "[{\"symbol\":\"BTC\",\"price\":1},{\"symbol\":\"ETH\",\"price\":2}]"));

    List<Price> prices = builder().build().get("/prices", new TypeReference<List<Price>>() {});

    assertThat(prices).extracting(Price::symbol).containsExactly("BTC", "ETH");
  }

  @Test
  void get_withStringType_returnsTheRawBody_andEmptyBodyGivesNull() {
    api.enqueue(json(200, "not json at all"));
    api.enqueue(new MockResponse.Builder().code(204).build());
    KeyGuardClient client = builder().build();

    assertThat(client.get("/raw", String.class)).isEqualTo("not json at all");
    assertThat(client.get("/empty", JsonNode.class)).isNull();
  }

  @Test
  void post_serializesTheBodyAsJson() {
    api.enqueue(json(201, "{\"symbol\":\"BTC\",\"price\":1}"));

    Price created =
        builder().build().post("/orders", new Price("BTC", BigDecimal.ONE), Price.class);

    assertThat(created.symbol()).isEqualTo("BTC");
    RecordedRequest r = takeAll(api).get(0);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(r.getBody().utf8()).isEqualTo("{\"symbol\":\"BTC\",\"price\":1}");
  }

  @Test
  void send_sendsAnyMethod() {
    api.enqueue(json(200, "{}"));

    ApiResponse<JsonNode> r =
        builder().build().send(ApiRequest.builder("delete", "/orders/7").build(), JsonNode.class);

    assertThat(r.status()).isEqualTo(200);
    assertThat(takeAll(api).get(0).getMethod()).isEqualTo("DELETE");
  }

  @Test
  void getResponse_exposesStatusHeadersRateLimitHeadersAndRequestId() {
    api.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("X-MBX-USED-WEIGHT-1M", "37")
            .setHeader("X-RateLimit-Remaining", "99")
            .setHeader("X-Request-Id", "req-123")
            .setHeader("Content-Type", "application/json")
            .body("{\"symbol\":\"BTC\",\"price\":1}")
            .build());

    ApiResponse<Price> r = builder().build().getResponse("/price", Map.of(), Price.class);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().symbol()).isEqualTo("BTC");
    assertThat(r.rateLimitHeader("x-mbx-used-weight-1m")).contains("37");
    assertThat(r.rateLimitHeaders())
        .containsEntry("X-RateLimit-Remaining", "99")
        .doesNotContainKey("Content-Type");
    assertThat(r.requestId()).contains("req-123");
    assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.toString()).doesNotContain("BTC");
  }

  @Test
  void getResponse_withCustomRateLimitPrefixes_exposesThoseHeaders() {
    api.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("X-CG-Credits-Left", "10")
            .body("{}")
            .build());

    ApiResponse<JsonNode> r =
        builder()
            .rateLimitHeaderPrefixes("x-cg-")
            .build()
            .getResponse("/p", Map.of(), JsonNode.class);

    // HTTP/2 lower-cases header names; lookups ignore case
    assertThat(r.rateLimitHeaders()).hasSize(1);
    assertThat(r.rateLimitHeader("X-CG-Credits-Left")).contains("10");
  }

  // ----------------------------------------------------------------------------------- async

  @Test
  void getAsync_completesOnOkHttpsDispatcherWithTheDecodedBody() throws Exception {
    api.enqueue(json(200, "{\"symbol\":\"ETH\",\"price\":3}"));
    // The dispatcher's threads are recorded, and hold each call until the gate opens: the stage
    // below is registered before the future can complete, so it runs on the thread completing it.
    CountDownLatch gate = new CountDownLatch(1);
    Set<Thread> dispatcherThreadSet = ConcurrentHashMap.newKeySet();
    ThreadPoolExecutor dispatcherThreads =
        new ThreadPoolExecutor(
            0,
            4,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "test-dispatcher");
              dispatcherThreadSet.add(t);
              return t;
            }) {
          @Override
          public void execute(Runnable call) {
            super.execute(
                () -> {
                  try {
                    if (gate.await(5, TimeUnit.SECONDS)) {
                      call.run();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
          }
        };
    try {
      OkHttpClient gated =
          TestTls.TRUSTING_OKHTTP
              .newBuilder()
              .dispatcher(new Dispatcher(dispatcherThreads))
              .build();

      CompletableFuture<Price> future =
          builder()
              .okHttpClient(gated)
              .build()
              .getAsync("/price", Map.of("symbol", "ETH"), Price.class);
      // OkHttp names its thread after the call only while the call runs: read the name in the stage
      CompletableFuture<Map.Entry<Thread, String>> completedOn =
          future.thenApply(
              p -> Map.entry(Thread.currentThread(), Thread.currentThread().getName()));
      assertThat(future).isNotDone();
      gate.countDown();

      // wait on the dependent stage, not on the future: a thread blocked in future.get() may run
      // the future's dependents itself once it wakes up
      Map.Entry<Thread, String> thread = completedOn.get(5, TimeUnit.SECONDS);
      assertThat(dispatcherThreadSet).contains(thread.getKey());
      assertThat(thread.getValue()).startsWith("OkHttp https://");
      assertThat(future.join().symbol()).isEqualTo("ETH");
      assertThat(takeAll(api).get(0).getHeaders().get("X-Api-Key")).isEqualTo(apiKey);
    } finally {
      gate.countDown();
      dispatcherThreads.shutdown();
    }
  }

  @Test
  void getAsync_whenRejected_failsTheFutureWithKeyRejected() {
    api.enqueue(json(401, "{}"));

    CompletableFuture<JsonNode> future =
        builder().build().getAsync("/price", Map.of(), JsonNode.class);

    assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(KeyRejectedException.class);
  }

  @Test
  void postResponseAsync_whenServerError_failsTheFutureWithApiResponseException() {
    api.enqueue(json(500, "{\"error\":\"boom\"}"));

    CompletableFuture<ApiResponse<JsonNode>> future =
        builder().build().postResponseAsync("/orders", Map.of(), JsonNode.class);

    assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ApiResponseException.class)
        .hasMessageContaining("HTTP 500");
  }

  @Test
  void getAsync_whenCancelled_cancelsTheCall() {
    api.enqueue(
        new MockResponse.Builder().code(200).headersDelay(10, TimeUnit.SECONDS).body("{}").build());
    KeyGuardClient client = builder().build();

    CompletableFuture<JsonNode> future = client.getAsync("/slow", Map.of(), JsonNode.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> api.getRequestCount() > 0);
    future.cancel(true);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.okHttpClient().dispatcher().runningCallsCount() == 0);
    assertThat(future).isCancelled();
  }

  // ---------------------------------------------------------------------------------- errors

  @Test
  void error_whenBodyEchoesTheKeyAndUrlCarriesAQueryKey_neitherAppearsAnywhere()
      throws IOException {
    String echo =
        "{\"error\":\"bad request for apikey="
            + apiKey
            + "\",\"url\":\"/v2/price?apikey="
            + apiKey
            + "\"}";
    api.enqueue(
        new MockResponse.Builder()
            .code(400)
            .setHeader("X-Request-Id", "req-9")
            .setHeader("X-RateLimit-Remaining", "0")
            .body(echo)
            .build());
    KeyGuardClient client = builder().authScheme(TestSchemes.query()).build();

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class,
            () -> client.get("/price", Map.of("symbol", "BTC"), JsonNode.class));

    assertThat(takeAll(api).get(0).getUrl().queryParameter("apikey"))
        .isEqualTo(apiKey); // it was sent
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.requestId()).contains("req-9");
    assertThat(e.rateLimitHeaders()).containsEntry("X-RateLimit-Remaining", "0");
    assertThat(e.url()).contains("symbol=BTC").contains("apikey=[REDACTED]");
    assertThat(e.getMessage()).contains("GET", "HTTP 400", "calls-test", "version 3", "req-9");
    assertThat(e.bodyExcerpt()).contains("bad request");
    assertNowhere(apiKey, e);
  }

  @Test
  void error_whenBodyIsLarge_keepsAtMostOneKibibyte() {
    api.enqueue(json(502, "x".repeat(5000)));

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class,
            () ->
                builder().retryOptions(RetryOptions.none()).build().get("/price", JsonNode.class));

    assertThat(e.bodyExcerpt().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage().length()).isLessThan(600);
  }

  @Test
  void error_whenKeyStraddlesTheExcerptLimit_noPartOfItSurvives() throws IOException {
    // the key starts just before the 1 KiB cut and ends after it
    String body =
        ".".repeat(ApiResponseException.MAX_EXCERPT_BYTES - 20) + apiKey + ".".repeat(100);
    api.enqueue(json(400, body));

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> builder().build().get("/price", JsonNode.class));

    assertThat(e.bodyExcerpt()).doesNotContain(apiKey.substring(0, 12));
    assertThat(e.bodyExcerpt().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
    assertNowhere(apiKey, e);
  }

  @Test
  void error_whenLongRequestIdHeaderHasKeyStraddlingItsCap_noPartOfItSurvives() throws IOException {
    // header values are kept up to 200 chars; the key starts 10 chars before that cap
    api.enqueue(
        new MockResponse.Builder()
            .code(429)
            .setHeader("X-Request-Id", "r".repeat(190) + apiKey)
            .setHeader("X-RateLimit-Reset", "s".repeat(190) + apiKey)
            .body("{}")
            .build());

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class,
            () ->
                builder().retryOptions(RetryOptions.none()).build().get("/price", JsonNode.class));

    assertThat(e.requestId().orElseThrow())
        .startsWith("rrrr")
        .doesNotContain(apiKey.substring(0, 8));
    assertThat(e.rateLimitHeaders().get("X-RateLimit-Reset"))
        .doesNotContain(apiKey.substring(0, 8));
    assertNowhere(apiKey.substring(0, 8), e);
  }

  @Test
  void error_whenUndecodableBodyHasKeyStraddlingTheExcerptLimit_noPartOfItSurvives() {
    String body =
        ".".repeat(ApiResponseException.MAX_EXCERPT_BYTES - 20) + apiKey + ".".repeat(100);
    api.enqueue(json(200, body));

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> builder().build().get("/price", Price.class));

    assertThat(e.getMessage()).contains("could not be decoded");
    assertThat(e.bodyExcerpt()).doesNotContain(apiKey.substring(0, 12));
    assertThat(e.bodyExcerpt().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
  }

  @Test
  void error_whenSuccessBodyCannotBeDecoded_failsWithApiResponseException() {
    api.enqueue(json(200, "{\"symbol\":[1,2]}"));

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> builder().build().get("/price", Price.class));

    assertThat(e.status()).isEqualTo(200);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("could not be decoded");
    assertThat(e.bodyExcerpt()).contains("symbol");
  }

  @Test
  void error_whenConnectionRefused_isRetryableTransportFailureWithoutTheQueryKey()
      throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    KeyGuardClient client =
        builder()
            .baseUrl("https://127.0.0.1:" + closedPort + "/v2")
            .authScheme(TestSchemes.query())
            .build();

    ApiTransportException e =
        catchThrowableOfType(
            ApiTransportException.class,
            () -> client.get("/price", Map.of("symbol", "BTC"), JsonNode.class));

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage())
        .contains("/v2/price")
        .contains("symbol=BTC")
        .contains("(ConnectException, the cause)");
    ExceptionTextAssertions.assertNoRepeatedText(e);
    assertNowhere(apiKey, e);
  }

  @Test
  void error_rejection_carriesNoKeyInMessageCauseOrSerializedForm() throws IOException {
    api.enqueue(json(401, "{\"error\":\"key " + apiKey + " revoked\"}"));
    KeyGuardClient client = builder().authScheme(TestSchemes.headerQueryAndSignature()).build();

    KeyRejectedException e =
        catchThrowableOfType(
            KeyRejectedException.class, () -> client.get("/price", JsonNode.class));

    assertThat(((ApiResponseException) e.getCause()).url())
        .contains("apikey=[REDACTED]", "signature=[REDACTED]");
    assertNowhere(apiKey, e);
    assertNowhere(TestCredentials.apiSecretOf(credential), e);
  }

  /**
   * The value appears in no message, excerpt, URL, cause, suppressed exception or serialized form.
   */
  private static void assertNowhere(String secret, Throwable t) throws IOException {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain(secret);
      assertThat(c.toString()).doesNotContain(secret);
      if (c instanceof ApiResponseException a) {
        assertThat(a.bodyExcerpt()).doesNotContain(secret);
        assertThat(a.url()).doesNotContain(secret);
      }
      for (Throwable s : c.getSuppressed()) {
        assertNowhere(secret, s);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    assertThat(bytes.toString(StandardCharsets.ISO_8859_1)).doesNotContain(secret);
  }
}
