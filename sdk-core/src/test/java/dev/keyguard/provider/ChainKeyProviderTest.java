package dev.keyguard.provider;

import static dev.keyguard.testing.ExceptionTextAssertions.assertNoRepeatedText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyProvider;
import dev.keyguard.testing.ExceptionTextAssertions;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainKeyProviderTest {

  private static final KeyId ID = KeyId.of("binance");
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private final InMemoryKeyProviderForTesting first = new InMemoryKeyProviderForTesting();
  private final InMemoryKeyProviderForTesting second = new InMemoryKeyProviderForTesting();

  private static VersionedCredential credential(String version) {
    return VersionedCredential.builder(ID, TestSecrets.randomSecret()).version(version).build();
  }

  /** A provider with a name, for messages. */
  private static KeyProvider named(String name, KeyProvider delegate) {
    return new KeyProvider() {
      @Override
      public VersionedCredential fetch(KeyId keyId) {
        return delegate.fetch(keyId);
      }

      @Override
      public List<VersionedCredential> fetchAlternates(KeyId keyId) {
        return delegate.fetchAlternates(keyId);
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  @Test
  void fetch_whenFirstProviderHasTheKey_servesItAndAsksNoOther() {
    VersionedCredential fromFirst = credential("1");
    first.put(fromFirst);
    second.put(credential("2"));

    assertThat(ChainKeyProvider.of(first, second).fetch(ID)).isSameAs(fromFirst);
    assertThat(second.fetchCount()).isZero();
  }

  @Test
  void fetch_whenFirstProviderHasNotTheKey_servesTheNext() {
    VersionedCredential fromSecond = credential("2");
    second.put(fromSecond);

    assertThat(ChainKeyProvider.of(first, second).fetch(ID)).isSameAs(fromSecond);
    assertThat(first.fetchCount()).isEqualTo(1);
  }

  @Test
  void fetch_whenNoProviderHasTheKey_isNotFoundListingEveryProviderTried() {
    Map<String, String> env = Map.of();
    ChainKeyProvider chain =
        ChainKeyProvider.of(
            named("vault", first),
            EnvKeyProvider.builder().variables(env).upperCaseNames().build());

    KeyNotFoundException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            KeyNotFoundException.class, () -> chain.fetch(ID));

    assertThat(e.getMessage())
        .contains("'binance' was not found by any provider of the chain")
        .contains("vault: no key 'binance'")
        .contains("env: key 'binance': environment variable 'BINANCE' is not set");
    // each answer is quoted in the message, so none is attached again
    assertThat(e.getSuppressed()).isEmpty();
    assertNoRepeatedText(e);
    assertThat(e.keyId()).contains(ID);
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void fetch_whenAHigherProviderIsUnavailable_failsUnavailableAndDoesNotFallThrough() {
    KeyProviderUnavailableException down = new KeyProviderUnavailableException("vault sealed", ID);
    first.failWith(down);
    second.put(credential("from-a-lower-priority-source"));

    KeyProviderUnavailableException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            KeyProviderUnavailableException.class,
            () -> ChainKeyProvider.of(named("vault", first), named("env", second)).fetch(ID));

    assertThat(second.fetchCount()).isZero();
    assertThat(e)
        .hasMessageContaining("provider vault (1 of 2 in the chain) failed")
        .hasMessageContaining("vault sealed");
    // the message quotes the provider's failure, so the failure is absorbed, not carried
    assertThat(e.getCause()).isNull();
    assertNoRepeatedText(e);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.keyId()).contains(ID);
  }

  @Test
  void fetch_whenAProviderThrowsAForeignException_failsUnavailableNamingOnlyItsType() {
    String detail = TestSecrets.randomValue();
    IllegalStateException bug = new IllegalStateException("vendor detail " + detail);
    first.failWith(bug);
    second.put(credential("2"));

    assertThatThrownBy(() -> ChainKeyProvider.of(first, second).fetch(ID))
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasCause(bug)
        .hasMessageContaining("java.lang.IllegalStateException")
        .hasMessageNotContaining(detail);
    assertThat(second.fetchCount()).isZero();
  }

  @Test
  void fetch_whenAProviderDeniesOrHoldsAMalformedValue_keepsTheTypeAndDoesNotFallThrough() {
    second.put(credential("2"));
    first.failWith(new KeyAccessDeniedException("the role may not read this key", ID));

    assertThatThrownBy(() -> ChainKeyProvider.of(first, second).fetch(ID))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("the role may not read this key")
        .hasNoCause()
        .satisfies(ExceptionTextAssertions::assertNoRepeatedText);

    first.failWith(new MalformedSecretException("field 'apiKey' missing", null, ID, "v3"));
    assertThatThrownBy(() -> ChainKeyProvider.of(first, second).fetch(ID))
        .isInstanceOfSatisfying(
            MalformedSecretException.class, e -> assertThat(e.version()).contains("v3"));

    first.failWith(new KeyGuardException("odd", null, ID, null, true));
    assertThatThrownBy(() -> ChainKeyProvider.of(first, second).fetch(ID))
        .isExactlyInstanceOf(KeyGuardException.class)
        .satisfies(e -> assertThat(((KeyGuardException) e).isRetryable()).isTrue());
    assertThat(second.fetchCount()).isZero();
  }

  @Test
  void fetch_whenAProviderReturnsNull_failsUnavailable() {
    KeyProvider broken = keyId -> null;
    second.put(credential("2"));

    assertThatThrownBy(() -> ChainKeyProvider.of(broken, second).fetch(ID))
        .isInstanceOf(KeyProviderUnavailableException.class);
    assertThat(second.fetchCount()).isZero();
  }

  @Test
  void fetch_whenProviderFailsAfterALowerOneServed_stillDoesNotFallThrough() {
    ChainKeyProvider chain = ChainKeyProvider.of(first, second);
    second.put(credential("2"));
    assertThat(chain.fetch(ID).version()).isEqualTo("2");

    first.failWith(new KeyProviderUnavailableException("timeout", ID));

    assertThatThrownBy(() -> chain.fetch(ID)).isInstanceOf(KeyProviderUnavailableException.class);
    assertThat(second.fetchCount()).isEqualTo(1);
  }

  @Test
  void fetchAlternates_asksOnlyTheProviderThatServedTheKey() {
    VersionedCredential pending = credential("pending");
    first.putAlternates(ID, List.of(credential("first-alt")));
    second.put(credential("current")).putAlternates(ID, List.of(pending));
    ChainKeyProvider chain = ChainKeyProvider.of(first, second);
    chain.fetch(ID);

    assertThat(chain.fetchAlternates(ID)).containsExactly(pending);
    assertThat(first.alternateFetchCount()).isZero();
    assertThat(second.alternateFetchCount()).isEqualTo(1);
  }

  @Test
  void fetchAlternates_beforeAnyFetch_findsTheServingProviderFirst() {
    VersionedCredential pending = credential("pending");
    second.put(credential("current")).putAlternates(ID, List.of(pending));

    assertThat(ChainKeyProvider.of(first, second).fetchAlternates(ID)).containsExactly(pending);
    assertThat(first.alternateFetchCount()).isZero();
  }

  @Test
  void fetchAlternates_whenNoProviderHasTheKey_isNotFound() {
    assertThatThrownBy(() -> ChainKeyProvider.of(first, second).fetchAlternates(ID))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void fetch_fileThenEnvironment_realProvidersFallThroughOnlyOnMissingFile(@TempDir Path dir)
      throws IOException {
    String envKey = TestSecrets.randomValue();
    ChainKeyProvider chain =
        ChainKeyProvider.of(
            FileKeyProvider.forDirectory(dir),
            EnvKeyProvider.builder()
                .variables(Map.of("binance", envKey, "broken", envKey))
                .build());
    Files.writeString(dir.resolve("broken"), "{\"apiKey\":");

    assertThat(chain.fetch(ID).apiKey().value(ACCESS)).isEqualTo(envKey);
    assertThatThrownBy(() -> chain.fetch(KeyId.of("broken")))
        .isInstanceOf(MalformedSecretException.class);
    assertThatThrownBy(() -> chain.fetch(KeyId.of("../binance")))
        .isInstanceOf(KeyAccessDeniedException.class);
  }

  @Test
  void of_rejectsEmptyAndNullProviders_andCopiesTheList() {
    assertThatThrownBy(() -> ChainKeyProvider.of()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChainKeyProvider.of(first, null))
        .isInstanceOf(NullPointerException.class);
    List<KeyProvider> list = new ArrayList<>(List.of(first));
    ChainKeyProvider chain = ChainKeyProvider.of(list);
    list.add(second);

    assertThat(chain.providers()).containsExactly(first);
    assertThatThrownBy(() -> chain.providers().add(second))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void fetch_whenCalledConcurrently_eachCallGetsTheFirstProvidersKey() throws Exception {
    first.put(credential("1"));
    ChainKeyProvider chain = ChainKeyProvider.of(first, second);
    AtomicInteger wrong = new AtomicInteger();
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 500; i++) {
                  if (!"1".equals(chain.fetch(ID).version())) {
                    wrong.incrementAndGet();
                  }
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(wrong.get()).isZero();
    assertThat(first.fetchCount()).isEqualTo(4000);
    assertThat(second.fetchCount()).isZero();
  }

  @Test
  void nameAndToString_listTheProviders() {
    ChainKeyProvider chain = ChainKeyProvider.of(named("file", first), named("env", second));

    assertThat(chain.name()).isEqualTo("chain(file,env)");
    assertThat(ChainKeyProvider.of(first))
        .hasToString("ChainKeyProvider[InMemoryKeyProviderForTesting[]]");
  }
}
