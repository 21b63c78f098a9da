package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.RedactedThrowable;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.SecretLeakAssertions;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A foreign exception the client attaches to its own (here: thrown by a custom {@link
 * ManagedKey#rejected(VersionedCredential)}) is protected when it is attached, so that code reading
 * {@code getSuppressed()} directly, as a logging backend does, sees no live secret.
 */
class KeyGuardClientForeignFailureTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  @Test
  void get_whenRejectedHookThrowsQuotingTheKey_suppressedFailureIsAttachedRedacted() {
    VersionedCredential credential =
        TestCredentials.credential(KeyId.of("foreign-failure-test"), "1");
    String apiKey = TestCredentials.apiKeyOf(credential);
    FakeManagedKey key =
        new FakeManagedKey(credential)
            .failRejectedWith(new IllegalStateException("vault refused to rotate key " + apiKey));
    api.enqueue(json(401, "{}"));
    KeyGuardClient client =
        KeyGuardClient.builder()
            .baseUrl(api.url("/v2"))
            .managedKey(key)
            .authScheme(TestSchemes.header())
            .okHttpClient(TestTls.TRUSTING_OKHTTP)
            .build();

    KeyRejectedException failure =
        catchThrowableOfType(
            KeyRejectedException.class, () -> client.get("/price", JsonNode.class));

    assertThat(failure.getMessage()).contains("looking for another version failed");
    // assertions that print classes and booleans only: a failure must not print the key either
    assertThat(failure.getSuppressed()).hasSize(1);
    Throwable suppressed = failure.getSuppressed()[0];
    assertThat(suppressed.getClass()).isEqualTo(RedactedThrowable.class);
    assertThat(((RedactedThrowable) suppressed).originalClassName())
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(suppressed.getMessage().contains("vault refused to rotate key")).isTrue();
    assertThat(suppressed.getMessage().contains(apiKey))
        .as("the suppressed message quotes the key")
        .isFalse();
    assertThat(key.rejectedCalls).hasSize(1);
    SecretLeakAssertions.assertNoLeak(failure, SecretLeakAssertions.secretsOf(credential));
  }
}
