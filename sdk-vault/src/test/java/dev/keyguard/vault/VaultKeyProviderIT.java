package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.HttpsPolicy;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.TestSecrets;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider against a real OpenBao dev server: KV v2 and v1 reads, versions and rotation under
 * concurrent readers, alternates, deleted and destroyed versions, namespaces, a least-privilege
 * policy and a wrong token. One server for the class; each test uses paths of its own.
 */
class VaultKeyProviderIT {

  @RegisterExtension static final OpenBaoServer BAO = new OpenBaoServer();

  private static final AtomicInteger NAMES = new AtomicInteger();

  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  private VaultKeyProvider provider(VaultKeyProvider.Builder b) {
    VaultKeyProvider p = b.build();
    closeAfter.add(p);
    return p;
  }

  private static String uniquePath(String prefix) {
    return "it/" + prefix + "-" + NAMES.incrementAndGet();
  }

  private static String value(VersionedCredential c) {
    return c.apiKey().value(InsecureSecretAccess.get());
  }

  @Test
  void fetch_kvV2_returnsTheVersionNumberCreatedTimeAndCustomMetadata() {
    String path = uniquePath("read");
    String apiKey = TestSecrets.randomValue();
    String apiSecret = TestSecrets.randomValue();
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    int version = BAO.put("secret", path, Map.of("apiKey", apiKey, "apiSecret", apiSecret));
    BAO.call(
        "POST",
        "secret/metadata/" + path,
        Map.of(
            "custom_metadata",
            Map.of("keyguard:scopes", "read trade", "keyguard:environment", "prod")));

    VersionedCredential c = provider(BAO.providerBuilder()).fetch(KeyId.of(path));

    assertThat(version).isEqualTo(2);
    assertThat(c.version()).isEqualTo("2");
    assertThat(value(c)).isEqualTo(apiKey);
    assertThat(c.apiSecret().map(s -> s.value(InsecureSecretAccess.get()))).contains(apiSecret);
    assertThat(c.createdAt()).isPresent();
    assertThat(c.scopes()).containsExactlyInAnyOrder("read", "trade");
    assertThat(c.environment()).contains("prod");
    assertThat(c.toString()).doesNotContain(apiKey).doesNotContain(apiSecret);
  }

  @Test
  void fetch_mappedKeyWithField_readsThatFieldOfThatPath() {
    String path = uniquePath("mapped");
    String token = TestSecrets.randomValue();
    BAO.put("secret", path, Map.of("token", token, "note", "not a key"));

    VaultKeyProvider p =
        provider(BAO.providerBuilder().key("market-data", "secret", path, "token"));

    assertThat(value(p.fetch(KeyId.of("market-data")))).isEqualTo(token);
    assertThat(p.toString()).contains("market-data").contains("secret/data/" + path);
  }

  @Test
  void newVersionWrittenMidRun_isPickedUpByRefreshWhile16ThreadsRead_neverAnOlderOneAfterANewer()
      throws Exception {
    String path = uniquePath("rotate");
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    VaultKeyProvider p = provider(BAO.providerBuilder());
    KeyManager manager =
        KeyManager.builder().provider(p).refreshAfter(Duration.ofMillis(200)).build();
    closeAfter.add(manager);
    ManagedKey key = manager.key(path);
    manager.awaitReady(Duration.ofSeconds(10));

    AtomicBoolean stop = new AtomicBoolean();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicInteger reads = new AtomicInteger();
    ExecutorService readers = Executors.newFixedThreadPool(16);
    CountDownLatch started = new CountDownLatch(16);
    AtomicIntegerArray seen = new AtomicIntegerArray(16);
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int reader = i;
      results.add(
          readers.submit(
              () -> {
                started.countDown();
                int highest = 0;
                while (!stop.get()) {
                  int v = Integer.parseInt(key.current().version());
                  if (v < highest) {
                    violations.add("version " + v + " after " + highest);
                  }
                  highest = Math.max(highest, v);
                  seen.set(reader, highest);
                  reads.incrementAndGet();
                }
                return highest;
              }));
    }
    started.await(10, TimeUnit.SECONDS);
    int last = 1;
    for (int i = 0; i < 3; i++) {
      last = BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
      int expected = last;
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Integer.parseInt(key.current().version()) == expected);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> java.util.stream.IntStream.range(0, 16).allMatch(i -> seen.get(i) == 4));
    stop.set(true);
    readers.shutdown();
    assertThat(readers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    assertThat(violations).isEmpty();
    assertThat(last).isEqualTo(4);
    for (Future<Integer> r : results) {
      assertThat(r.get()).isEqualTo(4);
    }
    assertThat(reads.get()).isGreaterThan(16);
  }

  @Test
  void rejectedCurrentVersion_offersThePreviousVersionAsTheAlternate() {
    String path = uniquePath("alternate");
    String previous = TestSecrets.randomValue();
    BAO.put("secret", path, Map.of("apiKey", previous));
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    VaultKeyProvider p = provider(BAO.providerBuilder());
    KeyManager manager = KeyManager.builder().provider(p).build();
    closeAfter.add(manager);
    ManagedKey key = manager.key(path);
    manager.awaitReady(Duration.ofSeconds(10));
    VersionedCredential current = key.current();

    Optional<VersionedCredential> retryWith = key.rejected(current); // the API answered 401

    assertThat(current.version()).isEqualTo("2");
    assertThat(retryWith).hasValueSatisfying(c -> assertThat(c.version()).isEqualTo("1"));
    assertThat(value(retryWith.orElseThrow())).isEqualTo(previous);
  }

  @Test
  void apiAnswering401ToTheNewVersion_isRetriedWithThePreviousVersion() throws Exception {
    String path = uniquePath("api-401");
    String previous = TestSecrets.randomValue();
    BAO.put("secret", path, Map.of("apiKey", previous));
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    List<String> sent = new CopyOnWriteArrayList<>();
    HttpServer api =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext(
        "/price",
        exchange -> {
          String key = exchange.getRequestHeaders().getFirst("x-api-key");
          boolean accepted = previous.equals(key); // the API does not know the new key yet
          sent.add(accepted ? "previous" : "other");
          byte[] body = (accepted ? "{\"usd\":1}" : "{}").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(accepted ? 200 : 401, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    api.start();
    try {
      KeyManager manager = KeyManager.builder().provider(provider(BAO.providerBuilder())).build();
      closeAfter.add(manager);
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl("http://127.0.0.1:" + api.getAddress().getPort())
              .httpsPolicy(HttpsPolicy.builder().allowLoopbackCleartextForTesting().build())
              .managedKey(manager.key(path))
              .authScheme(AuthSchemes.header("x-api-key"))
              .build();
      manager.awaitReady(Duration.ofSeconds(10));

      JsonNode price = client.get("/price", JsonNode.class);

      assertThat(price.path("usd").asInt()).isEqualTo(1);
      assertThat(sent).containsExactly("other", "previous");
    } finally {
      api.stop(0);
    }
  }

  @Test
  void deletedAndDestroyedVersions_areNeverServed() {
    String path = uniquePath("deleted");
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    VaultKeyProvider p = provider(BAO.providerBuilder());
    KeyId key = KeyId.of(path);
    assertThat(p.fetchAlternates(key))
        .extracting(VersionedCredential::version)
        .containsExactly("1");

    BAO.call("POST", "secret/destroy/" + path, Map.of("versions", List.of(1)));
    assertThat(p.fetch(key).version()).isEqualTo("2");
    assertThat(p.fetchAlternates(key)).as("version 1 is destroyed").isEmpty();

    BAO.call("POST", "secret/delete/" + path, Map.of("versions", List.of(2)));
    KeyNotFoundException deleted =
        catchThrowableOfType(KeyNotFoundException.class, () -> p.fetch(key));
    assertThat(deleted.getMessage()).contains("deleted").contains("secret/data/" + path);
    assertThat(deleted.version()).contains("2");

    VaultKeyProvider pinned = provider(BAO.providerBuilder().pinVersion(path, 1));
    assertThatThrownBy(() -> pinned.fetch(key))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("destroyed");
  }

  @Test
  void fetch_whenNoSecret_throwsNotFoundNamingThePath() {
    String path = uniquePath("missing");

    assertThatThrownBy(() -> provider(BAO.providerBuilder()).fetch(KeyId.of(path)))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("secret/data/" + path)
        .satisfies(e -> assertThat(((KeyNotFoundException) e).isRetryable()).isFalse());
  }

  @Test
  void fetch_kvV1_usesTheFingerprintAsVersion_soARewriteIsANewVersion() {
    String mount = "kv1-" + NAMES.incrementAndGet();
    BAO.call(
        "POST", "sys/mounts/" + mount, Map.of("type", "kv", "options", Map.of("version", "1")));
    String first = TestSecrets.randomValue();
    String second = TestSecrets.randomValue();
    BAO.call("POST", mount + "/app", Map.of("apiKey", first));
    VaultKeyProvider p =
        provider(BAO.providerBuilder().key("app", mount, "app").kvVersion(mount, 1));

    VersionedCredential one = p.fetch(KeyId.of("app"));
    VersionedCredential same = p.fetch(KeyId.of("app"));
    BAO.call("POST", mount + "/app", Map.of("apiKey", second));
    VersionedCredential two = p.fetch(KeyId.of("app"));

    assertThat(value(one)).isEqualTo(first);
    assertThat(same.version()).isEqualTo(one.version());
    assertThat(value(two)).isEqualTo(second);
    assertThat(two.version()).isNotEqualTo(one.version()).doesNotContain(second);
    assertThat(p.fetchAlternates(KeyId.of("app"))).isEmpty();
  }

  @Test
  void fetch_inANamespace_sendsTheNamespaceHeader() {
    String namespace = "team-" + NAMES.incrementAndGet();
    BAO.call("POST", "sys/namespaces/" + namespace, null);
    BAO.callIn(
        namespace,
        "POST",
        "sys/mounts/secret",
        Map.of("type", "kv", "options", Map.of("version", "2")));
    String apiKey = TestSecrets.randomValue();
    BAO.callIn(namespace, "POST", "secret/data/app", Map.of("data", Map.of("apiKey", apiKey)));

    VaultKeyProvider inNamespace = provider(BAO.providerBuilder().namespace(namespace));
    VaultKeyProvider root = provider(BAO.providerBuilder());

    assertThat(value(inNamespace.fetch(KeyId.of("app")))).isEqualTo(apiKey);
    assertThat(inNamespace.toString()).contains("namespace=" + namespace);
    assertThatThrownBy(() -> root.fetch(KeyId.of("app"))).isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void fetch_withAWrongToken_isDeniedNamingThePathAndCapability_neverTheToken() {
    String path = uniquePath("denied");
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    Secret wrong = Canaries.apiSecret(); // a canary: the run fails if it reaches any output
    VaultKeyProvider p =
        provider(BAO.providerBuilder().authentication(VaultAuthentication.token(wrong)));

    KeyAccessDeniedException e =
        catchThrowableOfType(KeyAccessDeniedException.class, () -> p.fetch(KeyId.of(path)));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage())
        .contains("secret/data/" + path)
        .contains("'read' capability")
        .doesNotContain(Canaries.rawValue(wrong));
    Canaries.assertAbsentFrom(e.getMessage(), p);
  }

  @Test
  void readOnlyPolicyOnExactlyTheKeyPath_allowsThatKeyAndItsPreviousVersion_andNothingElse() {
    String path = uniquePath("policy");
    String other = uniquePath("other");
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    BAO.put("secret", other, Map.of("apiKey", TestSecrets.randomValue()));
    String policy = "keyguard-" + NAMES.incrementAndGet();
    // the README's least-privilege policy, for one key
    BAO.policy(policy, "path \"secret/data/" + path + "\" {\n  capabilities = [\"read\"]\n}\n");
    Secret token =
        Secret.of(
            BAO.call("POST", "auth/token/create", Map.of("policies", List.of(policy), "ttl", "1h"))
                .path("auth")
                .path("client_token")
                .asText());
    dev.keyguard.Redactor.global().register(token);
    VaultKeyProvider p =
        provider(BAO.providerBuilder().authentication(VaultAuthentication.token(token)));

    assertThat(p.fetch(KeyId.of(path)).version()).isEqualTo("2");
    assertThat(p.fetchAlternates(KeyId.of(path)))
        .extracting(VersionedCredential::version)
        .containsExactly("1");
    assertThatThrownBy(() -> p.fetch(KeyId.of(other)))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("secret/data/" + other);
    VaultSession.TokenState state = p.session().state();
    assertThat(state).isNotNull();
    assertThat(state.renewable()).as("looked up: a child token is renewable").isTrue();
    assertThat(state.ttl()).isNotNull();
  }

  @Test
  void build_withHttpAndNoTestingSwitch_isRefused() {
    assertThatThrownBy(
            () ->
                VaultKeyProvider.builder()
                    .address(BAO.address())
                    .authentication(VaultAuthentication.token(OpenBaoServer.rootToken()))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must use https")
        .hasMessageContaining("allowLoopbackCleartextForTesting");
  }

  @Test
  void keyManagerEvents_carryTheVaultVersion() {
    String path = uniquePath("events");
    BAO.put("secret", path, Map.of("apiKey", TestSecrets.randomValue()));
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    KeyManager manager =
        KeyManager.builder()
            .provider(provider(BAO.providerBuilder()))
            .listener(events::add)
            .build();
    closeAfter.add(manager);
    ManagedKey key = manager.key(path);
    manager.awaitReady(Duration.ofSeconds(10));
    key.current();
    await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());

    assertThat(events)
        .filteredOn(KeyEvent.KeyLoaded.class::isInstance)
        .singleElement()
        .satisfies(e -> assertThat(((KeyEvent.KeyLoaded) e).version()).isEqualTo("1"));
  }
}
