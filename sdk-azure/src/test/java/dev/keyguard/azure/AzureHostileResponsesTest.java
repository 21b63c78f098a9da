package dev.keyguard.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ThreadSnapshot;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile answers to a Key Vault "get secret" in its JSON (what a broken proxy, a misrouted vault
 * URL or an attacker in the path could send), from an HTTPS MockWebServer that first answers the
 * SDK's bearer challenge: the emulator follows the specification and cannot produce them. Each must
 * end in a typed {@link KeyGuardException}, never a partial key; no value of the answer appears in
 * the exception or its stack trace; the memory one fetch allocates stays bounded.
 *
 * <p>Not here: deep nesting in a field the SDK does not know is skipped by its reader, and the
 * complete, valid value next to it is served (nothing partial); the text of a non-2xx error body is
 * quoted by the SDK's exception, which the provider keeps as the cause (redacted like every cause).
 */
class AzureHostileResponsesTest {

  private static final long ALLOCATION_BOUND = 256L * 1024 * 1024;
  private static final HeldCertificate CERTIFICATE =
      new HeldCertificate.Builder()
          .commonName("localhost")
          .addSubjectAlternativeName("localhost")
          .addSubjectAlternativeName("127.0.0.1")
          .build();

  private MockWebServer server;

  /** One hostile answer, given the server's URL and a marker that must not leak. */
  record Hostile(String name, BiFunction<String, String, MockResponse> response) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.useHttps(
        new HandshakeCertificates.Builder()
            .heldCertificate(CERTIFICATE)
            .build()
            .sslSocketFactory());
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json; charset=utf-8")
        .body(body)
        .build();
  }

  private static MockResponse raw(int code, String type, byte[] body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", type)
        .body(new Buffer().write(body))
        .build();
  }

  private static String secret(String url, String valueJson, String idJson) {
    return "{"
        + (valueJson == null ? "" : "\"value\":" + valueJson + ",")
        + (idJson == null ? "" : "\"id\":" + idJson + ",")
        + "\"attributes\":{\"enabled\":true,\"created\":1764000000,\"updated\":1764000000,"
        + "\"recoveryLevel\":\"Recoverable+Purgeable\"}}";
  }

  private static String id(String url) {
    return "\"" + url + "/secrets/hostile/0123456789abcdef0123456789abcdef\"";
  }

  private static String q(String s) {
    return "\"" + s + "\"";
  }

  static Stream<Hostile> hostile() {
    return Stream.of(
        new Hostile("truncated JSON", (u, m) -> json(200, secret(u, q(m), id(u)).substring(0, 20))),
        new Hostile(
            "truncated JSON ending inside the secret",
            (u, m) ->
                json(
                    200,
                    secret(u, q(m), id(u)).substring(0, secret(u, q(m), id(u)).indexOf(m) + 8))),
        new Hostile(
            "wrong content type: an HTML page with a 200",
            (u, m) ->
                raw(200, "text/html", ("<html>" + m + "</html>").getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "HTML error page from a proxy, 502",
            (u, m) ->
                raw(
                    502,
                    "text/html",
                    // the SDK's exception, kept as the cause, quotes an error body: no marker
                    "<html><h1>502 Bad Gateway</h1></html>".getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "a 200 with Key Vault's error body",
            (u, m) ->
                json(
                    200, "{\"error\":{\"code\":\"SecretNotFound\",\"message\":\"no " + m + "\"}}")),
        new Hostile("a 200 with an empty body", (u, m) -> json(200, "")),
        new Hostile("a 200 with a JSON null", (u, m) -> json(200, "null")),
        new Hostile("a 200 with a JSON array", (u, m) -> json(200, "[" + q(m) + "]")),
        new Hostile(
            "a huge body (12 MiB value)",
            (u, m) -> json(200, secret(u, q(m + "A".repeat(12 * 1024 * 1024)), id(u)))),
        new Hostile(
            "deeply nested JSON inside the value",
            (u, m) ->
                json(
                    200,
                    secret(
                        u,
                        q(
                            "{\\\"apiKey\\\":\\\""
                                + m
                                + "\\\",\\\"x\\\":"
                                + "[".repeat(50_000)
                                + "]".repeat(50_000)
                                + "}"),
                        id(u)))),
        new Hostile(
            "wrong field type: value is an object",
            (u, m) -> json(200, secret(u, "{\"apiKey\":" + q(m) + "}", id(u)))),
        new Hostile(
            "wrong field type: apiKey in the value is a number",
            (u, m) ->
                json(
                    200, secret(u, q("{\\\"apiKey\\\":1,\\\"note\\\":\\\"" + m + "\\\"}"), id(u)))),
        new Hostile("missing id (no version)", (u, m) -> json(200, secret(u, q(m), null))),
        new Hostile(
            "an id without a version",
            (u, m) -> json(200, secret(u, q(m), q(u + "/secrets/hostile")))),
        new Hostile(
            "duplicate keys in the value (two apiKey fields)",
            (u, m) ->
                json(
                    200,
                    secret(
                        u,
                        q(
                            "{\\\"apiKey\\\":\\\""
                                + m
                                + "\\\",\\\"apiKey\\\":\\\""
                                + TestSecrets.randomHex(16)
                                + "\\\"}"),
                        id(u)))),
        new Hostile(
            "invalid UTF-8 bytes in the body",
            (u, m) -> {
              byte[] head = secret(u, q(m), id(u)).getBytes(StandardCharsets.UTF_8);
              byte[] body = new byte[head.length + 3];
              System.arraycopy(head, 0, body, 0, head.length - 1);
              body[head.length - 1] = (byte) 0xC3;
              body[head.length] = (byte) 0x28;
              body[head.length + 1] = (byte) 0xFF;
              body[head.length + 2] = '}';
              return raw(200, "application/json", body);
            }),
        new Hostile("an empty value", (u, m) -> json(200, secret(u, q(""), id(u)))),
        new Hostile("a blank value", (u, m) -> json(200, secret(u, q("  \\t "), id(u)))),
        new Hostile("no value field", (u, m) -> json(200, secret(u, null, id(u)))),
        new Hostile(
            "a 1 MiB value", (u, m) -> json(200, secret(u, q(m + "k".repeat(1024 * 1024)), id(u)))),
        new Hostile(
            "a body cut short of its Content-Length, then the connection closed",
            (u, m) ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .body(secret(u, q(m), id(u)).substring(0, 25))
                    .setHeader("Content-Length", "4096")
                    .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
                    .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void fetch_whenTheAnswerIsHostile_failsWithATypedErrorAndLeaksNothing(Hostile h)
      throws Exception {
    String url = "https://127.0.0.1:" + server.getPort();
    String marker = TestSecrets.randomHex(16);
    MockResponse answer = h.response().apply(url, marker);
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            if (request.getHeaders().get("Authorization") == null) {
              return new MockResponse.Builder()
                  .code(401)
                  .setHeader("WWW-Authenticate", KeyVaultEmulator.CHALLENGE)
                  .build();
            }
            return answer;
          }
        });
    io.netty.handler.ssl.SslContext ssl =
        SslContextBuilder.forClient().trustManager(CERTIFICATE.certificate()).build();
    HttpClient http =
        new NettyAsyncHttpClientBuilder(
                reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl)))
            .responseTimeout(Duration.ofSeconds(10))
            .build();
    AzureKeyVaultKeyProvider provider =
        AzureKeyVaultKeyProvider.builder()
            .vaultUrl(url)
            .credential(new AzureTestSupport.StaticTokenCredential(TestSecrets.randomHex(20)))
            .httpClient(http)
            .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
            .disableChallengeResourceVerificationForTesting()
            .build();
    long before = ThreadSnapshot.allocatedBytes();

    Throwable thrown = catchThrowable(() -> provider.fetch(KeyId.of("hostile")));

    long allocated = ThreadSnapshot.allocatedBytes() - before;
    assertThat(thrown).as("a typed error, not a credential").isInstanceOf(KeyGuardException.class);
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(marker);
    assertThat(allocated)
        .as("memory allocated by one fetch (%d MiB)", allocated >> 20)
        .isLessThan(ALLOCATION_BOUND);
    System.out.printf(
        "HOSTILE azure | %s | %s | %d MiB allocated%n",
        h.name(), thrown.getClass().getSimpleName(), allocated >> 20);
  }
}
