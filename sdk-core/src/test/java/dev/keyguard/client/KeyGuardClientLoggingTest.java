package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.redirect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.LogCapture;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the client logs while retrying, rotating and redirecting names keys, never their values. */
class KeyGuardClientLoggingTest {

  private final LogCapture logs = LogCapture.root();

  @AfterEach
  void releaseLogs() {
    logs.close();
  }

  @Test
  void logs_duringRetryRotationAndRedirect_containNoSecret() {
    VersionedCredential v1 = TestCredentials.credential(KeyId.of("logging-test"), "1");
    VersionedCredential v2 = TestCredentials.credential(KeyId.of("logging-test"), "2");
    FakeManagedKey key = new FakeManagedKey(v1).onRejectionOffer(v2);
    try (MockWebServer api = TestTls.startHttpsServer();
        MockWebServer other = TestTls.startHttpsServer()) {
      MockServers.reset(api);
      MockServers.reset(other);
      api.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0").build());
      api.enqueue(json(401, "{}"));
      api.enqueue(redirect(302, other.url("/landing").toString()));
      other.enqueue(json(500, "{}"));
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl(api.url("/"))
              .managedKey(key)
              .authScheme(TestSchemes.headerQueryAndSignature())
              .okHttpClient(TestTls.TRUSTING_OKHTTP)
              .retryOptions(RetryOptions.builder().retryStatuses(429).build())
              .build();

      Throwable failure =
          catchThrowable(() -> client.get("/price", Map.of("symbol", "BTC"), JsonNode.class));

      assertThat(failure).isInstanceOf(ApiResponseException.class);
    }

    assertThat(logs.messages())
        .anySatisfy(m -> assertThat(m).contains("HTTP 429"))
        .anySatisfy(m -> assertThat(m).contains("retrying once with version 2"))
        .anySatisfy(m -> assertThat(m).contains("another origin"))
        .allSatisfy(
            m ->
                assertThat(m)
                    .doesNotContain(TestCredentials.apiKeyOf(v1))
                    .doesNotContain(TestCredentials.apiKeyOf(v2))
                    .doesNotContain(TestCredentials.apiSecretOf(v1))
                    .doesNotContain(TestCredentials.apiSecretOf(v2)));
  }
}
