package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.fixedRandom;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** When a key is refreshed, asked of the schedule directly: no key, no clock, no scheduler. */
class RefreshScheduleTest {

  private static final Duration REFRESH = Duration.ofMinutes(5);
  private static final Duration MIN = Duration.ofSeconds(1);
  private static final Duration MAX = Duration.ofSeconds(8);

  private static RefreshSchedule exact() {
    return RefreshSchedule.jittered(REFRESH, 0, new SplittableRandom(1), MIN, MAX);
  }

  @Test
  void refreshDelay_withoutExpiry_isRefreshAfter() {
    assertThat(exact().refreshDelay(Optional.empty())).isEqualTo(REFRESH);
  }

  @Test
  void refreshDelay_withLongLifetime_isRefreshAfter() {
    assertThat(exact().refreshDelay(Optional.of(Duration.ofHours(1)))).isEqualTo(REFRESH);
  }

  @Test
  void refreshDelay_withShortLifetime_isThreeQuartersOfWhatRemains() {
    assertThat(exact().refreshDelay(Optional.of(Duration.ofMinutes(4))))
        .isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void refreshDelay_neverComesBeforeTheBackoffFloor_norAfterTheExpiry() {
    assertThat(exact().refreshDelay(Optional.of(Duration.ofMillis(1200))))
        .as("three quarters would be 900 ms; the floor is the backoff minimum")
        .isEqualTo(MIN);
    assertThat(exact().refreshDelay(Optional.of(Duration.ofMillis(400))))
        .as("the floor is capped by the expiry itself")
        .isEqualTo(Duration.ofMillis(400));
    RefreshSchedule late = RefreshSchedule.jittered(REFRESH, 0.5, fixedRandom(0.999), MIN, MAX);
    Duration lifetime = Duration.ofMinutes(4);
    assertThat(late.refreshDelay(Optional.of(lifetime))).isLessThanOrEqualTo(lifetime);
  }

  @Test
  void refreshDelay_isJitteredUniformlyAroundTheBase() {
    RefreshSchedule earliest = RefreshSchedule.jittered(REFRESH, 0.1, fixedRandom(0), MIN, MAX);
    RefreshSchedule middle = RefreshSchedule.jittered(REFRESH, 0.1, fixedRandom(0.5), MIN, MAX);

    assertThat(earliest.refreshDelay(Optional.empty())).isEqualTo(Duration.ofSeconds(270));
    assertThat(middle.refreshDelay(Optional.empty())).isEqualTo(REFRESH);
  }

  @Test
  void retryDelay_doublesFromMinToMax() {
    RefreshSchedule s = exact();

    assertThat(s.retryDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.retryDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.retryDelay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(s.retryDelay(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(s.retryDelay(5)).isEqualTo(MAX);
    assertThat(s.retryDelay(Integer.MAX_VALUE)).isEqualTo(MAX);
  }

  @Test
  void retryDelay_jittered_isNeverAboveMax() {
    RefreshSchedule s = RefreshSchedule.jittered(REFRESH, 0.5, fixedRandom(0.999), MIN, MAX);

    assertThat(s.retryDelay(1)).isGreaterThan(MIN);
    assertThat(s.retryDelay(10)).isEqualTo(MAX);
  }

  @Test
  void hugeSettings_saturateInsteadOfOverflowing() {
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
    RefreshSchedule s = RefreshSchedule.jittered(huge, 0, new SplittableRandom(1), MIN, huge);

    assertThat(s.retryDelay(80)).isPositive();
    assertThat(s.refreshDelay(Optional.empty())).isEqualTo(huge);
  }

  @Test
  void recheckDelay_startsAtHalfASecond_doublesAndStopsAtTheCap() {
    Duration cap = Duration.ofSeconds(30);

    assertThat(exact().recheckDelay(1, cap)).isEqualTo(Duration.ofMillis(500));
    assertThat(exact().recheckDelay(2, cap)).isEqualTo(Duration.ofSeconds(1));
    assertThat(exact().recheckDelay(4, cap)).isEqualTo(Duration.ofSeconds(4));
    assertThat(exact().recheckDelay(7, cap)).isEqualTo(cap);
    assertThat(exact().recheckDelay(Integer.MAX_VALUE, cap)).isEqualTo(cap);
  }

  @Test
  void recheckDelay_underACapShorterThanTheFirstDelay_isTheFirstDelay() {
    assertThat(exact().recheckDelay(1, Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
    assertThat(exact().recheckDelay(9, Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void recheckDelay_isJitteredButNeverAboveTheCap() {
    Duration cap = Duration.ofSeconds(30);
    RefreshSchedule early = RefreshSchedule.jittered(REFRESH, 0.2, fixedRandom(0), MIN, MAX);
    RefreshSchedule late = RefreshSchedule.jittered(REFRESH, 0.2, fixedRandom(0.999), MIN, MAX);

    assertThat(early.recheckDelay(1, cap)).isEqualTo(Duration.ofMillis(400));
    assertThat(late.recheckDelay(1, cap)).isBetween(Duration.ofMillis(599), Duration.ofMillis(600));
    assertThat(late.recheckDelay(20, cap)).isEqualTo(cap);
  }
}
