package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyVersionRegressedException;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ThreadSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile answers to a KV v2 read in Vault's JSON (what a broken proxy, a misrouted address or an
 * attacker in the path could send), from an HTTPS stub: a real OpenBao cannot produce them. Each
 * must end in a typed {@link KeyGuardException}, never a partial key; no value of the answer
 * appears in the exception or its stack trace; the memory one fetch allocates stays bounded.
 *
 * <p>A version number that goes backwards is a valid answer on its own; {@link
 * #aVersionThatGoesBackwards_isRefusedThroughTheKeyManagerWhichKeepsTheHeldOne} shows the key
 * manager refusing it.
 */
class VaultHostileResponsesTest {

  @RegisterExtension final VaultStub vault = new VaultStub();

  private static final long ALLOCATION_BOUND = 256L * 1024 * 1024;
  private static final String ROOT_LOOKUP =
      "{\"data\":{\"ttl\":0,\"renewable\":false,\"policies\":[\"root\"]}}";

  /** One hostile answer; {@code marker} is a value it carries that must not leak. */
  record Hostile(String name, Function<String, MockResponse> response) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
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

  private static String kv2(String data, String versionJson) {
    return "{\"data\":{\"data\":"
        + data
        + ",\"metadata\":{\"created_time\":\"2026-11-01T10:00:00Z\",\"custom_metadata\":null,"
        + "\"deletion_time\":\"\",\"destroyed\":false"
        + (versionJson == null ? "" : ",\"version\":" + versionJson)
        + "}}}";
  }

  private static String key(String m) {
    return "{\"apiKey\":\"" + m + "\"}";
  }

  static Stream<Hostile> hostile() {
    return Stream.of(
        new Hostile("truncated JSON", m -> json(200, kv2(key(m), "3").substring(0, 40))),
        new Hostile(
            "truncated JSON ending inside the secret",
            m -> json(200, kv2(key(m), "3").substring(0, kv2(key(m), "3").indexOf(m) + 8))),
        new Hostile(
            "wrong content type: an HTML page with a 200",
            m ->
                raw(200, "text/html", ("<html>" + m + "</html>").getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "HTML error page from a proxy, 502",
            m ->
                raw(
                    502,
                    "text/html",
                    ("<html><h1>502 Bad Gateway</h1>" + m + "</html>")
                        .getBytes(StandardCharsets.UTF_8))),
        new Hostile(
            "a 200 with Vault's error body",
            m -> json(200, "{\"errors\":[\"permission denied " + m + "\"]}")),
        new Hostile("a 200 with an empty body", m -> json(200, "")),
        new Hostile("a 200 with a JSON null", m -> json(200, "null")),
        new Hostile("a 200 with a JSON array", m -> json(200, "[" + key(m) + "]")),
        new Hostile(
            "a huge body (12 MiB API key)",
            m -> json(200, kv2(key(m + "A".repeat(12 * 1024 * 1024)), "3"))),
        new Hostile(
            "a huge body (12 MiB of padding around the fields)",
            m ->
                json(
                    200,
                    "{\"padding\":\""
                        + "B".repeat(12 * 1024 * 1024)
                        + "\","
                        + kv2(key(m), null).substring(1))),
        new Hostile(
            "deeply nested JSON around the fields",
            m ->
                json(
                    200,
                    "{\"deep\":"
                        + "[".repeat(100_000)
                        + "]".repeat(100_000)
                        + ","
                        + kv2(key(m), "3").substring(1))),
        new Hostile(
            "deeply nested JSON inside the secret's fields",
            m ->
                json(
                    200,
                    kv2(
                        "{\"apiKey\":\""
                            + m
                            + "\",\"x\":"
                            + "[".repeat(100_000)
                            + "]".repeat(100_000)
                            + "}",
                        "3"))),
        new Hostile("wrong field type: version is text", m -> json(200, kv2(key(m), "\"three\""))),
        new Hostile("wrong field type: version is an object", m -> json(200, kv2(key(m), "{}"))),
        new Hostile("missing version field", m -> json(200, kv2(key(m), null))),
        new Hostile(
            "wrong field type: data.data is text", m -> json(200, kv2("\"" + m + "\"", "3"))),
        new Hostile(
            "wrong field type: apiKey is a number",
            m -> json(200, kv2("{\"apiKey\":12345,\"note\":\"" + m + "\"}", "3"))),
        new Hostile(
            "invalid UTF-8 bytes in the body",
            m -> {
              byte[] head = kv2(key(m), "3").getBytes(StandardCharsets.UTF_8);
              byte[] body = new byte[head.length + 3];
              System.arraycopy(head, 0, body, 0, head.length - 1);
              body[head.length - 1] = (byte) 0xC3;
              body[head.length] = (byte) 0x28;
              body[head.length + 1] = (byte) 0xFF;
              body[head.length + 2] = '}';
              return raw(200, "application/json", body);
            }),
        new Hostile(
            "duplicate keys: apiKey twice (a lenient reader keeps the last)",
            m -> json(200, kv2("{\"apiKey\":\"" + m + "\",\"apiKey\":\"" + m + "x\"}", "3"))),
        new Hostile(
            "duplicate keys: version twice",
            m ->
                json(
                    200, kv2(key(m), "3").replace("\"version\":3", "\"version\":3,\"version\":9"))),
        new Hostile(
            "content after the JSON document", m -> json(200, kv2(key(m), "3") + "{\"x\":1}")),
        new Hostile("a version number of 0", m -> json(200, kv2(key(m), "0"))),
        new Hostile("a negative version number", m -> json(200, kv2(key(m), "-4"))),
        new Hostile("an empty API key", m -> json(200, kv2(key(""), "3"))),
        new Hostile("a blank API key", m -> json(200, kv2(key("   "), "3"))),
        new Hostile("a 1 MiB API key", m -> json(200, kv2(key(m + "k".repeat(1024 * 1024)), "3"))),
        new Hostile(
            "a body cut short of its Content-Length, then the connection closed",
            m ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .body(kv2(key(m), "3").substring(0, 30))
                    .setHeader("Content-Length", "4096")
                    .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
                    .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void fetch_whenTheAnswerIsHostile_failsWithATypedErrorAndLeaksNothing(Hostile h) {
    String marker = TestSecrets.randomHex(16);
    vault.json(200, ROOT_LOOKUP);
    VaultKeyProvider provider = vault.builder(VaultAuthentication.token(Canaries.apiKey())).build();
    try {
      vault.server().enqueue(h.response().apply(marker));
      long before = ThreadSnapshot.allocatedBytes();

      Throwable thrown = catchThrowable(() -> provider.fetch(KeyId.of("apps/hostile")));

      long allocated = ThreadSnapshot.allocatedBytes() - before;
      assertThat(thrown)
          .as("a typed error, not a credential")
          .isInstanceOf(KeyGuardException.class);
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).doesNotContain(marker);
      assertThat(allocated)
          .as("memory allocated by one fetch (%d MiB)", allocated >> 20)
          .isLessThan(ALLOCATION_BOUND);
      System.out.printf(
          "HOSTILE vault | %s | %s | %d MiB allocated%n",
          h.name(), thrown.getClass().getSimpleName(), allocated >> 20);
    } finally {
      provider.close();
    }
  }

  @Test
  void aVersionThatGoesBackwards_isRefusedThroughTheKeyManagerWhichKeepsTheHeldOne() {
    String held = TestSecrets.randomValue();
    String older = TestSecrets.randomValue();
    vault.json(200, ROOT_LOOKUP);
    VaultKeyProvider provider = vault.builder(VaultAuthentication.token(Canaries.apiKey())).build();
    FakeClock clock = new FakeClock();
    FakeScheduler scheduler = new FakeScheduler(clock);
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    try (KeyManager manager =
        KeyManager.builder()
            .provider(provider)
            .timeSource(clock)
            .scheduler(scheduler)
            .jitter(0)
            .refreshAfter(Duration.ofMinutes(5))
            .listener(events::add)
            .build()) {
      vault.json(200, kv2(key(held), "7"));
      ManagedKey key = manager.key("apps/hostile");
      assertThat(key.current().version()).isEqualTo("7");
      // a standby that lags behind, or a backup restored over newer versions
      vault.json(200, kv2(key(older), "5"));

      scheduler.advance(Duration.ofMinutes(5));

      assertThat(key.current().apiKey().value(InsecureSecretAccess.get())).isEqualTo(held);
      List<KeyEvent.RefreshFailed> failed =
          events.stream()
              .filter(KeyEvent.RefreshFailed.class::isInstance)
              .map(KeyEvent.RefreshFailed.class::cast)
              .toList();
      assertThat(failed).hasSize(1);
      assertThat(failed.get(0).cause())
          .isInstanceOf(KeyVersionRegressedException.class)
          .hasMessageContaining("returned version 5, older than version 7");
      assertThat(events.toString()).doesNotContain(held).doesNotContain(older);
      System.out.printf(
          "HOSTILE vault | a version number that goes backwards (7, then 5), through a key manager"
              + " | %s | version 7 kept%n",
          failed.get(0).cause().getClass().getSimpleName());
    } finally {
      provider.close();
    }
  }
}
