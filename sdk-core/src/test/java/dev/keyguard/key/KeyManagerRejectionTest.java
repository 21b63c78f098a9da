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
  void rejected_repeatedlyWithinTheCooldown_doesNotCallTheBackendAgain() {
    key.rejected(v1);
    for (int i = 0; i < 50; i++) {
      f.clock.advance(Duration.ofMillis(500));
      assertThat(key.rejected(v1)).isEmpty();
    }
    assertThat(f.backend.fetchCount()).isEqualTo(2);
    assertThat(f.backend.alternateFetchCount()).isEqualTo(1);

    f.clock.advance(Duration.ofSeconds(6)); // 31 s after the first round

    assertThat(key.rejected(v1)).isEmpty();
    assertThat(f.backend.fetchCount()).isEqualTo(3);
    assertThat(f.backend.alternateFetchCount()).isEqualTo(2);
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
