package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.BACKOFF_MAX;
import static dev.keyguard.key.KeyManagerFixture.KEY;
import static dev.keyguard.key.KeyManagerFixture.MAX_STALE;
import static dev.keyguard.key.KeyManagerFixture.REFRESH;
import static dev.keyguard.key.KeyManagerFixture.fingerprint;
import static dev.keyguard.key.KeyManagerFixture.fixedRandom;
import static dev.keyguard.testing.ExceptionTextAssertions.assertNoRepeatedText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.KeyVersionRegressedException;
import dev.keyguard.MalformedSecretException;
import dev.keyguard.Redactor;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent.KeyExpiringSoon;
import dev.keyguard.key.KeyEvent.KeyLoaded;
import dev.keyguard.key.KeyEvent.KeyRotated;
import dev.keyguard.key.KeyEvent.KeyTooOld;
import dev.keyguard.key.KeyEvent.RefreshFailed;
import dev.keyguard.key.KeyEvent.RefreshRecovered;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The refresh policy of {@link KeyManager}, on a fake clock and a fake scheduler: no sleeps, every
 * background task runs on the test thread when the test moves time.
 */
class KeyManagerTest {

  private final KeyManagerFixture f = new KeyManagerFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Nested
  class Builder {

    @Test
    void build_withoutProvider_throwsNamingTheProvider() {
      assertThatThrownBy(() -> KeyManager.builder().build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("provider");
    }

    @Test
    void settings_whenInvalid_areRejectedAsTheyAreSet() {
      KeyManager.Builder b = KeyManager.builder();
      assertThatThrownBy(() -> b.refreshAfter(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("refreshAfter");
      assertThatThrownBy(() -> b.maxStale(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxStale");
      assertThatThrownBy(() -> b.jitter(0.6))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("jitter");
      assertThatThrownBy(() -> b.jitter(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("retryBackoff");
      assertThatThrownBy(() -> b.rejectionCooldown(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> b.maxKeyAge(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> b.provider(null)).isInstanceOf(NullPointerException.class);
      assertThatCode(() -> b.jitter(0).rejectionCooldown(Duration.ZERO).expiringSoon(Duration.ZERO))
          .doesNotThrowAnyException();
    }

    @Test
    void build_whenMaxStaleNotLongerThanJitteredRefresh_throwsNamingBoth() {
      KeyManager.Builder b =
          KeyManager.builder()
              .provider(f.provider)
              .refreshAfter(Duration.ofMinutes(10))
              .jitter(0.1)
              .maxStale(Duration.ofMinutes(11));

      assertThatThrownBy(b::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("maxStale")
          .hasMessageContaining("refreshAfter");
    }

    @Test
    void key_withTheSameId_returnsTheSameInstanceAndDoesNotFetch() {
      KeyManager manager = f.start();

      ManagedKey key = manager.key(KEY);

      assertThat(manager.key(KEY.value())).isSameAs(key);
      assertThat(manager.key("other")).isNotSameAs(key);
      assertThat(f.backend.fetchCount()).isZero();
    }
  }

  @Nested
  class ColdStart {

    @Test
    void current_onColdStart_fetchesOnceAndFiresKeyLoaded() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();

      VersionedCredential served = key.current();

      assertThat(served).isSameAs(v1);
      assertThat(f.backend.fetchCount()).isEqualTo(1);
      assertThat(f.fetchThreads).containsExactly(Thread.currentThread());
      assertThat(f.events).containsExactly(new KeyLoaded(KEY, f.start, "1", fingerprint(v1)));
    }

    @Test
    void current_beforeRefreshAfter_neverCallsTheProviderAgain() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();

      for (int second = 1; second < REFRESH.toSeconds(); second++) {
        f.scheduler.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
          assertThat(key.current()).isSameAs(v1);
        }
      }
      f.scheduler.advance(Duration.ofMillis(999));
      assertThat(key.current()).isSameAs(v1);

      assertThat(f.backend.fetchCount()).isEqualTo(1);
    }

    @Test
    void current_whenKeyMissing_throwsNotFoundThenFailsFastUntilTheRetryFindsIt() {
      ManagedKey key = f.startKey();

      KeyNotFoundException e = catchThrowableOfType(KeyNotFoundException.class, key::current);

      assertThat(e.getMessage()).contains("market-data").contains("recording-in-memory");
      // the message quotes the provider's not-found answer whole, so it absorbed it: no cause
      // that would print the same text again
      assertThat(e.getCause()).isNull();
      assertNoRepeatedText(e);
      assertThat(e.isRetryable()).isFalse();
      assertThatThrownBy(key::current).isInstanceOf(KeyNotFoundException.class);
      assertThat(f.backend.fetchCount()).as("no second call within the backoff").isEqualTo(1);

      VersionedCredential v1 = f.put("1");
      f.scheduler.advance(Duration.ofSeconds(1));

      assertThat(f.backend.fetchCount()).isEqualTo(2);
      assertThat(key.current()).isSameAs(v1);
      assertThat(f.backend.fetchCount()).isEqualTo(2);
    }

    @Test
    void current_whenProviderThrowsAnUnexpectedException_throwsUnavailableCarryingIt() {
      IllegalStateException bug = new IllegalStateException("socket reset");
      f.backend.failWith(bug);
      ManagedKey key = f.startKey();

      KeyProviderUnavailableException e =
          catchThrowableOfType(KeyProviderUnavailableException.class, key::current);

      assertThat(e.isRetryable()).isTrue();
      // one KeyGuard layer quoting the fetch failure, and the foreign exception as its cause
      assertThat(e.getCause()).isSameAs(bug);
      assertNoRepeatedText(e);
    }

    @Test
    void current_whenProviderReturnsAnotherKeysCredential_refusesIt() {
      f.backend.put(f.credential(KeyId.of("someone-else"), "1").build());
      KeyProvider wrong = keyId -> f.backend.fetch(KeyId.of("someone-else"));
      ManagedKey key = f.start(f.builder().provider(wrong)).key(KEY);

      assertThatThrownBy(key::current)
          .isInstanceOf(MalformedSecretException.class)
          .hasMessageContaining("someone-else");
    }
  }

  @Nested
  class RedactorHook {

    @Test
    void fetchedSecrets_areRegisteredWithTheRedactor() {
      VersionedCredential v1 = f.put("1");
      f.startKey().current();

      String apiKey = v1.apiKey().value(InsecureSecretAccess.get());
      String apiSecret = v1.apiSecret().orElseThrow().value(InsecureSecretAccess.get());

      assertThat(Redactor.global().redact("a " + apiKey + " b " + apiSecret))
          .doesNotContain(apiKey, apiSecret);
    }

    @Test
    void rotation_registersTheNewSecretsAndRetiresTheOldOnesWithTheRedactor() {
      try (GlobalRedactorSpy spy = new GlobalRedactorSpy()) {
        Redactor redactor = spy.redactor;
        VersionedCredential v1 = f.put("1");
        ManagedKey key = f.startKey();
        key.current();
        org.mockito.Mockito.verify(redactor).register(v1.apiKey());
        org.mockito.Mockito.verify(redactor).register(v1.apiSecret().orElseThrow());

        VersionedCredential v2 = f.put("2");
        f.scheduler.advance(REFRESH);

        org.mockito.Mockito.verify(redactor).register(v2.apiKey());
        org.mockito.Mockito.verify(redactor).register(v2.apiSecret().orElseThrow());
        org.mockito.Mockito.verify(redactor).retire(v1.apiKey());
        org.mockito.Mockito.verify(redactor).retire(v1.apiSecret().orElseThrow());
        org.mockito.Mockito.verify(redactor, org.mockito.Mockito.never()).retire(v2.apiKey());

        f.manager().close();
        org.mockito.Mockito.verify(redactor).retire(v2.apiKey());
      }
    }

    @Test
    void rotation_toAVersionWithTheSameSecretValue_doesNotRetireTheLiveValue() {
      try (GlobalRedactorSpy spy = new GlobalRedactorSpy()) {
        Redactor redactor = spy.redactor;
        VersionedCredential v1 = f.put("1");
        ManagedKey key = f.startKey();
        key.current();
        // Version 2 only changes the API secret; the API key value stays (in a new Secret object).
        Secret sameKey = Secret.of(v1.apiKey().value(InsecureSecretAccess.get()));
        f.put(
            VersionedCredential.builder(KEY, sameKey)
                .apiSecret(f.newSecret())
                .version("2")
                .build());

        f.scheduler.advance(REFRESH);

        org.mockito.Mockito.verify(redactor, org.mockito.Mockito.never()).retire(v1.apiKey());
        org.mockito.Mockito.verify(redactor).retire(v1.apiSecret().orElseThrow());
      }
    }
  }

  @Nested
  class Refresh {

    @Test
    void refresh_atRefreshAfter_fetchesAgainInTheBackground() {
      f.put("1");
      ManagedKey key = f.startKey();
      key.current();

      f.scheduler.advance(REFRESH.minusMillis(1));
      assertThat(f.backend.fetchCount()).isEqualTo(1);
      f.scheduler.advance(Duration.ofMillis(1));

      assertThat(f.backend.fetchCount()).isEqualTo(2);
      assertThat(f.fetchTimes.get(1)).isEqualTo(f.start.plus(REFRESH));
    }

    @Test
    void refresh_withLowestJitter_comesAtNinetyPercentOfRefreshAfter() {
      f.put("1");
      f.start(f.builder().jitter(0.1).jitterRandom(fixedRandom(0.0))).key(KEY).current();

      assertThat(f.scheduler.nextDelay()).contains(Duration.ofSeconds(270));
    }

    @Test
    void refresh_withHighestJitter_comesJustBeforeHundredTenPercentOfRefreshAfter() {
      f.put("1");
      f.start(f.builder().jitter(0.1).jitterRandom(fixedRandom(0.999_999))).key(KEY).current();

      Duration delay = f.scheduler.nextDelay().orElseThrow();
      assertThat(delay).isLessThan(Duration.ofSeconds(330)).isGreaterThan(Duration.ofSeconds(329));
    }

    @Test
    void refresh_withDefaultJitter_spreadsEveryIntervalWithinTenPercent() {
      f.put("1");
      f.start(f.builder().jitter(0.1).jitterRandom(new SplittableRandom(7))).key(KEY).current();

      for (int i = 0; i < 200; i++) {
        f.scheduler.advance(f.scheduler.nextDelay().orElseThrow());
      }

      List<Duration> intervals = f.fetchIntervals(0);
      assertThat(intervals)
          .hasSize(200)
          .allSatisfy(
              d -> assertThat(d).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330)));
      assertThat(intervals.stream().distinct().count())
          .as("jitter actually varies")
          .isGreaterThan(100);
    }

    @Test
    void refresh_whenTheVersionIsUnchanged_changesNothingAndFiresNothing() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      f.put(f.credential("1").build()); // same version id, even with other bytes: the same version

      f.scheduler.advance(REFRESH);

      assertThat(f.backend.fetchCount()).isEqualTo(2);
      assertThat(key.current()).isSameAs(v1);
      assertThat(f.events).hasSize(1).allMatch(e -> e instanceof KeyLoaded);
    }

    @Test
    void refresh_whenANewVersionAppears_servesItAndFiresKeyRotated() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      VersionedCredential v2 = f.put("2");

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v2);
      assertThat(f.events(KeyRotated.class))
          .containsExactly(
              new KeyRotated(
                  KEY, f.start.plus(REFRESH), "1", fingerprint(v1), "2", fingerprint(v2)));
    }

    @Test
    void refresh_whenNewVersionIsNotYetValid_servesTheOldOneUntilItsNotBefore() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      Instant notBefore = f.start.plus(Duration.ofMinutes(7));
      VersionedCredential v2 = f.put(f.credential("2").notBefore(notBefore).build());

      f.scheduler.advance(REFRESH);
      assertThat(key.current()).isSameAs(v1);
      assertThat(f.events(KeyRotated.class)).isEmpty();

      f.scheduler.advanceTo(notBefore.minusMillis(1));
      assertThat(key.current()).isSameAs(v1);
      f.scheduler.advance(Duration.ofMillis(1));

      assertThat(key.current()).isSameAs(v2);
      assertThat(f.events(KeyRotated.class))
          .extracting(KeyRotated::newVersion)
          .containsExactly("2");
      assertThat(f.backend.fetchCount()).as("the switch needs no fetch").isEqualTo(2);
    }

    @Test
    void current_onColdStartWithNotYetValidVersion_servesItBecauseNothingElseIsUsable() {
      VersionedCredential v1 = f.put(f.credential("1").notBefore(f.start.plusSeconds(30)).build());

      assertThat(f.startKey().current()).isSameAs(v1);
    }
  }

  @Nested
  class VersionGoingBackwards {

    private VersionedCredential put(long sequence) {
      return f.put(f.credential(Long.toString(sequence)).versionSequence(sequence).build());
    }

    @Test
    void aVersionNumberedBelowTheHeldOne_isRefusedTypedAndTheHeldOneStaysServed() {
      VersionedCredential v5 = put(5);
      ManagedKey key = f.startKey();
      key.current();
      VersionedCredential v3 = put(3); // a lagging replica, a restored backup, a replayed answer

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v5);
      List<RefreshFailed> failed = f.events(RefreshFailed.class);
      assertThat(failed).hasSize(1);
      assertThat(failed.get(0).cause()).isInstanceOf(KeyVersionRegressedException.class);
      assertThat(failed.get(0).servingStale()).isTrue();
      KeyVersionRegressedException e = (KeyVersionRegressedException) failed.get(0).cause();
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.heldSequence()).isEqualTo(5);
      assertThat(e.fetchedSequence()).isEqualTo(3);
      assertThat(e.version()).contains("3");
      assertThat(e.keyId()).contains(KEY);
      assertThat(e.getMessage())
          .contains("returned version 3, older than version 5")
          .doesNotContain(v3.apiKey().value(InsecureSecretAccess.get()));
      assertThat(f.events(KeyRotated.class)).isEmpty();
    }

    @Test
    void afterTheRefusal_theNextRetryFindsTheReplicaCaughtUpAndRecovers() {
      put(5);
      ManagedKey key = f.startKey();
      key.current();
      put(3);
      f.scheduler.advance(REFRESH);
      VersionedCredential v6 = put(6);

      f.scheduler.advance(f.scheduler.nextDelay().orElseThrow());

      assertThat(key.current()).isSameAs(v6);
      assertThat(f.events(RefreshRecovered.class)).hasSize(1);
      assertThat(f.events(KeyRotated.class)).hasSize(1);
    }

    @Test
    void aLowerNumberCreatedAfterTheHeldVersion_isARecreatedSecret_servedAsARotation() {
      f.put(f.credential("7").versionSequence(7).createdAt(f.start.minusSeconds(60)).build());
      ManagedKey key = f.startKey();
      key.current();
      // the secret was deleted and created again: its numbering starts over
      VersionedCredential recreated =
          f.put(f.credential("1").versionSequence(1).createdAt(f.start.plusSeconds(30)).build());

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(recreated);
      assertThat(f.events(RefreshFailed.class)).isEmpty();
      assertThat(f.events(KeyRotated.class)).hasSize(1);
    }

    @Test
    void aLowerNumberCreatedBeforeTheHeldVersion_isRefused() {
      VersionedCredential v7 =
          f.put(f.credential("7").versionSequence(7).createdAt(f.start.minusSeconds(60)).build());
      ManagedKey key = f.startKey();
      key.current();
      f.put(f.credential("5").versionSequence(5).createdAt(f.start.minusSeconds(600)).build());

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v7);
      assertThat(f.events(RefreshFailed.class))
          .singleElement()
          .satisfies(e -> assertThat(e.cause()).isInstanceOf(KeyVersionRegressedException.class));
    }

    @Test
    void theSameOrAHigherNumber_isServedAsUsual() {
      put(5);
      ManagedKey key = f.startKey();
      key.current();
      VersionedCredential v7 = put(7);

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v7);
      assertThat(f.events(RefreshFailed.class)).isEmpty();
    }

    @Test
    void versionsWithoutANumber_areNeverComparedInOrder() {
      // AWS and Azure version ids are not ordered: a rollback of AWSCURRENT is an operator's
      // rotation and is served
      f.put("b-second");
      ManagedKey key = f.startKey();
      key.current();
      VersionedCredential older = f.put("a-first");

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(older);
    }

    @Test
    void aNumberBelowOne_isRefusedByTheBuilder() {
      assertThatThrownBy(() -> f.credential("0").versionSequence(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("versionSequence");
    }
  }

  @Nested
  class StaleOnError {

    private final KeyProviderUnavailableException down =
        new KeyProviderUnavailableException("backend down (test)", KEY);

    @Test
    void current_whenBackendIsDown_servesLastGoodUntilMaxStaleThenThrowsUnavailableWithTheCause() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      f.backend.failWith(down);

      f.scheduler.advanceTo(f.start.plus(MAX_STALE).minusMillis(1));
      assertThat(key.current()).isSameAs(v1);
      assertThat(f.events(RefreshFailed.class))
          .isNotEmpty()
          .allSatisfy(
              e -> {
                assertThat(e.servingStale()).isTrue();
                assertThat(e.cause()).isSameAs(down);
                assertThat(e.retryable()).isTrue();
                assertThat(e.servedVersion()).isEqualTo("1");
              });
      int fetches = f.backend.fetchCount();

      f.scheduler.advance(Duration.ofMillis(1));
      KeyProviderUnavailableException e =
          catchThrowableOfType(KeyProviderUnavailableException.class, key::current);

      assertThat(e.getCause()).isSameAs(down);
      assertThat(e.getMessage()).contains("market-data").contains("maxStale").contains("version 1");
      assertThat(e.version()).contains("1");
      assertThat(f.backend.fetchCount())
          .as("current() leaves retrying to the background")
          .isEqualTo(fetches);

      f.scheduler.advance(BACKOFF_MAX);
      List<RefreshFailed> failures = f.events(RefreshFailed.class);
      assertThat(failures.get(failures.size() - 1).servingStale()).isFalse();
      assertThat(failures).extracting(RefreshFailed::attempt).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void retries_whenBackendStaysDown_backOffExponentiallyUpToTheCap() {
      f.put("1");
      f.startKey().current();
      f.backend.failWith(down);

      f.scheduler.advance(REFRESH.plusSeconds(1 + 2 + 4 + 8 + 8 + 8));

      assertThat(f.fetchTimes.get(1)).isEqualTo(f.start.plus(REFRESH));
      assertThat(f.fetchIntervals(1))
          .containsExactly(
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              Duration.ofSeconds(4),
              Duration.ofSeconds(8),
              Duration.ofSeconds(8),
              Duration.ofSeconds(8));
      assertThat(f.events(RefreshFailed.class))
          .extracting(RefreshFailed::nextRetryIn)
          .startsWith(
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              Duration.ofSeconds(4),
              Duration.ofSeconds(8));
    }

    @Test
    void retries_withJitter_stayWithinTheJitterOfTheExponentialAndNeverAboveTheCap() {
      f.put("1");
      f.start(f.builder().jitter(0.1).jitterRandom(new SplittableRandom(11))).key(KEY).current();
      f.scheduler.advance(f.scheduler.nextDelay().orElseThrow());
      f.backend.failWith(down);

      for (int i = 0; i < 12; i++) {
        f.scheduler.advance(f.scheduler.nextDelay().orElseThrow());
      }

      List<Duration> intervals = f.fetchIntervals(2);
      assertThat(intervals).hasSize(11);
      for (int attempt = 1; attempt <= intervals.size(); attempt++) {
        long base = Math.min(BACKOFF_MAX.toMillis(), 1000L << (attempt - 1));
        assertThat(intervals.get(attempt - 1).toMillis())
            .as("attempt %d", attempt)
            .isBetween(
                (long) (base * 0.9) - 1, Math.min(BACKOFF_MAX.toMillis(), (long) (base * 1.1) + 1));
      }
    }

    @Test
    void refresh_whenBackendRecovers_firesRefreshRecoveredAndResumesTheNormalSchedule() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      f.backend.failWith(down);
      f.scheduler.advance(REFRESH.plusSeconds(1)); // failures at +5 min and +5 min 1 s
      f.backend.recover();

      f.scheduler.advance(Duration.ofSeconds(2));

      Instant recoveredAt = f.start.plus(REFRESH).plusSeconds(3);
      assertThat(f.events(RefreshRecovered.class))
          .containsExactly(new RefreshRecovered(KEY, recoveredAt, "1", 2, Duration.ofSeconds(3)));
      assertThat(f.events(KeyRotated.class)).isEmpty();
      assertThat(key.current()).isSameAs(v1);
      assertThat(f.scheduler.nextDelay()).contains(REFRESH);
    }

    @Test
    void refresh_whenKeyNotFound_keepsServingTheLastGoodKeyAndFiresRefreshFailed() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      f.backend.remove(KEY);

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v1);
      RefreshFailed failed = f.events(RefreshFailed.class).get(0);
      assertThat(failed.cause()).isInstanceOf(KeyNotFoundException.class);
      assertThat(failed.retryable()).isFalse();
      assertThat(failed.servingStale()).isTrue();
    }

    @Test
    void refresh_whenKeyNotFoundAndServingStaleIsOff_stopsServingAtOnce() {
      f.put("1");
      ManagedKey key = f.start(f.builder().serveStaleWhenNotFoundOrDenied(false)).key(KEY);
      key.current();
      f.backend.remove(KEY);

      f.scheduler.advance(REFRESH);

      KeyNotFoundException e = catchThrowableOfType(KeyNotFoundException.class, key::current);
      assertThat(e.getCause()).isInstanceOf(KeyNotFoundException.class);
      assertThat(f.events(RefreshFailed.class).get(0).servingStale()).isFalse();
    }

    @Test
    void refresh_whenAccessDenied_keepsServingByDefault() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      f.backend.failWith(
          new KeyAccessDeniedException("role lost secretsmanager:GetSecretValue (test)", KEY));

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v1);
      assertThat(f.events(RefreshFailed.class).get(0).cause())
          .isInstanceOf(KeyAccessDeniedException.class);
    }

    @Test
    void refresh_whenProviderThrowsAnUnexpectedException_treatsItAsUnavailable() {
      VersionedCredential v1 = f.put("1");
      ManagedKey key = f.startKey();
      key.current();
      RuntimeException bug = new ArrayIndexOutOfBoundsException("vendor bug");
      f.backend.failWith(bug);

      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v1);
      RefreshFailed failed = f.events(RefreshFailed.class).get(0);
      assertThat(failed.cause()).isInstanceOf(KeyProviderUnavailableException.class).hasCause(bug);
      assertThat(failed.retryable()).isTrue();
    }
  }

  @Nested
  class Expiry {

    @Test
    void refresh_whenExpiryIsNearerThanRefreshAfter_comesAtThreeQuartersOfTheRemainingLifetime() {
      f.put(f.credential("1").expiresAt(f.start.plus(Duration.ofMinutes(2))).build());
      f.startKey().current();

      assertThat(f.scheduler.nextDelay()).contains(Duration.ofSeconds(90));
      f.scheduler.advance(Duration.ofSeconds(90));
      assertThat(f.backend.fetchCount()).isEqualTo(2);
    }

    @Test
    void current_pastExpiryWhileBackendIsDown_neverServesTheExpiredKeyEvenWithinMaxStale() {
      Instant expiry = f.start.plus(Duration.ofMinutes(2));
      VersionedCredential v1 = f.put(f.credential("1").expiresAt(expiry).build());
      ManagedKey key = f.startKey();
      key.current();
      KeyProviderUnavailableException down =
          new KeyProviderUnavailableException("down (test)", KEY);
      f.backend.failWith(down);

      f.scheduler.advanceTo(expiry.minusMillis(1));
      assertThat(key.current()).isSameAs(v1);
      f.scheduler.advance(Duration.ofMillis(1));

      KeyProviderUnavailableException e =
          catchThrowableOfType(KeyProviderUnavailableException.class, key::current);
      assertThat(e.getMessage()).contains("expired");
      assertThat(e.getCause()).isSameAs(down);
    }

    @Test
    void current_pastExpiry_blocksOnOneFetchAndServesTheNewVersion() {
      Instant expiry = f.start.plus(Duration.ofMinutes(2));
      f.put(f.credential("1").expiresAt(expiry).build());
      ManagedKey key = f.startKey();
      key.current();
      VersionedCredential v2 =
          f.put(f.credential("2").expiresAt(f.start.plus(Duration.ofHours(1))).build());

      f.clock.set(expiry); // the scheduled refresh has not run: the caller finds the key expired

      assertThat(key.current()).isSameAs(v2);
      assertThat(key.current()).isSameAs(v2);
      assertThat(f.backend.fetchCount()).isEqualTo(2);
      assertThat(f.fetchThreads.get(1)).isSameAs(Thread.currentThread());
      assertThat(f.scheduler.pendingTasks()).as("the stale refresh was replaced").isEqualTo(1);
    }

    @Test
    void current_pastExpiry_whenBackendStillHasTheExpiredVersion_throwsAndDoesNotHammer() {
      Instant expiry = f.start.plus(Duration.ofMinutes(2));
      f.put(f.credential("1").expiresAt(expiry).build());
      ManagedKey key = f.startKey();
      key.current();
      f.clock.set(expiry);

      assertThatThrownBy(key::current)
          .isInstanceOf(KeyProviderUnavailableException.class)
          .hasMessageContaining("expired");
      assertThatThrownBy(key::current).isInstanceOf(KeyProviderUnavailableException.class);

      assertThat(f.backend.fetchCount()).isEqualTo(2);
    }
  }

  @Nested
  class Warnings {

    @Test
    void keyTooOld_firesOncePerVersionCreatedLongerAgoThanMaxKeyAge() {
      Instant created = f.start.minus(Duration.ofDays(91));
      VersionedCredential v1 = f.put(f.credential("1").createdAt(created).build());
      ManagedKey key = f.startKey();
      key.current();
      f.scheduler.advance(REFRESH.multipliedBy(3));

      assertThat(f.events(KeyTooOld.class))
          .containsExactly(
              new KeyTooOld(KEY, f.start, "1", fingerprint(v1), created, Duration.ofDays(90)));

      f.put(f.credential("2").createdAt(f.start.minus(Duration.ofDays(1))).build());
      f.scheduler.advance(REFRESH);
      assertThat(f.events(KeyTooOld.class)).hasSize(1);
    }

    @Test
    void keyExpiringSoon_firesOnceWhenTheServedVersionComesWithinTheThreshold() {
      Instant expiry = f.start.plus(Duration.ofHours(3));
      VersionedCredential v1 = f.put(f.credential("1").expiresAt(expiry).build());
      f.start(f.builder().expiringSoon(Duration.ofHours(1))).key(KEY).current();

      f.scheduler.advance(Duration.ofMinutes(115));
      assertThat(f.events(KeyExpiringSoon.class)).isEmpty();
      f.scheduler.advance(Duration.ofMinutes(30));

      assertThat(f.events(KeyExpiringSoon.class))
          .containsExactly(
              new KeyExpiringSoon(
                  KEY, f.start.plus(Duration.ofHours(2)), "1", fingerprint(v1), expiry));
    }
  }

  @Nested
  class Listeners {

    @Test
    void listener_thatThrows_breaksNeitherRefreshNorTheOtherListeners() {
      List<KeyEvent> after = new CopyOnWriteArrayList<>();
      f.put("1");
      ManagedKey key =
          f.start(
                  f.builder()
                      .listener(
                          e -> {
                            throw new IllegalStateException("listener bug (test)");
                          })
                      .listener(after::add))
              .key(KEY);

      assertThatCode(key::current).doesNotThrowAnyException();
      VersionedCredential v2 = f.put("2");
      f.scheduler.advance(REFRESH);

      assertThat(key.current()).isSameAs(v2);
      assertThat(after).hasSize(2).hasExactlyElementsOfTypes(KeyLoaded.class, KeyRotated.class);
      assertThat(f.scheduler.nextDelay()).contains(REFRESH);
    }
  }

  @Nested
  class ListenerFailureLogging {

    @Test
    void listener_thatThrowsWithTheKeyInItsMessage_logsNoSecret() {
      VersionedCredential v1 = f.put("1");
      String value = v1.apiKey().value(InsecureSecretAccess.get());
      try (dev.keyguard.testing.LogCapture logs =
          dev.keyguard.testing.LogCapture.of(KeyManager.class)) {
        ManagedKey key =
            f.start(
                    f.builder()
                        .listener(
                            e -> {
                              throw new IllegalStateException(
                                  "listener bug (test) with key " + value);
                            }))
                .key(KEY);

        key.current();

        assertThat(logs.messages()).anyMatch(m -> m.contains("threw"));
        assertThat(logs.text()).doesNotContain(value);
      }
    }
  }

  @Nested
  class Close {

    @Test
    void close_cancelsRefreshesLeavesACallersSchedulerRunningAndFailsLaterCalls() {
      f.put("1");
      KeyManager manager = f.start();
      ManagedKey key = manager.key(KEY);
      key.current();
      assertThat(f.scheduler.pendingTasks()).isEqualTo(1);

      manager.close();
      manager.close();

      assertThat(manager.isClosed()).isTrue();
      assertThat(f.scheduler.pendingTasks()).isZero();
      assertThat(f.scheduler.isShutdown()).isFalse();
      assertThatThrownBy(key::current)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThatThrownBy(() -> manager.key("other")).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> manager.awaitReady(Duration.ofSeconds(1)))
          .isInstanceOf(IllegalStateException.class);
      f.scheduler.advance(REFRESH.multipliedBy(2));
      assertThat(f.backend.fetchCount()).isEqualTo(1);
    }

    @Test
    void ownScheduler_runsOnDaemonThreadsNamedKeyguardRefreshAndIsShutDownByClose() {
      f.put("1");
      KeyManager manager =
          f.start(
              KeyManager.builder()
                  .provider(f.provider)
                  .timeSource(f.clock)
                  .listener(f.events::add));

      manager.key(KEY).awaitReady(Duration.ofSeconds(10));

      assertThat(f.fetchThreads).hasSize(1);
      Thread refresher = f.fetchThreads.get(0);
      assertThat(refresher.getName()).matches("keyguard-refresh-\\d+");
      assertThat(refresher.isDaemon()).isTrue();
      assertThat(manager.scheduler().isShutdown()).isFalse();

      manager.close();

      assertThat(manager.scheduler().isShutdown()).isTrue();
    }

    @Test
    void toString_showsKeyIdVersionAndFingerprintOnly() {
      VersionedCredential v1 = f.put("1");
      KeyManager manager = f.start();
      ManagedKey key = manager.key(KEY);
      assertThat(key.toString()).contains("market-data").contains("not loaded");

      key.current();

      assertThat(key.toString())
          .contains("market-data")
          .contains("version=1")
          .contains(fingerprint(v1));
      assertThat(manager.toString()).contains("recording-in-memory").contains("keys=1");
    }
  }
}
