package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static dev.keyguard.key.KeyManagerFixture.REFRESH;
import static dev.keyguard.key.KeyManagerFixture.fingerprint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent.AlternatePromoted;
import dev.keyguard.key.KeyEvent.KeyRejected;
import dev.keyguard.key.KeyEvent.KeyRejected.Resolution;
import dev.keyguard.key.KeyEvent.KeyRotated;
import dev.keyguard.key.KeyEvent.RefreshFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ManagedKey#rejected(VersionedCredential)} and {@link
 * ManagedKey#accepted(VersionedCredential)}.
 */
class KeyManagerRejectionTest {

  private static final Duration COOLDOWN = Duration.ofSeconds(30);

  private final KeyManagerFixture f = new KeyManagerFixture();
  private VersionedCredential v1;
  private ManagedKey key;

  @BeforeEach
  void loadVersionOne() {
    v1 = f.put("1");
    key = f.start(f.builder().rejectionCooldown(COOLDOWN)).key(KEY);
    key.current();
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void rejected_whenNoLongerCurrent_returnsTheCurrentVersionWithoutCallingTheBackend() {
    VersionedCredential v2 = f.put("2");
    f.scheduler.advance(REFRESH);
    int fetches = f.backend.fetchCount();

    assertThat(key.rejected(v1)).containsSame(v2);

    assertThat(f.backend.fetchCount()).isEqualTo(fetches);
    assertThat(f.backend.alternateFetchCount()).isZero();
  }

  @Test
  void rejected_whenTheForcedRefreshFindsANewerVersion_returnsIt() {
    VersionedCredential v2 = f.put("2");

    assertThat(key.rejected(v1)).containsSame(v2);

    assertThat(f.backend.fetchCount()).isEqualTo(2);
    assertThat(f.backend.alternateFetchCount()).as("no alternates needed").isZero();
    assertThat(key.current()).isSameAs(v2);
    assertThat(f.events(KeyRotated.class)).extracting(KeyRotated::newVersion).containsExactly("2");
    assertThat(f.events(KeyRejected.class))
        .containsExactly(
            new KeyRejected(KEY, f.start, "1", fingerprint(v1), Resolution.NEWER_VERSION, "2"));
  }

  @Test
  void rejected_whenNoNewerVersion_offersAlternatesNewestFirstSkippingRejectedOnes() {
    VersionedCredential pending = f.credential("2-pending").build();
    VersionedCredential previous = f.credential("0-previous").build();
    f.backend.putAlternates(KEY, List.of(pending, previous));

    assertThat(key.rejected(v1)).containsSame(pending);
    assertThat(key.rejected(pending)).containsSame(previous);
    assertThat(key.rejected(previous)).isEmpty();

    assertThat(f.backend.fetchCount()).as("one forced refresh").isEqualTo(2);
    assertThat(f.backend.alternateFetchCount()).isEqualTo(1);
    assertThat(f.events(KeyRejected.class))
        .extracting(KeyRejected::version, KeyRejected::resolution, KeyRejected::replacementVersion)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", Resolution.ALTERNATE, "2-pending"),
            org.assertj.core.groups.Tuple.tuple("2-pending", Resolution.ALTERNATE, "0-previous"),
            org.assertj.core.groups.Tuple.tuple("0-previous", Resolution.NONE, null));
    assertThat(key.current()).as("nothing accepted yet: still the backend's current").isSameAs(v1);
  }

  @Test
  void rejected_whenTheBackendHasNothingElse_returnsEmpty() {
    assertThat(key.rejected(v1)).isEmpty();

    assertThat(f.backend.fetchCount()).isEqualTo(2);
    assertThat(f.backend.alternateFetchCount()).isEqualTo(1);
    assertThat(f.events(KeyRejected.class))
        .extracting(KeyRejected::resolution)
        .containsExactly(Resolution.NONE);
  }

  @Test
  void rejected_repeatedlyWhileTheStoreHasNothingElse_callsTheBackendOnlyOnTheRecheckSchedule() {
    key.rejected(v1);
    for (int i = 0; i < 50; i++) {
      f.clock.advance(Duration.ofMillis(500)); // the clock alone: no re-check runs
      assertThat(key.rejected(v1)).isEmpty();
    }
    assertThat(f.backend.fetchCount()).as("callers never reach the backend").isEqualTo(2);
    assertThat(f.backend.alternateFetchCount()).isEqualTo(1);
    assertThat(f.events(KeyRejected.class)).as("one event per episode").hasSize(1);
  }

  @Test
  void rejected_whenTheStoreHasNothingElse_rechecksItAtGrowingJitterFreeIntervalsUpToTheCap() {
    key.rejected(v1);
    Instant rejectedAt = f.clock.instant();
    f.fetchTimes.clear();

    f.scheduler.advance(Duration.ofSeconds(130));

    assertThat(f.fetchTimes)
        .extracting(t -> Duration.between(rejectedAt, t).toMillis())
        .startsWith(500L, 1_500L, 3_500L, 7_500L, 15_500L, 31_500L, 61_500L, 91_500L, 121_500L);
    assertThat(f.events(KeyRejected.class)).hasSize(1);
    assertThat(key.current()).isSameAs(v1);
  }

  @Test
  void rejected_whenTheNewVersionReachesTheStoreASecondLater_servesItAtTheNextRecheck() {
    assertThat(key.rejected(v1)).isEmpty();
    Instant rejectedAt = f.clock.instant();

    f.scheduler.advance(Duration.ofSeconds(1));
    VersionedCredential v2 = f.put("2");
    f.scheduler.advance(Duration.ofMillis(499));
    assertThat(key.current()).as("not yet checked").isSameAs(v1);
    f.scheduler.advance(Duration.ofMillis(1));

    assertThat(key.current()).as("picked up 0.5 s after it appeared").isSameAs(v2);
    assertThat(f.events(KeyRotated.class))
        .extracting(KeyRotated::at)
        .containsExactly(rejectedAt.plusMillis(1_500));
    assertThat(key.rejectionHold(v2)).isZero();
    assertThat(key.rejected(v1)).as("a late rejection of version 1").containsSame(v2);
    int fetches = f.backend.fetchCount();
    f.scheduler.advance(Duration.ofSeconds(60));
    assertThat(f.backend.fetchCount()).as("no more re-checks, only the refresh").isEqualTo(fetches);
    assertThat(f.events(KeyRejected.class))
        .extracting(KeyRejected::version)
        .as("one event for the episode")
        .containsExactly("1");
  }

  @Test
  void rejectionHold_whileTheOnlyVersionIsRejected_letsOneProbeThroughPerInterval() {
    assertThat(key.rejectionHold(v1)).as("before any rejection").isZero();
    key.rejected(v1);

    assertThat(key.rejectionHold(v1)).isEqualTo(Duration.ofMillis(500));
    f.clock.advance(Duration.ofMillis(499));
    assertThat(key.rejectionHold(v1)).isEqualTo(Duration.ofMillis(1));
    f.scheduler.advance(Duration.ofMillis(1)); // the first re-check; the next in 1 s

    assertThat(key.rejectionHold(v1)).as("the probe").isZero();
    assertThat(key.rejectionHold(v1)).as("the rest wait").isEqualTo(Duration.ofSeconds(1));
    f.clock.advance(Duration.ofSeconds(1));
    assertThat(key.rejectionHold(v1)).isZero();
    assertThat(key.rejectionHold(v1)).isPositive();
    assertThat(key.rejectionHold(f.credential("other").build())).isZero();
  }

  @Test
  void accepted_ofTheRejectedVersion_endsTheEpisode() {
    key.rejected(v1);
    assertThat(key.rejectionHold(v1)).isPositive();

    key.accepted(v1); // the probe went through: the API takes version 1 again

    assertThat(key.rejectionHold(v1)).isZero();
    int fetches = f.backend.fetchCount();
    f.scheduler.advance(Duration.ofSeconds(60));
    assertThat(f.backend.fetchCount()).as("no more re-checks").isEqualTo(fetches);
    key.rejected(v1);
    assertThat(f.events(KeyRejected.class)).as("a new episode, a new event").hasSize(2);
  }

  @Test
  void rejected_whenARecheckFindsAnAlternate_letsTheNextRequestThroughAndOffersIt() {
    key.rejected(v1);
    VersionedCredential pending = f.credential("2-pending").build();
    f.backend.putAlternates(KEY, List.of(pending));

    f.scheduler.advance(Duration.ofMillis(500));

    assertThat(key.rejectionHold(v1)).as("let through to be retried").isZero();
    assertThat(key.rejected(v1)).containsSame(pending);
    key.accepted(pending);
    assertThat(key.current()).isSameAs(pending);
    assertThat(key.rejectionHold(pending)).isZero();
  }

  @Test
  void rejected_whenTheForcedRefreshFails_returnsEmptyReportsTheFailureAndDoesNotHammer() {
    f.backend.failWith(new KeyProviderUnavailableException("down (test)", KEY));

    assertThat(key.rejected(v1)).isEmpty();
    assertThat(key.rejected(v1)).isEmpty();

    assertThat(f.backend.fetchCount()).isEqualTo(2);
    assertThat(f.events(RefreshFailed.class)).hasSize(1);
    assertThat(key.current()).as("the last good key is still served").isSameAs(v1);
  }

  @Test
  void accepted_alternate_isServedUntilTheBackendsCurrentVersionChanges() {
    VersionedCredential pending = f.credential("2-pending").build();
    f.backend.putAlternates(KEY, List.of(pending));
    VersionedCredential offered = key.rejected(v1).orElseThrow();

    key.accepted(offered);

    assertThat(key.current()).isSameAs(pending);
    assertThat(f.events(AlternatePromoted.class))
        .containsExactly(
            new AlternatePromoted(KEY, f.start, "1", "2-pending", fingerprint(pending)));

    f.scheduler.advance(REFRESH); // the backend still calls version 1 current
    assertThat(key.current()).isSameAs(pending);
    assertThat(f.events(KeyRotated.class)).isEmpty();

    VersionedCredential v3 = f.put("3");
    f.scheduler.advance(REFRESH);
    assertThat(key.current()).isSameAs(v3);
    assertThat(f.events(KeyRotated.class))
        .extracting(KeyRotated::oldVersion, KeyRotated::newVersion)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("2-pending", "3"));
  }

  @Test
  void accepted_whenTheAlternateBecomesTheBackendsCurrent_keepsServingItWithoutARotationEvent() {
    VersionedCredential pending = f.credential("2").build();
    f.backend.putAlternates(KEY, List.of(pending));
    key.accepted(key.rejected(v1).orElseThrow());

    f.put(f.credential("2").build()); // AWSPENDING promoted to AWSCURRENT
    f.scheduler.advance(REFRESH);

    assertThat(key.current()).isSameAs(pending);
    assertThat(f.events(KeyRotated.class)).isEmpty();
    f.put("3");
    f.scheduler.advance(REFRESH);
    assertThat(key.current().version()).isEqualTo("3");
  }

  @Test
  void accepted_whenTheCredentialIsCurrentOrUnknown_changesNothing() {
    key.accepted(v1);
    key.accepted(f.credential("never-offered").build());

    assertThat(key.current()).isSameAs(v1);
    assertThat(f.events(AlternatePromoted.class)).isEmpty();
  }

  @Test
  void rejectedAndAccepted_withAnotherKeysCredential_throw() {
    VersionedCredential other = f.credential(KeyId.of("other"), "1").build();

    assertThatThrownBy(() -> key.rejected(other)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key.accepted(other)).isInstanceOf(IllegalArgumentException.class);
  }
}
