package dev.keyguard;

import static dev.keyguard.testing.ExceptionTextAssertions.assertNoRepeatedText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.key.KeyManager;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.provider.ChainKeyProvider;
import dev.keyguard.provider.EnvKeyProvider;
import dev.keyguard.provider.FileKeyProvider;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failures a new user meets first (a variable not set, a file that is not a credential, a chain
 * that finds nothing, a provider that breaks), each checked end to end for the rule that no text is
 * written twice between a wrapper and its causes, and that the one-line message still says what is
 * wrong.
 */
class ExceptionTextTest {

  private static final KeyId KEY = KeyId.of("coingecko-api-key");

  @TempDir Path dir;

  private static KeyManager manager(KeyProvider provider) {
    return KeyManager.builder()
        .provider(provider)
        .retryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
        .build();
  }

  @Test
  void awaitReady_whenTheVariableIsNotSet_saysSoOnceInTheWholeChain() {
    EnvKeyProvider env = EnvKeyProvider.builder().variables(Map.of()).upperCaseNames().build();
    try (KeyManager manager = manager(env)) {
      KeyNotFoundException e =
          catchThrowableOfType(
              KeyNotFoundException.class,
              () -> manager.key(KEY).awaitReady(Duration.ofSeconds(10)));

      assertThat(e.getMessage())
          .contains("'COINGECKO_API_KEY' is not set")
          .contains("next attempt at");
      assertNoRepeatedText(e);
    }
  }

  @Test
  void fetch_whenTheVariableHoldsJsonWithoutTheKeyField_namesTheVariableAndTheFieldOnce() {
    EnvKeyProvider env =
        EnvKeyProvider.builder()
            .variables(Map.of("K", "{\"secretKey\":\"" + TestSecrets.randomValue() + "\"}"))
            .build();

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> env.fetch(KeyId.of("K")));

    assertThat(e.getMessage()).contains("'K'").contains("apiKey");
    assertNoRepeatedText(e);
  }

  @Test
  void fetch_whenTheFileIsNotACredential_namesTheFileOnce() {
    write("coingecko-api-key", "{\"apiKey\": 42}");
    FileKeyProvider files = FileKeyProvider.forDirectory(dir);

    MalformedSecretException e =
        catchThrowableOfType(MalformedSecretException.class, () -> files.fetch(KEY));

    assertThat(e.getMessage()).contains("secret file").contains("apiKey");
    assertNoRepeatedText(e);
  }

  @Test
  void awaitReady_whenTheFileIsNotACredential_isMalformedWithTheFileAndTheFieldOnce() {
    write("coingecko-api-key", "{\"apiKey\": 42}");
    try (KeyManager manager = manager(FileKeyProvider.forDirectory(dir))) {
      MalformedSecretException e =
          catchThrowableOfType(
              MalformedSecretException.class,
              () -> manager.key(KEY).awaitReady(Duration.ofSeconds(10)));

      assertThat(e.getMessage()).contains("secret file").contains("apiKey");
      assertNoRepeatedText(e);
    }
  }

  @Test
  void fetch_whenNoProviderOfAChainHasTheKey_listsEachAnswerOnce() {
    ChainKeyProvider chain =
        ChainKeyProvider.of(
            FileKeyProvider.forDirectory(dir),
            EnvKeyProvider.builder().variables(Map.of()).upperCaseNames().build());

    KeyNotFoundException e =
        catchThrowableOfType(KeyNotFoundException.class, () -> chain.fetch(KEY));

    assertThat(e.getMessage()).contains("COINGECKO_API_KEY").contains(dir.toString());
    assertNoRepeatedText(e);
  }

  @Test
  void awaitReady_whenTheProviderBreaks_carriesTheForeignFailureAndNamesItsTypeOnly() {
    IllegalStateException bug =
        new IllegalStateException("the connection pool was shut down while the call was queued");
    KeyProvider broken =
        new KeyProvider() {
          @Override
          public VersionedCredential fetch(KeyId keyId) {
            throw bug;
          }

          @Override
          public String name() {
            return "broken";
          }
        };
    try (KeyManager manager = manager(broken)) {
      // retryable: awaitReady waits out its timeout, then reports the last failure as the cause
      assertThatThrownBy(() -> manager.key(KEY).awaitReady(Duration.ofSeconds(2)))
          .isInstanceOf(KeyProviderUnavailableException.class)
          .hasRootCause(bug)
          .hasMessageContaining("was not ready within 2 s")
          .satisfies(e -> assertNoRepeatedText(e));
    }
  }

  @Test
  void theAssertion_catchesAWrapperThatQuotesItsCarriedCause() {
    KeyNotFoundException inner =
        new KeyNotFoundException("environment variable 'X' is not set", KEY);
    KeyNotFoundException wrapper =
        new KeyNotFoundException(
            "key 'x' could not be fetched: " + inner.getMessage(), inner, KEY, null);

    assertThatThrownBy(() -> assertNoRepeatedText(wrapper))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("repeats");
  }

  private void write(String name, String content) {
    try {
      Files.writeString(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
