package dev.keyguard.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ThreadSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Hostile answers to {@code GetSecretValue} in the AWS JSON 1.1 protocol (what a broken proxy, a
 * misrouted endpoint or an attacker in the path could send), from a MockWebServer: a real Secrets
 * Manager or moto cannot produce them. Each must end in a typed {@link KeyGuardException}, never a
 * partial key; no value of the response appears in the exception, its stack trace or the logs; and
 * the memory one fetch allocates stays bounded.
 */
class AwsHostileResponsesTest {

  private static final KeyId KEY = KeyId.of("prod/hostile/api");
  private static final String JSON_11 = "application/x-amz-json-1.1";
  private static final long ALLOCATION_BOUND = 256L * 1024 * 1024;

  private MockWebServer server;
  private final List<AwsSecretsManagerKeyProvider> providers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() {
    providers.forEach(AwsSecretsManagerKeyProvider::close);
    server.close();
  }

  private AwsSecretsManagerKeyProvider provider() {
    AwsSecretsManagerKeyProvider p =
        AwsSecretsManagerKeyProvider.builder()
            .region(Region.EU_WEST_1)
            .endpointOverride(URI.create("http://127.0.0.1:" + server.getPort()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("keyguard-test", "keyguard-test-secret")))
            .apiCallTimeout(Duration.ofSeconds(5))
            .build();
    providers.add(p);
    return p;
  }

  /** One hostile answer; {@code marker} is a value it carries that must not leak. */
  record Hostile(String name, String marker, Function<String, MockResponse> response) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", JSON_11)
        .body(body)
        .build();
  }

  private static MockResponse bytes(int code, String contentType, byte[] body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", contentType)
        .body(new Buffer().write(body))
        .build();
  }

  private static String ok(String secretStringJson, String versionIdJson) {
    return "{\"ARN\":\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/hostile/api\","
        + "\"Name\":\"prod/hostile/api\","
        + (versionIdJson == null ? "" : "\"VersionId\":" + versionIdJson + ",")
        + (secretStringJson == null ? "" : "\"SecretString\":" + secretStringJson + ",")
        + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7640000E9}";
  }

  private static String q(String s) {
    return "\"" + s + "\"";
  }

  private static String repeat(String s, int n) {
    return s.repeat(n);
  }

  static Stream<Hostile> hostile() {
    String v = "\"2f1c0b5e-hostile\"";
    return Stream.of(
        new Hostile(
            "truncated JSON",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q(m), v).substring(0, 150))),
        new Hostile(
            "truncated JSON ending inside the secret",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q(m), v).substring(0, ok(q(m), v).indexOf(m) + 8))),
        new Hostile(
            "wrong content type: text/html with an HTML body",
            TestSecrets.randomHex(16),
            m ->
                bytes(
                    200,
                    "text/html",
                    ("<html><body>login " + m + "</body></html>")
                        .getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "HTML error page from a proxy, 502",
            TestSecrets.randomHex(16),
            m ->
                bytes(
                    502,
                    "text/html",
                    ("<html><h1>502 Bad Gateway</h1>" + m + "</html>")
                        .getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "HTML error page from a proxy, 200",
            TestSecrets.randomHex(16),
            m ->
                bytes(
                    200,
                    "text/html; charset=utf-8",
                    ("<!DOCTYPE html><title>Access gateway</title>" + m)
                        .getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "a 200 with an error body",
            TestSecrets.randomHex(16),
            m ->
                json(
                    200,
                    "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"gone " + m + "\"}")),
        new Hostile("a 200 with an empty body", TestSecrets.randomHex(16), m -> json(200, "")),
        new Hostile("a 200 with a JSON null", TestSecrets.randomHex(16), m -> json(200, "null")),
        new Hostile(
            "a 200 with a JSON array", TestSecrets.randomHex(16), m -> json(200, "[" + q(m) + "]")),
        new Hostile(
            "a huge body (12 MiB SecretString)",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q(m + repeat("A", 12 * 1024 * 1024)), v))),
        new Hostile(
            "a huge body (12 MiB of padding around the fields)",
            TestSecrets.randomHex(16),
            m ->
                json(
                    200,
                    "{\"Padding\":\""
                        + repeat("B", 12 * 1024 * 1024)
                        + "\","
                        + ok(q(m), null).substring(1))),
        new Hostile(
            "deeply nested JSON around the fields",
            TestSecrets.randomHex(16),
            m ->
                json(
                    200,
                    "{\"Deep\":"
                        + repeat("[", 100_000)
                        + repeat("]", 100_000)
                        + ","
                        + ok(q(m), v).substring(1))),
        new Hostile(
            "deeply nested JSON inside the secret value",
            TestSecrets.randomHex(16),
            m ->
                json(
                    200,
                    ok(
                        q(
                            "{\\\"apiKey\\\":\\\""
                                + m
                                + "\\\",\\\"x\\\":"
                                + repeat("[", 50_000)
                                + repeat("]", 50_000)
                                + "}"),
                        v))),
        new Hostile(
            "wrong field type: CreatedDate is text",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q(m), v).replace("1.7640000E9", "\"yesterday\""))),
        new Hostile(
            "wrong field type: VersionId is an array",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q(m), "[\"a\",\"b\"]"))),
        new Hostile(
            "wrong field type: SecretString is an object",
            TestSecrets.randomHex(16),
            m -> json(200, ok("{\"apiKey\":" + q(m) + "}", v))),
        new Hostile(
            "wrong field type: apiKey in the secret is a number",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q("{\\\"apiKey\\\":12345,\\\"note\\\":\\\"" + m + "\\\"}"), v))),
        new Hostile(
            "missing version field", TestSecrets.randomHex(16), m -> json(200, ok(q(m), null))),
        new Hostile(
            "blank version field", TestSecrets.randomHex(16), m -> json(200, ok(q(m), "\"  \""))),
        new Hostile(
            "duplicate keys in the secret value (two apiKey fields)",
            TestSecrets.randomHex(16),
            m ->
                json(
                    200,
                    ok(
                        q(
                            "{\\\"apiKey\\\":\\\""
                                + m
                                + "\\\",\\\"apiKey\\\":\\\""
                                + TestSecrets.randomHex(16)
                                + "\\\"}"),
                        v))),
        new Hostile(
            "invalid UTF-8 in a binary secret",
            TestSecrets.randomHex(16),
            m -> {
              byte[] value = (m + "\u00e9").getBytes(StandardCharsets.ISO_8859_1); // lone 0xE9
              return json(
                  200,
                  "{\"Name\":\"prod/hostile/api\",\"VersionId\":"
                      + v
                      + ",\"SecretBinary\":\""
                      + Base64.getEncoder().encodeToString(value)
                      + "\"}");
            }),
        new Hostile(
            "invalid UTF-8 bytes in the response body",
            TestSecrets.randomHex(16),
            m -> {
              byte[] head = ok(q(m), v).getBytes(StandardCharsets.UTF_8);
              byte[] body = new byte[head.length + 3];
              System.arraycopy(head, 0, body, 0, head.length - 1);
              body[head.length - 1] = (byte) 0xC3; // an unfinished two-byte sequence, then junk
              body[head.length] = (byte) 0x28;
              body[head.length + 1] = (byte) 0xFF;
              body[head.length + 2] = '}';
              return bytes(200, JSON_11, body);
            }),
        new Hostile(
            "an empty secret value", TestSecrets.randomHex(16), m -> json(200, ok(q(""), v))),
        new Hostile(
            "a blank secret value", TestSecrets.randomHex(16), m -> json(200, ok(q("   \\t "), v))),
        new Hostile(
            "a 1 MiB secret value",
            TestSecrets.randomHex(16),
            m -> json(200, ok(q(m + repeat("k", 1024 * 1024)), v))),
        new Hostile(
            "neither SecretString nor SecretBinary",
            TestSecrets.randomHex(16),
            m -> json(200, "{\"Name\":\"prod/hostile/api\",\"VersionId\":" + v + "}")),
        new Hostile(
            "SecretBinary that is not base64",
            TestSecrets.randomHex(16),
            m ->
                json(
                    200,
                    "{\"Name\":\"prod/hostile/api\",\"VersionId\":"
                        + v
                        + ",\"SecretBinary\":\"%%%"
                        + m
                        + "%%%\"}")),
        new Hostile(
            "an unknown error type, 400",
            TestSecrets.randomHex(16),
            // AWS's own error message is quoted in the exception (it never holds a value)
            m -> json(400, "{\"__type\":\"SomethingNobodyDefined\",\"Message\":\"odd\"}")),
        new Hostile(
            "a proxy's 407 (authentication required)",
            TestSecrets.randomHex(16),
            m ->
                bytes(
                    407,
                    "text/html",
                    ("<html>Proxy Authentication Required " + m + "</html>")
                        .getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "a body cut short of its Content-Length, then the connection closed",
            TestSecrets.randomHex(16),
            m ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", JSON_11)
                    .body(ok(q(m), v).substring(0, 140))
                    .setHeader("Content-Length", "4096")
                    .onResponseEnd(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE)
                    .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void fetch_whenTheAnswerIsHostile_failsWithATypedErrorAndLeaksNothing(Hostile h) {
    server.enqueue(h.response().apply(h.marker()));
    AwsSecretsManagerKeyProvider provider = provider();
    long allocatedBefore = ThreadSnapshot.allocatedBytes();

    Throwable thrown = catchThrowable(() -> provider.fetch(KEY));

    long allocated = ThreadSnapshot.allocatedBytes() - allocatedBefore;
    assertThat(thrown).as("a typed error, not a credential").isInstanceOf(KeyGuardException.class);
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(h.marker());
    assertThat(thrown.getMessage()).contains(KEY.value());
    assertThat(allocated)
        .as("memory allocated by one fetch (%d MiB)", allocated >> 20)
        .isLessThan(ALLOCATION_BOUND);
    System.out.printf(
        "HOSTILE aws | %s | %s | %d MiB allocated%n",
        h.name(), thrown.getClass().getSimpleName(), allocated >> 20);
  }

  @Test
  void refresh_whenEveryHostileAnswerComesInTurn_keepsServingTheLastGoodKey() {
    FakeClock clock = new FakeClock();
    FakeScheduler scheduler = new FakeScheduler(clock);
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    String good = TestSecrets.randomHex(20);
    server.enqueue(json(200, ok(q(good), "\"v1\"")));
    List<Hostile> all = hostile().toList();
    for (Hostile h : all) {
      server.enqueue(h.response().apply(h.marker()));
    }
    try (KeyManager manager =
        KeyManager.builder()
            .provider(provider())
            .timeSource(clock)
            .scheduler(scheduler)
            .refreshAfter(Duration.ofMinutes(1))
            .retryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .jitter(0)
            .listener(events::add)
            .build()) {
      ManagedKey key = manager.key(KEY);
      VersionedCredential first = key.current();

      for (int i = 0; i < all.size(); i++) {
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(key.current()).as(all.get(i).name()).isSameAs(first);
      }

      assertThat(events).filteredOn(e -> e instanceof KeyEvent.RefreshFailed).hasSize(all.size());
      assertThat(events).noneMatch(e -> e instanceof KeyEvent.KeyRotated);
      for (Hostile h : all) {
        assertThat(events.toString()).doesNotContain(h.marker());
      }
    }
  }
}
