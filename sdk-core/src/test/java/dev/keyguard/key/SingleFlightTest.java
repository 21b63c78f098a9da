package dev.keyguard.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyguard.KeyId;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.key.SingleFlight.Flight;
import org.junit.jupiter.api.Test;

/** One flight at a time; the rest join it. */
class SingleFlightTest {

  private final SingleFlight flights = new SingleFlight();

  @Test
  void startIfIdle_whileAFlightRuns_returnsNull_andRunningIsThatFlight() {
    Flight first = flights.startIfIdle(null);

    assertThat(first).isNotNull();
    assertThat(flights.startIfIdle(null)).isNull();
    assertThat(flights.startIfIdle("1")).isNull();
    assertThat(flights.running()).isSameAs(first);
  }

  @Test
  void finish_endsTheFlightAndCountsIt_soTheNextCanStart() {
    Flight first = flights.startIfIdle("1");
    assertThat(first.isRejectionRound()).isTrue();

    flights.finish(first);

    assertThat(flights.running()).isNull();
    assertThat(flights.completions()).isEqualTo(1);
    Flight second = flights.startIfIdle(null);
    assertThat(second).isNotNull().isNotSameAs(first);
    assertThat(second.isRejectionRound()).isFalse();
  }

  @Test
  void finish_ofAnOlderFlight_leavesTheRunningOne() {
    Flight first = flights.startIfIdle(null);
    flights.finish(first);
    Flight second = flights.startIfIdle(null);

    flights.finish(first);

    assertThat(flights.running()).isSameAs(second);
  }

  @Test
  void await_returnsOnceTheFlightIsReleased() {
    Flight f = flights.startIfIdle(null);
    flights.finish(f);

    SingleFlight.release(f);

    SingleFlight.await(f, KeyId.of("market-data")); // returns at once
    assertThat(flights.running()).isNull();
  }

  @Test
  void await_whenInterrupted_throwsUnavailableNamingTheKeyAndKeepsTheInterrupt() {
    Flight pending = flights.startIfIdle(null);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> SingleFlight.await(pending, KeyId.of("market-data")))
          .isInstanceOf(KeyProviderUnavailableException.class)
          .hasMessageContaining("interrupted")
          .hasMessageContaining("market-data");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted(); // clear it for the next test
    }
  }
}
