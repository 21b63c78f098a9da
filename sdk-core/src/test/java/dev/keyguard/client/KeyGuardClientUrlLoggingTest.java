package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The URLs in KeyGuard's own log lines (rotation retry at INFO, throttling retry at DEBUG) go
 * through the one safe rendering: a live key in the path or in a parameter the scheme does not use
 * is redacted, whether an API puts keys in paths or a caller did so by mistake.
 */
class KeyGuardClientUrlLoggingTest {

  private static final KeyId KEY_ID = KeyId.of("url-logging-test");

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private final LogCapture logs = LogCapture.of(KeyGuardClient.class);

  @AfterEach
  void releaseLogs() {
    logs.close();
  }

  @Test
  void logs_whenLiveKeyIsInThePathAndQuery_rotationAndRetryLinesShowItRedacted() {
    VersionedCredential v1 = TestCredentials.credential(KEY_ID, "1");
    VersionedCredential v2 = TestCredentials.credential(KEY_ID, "2");
    String key1 = TestCredentials.apiKeyOf(v1);
    FakeManagedKey key = new FakeManagedKey(v1).onRejectionOffer(v2);
    api.enqueue(json(401, "{}"));
    api.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "2").build());
    api.enqueue(json(200, "{}"));
    KeyGuardClient client =
        KeyGuardClient.builder()
            .baseUrl(api.url("/v2"))
            .managedKey(key)
            .authScheme(TestSchemes.header())
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .timeSource(new FakeClock(FakeClock.DEFAULT_START))
            .build();

    client.get("/accounts/" + key1 + "/balance", Map.of("note", key1), JsonNode.class);

    // first, as it names only the form found: the assertions below print the lines
    SecretLeakAssertions.assertNoLeakInText(
        "client log lines", logs.text(), v1.apiKey(), v2.apiKey());
    assertThat(logs.messages(Level.INFO))
        .anySatisfy(m -> assertThat(m).contains("retrying once with version 2"));
    assertThat(logs.messages(Level.DEBUG))
        .anySatisfy(m -> assertThat(m).contains("got HTTP 503; retry 1 of"));
    assertThat(logs.messages())
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("/v2/accounts/[REDACTED:" + v1.apiKey().fingerprint() + "]/balance"));
  }
}
