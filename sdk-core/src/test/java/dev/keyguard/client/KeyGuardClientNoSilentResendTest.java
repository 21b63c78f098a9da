package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OkHttp resends a request whose connection dropped after the request was written ({@code
 * retryOnConnectionFailure}). For a POST that may already have been processed (a signed order) that
 * is a duplicate: KeyGuard allows it only when the caller allowed non-idempotent retries.
 */
class KeyGuardClientNoSilentResendTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private FakeManagedKey key;

  @BeforeEach
  void setUp() {
    key = new FakeManagedKey(TestCredentials.credential(KeyId.of("resend-test"), "1"));
  }

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(TestTls.TRUSTING_OKHTTP);
  }

  /**
   * A first call that leaves a pooled connection behind: OkHttp resends only when a reused
   * connection fails (the usual case: the server had closed an idle connection).
   */
  private static void warmUp(KeyGuardClient client) {
    api.enqueue(json(200, "{}"));
    client.get("/warm-up", JsonNode.class);
  }

  /** The server reads the whole request, then drops the connection instead of answering. */
  private static MockResponse droppedAfterTheRequest() {
    return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
  }

  @Test
  void post_whenConnectionDropsAfterTheRequestWasSent_isNotSentAgain() {
    KeyGuardClient client = builder().build();
    warmUp(client);
    api.enqueue(droppedAfterTheRequest());
    api.enqueue(json(200, "{\"orderId\":2}"));

    assertThatThrownBy(() -> client.post("/order", Map.of("symbol", "BTC"), JsonNode.class))
        .isInstanceOf(KeyGuardException.class);

    assertThat(takeAll(api))
        .extracting(r -> r.getUrl().encodedPath())
        .containsExactly("/warm-up", "/order");
  }

  @Test
  void post_whenNonIdempotentRetriesAllowed_okHttpMayResendIt() {
    KeyGuardClient client =
        builder().retryOptions(RetryOptions.builder().retryNonIdempotent(true).build()).build();
    warmUp(client);
    api.enqueue(droppedAfterTheRequest());
    api.enqueue(json(200, "{\"orderId\":2}"));

    JsonNode body = client.post("/order", Map.of("symbol", "BTC"), JsonNode.class);

    assertThat(body.get("orderId").asInt()).isEqualTo(2);
    assertThat(takeAll(api))
        .extracting(r -> r.getUrl().encodedPath())
        .containsExactly("/warm-up", "/order", "/order");
  }

  @Test
  void get_whenConnectionDropsAfterTheRequestWasSent_keepsOkHttpsRetry() {
    KeyGuardClient client = builder().build();
    warmUp(client);
    api.enqueue(droppedAfterTheRequest());
    api.enqueue(json(200, "{\"price\":1}"));

    JsonNode body = client.get("/price", JsonNode.class);

    assertThat(body.get("price").asInt()).isEqualTo(1);
    assertThat(takeAll(api))
        .extracting(r -> r.getUrl().encodedPath())
        .containsExactly("/warm-up", "/price", "/price");
  }
}
