package dev.keyguard;

import static dev.keyguard.MockServers.json;
import static dev.keyguard.MockServers.redirect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the client logs while retrying, rotating and redirecting names keys, never their values. */
class KeyGuardClientLoggingTest {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private Level previousLevel;

  @BeforeEach
  void captureLogs() {
    previousLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    appender.start();
    root.addAppender(appender);
  }

  @AfterEach
  void releaseLogs() {
    root.detachAppender(appender);
    root.setLevel(previousLevel);
  }

  @Test
  void logs_duringRetryRotationAndRedirect_containNoSecret() {
    VersionedCredential v1 = TestSecrets.credential(KeyId.of("logging-test"), "1");
    VersionedCredential v2 = TestSecrets.credential(KeyId.of("logging-test"), "2");
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

      Throwable failure = catchThrowable(() -> client.get("/price", Map.of("symbol", "BTC"), JsonNode.class));

      assertThat(failure).isInstanceOf(ApiResponseException.class);
    }

    assertThat(appender.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("HTTP 429"))
        .anySatisfy(m -> assertThat(m).contains("retrying once with version 2"))
        .anySatisfy(m -> assertThat(m).contains("another origin"))
        .allSatisfy(
            m ->
                assertThat(m)
                    .doesNotContain(TestSecrets.apiKeyOf(v1))
                    .doesNotContain(TestSecrets.apiKeyOf(v2))
                    .doesNotContain(TestSecrets.apiSecretOf(v1))
                    .doesNotContain(TestSecrets.apiSecretOf(v2)));
  }
}
