package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.TimeSource;
import dev.keyguard.testing.FakeClock;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class CancellableSleepTest {

  private final FakeClock clock = new FakeClock();
  private final Instant start = clock.now();
  private final Call call =
      new OkHttpClient().newCall(new Request.Builder().url("https://api.example.com/").build());

  /** The fake clock, recording each slice asked for and optionally canceling the call on one. */
  private final class Recording implements TimeSource {
    final List<Duration> slices = new CopyOnWriteArrayList<>();
    int cancelAfter = Integer.MAX_VALUE;

    @Override
    public Instant now() {
      return clock.now();
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public void sleep(Duration duration) {
      slices.add(duration);
      clock.sleep(duration);
      if (slices.size() == cancelAfter) {
        call.cancel();
      }
    }
  }

  @Test
  void sleep_waitsTheWholeDurationInSlicesOfAtMostFiftyMillis() throws InterruptedIOException {
    Recording time = new Recording();

    CancellableSleep.sleep(time, Duration.ofMillis(120), call);

    assertThat(Duration.between(start, clock.now())).isEqualTo(Duration.ofMillis(120));
    assertThat(time.slices)
        .containsExactly(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(20));
  }

  @Test
  void sleep_whenTheCallIsCanceledWhileWaiting_stopsAfterTheCurrentSlice() {
    Recording time = new Recording();
    time.cancelAfter = 2;

    assertThatThrownBy(() -> CancellableSleep.sleep(time, Duration.ofSeconds(10), call))
        .isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("canceled");
    assertThat(Duration.between(start, clock.now())).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void sleep_whenTheCallIsAlreadyCanceled_doesNotWait() {
    call.cancel();

    assertThatThrownBy(() -> CancellableSleep.sleep(clock, Duration.ofSeconds(1), call))
        .isInstanceOf(InterruptedIOException.class);
    assertThat(clock.now()).isEqualTo(start);
  }

  @Test
  void sleep_whenZero_returnsAtOnce() throws InterruptedIOException {
    call.cancel();

    CancellableSleep.sleep(clock, Duration.ZERO, call);

    assertThat(clock.now()).isEqualTo(start);
  }
}
