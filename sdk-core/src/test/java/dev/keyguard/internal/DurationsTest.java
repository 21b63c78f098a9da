package dev.keyguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readable_writesUnitsPeopleRead_neverIso8601() {
    assertThat(Durations.readable(Duration.ofSeconds(1))).isEqualTo("1 s");
    assertThat(Durations.readable(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    assertThat(Durations.readable(Duration.ofMillis(250))).isEqualTo("250 ms");
    assertThat(Durations.readable(Duration.ofMinutes(5))).isEqualTo("5 min");
    assertThat(Durations.readable(Duration.ofSeconds(90))).isEqualTo("1 min 30 s");
    assertThat(Durations.readable(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
    assertThat(Durations.readable(Duration.ofHours(1))).isEqualTo("1 h");
    assertThat(Durations.readable(Duration.ofDays(1))).isEqualTo("1 day");
    assertThat(Durations.readable(Duration.ofDays(90))).isEqualTo("90 days");
    assertThat(Durations.readable(Duration.ofHours(30))).isEqualTo("1 day 6 h");
    assertThat(Durations.readable(Duration.ZERO)).isEqualTo("0 s");
    assertThat(Durations.readable(Duration.ofNanos(1500))).isEqualTo("1 µs");
    assertThat(Durations.readable(Duration.ofSeconds(-2))).isEqualTo("-2 s");
  }
}
