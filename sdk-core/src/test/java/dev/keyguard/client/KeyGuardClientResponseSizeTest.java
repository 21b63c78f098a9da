package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okio.Buffer;
import okio.GzipSink;
import okio.Okio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client reads at most {@code maxResponseBytes} of a 2xx body into memory: a declared {@code
 * Content-Length} over the cap fails before the body is read, a body without one (chunked, or
 * unpacked from gzip) fails once it grows past the cap. The failure is a typed {@link
 * ApiResponseException} with nothing of the body in it, the body is never decoded, and the
 * connection is released.
 */
class KeyGuardClientResponseSizeTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private static final int CAP = 1024;

  /** A client of its own connection pool, so that the test sees which connections are in use. */
  private final ConnectionPool pool = new ConnectionPool();

  private KeyGuardClient.Builder builder() {
    // HTTP/1.1, where a body has a Content-Length or is chunked (over HTTP/2 MockWebServer would
    // send a chunked body's framing as data)
    OkHttpClient okHttp =
        TestTls.TRUSTING_OKHTTP
            .newBuilder()
            .protocols(List.of(Protocol.HTTP_1_1))
            .connectionPool(pool)
            .build();
    return KeyGuardClient.builder()
        .baseUrl(api.url("/v2"))
        .managedKey(new FakeManagedKey(TestCredentials.credential(KeyId.of("size-test"), "1")))
        .authScheme(TestSchemes.header())
        .okHttpClient(okHttp);
  }

  private KeyGuardClient capped() {
    return builder().maxResponseBytes(CAP).build();
  }

  /** A JSON string of exactly {@code bytes} bytes (quotes included). */
  private static String jsonString(int bytes) {
    return "\"" + "a".repeat(bytes - 2) + "\"";
  }

  private static MockResponse fixedLength(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private static MockResponse chunked(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .chunkedBody(body, 100)
        .build();
  }

  private static Buffer gzip(byte[] data) throws IOException {
    Buffer out = new Buffer();
    try (var sink = Okio.buffer(new GzipSink(out))) {
      sink.write(data);
    }
    return out;
  }

  private void assertNoConnectionInUse() {
    assertThat(pool.connectionCount() - pool.idleConnectionCount())
        .as("connections still in use after the call")
        .isZero();
  }

  @Test
  void get_whenTheBodyIsExactlyTheCap_decodesIt_withOrWithoutContentLength() {
    api.enqueue(fixedLength(jsonString(CAP)));
    api.enqueue(chunked(jsonString(CAP)));
    KeyGuardClient client = capped();

    assertThat(client.get("/fixed", String.class)).hasSize(CAP);
    assertThat(client.get("/chunked", String.class)).hasSize(CAP);
  }

  @Test
  void get_whenContentLengthIsOverTheCap_failsBeforeReadingTheBody() {
    // a Content-Length of 1 GiB, then a few bytes and the connection closed: a client that read
    // the body would fail on the truncated stream (ApiTransportException), not on the size
    api.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .body("{\"price\":")
            .setHeader("Content-Length", Long.toString(1L << 30))
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
            .build());

    ApiResponseException e =
        catchThrowableOfType(ApiResponseException.class, () -> capped().get("/price", Price.class));

    assertThat(e.status()).isEqualTo(200);
    assertThat(e.getMessage())
        .contains("GET " + api.url("/v2/price"))
        .contains("Content-Length of 1073741824 bytes")
        .contains("maxResponseBytes of 1024 bytes");
    assertThat(e.bodyExcerpt()).isEmpty();
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getCause()).isNull();
    assertNoConnectionInUse();
  }

  @Test
  void get_whenAChunkedBodyGrowsPastTheCap_failsWithoutDecodingIt() {
    // valid JSON one byte over the cap: it would decode, so only the cap can refuse it
    api.enqueue(chunked(jsonString(CAP + 1)));

    ApiResponseException e =
        catchThrowableOfType(ApiResponseException.class, () -> capped().get("/big", String.class));

    assertThat(e.status()).isEqualTo(200);
    assertThat(e.getMessage())
        .contains("more than the client's maxResponseBytes of 1024 bytes")
        .contains("no Content-Length")
        .doesNotContain("aaaa");
    assertThat(e.bodyExcerpt()).isEmpty();
    assertThat(e.isRetryable()).isFalse();
    assertNoConnectionInUse();
  }

  @Test
  void get_whenAGzipBodyUnpacksPastTheCap_fails() throws IOException {
    // 1 MiB of zeros is about 1 KiB on the wire: the cap counts what the body unpacks to
    byte[] unpacked = new byte[1 << 20];
    Buffer packed = gzip(unpacked);
    assertThat(packed.size()).isLessThan(CAP * 4L);
    api.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/octet-stream")
            .setHeader("Content-Encoding", "gzip")
            .body(packed)
            .build());
    KeyGuardClient client = builder().maxResponseBytes(64 * 1024).build();

    ApiResponseException e =
        catchThrowableOfType(ApiResponseException.class, () -> client.get("/zip", byte[].class));

    assertThat(e.getMessage()).contains("more than the client's maxResponseBytes of 65536 bytes");
    assertNoConnectionInUse();
  }

  @Test
  void get_afterAnOversizedBody_theClientKeepsWorking() {
    api.enqueue(chunked(jsonString(CAP + 1)));
    api.enqueue(fixedLength("{\"symbol\":\"BTC\",\"price\":1}"));
    KeyGuardClient client = capped();

    assertThatThrownBy(() -> client.get("/big", String.class))
        .isInstanceOf(ApiResponseException.class);
    Price price = client.get("/price", Price.class);

    assertThat(price).isEqualTo(new Price("BTC", java.math.BigDecimal.ONE));
    assertNoConnectionInUse();
  }

  @Test
  void getAsync_whenTheBodyIsOverTheCap_failsTheFutureWithTheSameError() {
    api.enqueue(chunked(jsonString(CAP + 1)));

    CompletableFuture<String> future = capped().getAsync("/big", String.class);

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ApiResponseException.class)
        .hasMessageContaining("maxResponseBytes of 1024 bytes");
  }

  @Test
  void maxResponseBytes_byDefault_is16MiB_andADerivedClientKeepsTheSetting() {
    assertThat(KeyGuardClient.DEFAULT_MAX_RESPONSE_BYTES).isEqualTo(16L * 1024 * 1024);
    int sixteenMiB = (int) KeyGuardClient.DEFAULT_MAX_RESPONSE_BYTES;
    api.enqueue(chunked(jsonString(sixteenMiB)));
    api.enqueue(chunked(jsonString(sixteenMiB + 1)));
    api.enqueue(chunked(jsonString(CAP + 1)));
    KeyGuardClient byDefault = builder().build();

    assertThat(byDefault.get("/at-the-cap", String.class)).hasSize(sixteenMiB);
    assertThatThrownBy(() -> byDefault.get("/over-the-cap", String.class))
        .isInstanceOf(ApiResponseException.class)
        .hasMessageContaining("maxResponseBytes of 16777216 bytes");
    assertThatThrownBy(() -> capped().toBuilder().build().get("/derived", String.class))
        .isInstanceOf(ApiResponseException.class)
        .hasMessageContaining("maxResponseBytes of 1024 bytes");
  }

  @Test
  void maxResponseBytes_outOfRange_isRefusedWhenSet() {
    KeyGuardClient.Builder b = builder();

    assertThatThrownBy(() -> b.maxResponseBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxResponseBytes must be 1 to 1073741824, was 0");
    assertThatThrownBy(() -> b.maxResponseBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxResponseBytes((1L << 30) + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A response body type. */
  record Price(String symbol, java.math.BigDecimal price) {}
}
