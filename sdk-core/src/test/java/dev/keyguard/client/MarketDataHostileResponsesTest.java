package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.ThreadSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.BufferedSink;
import okio.GzipSink;
import okio.Okio;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile answers from a market-data API (or a proxy in front of it) to a typed GET through {@link
 * KeyGuardClient}. Each must end in a typed {@link KeyGuardException} (the caller never gets a
 * half-decoded price), the live key never appears in the exception or its stack trace even when the
 * answer echoes it, and one call's memory stays bounded.
 */
class MarketDataHostileResponsesTest {

  @org.junit.jupiter.api.extension.RegisterExtension
  static final HttpsMockServer API = new HttpsMockServer();

  private static final MockWebServer api = API.server();
  private static final long ALLOCATION_BOUND = 256L * 1024 * 1024;

  /** What the application decodes. */
  record Price(String symbol, BigDecimal price) {}

  /** One hostile answer, given the live key (which some answers echo). */
  record Hostile(String name, Function<String, MockResponse> response) {
    @Override
    public String toString() {
      return name;
    }
  }

  private VersionedCredential credential;

  @BeforeEach
  void setUp() {
    credential = TestCredentials.credential(KeyId.of("market-data"), "1");
  }

  private static MockResponse json(int code, String body) {
    return MockServers.json(code, body);
  }

  private static MockResponse raw(int code, String contentType, byte[] body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", contentType)
        .body(new Buffer().write(body))
        .build();
  }

  private static Buffer gzip(byte[] data) {
    Buffer out = new Buffer();
    try (BufferedSink sink = Okio.buffer(new GzipSink(out))) {
      sink.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static MockResponse html(int code, String body) {
    return raw(code, "text/html; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Hostile> hostile() {
    String good = "{\"symbol\":\"BTC\",\"price\":\"97234.51\"}";
    return Stream.of(
        new Hostile("truncated JSON", k -> json(200, good.substring(0, 20))),
        new Hostile(
            "wrong content type: an HTML page with a 200",
            k -> html(200, "<!DOCTYPE html><html><body>Welcome</body></html>")),
        new Hostile(
            "HTML error page from a proxy, 502",
            k -> html(502, "<html><h1>502 Bad Gateway</h1><p>nginx</p></html>")),
        new Hostile(
            "HTML error page from a WAF, 403, quoting the key",
            k -> html(403, "<html>Request blocked. x-api-key: " + k + "</html>")),
        new Hostile(
            "HTML login page from a captive proxy, 401",
            k -> html(401, "<html><form>login</form></html>")),
        new Hostile(
            "a 200 with an error body that names the key rejected",
            k -> json(200, "{\"error\":\"Invalid API key\",\"key\":\"" + k + "\"}")),
        new Hostile(
            "a 500 whose body echoes the key",
            k -> json(500, "{\"message\":\"internal error for key " + k + "\"}")),
        new Hostile(
            "a huge body: a 21 MB string, its Content-Length over the 16 MiB response cap",
            k -> json(200, "{\"symbol\":\"" + "S".repeat(21_000_000) + "\",\"price\":\"1\"}")),
        new Hostile(
            "a huge body without a Content-Length: 21 MB chunked, growing past the cap",
            k ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .chunkedBody(
                        "{\"symbol\":\"" + "S".repeat(21_000_000) + "\",\"price\":\"1\"}",
                        64 * 1024)
                    .build()),
        new Hostile(
            "a gzip bomb: about 64 KiB on the wire, 64 MiB unpacked",
            k ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .setHeader("Content-Encoding", "gzip")
                    .body(gzip(new byte[64 << 20]))
                    .build()),
        new Hostile(
            "deeply nested JSON",
            k -> json(200, "{\"symbol\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")),
        new Hostile("a JSON array instead of an object", k -> json(200, "[" + good + "]")),
        new Hostile("a JSON string instead of an object", k -> json(200, "\"ok\"")),
        new Hostile(
            "wrong field type: price is an object",
            k -> json(200, "{\"symbol\":\"BTC\",\"price\":{\"value\":1}}")),
        new Hostile(
            "wrong field type: price is not a number",
            k -> json(200, "{\"symbol\":\"BTC\",\"price\":\"ninety-seven\"}")),
        new Hostile(
            "a number of 2,000 digits (over the parser's number limit)",
            k -> json(200, "{\"symbol\":\"BTC\",\"price\":" + "9".repeat(2_000) + "}")),
        new Hostile(
            "duplicate keys: a second price appended by a proxy",
            k -> json(200, "{\"symbol\":\"BTC\",\"price\":\"97234.51\",\"price\":\"0.01\"}")),
        new Hostile(
            "invalid UTF-8 in the body",
            k -> {
              byte[] head = "{\"symbol\":\"BTC".getBytes(StandardCharsets.US_ASCII);
              byte[] body = new byte[head.length + 4];
              System.arraycopy(head, 0, body, 0, head.length);
              body[head.length] = (byte) 0xC3;
              body[head.length + 1] = (byte) 0x28;
              body[head.length + 2] = '"';
              body[head.length + 3] = '}';
              return raw(200, "application/json", body);
            }),
        new Hostile(
            "XML with a JSON content type",
            k ->
                raw(
                    200,
                    "application/json",
                    "<?xml version=\"1.0\"?><price>1</price>".getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "a body cut short of its Content-Length, then the connection closed",
            k ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .body(good.substring(0, 15))
                    .setHeader("Content-Length", "4096")
                    .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
                    .build()),
        new Hostile(
            "Content-Encoding gzip on a body that is not gzip",
            k ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .setHeader("Content-Encoding", "gzip")
                    .body(good)
                    .build()),
        new Hostile(
            "a 429 asking to come back in 30 years",
            k ->
                new MockResponse.Builder()
                    .code(429)
                    .setHeader("Retry-After", "999999999")
                    .body("{\"error\":\"slow down\"}")
                    .build()),
        new Hostile(
            "a 503 with a Retry-After that is not a number or a date",
            k ->
                new MockResponse.Builder()
                    .code(503)
                    .setHeader("Retry-After", "soon-ish")
                    .body("<html>maintenance</html>")
                    .build()),
        new Hostile(
            "a redirect to itself, forever",
            k ->
                new MockResponse.Builder()
                    .code(302)
                    .setHeader("Location", api.url("/v2/price").toString())
                    .build()),
        new Hostile(
            "a redirect to plain http",
            k ->
                new MockResponse.Builder()
                    .code(302)
                    .setHeader("Location", "http://127.0.0.1:" + api.getPort() + "/v2/price?k=" + k)
                    .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void get_whenTheAnswerIsHostile_failsWithATypedErrorAndNeverShowsTheKey(Hostile h) {
    String liveKey = TestCredentials.apiKeyOf(credential);
    MockResponse answer = h.response().apply(liveKey);
    api.setDispatcher(
        new mockwebserver3.Dispatcher() {
          @Override
          public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
            return answer;
          }
        });
    FakeManagedKey key = new FakeManagedKey(credential);
    KeyGuardClient client =
        KeyGuardClient.builder()
            .baseUrl(api.url("/v2/"))
            .managedKey(key)
            .authScheme(TestSchemes.header())
            .rejectionErrorCodes("error", "Invalid API key")
            .timeSource(new FakeClock()) // Retry-After waits pass at once
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();
    long allocatedBefore = ThreadSnapshot.allocatedBytes();

    Throwable thrown = catchThrowable(() -> client.get("price", Price.class));

    long allocated = ThreadSnapshot.allocatedBytes() - allocatedBefore;
    assertThat(thrown).as("a typed error, not a price").isInstanceOf(KeyGuardException.class);
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(liveKey);
    assertThat(String.valueOf(thrown.getMessage())).doesNotContain(liveKey);
    assertThat(allocated)
        .as("memory allocated by one call (%d MiB)", allocated >> 20)
        .isLessThan(ALLOCATION_BOUND);
    System.out.printf(
        "HOSTILE market-data | %s | %s | %d MiB allocated%n",
        h.name(), thrown.getClass().getSimpleName(), allocated >> 20);
  }
}
