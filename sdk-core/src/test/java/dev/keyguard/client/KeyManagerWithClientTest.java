package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static dev.keyguard.key.KeyManagerFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent.AlternatePromoted;
import dev.keyguard.key.KeyEvent.KeyRejected;
import dev.keyguard.key.KeyEvent.KeyRotated;
import dev.keyguard.key.KeyManagerFixture;
import dev.keyguard.key.ManagedKey;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The key manager's {@link ManagedKey} behind a real {@link KeyGuardClient}, against a loopback
 * HTTPS server: the API rejects a key, the client reports it, the key manager finds a newer version
 * or an alternate, and the client retries once with it.
 */
class KeyManagerWithClientTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private final KeyManagerFixture f = new KeyManagerFixture();
  private VersionedCredential v1;
  private ManagedKey key;

  @BeforeEach
  void setUp() {
    v1 = f.put("1");
    key = f.start().key(KEY);
    key.current();
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private KeyGuardClient client() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP)
        .build();
  }

  private static List<String> keysSent(List<RecordedRequest> requests) {
    return requests.stream().map(r -> r.getHeaders().get(TestSchemes.KEY_HEADER)).toList();
  }

  @Test
  void get_whenTheApiRejectsAKeyRotatedInTheBackend_retriesOnceWithTheNewVersion() {
    VersionedCredential v2 = f.put("2"); // rotated in the backend; the next refresh is minutes away
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{\"price\":42}"));

    JsonNode body = client().get("/price", JsonNode.class);

    assertThat(body.get("price").asInt()).isEqualTo(42);
    assertThat(keysSent(takeAll(api)))
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
    assertThat(f.backend.fetchCount()).as("cold start + one forced refresh").isEqualTo(2);
    assertThat(key.current()).isSameAs(v2);
    assertThat(f.events(KeyRotated.class)).extracting(KeyRotated::newVersion).containsExactly("2");
  }

  @Test
  void get_whenTheApiOnlyKnowsThePendingVersion_retriesWithTheAlternateAndKeepsServingIt() {
    VersionedCredential pending = f.credential("2-pending").build();
    f.backend.putAlternates(KEY, List.of(pending));
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{}"));
    api.enqueue(json(200, "{}"));

    client().get("/price", JsonNode.class);
    client().get("/price", JsonNode.class);

    assertThat(keysSent(takeAll(api)))
        .containsExactly(
            TestCredentials.apiKeyOf(v1),
            TestCredentials.apiKeyOf(pending),
            TestCredentials.apiKeyOf(pending));
    assertThat(f.events(AlternatePromoted.class))
        .extracting(AlternatePromoted::version)
        .containsExactly("2-pending");
  }

  @Test
  void get_whenEveryRequestIsRejected_sendsOneProbePerIntervalAndFailsTheRestWithoutSending() {
    for (int i = 0; i < 3; i++) {
      api.enqueue(json(401, "{}"));
    }

    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> client().get("/price", JsonNode.class))
          .isInstanceOf(KeyRejectedException.class);
    }
    assertThat(takeAll(api)).as("the first request only; the others failed fast").hasSize(1);
    assertThat(f.backend.fetchCount()).as("cold start + one forced refresh").isEqualTo(2);

    f.scheduler.advance(Duration.ofMillis(500)); // the store is re-checked: still version 1
    assertThatThrownBy(() -> client().get("/price", JsonNode.class))
        .isInstanceOf(KeyRejectedException.class)
        .hasMessageContaining("rejected key 'market-data' version 1 with HTTP 401");
    assertThatThrownBy(() -> client().get("/price", JsonNode.class))
        .isInstanceOf(KeyRejectedException.class)
        .hasMessageContaining("Not sent")
        .hasMessageContaining("the next in 1 s");

    assertThat(takeAll(api)).as("one probe in the interval").hasSize(1);
    assertThat(f.backend.fetchCount()).isEqualTo(3);
    assertThat(f.events(KeyRejected.class)).as("one event per episode").hasSize(1);
  }

  @Test
  void get_whenTheStoreGetsTheNewKeyASecondAfterTheApi_usesItWithinTheShortRecheckInterval() {
    api.enqueue(json(401, "{}"));
    assertThatThrownBy(() -> client().get("/price", JsonNode.class))
        .isInstanceOf(KeyRejectedException.class);

    f.scheduler.advance(Duration.ofSeconds(1));
    VersionedCredential v2 = f.put("2"); // reaches the store 1 s after the API dropped version 1
    f.scheduler.advance(Duration.ofMillis(500)); // the re-check due 1.5 s after the rejection
    api.enqueue(json(200, "{\"price\":42}"));

    assertThat(client().get("/price", JsonNode.class).get("price").asInt()).isEqualTo(42);
    assertThat(keysSent(takeAll(api)))
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
    assertThat(f.events(KeyRotated.class)).extracting(KeyRotated::newVersion).containsExactly("2");
    assertThat(f.events(KeyRejected.class)).hasSize(1);
  }
}
