package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpLoggerTest {

  private final MockWebServer server = new MockWebServer();
  private final List<Secret> registered = new ArrayList<>();
  private final LogCapture captured = LogCapture.isolated("test.http");
  private final String apiKey = TestSecrets.randomBase64Url(30);

  /** A header scheme as the AuthScheme helpers will declare it. */
  private final AuthScheme headerScheme =
      new AuthScheme() {
        @Override
        public Request apply(Request request, VersionedCredential credential) {
          return request;
        }

        @Override
        public Set<String> headerNames() {
          return Set.of("x-custom-key");
        }

        @Override
        public Set<String> queryParameterNames() {
          return Set.of("custom_key");
        }
      };

  @BeforeEach
  void setUp() throws IOException {
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void tearDown() {
    server.close();
    captured.close();
    registered.forEach(Redactor.global()::retire);
  }

  /** Makes a secret known to the process-wide redactor, the only one the logger uses. */
  private void register(Secret secret) {
    Redactor.global().register(secret);
    registered.add(secret);
  }

  private String run(HttpLogger httpLogger, Request request) throws IOException {
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(httpLogger).build();
    try (Response response = client.newCall(request).execute()) {
      response.body().string();
    }
    return String.join("\n", captured.messages());
  }

  private HttpLogger.Builder builder() {
    return HttpLogger.builder().logger(captured.logger());
  }

  @Test
  void basic_whenQueryCarriesKey_logsNameWithRedactedValue() throws IOException {
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    Request request =
        new Request.Builder()
            .url(
                server
                    .url("/v2/price")
                    .newBuilder()
                    .addQueryParameter("symbol", "BTC")
                    .addQueryParameter("api_key", apiKey)
                    .addQueryParameter("custom_key", apiKey)
                    .build())
            .build();

    String log =
        run(builder().allowQueryParameter("symbol").authScheme(headerScheme).build(), request);

    assertThat(log)
        .contains(
            "--> GET http://"
                + server.url("/").host()
                + ":"
                + server.getPort()
                + "/v2/price?symbol=BTC&api_key=REDACTED&custom_key=REDACTED")
        .contains(
            "<-- 200 OK http://"
                + server.url("/").host()
                + ":"
                + server.getPort()
                + "/v2/price?symbol=BTC&api_key=REDACTED")
        .doesNotContain(apiKey);
    assertThat(captured.events()).hasSize(2).allMatch(e -> e.getLevel() == Level.INFO);
  }

  @Test
  void headers_whenNotAllowListed_printsRedacted() throws IOException {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("X-Request-Id", "req-7")
            .addHeader("Set-Cookie", "s=" + apiKey)
            .body("ok")
            .build());
    Request request =
        new Request.Builder()
            .url(server.url("/x"))
            .header("Accept", "application/json")
            .header("x-custom-key", apiKey)
            .header("X-Other", "visible-only-if-allowed")
            .build();

    String log =
        run(builder().level(HttpLogger.Level.HEADERS).authScheme(headerScheme).build(), request);

    assertThat(log)
        .contains("Accept: application/json")
        .contains("x-custom-key: REDACTED")
        .contains("X-Other: REDACTED")
        .contains("X-Request-Id: req-7")
        .contains("Set-Cookie: REDACTED")
        .doesNotContain(apiKey)
        .doesNotContain("visible-only-if-allowed");
  }

  @Test
  void body_whenJsonResponseHoldsLiveSecret_isCappedAndRedacted() throws IOException {
    Secret secret = Secret.of(apiKey);
    register(secret);
    String body = "{\"echo\":\"" + apiKey + "\",\"pad\":\"" + "x".repeat(200) + "\"}";
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "application/json")
            .body(body)
            .build());
    Request request =
        new Request.Builder()
            .url(server.url("/echo"))
            .post(
                RequestBody.create("{\"q\":\"" + apiKey + "\"}", MediaType.get("application/json")))
            .build();

    String log = run(builder().level(HttpLogger.Level.BODY).maxBodyBytes(64).build(), request);

    assertThat(log)
        .contains("{\"q\":\"[REDACTED:" + secret.fingerprint() + "]\"}")
        .contains("{\"echo\":\"[REDACTED:" + secret.fingerprint() + "]")
        .contains("...(truncated at 64 bytes of " + body.length() + ")")
        .doesNotContain(apiKey)
        .doesNotContain("x".repeat(100));
  }

  @Test
  void body_whenLiveSecretCrossesTheCap_noPartOfItIsLogged() throws IOException {
    register(Secret.of(apiKey));
    // the secret starts 14 bytes before the 64-byte cap and ends after it, in both bodies
    String body = ".".repeat(50) + apiKey + ".".repeat(100);
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "text/plain")
            .body(body)
            .build());
    Request request =
        new Request.Builder()
            .url(server.url("/echo"))
            .post(RequestBody.create(body, MediaType.get("text/plain")))
            .build();

    String log = run(builder().level(HttpLogger.Level.BODY).maxBodyBytes(64).build(), request);

    assertThat(log).contains("...(truncated at 64 bytes").doesNotContain(apiKey.substring(0, 8));
  }

  @Test
  void body_whenFormValueWithLiveSecretCrossesTheCap_noPartOfItIsLogged() throws IOException {
    register(Secret.of(apiKey));
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    Request request =
        new Request.Builder()
            .url(server.url("/form"))
            .post(new FormBody.Builder().add("note", ".".repeat(50) + apiKey).build())
            .build();

    String log =
        run(
            builder()
                .level(HttpLogger.Level.BODY)
                .allowQueryParameter("note")
                .maxBodyBytes(64)
                .build(),
            request);

    assertThat(log).contains("note=").doesNotContain(apiKey.substring(0, 8));
  }

  @Test
  void body_whenFormBody_followsQueryAllowlist() throws IOException {
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    Request request =
        new Request.Builder()
            .url(server.url("/form"))
            .post(new FormBody.Builder().add("symbol", "ETH").add("secret", apiKey).build())
            .build();

    String log =
        run(builder().level(HttpLogger.Level.BODY).allowQueryParameter("symbol").build(), request);

    assertThat(log).contains("symbol=ETH&secret=REDACTED").doesNotContain(apiKey);
  }

  @Test
  void body_whenFormEncodedBytes_followsQueryAllowlistLikeAFormBody() throws IOException {
    // what the Binance and Kraken schemes send: a form built from bytes, not a FormBody
    String signature = TestSecrets.randomHex(32);
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    Request request =
        new Request.Builder()
            .url(server.url("/form"))
            .post(
                RequestBody.create(
                    "symbol=ETH&secret=" + apiKey + "&timestamp=1&signature=" + signature,
                    MediaType.get("application/x-www-form-urlencoded")))
            .build();

    String log =
        run(builder().level(HttpLogger.Level.BODY).allowQueryParameter("symbol").build(), request);

    assertThat(log)
        .contains("symbol=ETH&secret=REDACTED&timestamp=REDACTED&signature=REDACTED")
        .doesNotContain(apiKey)
        .doesNotContain(signature);
  }

  @Test
  void body_whenBinary_isOmitted() throws IOException {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "application/octet-stream")
            .body("abc")
            .build());
    Request request = new Request.Builder().url(server.url("/bin")).build();

    String log = run(builder().level(HttpLogger.Level.BODY).build(), request);

    assertThat(log).contains("(binary 3-byte body omitted)");
  }

  @Test
  void body_afterLogging_isStillReadableByTheApplication() throws IOException {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", "text/plain")
            .body("hello body")
            .build());
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(builder().level(HttpLogger.Level.BODY).build())
            .build();

    try (Response response =
        client.newCall(new Request.Builder().url(server.url("/t")).build()).execute()) {
      assertThat(response.body().string()).isEqualTo("hello body");
    }
  }

  @Test
  void none_logsNothing() throws IOException {
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());

    String log =
        run(
            builder().level(HttpLogger.Level.NONE).build(),
            new Request.Builder().url(server.url("/n")).build());

    assertThat(log).isEmpty();
  }

  @Test
  void failure_whenConnectionRefused_logsRedactedUrl() throws IOException {
    int port = server.getPort();
    server.close();
    Request request =
        new Request.Builder().url("http://127.0.0.1:" + port + "/down?api_key=" + apiKey).build();
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(builder().build()).build();

    assertThatThrownBy(() -> client.newCall(request).execute()).isInstanceOf(IOException.class);

    String log = String.join("\n", captured.messages());
    assertThat(log)
        .contains("<-- HTTP FAILED GET http://127.0.0.1:" + port + "/down?api_key=REDACTED")
        .doesNotContain(apiKey);
  }

  @Test
  void allowHeader_whenAlwaysRedactedName_throwsAtOnce() {
    assertThatThrownBy(() -> HttpLogger.builder().allowHeader("Authorization"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Authorization'")
        .hasMessageContaining("never be allow-listed");
    assertThatThrownBy(() -> HttpLogger.builder().allowedHeaders(List.of("accept", "X-API-KEY")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpLogger.builder().allowQueryParameter("api_key"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void build_whenAllowListedNameBelongsToAuthScheme_throwsNamingIt() {
    HttpLogger.Builder b =
        HttpLogger.builder().allowHeader("X-Custom-Key").authScheme(headerScheme);

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("header 'x-custom-key'");
  }

  @Test
  void forAuthScheme_whenConflict_throwsAndOtherwiseKeepsNamesRedacted() {
    HttpLogger conflicting = HttpLogger.builder().allowQueryParameter("custom_key").build();
    assertThatThrownBy(() -> conflicting.forAuthScheme(headerScheme))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("query parameter 'custom_key'");

    HttpLogger plain = HttpLogger.builder().build();
    assertThat(plain.forAuthScheme(headerScheme)).isNotSameAs(plain);
    assertThat(
            plain.forAuthScheme(
                new AuthScheme() {
                  @Override
                  public Request apply(Request request, VersionedCredential credential) {
                    return request;
                  }
                }))
        .isSameAs(plain);
  }

  @Test
  void builder_whenMaxBodyBytesOutOfRange_throws() {
    assertThatThrownBy(() -> HttpLogger.builder().maxBodyBytes(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpLogger.builder().maxBodyBytes(2 << 20))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void url_dropsUserInfoAndFragmentAndRedactsQueryValues() {
    HttpLogger httpLogger = HttpLogger.builder().allowQueryParameter("page").build();
    okhttp3.HttpUrl url =
        okhttp3.HttpUrl.get(
            "https://user:"
                + apiKey
                + "@api.example.com:8443/v1/a%20b?page=2&sig="
                + apiKey
                + "&flag#frag-"
                + apiKey);

    assertThat(httpLogger.url(url))
        .isEqualTo("https://api.example.com:8443/v1/a%20b?page=2&sig=REDACTED&flag");
  }

  @Test
  void toString_showsNoNamesOrValues() {
    assertThat(HttpLogger.builder().level(HttpLogger.Level.HEADERS).build().toString())
        .startsWith("HttpLogger[level=HEADERS");
  }

  @Test
  void basic_measuresTheCallOnTheGivenTimeSource() throws IOException {
    FakeClock clock = new FakeClock();
    server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
    HttpLogger httpLogger = builder().timeSource(clock).build();
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(httpLogger)
            .addInterceptor(
                chain -> {
                  clock.advance(Duration.ofMillis(1234));
                  return chain.proceed(chain.request());
                })
            .build();

    try (Response response =
        client.newCall(new Request.Builder().url(server.url("/t")).build()).execute()) {
      response.body().string();
    }

    assertThat(String.join("\n", captured.messages())).contains("(1234 ms");
  }
}
