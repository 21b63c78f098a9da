package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.ReaderThreads;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Concurrency faults on the request path, on real threads and a real key manager: a 401 that
 * arrives while a scheduled refresh is running, and a rotation in the middle of a burst of 429s.
 * The backend calls are counted at the backend (the in-memory provider), the API calls at the API.
 */
class ClientConcurrencyFaultsTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private static final KeyId KEY = KeyId.of("concurrency-faults");

  private final InMemoryKeyProviderForTesting backend = new InMemoryKeyProviderForTesting();
  private KeyManager manager;

  @AfterEach
  void tearDown() {
    backend.releaseFetches();
    if (manager != null) {
      manager.close();
    }
  }

  private VersionedCredential put(String version) {
    VersionedCredential c =
        VersionedCredential.builder(KEY, TestSecrets.randomSecret()).version(version).build();
    backend.put(c);
    return c;
  }

  private static String keyOf(VersionedCredential c) {
    return c.apiKey().value(InsecureSecretAccess.get());
  }

  private KeyGuardClient client(ManagedKey key, RetryOptions retry) {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .retryOptions(retry)
        .okHttpClient(TestTls.TRUSTING_OKHTTP)
        .build();
  }

  /** An API that accepts only the key in {@code accepted}, and records what it was sent. */
  private static Dispatcher acceptingOnly(AtomicReference<String> accepted, List<String> sent) {
    return new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String presented = request.getHeaders().get(TestSchemes.KEY_HEADER);
        sent.add(presented == null ? "" : presented);
        return accepted.get().equals(presented)
            ? json(200, "{\"price\":42}")
            : json(401, "{\"error\":\"invalid key\"}");
      }
    };
  }

  @Test
  void a401ArrivingWhileAScheduledRefreshRuns_joinsThatRefresh_oneBackendCallNotTwo()
      throws Exception {
    VersionedCredential v1 = put("1");
    manager =
        KeyManager.builder()
            .provider(backend)
            .refreshAfter(Duration.ofMillis(500))
            .jitter(0)
            .build();
    ManagedKey key = manager.key(KEY);
    key.awaitReady(Duration.ofSeconds(5));
    List<String> sent = new CopyOnWriteArrayList<>();
    AtomicReference<String> accepted = new AtomicReference<>(keyOf(v1));
    api.setDispatcher(acceptingOnly(accepted, sent));
    KeyGuardClient client = client(key, RetryOptions.defaults());

    // rotated in the backend and at the API; the scheduled refresh that will see it is held
    backend.holdFetches();
    VersionedCredential v2 = put("2");
    accepted.set(keyOf(v2));
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.fetchesInProgress() == 1);
    AtomicReference<Object> result = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                result.set(client.get("/price", JsonNode.class));
              } catch (RuntimeException e) {
                result.set(e);
              }
            },
            "caller");
    caller.start();
    // the 401 came back and the caller waits for the running refresh instead of starting one
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> sent.size() == 1 && caller.getState() == Thread.State.WAITING);
    int fetchesWhileWaiting = backend.fetchCount();
    backend.releaseFetches();
    caller.join(5_000);

    assertThat(result.get()).isInstanceOf(JsonNode.class);
    assertThat(((JsonNode) result.get()).get("price").asInt()).isEqualTo(42);
    assertThat(sent).containsExactly(keyOf(v1), keyOf(v2));
    assertThat(fetchesWhileWaiting)
        .as("cold start + the scheduled refresh; the rejection started no fetch of its own")
        .isEqualTo(2);
    assertThat(backend.fetchCount())
        .as("still two once the caller is answered")
        .isLessThanOrEqualTo(3); // a third only if the next scheduled refresh came in between
    assertThat(backend.maxConcurrentFetches()).isEqualTo(1);
  }

  @Test
  void aRotationDuringABurstOf429s_everyCallSucceedsWithOneForcedRefresh() throws Exception {
    VersionedCredential v1 = put("1");
    manager = KeyManager.builder().provider(backend).refreshAfter(Duration.ofMinutes(30)).build();
    ManagedKey key = manager.key(KEY);
    key.awaitReady(Duration.ofSeconds(5));
    AtomicReference<String> accepted = new AtomicReference<>(keyOf(v1));
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger throttled = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    Set<String> keysAfterRotation = ConcurrentHashMap.newKeySet();
    VersionedCredential[] v2 = new VersionedCredential[1];
    int burstEnd = 60;
    int rotateAt = 20;
    api.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            int n = requests.incrementAndGet();
            String presented = request.getHeaders().get(TestSchemes.KEY_HEADER);
            synchronized (this) {
              if (n == rotateAt) {
                // the key is rotated in the backend and at the API in the middle of the burst
                v2[0] = put("2");
                accepted.set(keyOf(v2[0]));
              }
            }
            if (n >= rotateAt) {
              keysAfterRotation.add(presented == null ? "" : presented);
            }
            if (n < burstEnd && n % 2 == 0) {
              throttled.incrementAndGet();
              return new MockResponse.Builder()
                  .code(429)
                  .setHeader("Retry-After", "0")
                  .body("{\"error\":\"rate limited\"}")
                  .build();
            }
            if (!accepted.get().equals(presented)) {
              rejected.incrementAndGet();
              return json(401, "{\"error\":\"invalid key\"}");
            }
            return json(200, "{\"price\":42}");
          }
        });
    KeyGuardClient client =
        client(
            key,
            RetryOptions.builder()
                .maxAttempts(6)
                .baseBackoff(Duration.ofMillis(5))
                .maxBackoff(Duration.ofMillis(20))
                .build());

    ReaderThreads callers =
        ReaderThreads.start(16, "caller", () -> client.get("/price", JsonNode.class));
    await().atMost(Duration.ofSeconds(20)).until(() -> requests.get() >= burstEnd + 32);
    callers.close();

    // A call that drew a 429 on each of its attempts fails with the 429 (the API said so); no call
    // fails because of the rotation: no 401 and no rejected key reaches the application.
    assertThat(callers.failureSample())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ApiResponseException.class, r -> assertThat(r.status()).isEqualTo(429)));
    assertThat(callers.failures()).as("calls that ran out of attempts on 429s").isLessThan(8);
    assertThat(throttled.get()).as("the burst of 429s happened").isGreaterThan(20);
    assertThat(backend.fetchCount())
        .as("cold start + one forced refresh, whatever the number of 401s")
        .isEqualTo(2);
    assertThat(rejected.get())
        .as("at most one 401 per caller: after the refresh every caller sends the new key")
        .isBetween(1, 16);
    assertThat(key.current().version()).isEqualTo("2");
    assertThat(keysAfterRotation).contains(keyOf(v2[0]));
  }
}
