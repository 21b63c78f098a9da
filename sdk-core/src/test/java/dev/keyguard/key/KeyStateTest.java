package dev.keyguard.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.KeyAccessDeniedException;
import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent.AlternatePromoted;
import dev.keyguard.key.KeyEvent.KeyExpiringSoon;
import dev.keyguard.key.KeyEvent.KeyLoaded;
import dev.keyguard.key.KeyEvent.KeyRejected;
import dev.keyguard.key.KeyEvent.KeyRejected.Resolution;
import dev.keyguard.key.KeyEvent.KeyRotated;
import dev.keyguard.key.KeyEvent.KeyTooOld;
import dev.keyguard.key.KeyEvent.RefreshFailed;
import dev.keyguard.key.KeyEvent.RefreshRecovered;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The key's state as a value: each transition is called directly with the time it happens at; no
 * thread, no scheduler task and no backend is involved.
 */
class KeyStateTest {

  private static final KeyId KEY = KeyId.of("market-data");
  private static final Duration MAX_STALE = Duration.ofHours(1);
  private static final Duration BACKOFF = Duration.ofSeconds(4);
  private static final Instant T0 = FakeClock.DEFAULT_START;

  private final KeyState initial = KeyState.initial(KEY, "in-memory", policy(true));

  private static KeyPolicy policy(boolean serveStaleWhenNotFoundOrDenied) {
    FakeClock clock = new FakeClock(T0);
    return new KeyPolicy(
        clock,
        new FakeScheduler(clock),
        RefreshSchedule.jittered(
            Duration.ofMinutes(5), 0, new SplittableRandom(1), Duration.ofSeconds(1), BACKOFF),
        MAX_STALE,
        Duration.ofSeconds(30),
        Duration.ofHours(24),
        Duration.ofDays(90),
        serveStaleWhenNotFoundOrDenied,
        new KeyEventDispatch(List.of()));
  }

  private static VersionedCredential.Builder credential(String version) {
    return VersionedCredential.builder(KEY, Secret.of(TestSecrets.randomBase64Url(24)))
        .apiSecret(Secret.of(TestSecrets.randomBase64Url(24)))
        .version(version)
        .fetchedAt(T0);
  }

  private static KeyProviderUnavailableException down() {
    return new KeyProviderUnavailableException("backend down (test)", KEY);
  }

  @Test
  void initial_servesNothingAndIsCold() {
    assertThat(initial.servableAt(T0)).isNull();
    assertThat(initial.coldOrExpiredAt(T0)).isTrue();
    assertThat(initial.servableUntilMillis()).isEqualTo(Long.MIN_VALUE);
    assertThat(initial.unservable(T0))
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasMessageContaining("market-data")
        .hasMessageContaining("in-memory");
  }

  @Test
  void fetched_firstVersion_servesItAndEmitsKeyLoaded_leavingTheOldStateUnchanged() {
    VersionedCredential v1 = credential("1").build();

    KeyState.Transition t = initial.fetched(v1, T0);

    assertThat(t.state().servableAt(T0)).isSameAs(v1);
    assertThat(t.state().current()).isSameAs(v1);
    assertThat(t.events()).containsExactly(new KeyLoaded(KEY, T0, "1", KeyState.fingerprint(v1)));
    assertThat(initial.served()).as("a transition never mutates its state").isNull();
  }

  @Test
  void fetched_sameVersionAgain_changesNothingVisibleAndEmitsNothing() {
    VersionedCredential v1 = credential("1").build();
    KeyState s = initial.fetched(v1, T0).state();

    KeyState.Transition t = s.fetched(credential("1").build(), T0.plusSeconds(300));

    assertThat(t.events()).isEmpty();
    assertThat(t.state().served()).isSameAs(v1);
    assertThat(t.state().current()).isSameAs(v1);
  }

  @Test
  void fetched_newVersion_rotatesAndEmitsKeyRotated() {
    VersionedCredential v1 = credential("1").build();
    VersionedCredential v2 = credential("2").build();
    KeyState s = initial.fetched(v1, T0).state();
    Instant later = T0.plusSeconds(300);

    KeyState.Transition t = s.fetched(v2, later);

    assertThat(t.state().servableAt(later)).isSameAs(v2);
    assertThat(t.events())
        .containsExactly(
            new KeyRotated(
                KEY, later, "1", KeyState.fingerprint(v1), "2", KeyState.fingerprint(v2)));
  }

  @Test
  void fetched_versionNotYetValid_keepsServingTheOldOneUntilResolvedAtItsNotBefore() {
    VersionedCredential v1 = credential("1").build();
    Instant notBefore = T0.plusSeconds(600);
    VersionedCredential v2 = credential("2").notBefore(notBefore).build();
    KeyState s = initial.fetched(v1, T0).state().fetched(v2, T0.plusSeconds(60)).state();

    assertThat(s.servableAt(T0.plusSeconds(60))).isSameAs(v1);
    assertThat(s.current()).isSameAs(v2);
    assertThat(s.servableUntilMillis()).isEqualTo(notBefore.toEpochMilli());
    assertThat(s.resolvedAt(notBefore.minusMillis(1)).state()).isSameAs(s);

    KeyState.Transition t = s.resolvedAt(notBefore);

    assertThat(t.state().servableAt(notBefore)).isSameAs(v2);
    assertThat(t.events()).singleElement().isInstanceOf(KeyRotated.class);
  }

  @Test
  void failed_servesTheLastGoodVersionUntilMaxStaleFromTheLastSuccess_thenNothing() {
    VersionedCredential v1 = credential("1").build();
    KeyState s = initial.fetched(v1, T0).state();
    Instant failedAt = T0.plusSeconds(300);

    KeyState.Transition t = s.failed(down(), failedAt, BACKOFF);

    KeyState failing = t.state();
    assertThat(failing.failedAttempts()).isEqualTo(1);
    assertThat(failing.nextRetryAt()).isEqualTo(failedAt.plus(BACKOFF));
    assertThat(failing.inBackoffAt(failedAt)).isTrue();
    assertThat(failing.inBackoffAt(failedAt.plus(BACKOFF))).isFalse();
    assertThat(t.events())
        .singleElement()
        .isInstanceOfSatisfying(
            RefreshFailed.class,
            e -> {
              assertThat(e.servingStale()).isTrue();
              assertThat(e.attempt()).isEqualTo(1);
              assertThat(e.nextRetryIn()).isEqualTo(BACKOFF);
            });
    assertThat(failing.servableAt(T0.plus(MAX_STALE).minusMillis(1))).isSameAs(v1);
    assertThat(failing.servableAt(T0.plus(MAX_STALE))).isNull();
    assertThat(failing.servableUntilMillis()).isEqualTo(T0.plus(MAX_STALE).toEpochMilli());
    assertThat(failing.unservable(T0.plus(MAX_STALE)))
        .isInstanceOf(KeyProviderUnavailableException.class)
        .hasMessageContaining("maxStale")
        .hasCauseInstanceOf(KeyProviderUnavailableException.class);
  }

  @Test
  void failed_again_countsAttemptsFromTheFirstFailure_andFetchedRecoversWithRefreshRecovered() {
    KeyState s = initial.fetched(credential("1").build(), T0).state();
    s = s.failed(down(), T0.plusSeconds(300), BACKOFF).state();
    s = s.failed(down(), T0.plusSeconds(304), BACKOFF.multipliedBy(2)).state();
    assertThat(s.failedAttempts()).isEqualTo(2);
    Instant recoveredAt = T0.plusSeconds(312);

    KeyState.Transition t = s.fetched(credential("1").build(), recoveredAt);

    assertThat(t.events())
        .containsExactly(new RefreshRecovered(KEY, recoveredAt, "1", 2, Duration.ofSeconds(12)));
    assertThat(t.state().failure()).isNull();
    assertThat(t.state().failedAttempts()).isZero();
    assertThat(t.state().servableAt(recoveredAt.plus(MAX_STALE).minusMillis(1))).isNotNull();
  }

  @Test
  void failed_withRevocation_whenServeStaleIsOff_stopsServingAtOnceWithTheRevocationsType() {
    KeyState noStale = KeyState.initial(KEY, "in-memory", policy(false));
    KeyState s = noStale.fetched(credential("1").build(), T0).state();
    Instant at = T0.plusSeconds(300);

    KeyState failing =
        s.failed(new KeyAccessDeniedException("denied (test)", KEY), at, BACKOFF).state();

    assertThat(failing.servableAt(at)).isNull();
    assertThat(failing.servableUntilMillis()).isEqualTo(Long.MIN_VALUE);
    assertThat(failing.unservable(at))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("no longer served");
  }

  @Test
  void failed_withRevocation_whenServeStaleIsOn_servesStaleAsForAnOutage() {
    KeyState s = initial.fetched(credential("1").build(), T0).state();
    Instant at = T0.plusSeconds(300);

    KeyState failing = s.failed(new KeyNotFoundException("gone (test)", KEY), at, BACKOFF).state();

    assertThat(failing.servableAt(at)).isNotNull();
  }

  @Test
  void servableAt_expiredVersion_isNeverServed_andTheKeyCountsAsExpired() {
    Instant expiresAt = T0.plusSeconds(600);
    KeyState s = initial.fetched(credential("1").expiresAt(expiresAt).build(), T0).state();

    assertThat(s.servableAt(expiresAt.minusMillis(1))).isNotNull();
    assertThat(s.servableAt(expiresAt)).isNull();
    assertThat(s.coldOrExpiredAt(expiresAt)).isTrue();
    assertThat(s.servableUntilMillis()).isEqualTo(expiresAt.toEpochMilli());
    assertThat(s.unservable(expiresAt)).hasMessageContaining("expired at " + expiresAt);
  }

  @Test
  void remainingLifetime_isThatOfTheSoonestExpiringCredentialHeld() {
    KeyState noExpiry = initial.fetched(credential("1").build(), T0).state();
    KeyState expiring =
        initial.fetched(credential("1").expiresAt(T0.plusSeconds(600)).build(), T0).state();

    assertThat(noExpiry.remainingLifetime(T0)).isEmpty();
    assertThat(expiring.remainingLifetime(T0.plusSeconds(100))).contains(Duration.ofSeconds(500));
    assertThat(expiring.remainingLifetime(T0.plusSeconds(600))).isEmpty();
  }

  @Test
  void lifetimeWarnings_fireOncePerVersion() {
    VersionedCredential old =
        credential("1")
            .createdAt(T0.minus(Duration.ofDays(91)))
            .expiresAt(T0.plus(Duration.ofHours(2)))
            .build();

    KeyState.Transition t = initial.fetched(old, T0);
    KeyState.Transition again = t.state().fetched(credential("1").build(), T0.plusSeconds(300));

    assertThat(t.events()).hasSize(3);
    assertThat(t.events().get(1)).isInstanceOf(KeyTooOld.class);
    assertThat(t.events().get(2)).isInstanceOf(KeyExpiringSoon.class);
    assertThat(again.events()).isEmpty();
  }

  @Test
  void rejected_whenTheBackendHasANewerUsableVersion_offersIt() {
    VersionedCredential v1 = credential("1").build();
    VersionedCredential v2 = credential("2").build();
    KeyState s = initial.fetched(v1, T0).state().fetched(v2, T0).state();

    KeyState.Answer a = s.rejected(v1, T0, List.of(), version -> false);

    assertThat(a.next()).containsSame(v2);
    assertThat(a.event())
        .isEqualTo(
            new KeyRejected(KEY, T0, "1", KeyState.fingerprint(v1), Resolution.NEWER_VERSION, "2"));
  }

  @Test
  void rejected_whenCurrentIsTheRejectedOne_offersTheFirstUsableAlternateNotRejectedRecently() {
    VersionedCredential v2 = credential("2").build();
    VersionedCredential rejectedAlt = credential("2-pending").build();
    VersionedCredential notYet = credential("2-next").notBefore(T0.plusSeconds(60)).build();
    VersionedCredential previous = credential("1").build();
    KeyState s = initial.fetched(v2, T0).state();

    KeyState.Answer a =
        s.rejected(v2, T0, List.of(rejectedAlt, notYet, previous), "2-pending"::equals);

    assertThat(a.next()).containsSame(previous);
    assertThat(a.event().resolution()).isEqualTo(Resolution.ALTERNATE);
    assertThat(a.event().replacementVersion()).isEqualTo("1");
  }

  @Test
  void rejected_withNothingElse_offersNone() {
    VersionedCredential v1 = credential("1").build();
    KeyState s = initial.fetched(v1, T0).state();

    KeyState.Answer a = s.rejected(v1, T0, List.of(), version -> false);

    assertThat(a.next()).isEmpty();
    assertThat(a.event().resolution()).isEqualTo(Resolution.NONE);
    assertThat(a.event().replacementVersion()).isNull();
  }

  @Test
  void accepted_alternate_isPromoted_untilItExpires() {
    VersionedCredential v2 = credential("2").build();
    Instant altExpires = T0.plusSeconds(600);
    VersionedCredential alt = credential("1").expiresAt(altExpires).build();
    KeyState s = initial.fetched(v2, T0).state();

    KeyState.Transition t = s.accepted(alt, alt, T0);

    assertThat(t.state().servableAt(T0)).isSameAs(alt);
    assertThat(t.state().current()).isSameAs(v2);
    assertThat(t.events().get(0))
        .isEqualTo(new AlternatePromoted(KEY, T0, "2", "1", KeyState.fingerprint(alt)));
    assertThat(t.events())
        .as("it expires within expiringSoon")
        .hasSize(2)
        .last()
        .isInstanceOf(KeyExpiringSoon.class);
    KeyState.Transition back = t.state().resolvedAt(altExpires);
    assertThat(back.state().servableAt(altExpires)).isSameAs(v2);
    assertThat(back.events()).singleElement().isInstanceOf(KeyRotated.class);
  }

  @Test
  void accepted_versionNotOnOffer_orAlreadyServed_changesNothing() {
    VersionedCredential v1 = credential("1").build();
    KeyState s = initial.fetched(v1, T0).state();

    assertThat(s.accepted(credential("9").build(), null, T0).state()).isSameAs(s);
    assertThat(s.accepted(v1, null, T0).state()).isSameAs(s);
  }

  @Test
  void closed_holdsNothing() {
    KeyState s = initial.fetched(credential("1").build(), T0).state().closed();

    assertThat(s.served()).isNull();
    assertThat(s.current()).isNull();
    assertThat(s.servableAt(T0)).isNull();
  }
}
