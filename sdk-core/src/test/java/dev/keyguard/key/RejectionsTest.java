package dev.keyguard.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.TestSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rejected versions and the last round, remembered for the cool-down. */
class RejectionsTest {

  private static final Duration COOLDOWN = Duration.ofSeconds(30);
  private static final Instant T0 = FakeClock.DEFAULT_START;

  private final Rejections rejections = new Rejections(COOLDOWN);

  private static VersionedCredential credential(String version) {
    Secret apiKey = Secret.of(TestSecrets.randomBase64Url(24));
    return VersionedCredential.builder(KeyId.of("market-data"), apiKey).version(version).build();
  }

  @Test
  void isRejected_withinTheCooldownOnly() {
    rejections.rejected("1", T0);

    assertThat(rejections.isRejected("1", T0.plus(COOLDOWN).minusMillis(1))).isTrue();
    assertThat(rejections.isRejected("1", T0.plus(COOLDOWN))).isFalse();
    assertThat(rejections.isRejected("2", T0)).isFalse();
  }

  @Test
  void accepted_forgetsTheRejection() {
    rejections.rejected("1", T0);

    rejections.accepted("1");

    assertThat(rejections.isRejected("1", T0)).isFalse();
  }

  @Test
  void hasRecentRound_forTheSameVersionWithinTheCooldownOnly() {
    assertThat(rejections.hasRecentRound("1", T0)).isFalse();

    rejections.roundDone("1", T0, List.of());

    assertThat(rejections.hasRecentRound("1", T0.plus(COOLDOWN).minusMillis(1))).isTrue();
    assertThat(rejections.hasRecentRound("1", T0.plus(COOLDOWN))).isFalse();
    assertThat(rejections.hasRecentRound("2", T0)).isFalse();
  }

  @Test
  void roundDone_keepsTheAlternatesInOrder_andClearDropsThem() {
    VersionedCredential pending = credential("2-pending");
    VersionedCredential previous = credential("1");

    rejections.roundDone("2", T0, List.of(pending, previous));

    assertThat(rejections.alternates()).containsExactly(pending, previous);
    assertThat(rejections.alternateLike(credential("1"))).isSameAs(previous);
    assertThat(rejections.alternateLike(credential("9"))).isNull();
    rejections.clear();
    assertThat(rejections.alternates()).isEmpty();
    assertThat(rejections.hasRecentRound("2", T0)).isFalse();
  }

  @Test
  void aHugeCooldown_saturatesInsteadOfOverflowing() {
    Rejections forever = new Rejections(Duration.ofSeconds(Long.MAX_VALUE));
    forever.rejected("1", T0);

    assertThat(forever.isRejected("1", Instant.MAX.minusSeconds(1))).isTrue();
  }

  @Test
  void rejected_isNewsOnlyOnceForAVersionWithinTheCooldownOrItsEpisode() {
    assertThat(rejections.rejected("1", T0)).isTrue();
    assertThat(rejections.rejected("1", T0.plusSeconds(1))).isFalse();
    rejections.openEpisode("1", T0);

    assertThat(rejections.rejected("1", T0.plus(COOLDOWN).plusSeconds(5)))
        .as("past the cool-down, but the episode is open")
        .isFalse();
    rejections.endEpisode();
    assertThat(rejections.rejected("1", T0.plus(COOLDOWN.multipliedBy(3)))).isTrue();
  }

  @Test
  void episode_countsItsChecks_andEndsOnAcceptanceOfItsVersionOnly() {
    rejections.openEpisode("1", T0);
    assertThat(rejections.nextEpisodeCheck()).isEqualTo(1);
    assertThat(rejections.nextEpisodeCheck()).isEqualTo(2);

    rejections.accepted("2");
    assertThat(rejections.inEpisode("1")).isTrue();
    rejections.accepted("1");
    assertThat(rejections.inEpisode("1")).isFalse();
    assertThat(rejections.episodeVersion()).isNull();
  }
}
