package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.key.KeyEvent.UsageAnomaly;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UsageOptionsTest {

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        bad("spikeFactor", b -> b.spikeFactor(1)),
        bad("spikeFactor", b -> b.spikeFactor(Double.NaN)),
        bad("spikeDuration", b -> b.spikeDuration(Duration.ofSeconds(1))),
        bad("baselineHalfLife", b -> b.baselineHalfLife(Duration.ZERO)),
        bad("spikeWarmUp", b -> b.spikeWarmUp(Duration.ofSeconds(-1))),
        bad("spikeMinimumPerMinute", b -> b.spikeMinimumPerMinute(-1)),
        bad("rejectionBurst count", b -> b.rejectionBurst(1, Duration.ofMinutes(1))),
        bad("rejectionBurst window", b -> b.rejectionBurst(5, Duration.ZERO)),
        bad("retiredVersionGrace", b -> b.retiredVersionGrace(Duration.ofDays(31))),
        bad("headroomThreshold", b -> b.headroomThreshold(0)),
        bad("headroomThreshold", b -> b.headroomThreshold(1)),
        bad("dailyBudget", b -> b.dailyBudget(-1)),
        bad("budgetWarningFraction", b -> b.budgetWarningFraction(1.5)),
        bad("refuseOverBudget", b -> b.refuseOverBudget(true)),
        bad("maxLearnedRoutes", b -> b.maxLearnedRoutes(-1)),
        bad("routeCost", b -> b.routes("GET /x").routeCost("GET /x", 0)));
  }

  private static Arguments bad(String setting, UnaryOperator<UsageOptions.Builder> change) {
    return Arguments.of(setting, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outOfRange")
  void build_withASettingOutOfRange_failsNamingTheSetting(
      String setting, UnaryOperator<UsageOptions.Builder> change) {
    UsageOptions.Builder b = change.apply(UsageOptions.builder());
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("UsageOptions." + setting + " must be");
  }

  @Test
  void defaults_areTheDocumentedOnes() {
    UsageOptions d = UsageOptions.defaults();
    assertThat(d.enabled()).isTrue();
    assertThat(d.spikeFactor()).isEqualTo(5.0);
    assertThat(d.spikeDuration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(d.spikeWarmUp()).isEqualTo(Duration.ofMinutes(10));
    assertThat(d.rejectionBurstCount()).isEqualTo(5);
    assertThat(d.rejectionBurstWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(d.retiredVersionGrace()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.headroomThreshold()).isEqualTo(0.10);
    assertThat(d.dailyBudget()).isZero();
    assertThat(d.budgetWarningFraction()).isEqualTo(0.8);
    assertThat(d.refuseOverBudget()).isFalse();
    for (UsageAnomaly a : UsageAnomaly.values()) {
      assertThat(d.detects(a)).isTrue();
      assertThat(UsageOptions.disabled().detects(a)).isFalse();
    }
  }

  @Test
  void routes_withoutAMethod_failAtOnceWithAnExample() {
    assertThatThrownBy(() -> UsageOptions.builder().routes("/coins/{id}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'GET /api/v3/order'");
  }

  @Test
  void toBuilder_keepsEverySetting() {
    UsageOptions o =
        UsageOptions.builder()
            .routes("get /a/{id}")
            .routeCost("GET /a/{id}", 3)
            .dailyBudget(100)
            .refuseOverBudget(true)
            .headroom(RateLimitHeadroom.remaining("x-ratelimit-remaining", "x-ratelimit-limit"))
            .disable(UsageAnomaly.RATE_SPIKE)
            .build();
    UsageOptions copy = o.toBuilder().build();
    assertThat(copy.routes()).containsExactly(Route.parse("GET /a/{id}"));
    assertThat(copy.routeCosts()).containsEntry(Route.parse("GET /a/{id}"), 3L);
    assertThat(copy.refuseOverBudget()).isTrue();
    assertThat(copy.headroom()).isEqualTo(o.headroom());
    assertThat(copy.detects(UsageAnomaly.RATE_SPIKE)).isFalse();
    assertThat(copy.toString()).contains("dailyBudget=100 (refused past)");
  }

  @Test
  void headroom_parsesIntegersAndIgnoresEverythingElse() {
    RateLimitHeadroom used = RateLimitHeadroom.used("X-MBX-USED-WEIGHT-1M", 6000);
    RateLimitHeadroom left =
        RateLimitHeadroom.remaining("x-ratelimit-remaining", "x-ratelimit-limit");
    assertThat(used.fractionLeft("600", null)).isEqualTo(0.9);
    assertThat(used.fractionLeft(" 7000 ", null)).isZero();
    assertThat(used.fractionLeft("-1", null)).isEqualTo(-1);
    assertThat(used.fractionLeft("1e3", null)).isEqualTo(-1);
    assertThat(used.fractionLeft("", null)).isEqualTo(-1);
    assertThat(used.fractionLeft("99999999999999999999", null)).isEqualTo(-1);
    assertThat(left.fractionLeft("5", "50")).isEqualTo(0.1);
    assertThat(left.fractionLeft("5", null)).as("no limit header").isEqualTo(-1);
    assertThat(left.fractionLeft("5", "0")).isEqualTo(-1);
    assertThatThrownBy(() -> RateLimitHeadroom.used("h", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit must be positive");
  }
}
