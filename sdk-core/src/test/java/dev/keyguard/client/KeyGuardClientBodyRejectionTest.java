package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rejection reported in the body (Kraken: HTTP 200 with {@code EAPI:Invalid key}) takes the same
 * path as a rejection status: report, one retry with the other version, never a loop.
 */
class KeyGuardClientBodyRejectionTest {

  private static final KeyId KEY_ID = KeyId.of("kraken-test");
  private static final String INVALID_KEY = "{\"error\":[\"EAPI:Invalid key\"],\"result\":{}}";

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private VersionedCredential v1;
  private VersionedCredential v2;
  private FakeManagedKey key;

  @BeforeEach
  void setUp() {
    v1 = krakenCredential("1");
    v2 = krakenCredential("2");
    key = new FakeManagedKey(v1);
  }

  /** A Kraken-shaped credential: random API key, random base64 secret (64 bytes, as Kraken's). */
  private static VersionedCredential krakenCredential(String version) {
    return VersionedCredential.builder(KEY_ID, Secret.of(TestSecrets.randomBase64Url(40)))
        .apiSecret(Secret.of(TestSecrets.randomBase64(64)))
        .version(version)
        .build();
  }

  /** The real KRAKEN preset, pointed at the mock server. */
  private KeyGuardClient kraken() {
    ApiPreset local = ApiPresets.KRAKEN.toBuilder().baseUrl(api.url("/").toString()).build();
    return KeyGuardClient.builder()
        .preset(local)
        .managedKey(key)
        .okHttpClient(TestTls.TRUSTING_OKHTTP)
        .build();
  }

  /**
   * A Kraken private call as a caller makes it: a form POST through the protected OkHttp client.
   */
  private static Response balance(KeyGuardClient client) throws IOException {
    Request request =
        new Request.Builder()
            .url(client.url("/0/private/Balance", Map.of()))
            .post(new FormBody.Builder().add("asset", "XBT").build())
            .build();
    return client.okHttpClient().newCall(request).execute();
  }

  private static List<String> keysSent(List<RecordedRequest> requests) {
    return requests.stream().map(r -> r.getHeaders().get("API-Key")).toList();
  }

  @Test
  void krakenPost_when200InvalidKeyAndNewerKey_reportsAndRetriesOnceWithTheNewKey()
      throws IOException {
    key.onRejectionOffer(v2);
    api.enqueue(json(200, INVALID_KEY));
    api.enqueue(json(200, "{\"error\":[],\"result\":{\"XXBT\":\"1.5\"}}"));

    try (Response response = balance(kraken())) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).contains("\"XXBT\":\"1.5\"");
    }

    List<RecordedRequest> requests = takeAll(api);
    assertThat(keysSent(requests))
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
    // each attempt is signed afresh: its own nonce and signature, same caller parameters
    assertThat(requests).allSatisfy(r -> assertThat(r.getBody().utf8()).contains("asset=XBT"));
    assertThat(requests.get(0).getHeaders().get("API-Sign"))
        .isNotEqualTo(requests.get(1).getHeaders().get("API-Sign"));
    assertThat(key.rejectedCalls).containsExactly(v1);
    assertThat(key.acceptedCalls).containsExactly(v2);
  }

  @Test
  void krakenPost_whenInvalidSignatureAndNewerKey_alsoRetriesOnce() throws IOException {
    key.onRejectionOffer(v2);
    api.enqueue(json(200, "{\"error\":[\"EAPI:Invalid signature\"]}"));
    api.enqueue(json(200, "{\"error\":[],\"result\":{}}"));

    try (Response response = balance(kraken())) {
      assertThat(response.code()).isEqualTo(200);
    }

    assertThat(keysSent(takeAll(api)))
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
    assertThat(key.rejectedCalls).containsExactly(v1);
  }

  @Test
  void krakenPost_whenInvalidKeyAndNoNewerKey_failsWithKeyRejectedAfterOneRequest() {
    api.enqueue(json(200, INVALID_KEY));
    api.enqueue(json(200, "{\"error\":[],\"result\":{}}")); // must not be used
    KeyGuardClient client = kraken();

    IOException io = catchThrowableOfType(IOException.class, () -> balance(client).close());

    KeyRejectedException e = (KeyRejectedException) KeyGuardIOException.find(io);
    assertThat(e.status()).hasValue(200);
    assertThat(e.errorCode()).contains("EAPI:Invalid key");
    assertThat(e.getMessage())
        .contains("'kraken-test' version 1", "HTTP 200 and error code EAPI:Invalid key");
    ApiResponseException cause = (ApiResponseException) e.getCause();
    assertThat(cause.status()).isEqualTo(200);
    assertThat(cause.errorCode()).contains("EAPI:Invalid key");
    assertThat(cause.isRetryable()).isFalse();
    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).containsExactly(v1);
    assertNoSecretIn(e, v1);
  }

  @Test
  void krakenPost_whenTheNewKeyIsRejectedToo_failsAfterTwoRequestsWithoutLooping() {
    key.onRejectionOffer(v2);
    api.enqueue(json(200, INVALID_KEY));
    api.enqueue(json(200, INVALID_KEY));
    api.enqueue(json(200, "{\"error\":[],\"result\":{}}")); // must not be used
    KeyGuardClient client = kraken();

    IOException io = catchThrowableOfType(IOException.class, () -> balance(client).close());

    KeyRejectedException e = (KeyRejectedException) KeyGuardIOException.find(io);
    assertThat(e.getMessage()).contains("and then version 2", "Not retrying again");
    assertThat(e.errorCode()).contains("EAPI:Invalid key");
    assertThat(takeAll(api)).hasSize(2);
    assertThat(key.rejectedCalls).containsExactly(v1);
    assertThat(key.acceptedCalls).isEmpty();
    assertNoSecretIn(e, v1);
    assertNoSecretIn(e, v2);
  }

  @Test
  void krakenPost_when200WithAnUnrelatedError_isNotARejection() throws IOException {
    key.onRejectionOffer(v2);
    String insufficient = "{\"error\":[\"EOrder:Insufficient funds\"],\"result\":{}}";
    api.enqueue(json(200, insufficient));

    try (Response response = balance(kraken())) {
      assertThat(response.body().string()).isEqualTo(insufficient);
    }

    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void krakenPost_whenTheCodeIsInAnotherField_isNotARejection() throws IOException {
    key.onRejectionOffer(v2);
    api.enqueue(json(200, "{\"error\":[],\"result\":{\"note\":\"EAPI:Invalid key\"}}"));

    try (Response response = balance(kraken())) {
      assertThat(response.code()).isEqualTo(200);
    }

    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void krakenPost_whenBodyIsLargerThanThePeekLimit_callerReadsItWhole() throws IOException {
    String big = largeSuccessBody(4 * BodyPeek.REJECTION_CODE);
    api.enqueue(json(200, big));

    try (Response response = balance(kraken())) {
      assertThat(response.body().string()).isEqualTo(big);
    }

    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void krakenPost_whenTheErrorFieldComesAfterThePeekLimit_isNotSeenAndTheBodyIsIntact()
      throws IOException {
    key.onRejectionOffer(v2);
    String padding = "x".repeat(2 * BodyPeek.REJECTION_CODE);
    String late = "{\"result\":{\"pad\":\"" + padding + "\"},\"error\":[\"EAPI:Invalid key\"]}";
    api.enqueue(json(200, late));

    try (Response response = balance(kraken())) {
      assertThat(response.body().string()).isEqualTo(late);
    }

    // bounded peek: a code beyond the limit is not looked for (Kraken writes "error" first)
    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void krakenPost_whenARejectionBodyIsLarge_stillDetectedFromItsStart() {
    String padding = "x".repeat(3 * BodyPeek.REJECTION_CODE);
    api.enqueue(
        json(200, "{\"error\":[\"EAPI:Invalid key\"],\"result\":{\"pad\":\"" + padding + "\"}}"));
    KeyGuardClient client = kraken();

    IOException io = catchThrowableOfType(IOException.class, () -> balance(client).close());

    assertThat(KeyGuardIOException.find(io)).isInstanceOf(KeyRejectedException.class);
    assertThat(takeAll(api)).hasSize(1);
  }

  @Test
  void krakenPost_whenServerError_keepsTheRetryRulesAndDoesNotRotate() throws IOException {
    key.onRejectionOffer(v2);
    api.enqueue(json(503, INVALID_KEY));

    try (Response response = balance(kraken())) {
      // a POST is not retried on 5xx without retryNonIdempotent, and 5xx bodies are not inspected
      assertThat(response.code()).isEqualTo(503);
    }

    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void clientWithoutMatcher_whenBodyCarriesTheCode_isUnaffectedAndDoesNotPeek() throws IOException {
    key.onRejectionOffer(v2);
    api.enqueue(json(200, INVALID_KEY));
    KeyGuardClient client = headerClient().build();

    try (Response response = get(client)) {
      // nothing was read from the body before the caller reads it: no peek
      assertThat(response.body().source().getBuffer().size()).isZero();
      assertThat(response.body().string()).isEqualTo(INVALID_KEY);
    }
    assertThat(takeAll(api)).hasSize(1);
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void clientWithMatcher_whenBodyDoesNotMatch_hasPeekedButLeavesTheBodyWhole() throws IOException {
    String ok = "{\"error\":[],\"result\":{}}";
    api.enqueue(json(200, ok));
    KeyGuardClient client = headerClient().rejectionErrorCodes("error", "EAPI:Invalid key").build();

    try (Response response = get(client)) {
      // the counterpart of the test above: with a matcher the body was peeked (buffered), not
      // consumed
      assertThat(response.body().source().getBuffer().size()).isPositive();
      assertThat(response.body().string()).isEqualTo(ok);
    }
  }

  private KeyGuardClient.Builder headerClient() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  private static Response get(KeyGuardClient client) throws IOException {
    Request request = new Request.Builder().url(client.url("/b", Map.of())).build();
    return client.okHttpClient().newCall(request).execute();
  }

  @Test
  void customApi_whenBuilderSetsCodesInAField_getWithNumericCodeIsRetriedOnce() {
    key.onRejectionOffer(v2);
    api.enqueue(json(400, "{\"code\":-2015,\"msg\":\"Invalid API-key\"}"));
    api.enqueue(json(200, "{\"ok\":true}"));
    KeyGuardClient client = headerClient().rejectionErrorCodes("code", "-2015").build();

    JsonNode result = client.get("/account", JsonNode.class);

    assertThat(result.get("ok").asBoolean()).isTrue();
    assertThat(takeAll(api).stream().map(r -> r.getHeaders().get(TestSchemes.KEY_HEADER)).toList())
        .containsExactly(TestCredentials.apiKeyOf(v1), TestCredentials.apiKeyOf(v2));
  }

  @Test
  void builder_whenCodesAreEmpty_turnsBodyMatchingOffAfterAPreset() throws IOException {
    key.onRejectionOffer(v2);
    api.enqueue(json(200, INVALID_KEY));
    ApiPreset local = ApiPresets.KRAKEN.toBuilder().baseUrl(api.url("/").toString()).build();
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(local)
            .rejectionErrorCodes("error")
            .managedKey(key)
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();

    try (Response response = balance(client)) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(key.rejectedCalls).isEmpty();
  }

  @Test
  void builderAndPreset_whenFieldOrCodesAreInvalid_refuse() {
    assertThatThrownBy(() -> KeyGuardClient.builder().rejectionErrorCodes(" ", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyGuardClient.builder().rejectionErrorCodes("error", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ApiPreset.builder("X")
                    .baseUrl("https://api.example.com")
                    .authScheme(c -> TestSchemes.header())
                    .documentation("https://docs.example.com")
                    .rejectionErrorField("error")
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rejectionErrorCodes");
  }

  private static String largeSuccessBody(int atLeast) {
    StringBuilder b = new StringBuilder("{\"error\":[],\"result\":{");
    for (int i = 0; b.length() < atLeast; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append("\"A").append(i).append("\":\"").append(TestSecrets.randomHex(16)).append('"');
    }
    return b.append("}}").toString();
  }

  private static void assertNoSecretIn(Throwable t, VersionedCredential credential) {
    String secret = credential.apiSecret().orElseThrow().value(InsecureSecretAccess.get());
    String apiKey = TestCredentials.apiKeyOf(credential);
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain(secret, apiKey);
      assertThat(c.toString()).doesNotContain(secret, apiKey);
    }
  }
}
