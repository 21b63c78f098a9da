package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {

  private final FakeClock time = new FakeClock();

  @Test
  void reserve_whenUnderTheLimit_doesNotWait() {
    ClientRateLimiter limiter = new ClientRateLimiter(3, Duration.ofSeconds(1), time);

    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
  }

  @Test
  void reserve_whenOverTheLimit_neverLetsMoreThanNIntoAnyWindow() {
    ClientRateLimiter limiter = new ClientRateLimiter(3, Duration.ofSeconds(1), time);
    long[] sendAt = new long[10];
    for (int i = 0; i < sendAt.length; i++) {
      sendAt[i] = time.nanoTime() + limiter.reserve().toNanos();
      time.advance(Duration.ofMillis(100));
    }

    for (int i = 3; i < sendAt.length; i++) {
      assertThat(sendAt[i] - sendAt[i - 3]).isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
    }
  }

  @Test
  void reserve_afterAQuietInterval_allowsAFullBurstAgain() {
    ClientRateLimiter limiter = new ClientRateLimiter(2, Duration.ofSeconds(1), time);
    limiter.reserve();
    limiter.reserve();
    time.advance(Duration.ofSeconds(1));

    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(1));
  }
}
