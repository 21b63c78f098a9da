package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.CanaryExtension;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * Pushes the run's canaries through the whole request path: the canaries are the credential, the
 * HTTP log is at BODY level, and the server echoes them back in headers, body and error. The {@link
 * CanaryExtension} fails this test if any of it reaches a log line, standard output or the
 * exception in the clear.
 */
class CanaryThroughClientTest {

  @Test
  void client_withHttpLoggerAtBody_whenServerEchoesTheKey_logsAndThrowsNoCanary() throws Exception {
    String apiKey = Canaries.rawValue(Canaries.apiKey());
    String apiSecret = Canaries.rawValue(Canaries.withSpecialCharacters());
    VersionedCredential credential =
        VersionedCredential.builder(KeyId.of("canary"), Canaries.apiKey())
            .apiSecret(Canaries.withSpecialCharacters())
            .version("1")
            .build();
    AuthScheme scheme = TestSchemes.headerQueryAndSignature();
    HttpLogger httpLogger =
        HttpLogger.builder()
            .level(HttpLogger.Level.BODY)
            .allowHeader("X-Echo")
            .authScheme(scheme)
            .build();
    Throwable failure;
    try (MockWebServer api = TestTls.startHttpsServer()) {
      MockServers.reset(api);
      api.enqueue(
          new MockResponse.Builder()
              .code(200)
              .setHeader("Content-Type", "application/json")
              .setHeader("X-Echo", apiKey)
              .body("{\"youSent\":\"" + apiKey + "\",\"secret\":\"" + apiSecret + "\"}")
              .build());
      api.enqueue(json(400, "{\"error\":\"bad key " + apiKey + "\"}"));
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl(api.url("/"))
              .managedKey(new FakeManagedKey(credential))
              .authScheme(scheme)
              .okHttpClient(TestTls.TRUSTING_OKHTTP)
              .loggingInterceptor(httpLogger)
              .build();

      JsonNode ok = client.get("/echo", Map.of("symbol", "BTC"), JsonNode.class);
      failure = catchThrowable(() -> client.get("/echo", Map.of("symbol", apiKey), JsonNode.class));

      assertThat(ok.get("youSent").asText())
          .isEqualTo(apiKey); // the application itself gets the data
      assertThat(MockServers.takeAll(api)).hasSize(2);
    }

    assertThat(failure).isInstanceOf(KeyGuardException.class);
    Canaries.assertAbsentFrom(failure, failure.getMessage(), failure.getCause());
  }
}
