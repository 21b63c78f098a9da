package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rotation-aware retry: report a rejected key, retry once with a newer one, never loop. */
class KeyGuardClientRotationTest {

  private static final KeyId KEY_ID = KeyId.of("rotation-test");

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private VersionedCredential v1;
  private VersionedCredential v2;
  private FakeManagedKey key;

  @BeforeEach
  void setUp() {
    v1 = TestCredentials.credential(KEY_ID, "1");
    v2 = TestCredentials.credential(KEY_ID, "2");
    key = new FakeManagedKey(v1);
  }

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  private static List<String> keysSent(List<RecordedRequest> requests) {
    return requests.stream().map(r -> r.getHeaders().get("X-Api-Key")).toList();
  }

  @Test
  void get_when401AndNewerKeyAvailable_retriesExactlyOnceWithTheNewKey() {
    key.onRejectionOffer(v2);
    api.enqueue(json(401, "{\"error\":\"invalid key\"}"));
    api.enqueue(json(200, "{\"price\":42}"));

    JsonNode body = builder().build().get("/price", JsonNode.class);

    assertThat(body.get("price").asInt()).isEqualTo(42);
    List<RecordedRequest> requests = takeAll(api);
    assertThat(keysSent(requests))
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
    assertThat(key.rejectedCalls).containsExactly(v1);
    assertThat(key.acceptedCalls).containsExactly(v2);
  }

  @Test
  void get_when403AndNewerKeyAvailable_alsoRetriesOnce() {
    key.onRejectionOffer(v2);
    api.enqueue(json(403, "{}"));
    api.enqueue(json(200, "{}"));

    builder().build().get("/price", JsonNode.class);

    assertThat(takeAll(api)).hasSize(2);
    assertThat(key.acceptedCalls).containsExactly(v2);
  }

  @Test
  void get_when401AndNoNewerKey_failsWithKeyRejectedAfterExactlyOneRequest() {
    api.enqueue(json(401, "{\"error\":\"invalid key\"}"));
    api.enqueue(json(200, "{}")); // must not be used

    KeyRejectedException e =
        catchThrowableOfType(
            KeyRejectedException.class, () -> builder().build().get("/price", JsonNode.class));

    assertThat(e.status()).hasValue(401);
    assertThat(e.keyId()).contains(KEY_ID);
    assertThat(e.version()).contains("1");
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage())
        .contains("rotation-test", "version 1", "401")
        .doesNotContain(TestCredentials.apiKeyOf(v1));
    assertThat(e.getCause()).isInstanceOf(ApiResponseException.class);
    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).containsExactly(v1);
    assertThat(key.acceptedCalls).isEmpty();
  }

  @Test
  void get_whenRejectedOfferIsTheSameVersion_doesNotRetry() {
    key.onRejectionOffer(v1);
    api.enqueue(json(401, "{}"));

    assertThatThrownBy(() -> builder().build().get("/price", JsonNode.class))
        .isInstanceOf(KeyRejectedException.class);
    assertThat(takeAll(api)).hasSize(1);
  }

  @Test
  void get_whenNewKeyIsRejectedToo_failsAfterTwoRequestsWithoutLooping() {
    key.onRejectionOffer(v2);
    api.enqueue(json(401, "{}"));
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{}")); // must not be used

    KeyRejectedException e =
        catchThrowableOfType(
            KeyRejectedException.class, () -> builder().build().get("/price", JsonNode.class));

    assertThat(e.version()).contains("2");
    assertThat(e.getMessage()).contains("version 1", "version 2");
    assertThat(takeAll(api)).hasSize(2);
    assertThat(key.rejectedCalls).containsExactly(v1);
    assertThat(key.acceptedCalls).isEmpty();
  }

  @Test
  void post_when401AndNewerKey_isNotRetriedByDefault_butTheKeyIsReported() {
    key.onRejectionOffer(v2);
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{}")); // must not be used

    KeyRejectedException e =
        catchThrowableOfType(
            KeyRejectedException.class,
            () -> builder().build().post("/orders", Map.of("qty", 1), JsonNode.class));

    assertThat(e.getMessage()).contains("not idempotent", "Version 2 is now available");
    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).containsExactly(v1);
  }

  @Test
  void post_when401AndNonIdempotentRetryAllowed_retriesOnceWithSameBody() {
    key.onRejectionOffer(v2);
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{\"id\":7}"));
    KeyGuardClient client =
        builder().retryOptions(RetryOptions.builder().retryNonIdempotent(true).build()).build();

    JsonNode body = client.post("/orders", Map.of("qty", 1), JsonNode.class);

    assertThat(body.get("id").asInt()).isEqualTo(7);
    List<RecordedRequest> requests = takeAll(api);
    assertThat(keysSent(requests))
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
    assertThat(requests).allSatisfy(r -> assertThat(r.getBody().utf8()).isEqualTo("{\"qty\":1}"));
  }

  @Test
  void get_when403ButOnly401IsARejection_failsWithApiResponseWithoutReporting() {
    key.onRejectionOffer(v2);
    api.enqueue(json(403, "{\"error\":\"forbidden\"}"));

    assertThatThrownBy(() -> builder().rejectionStatuses(401).build().get("/price", JsonNode.class))
        .isInstanceOfSatisfying(
            ApiResponseException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThat(key.rejectedCalls).isEmpty();
    assertThat(takeAll(api)).hasSize(1);
  }

  @Test
  void get_whenNoCredentialCanBeHad_throwsTheManagedKeysExceptionAndSendsNothing() {
    key.failCurrentWith(new KeyProviderUnavailableException("vault down", KEY_ID));

    assertThatThrownBy(() -> builder().build().get("/price", JsonNode.class))
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasMessage("vault down");
    assertThat(takeAll(api)).isEmpty();
  }

  @Test
  void get_whenRetriedWithNewKey_theRetryAlsoPassesTheLoggingSlot() {
    key.onRejectionOffer(v2);
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{}"));
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    KeyGuardClient client =
        builder()
            .loggingInterceptor(
                chain -> {
                  seen.add(chain.request().header("X-Api-Key"));
                  return chain.proceed(chain.request());
                })
            .build();

    client.get("/price", JsonNode.class);

    // the logging slot sits after the authenticator: it sees each attempt as sent
    assertThat(seen).containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
  }
}
