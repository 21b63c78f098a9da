package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

class RetryOptionsTest {

  @Test
  void defaults_retryThrottlingStatusesOfIdempotentRequestsOnly() {
    RetryOptions o = RetryOptions.defaults();

    assertThat(o.maxAttempts()).isEqualTo(3);
    assertThat(o.retryStatuses()).containsExactlyInAnyOrder(418, 429, 502, 503, 504);
    assertThat(o.retryNonIdempotent()).isFalse();
    assertThat(o.mayRetry("GET")).isTrue();
    assertThat(o.mayRetry("PUT")).isTrue();
    assertThat(o.mayRetry("POST")).isFalse();
    assertThat(o.mayRetry("PATCH")).isFalse();
  }

  @Test
  void backoff_whenManyRetries_staysWithinHalfAndAllOfTheCap() {
    RetryOptions o =
        RetryOptions.builder()
            .baseBackoff(Duration.ofMillis(200))
            .maxBackoff(Duration.ofSeconds(10))
            .build();

    assertThat(o.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(o.backoff(1, 0.999999)).isLessThanOrEqualTo(Duration.ofMillis(200));
    assertThat(o.backoff(3, 0.0)).isEqualTo(Duration.ofMillis(400));
    assertThat(o.backoff(200, 0.0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.backoff(200, 0.999999)).isLessThanOrEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void builder_rejectsBadValuesWhenSet() {
    assertThatThrownBy(() -> RetryOptions.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryOptions.builder().baseBackoff(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryOptions.builder().maxTotalWait(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryOptions.builder().retryStatuses(200))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                RetryOptions.builder()
                    .baseBackoff(Duration.ofSeconds(5))
                    .maxBackoff(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseBackoff");
  }

  @Test
  void toBuilder_keepsEverySetting() {
    RetryOptions o =
        RetryOptions.builder().maxAttempts(5).retryNonIdempotent(true).retryStatuses(429).build();

    assertThat(o.toBuilder().build().toString()).isEqualTo(o.toString());
  }

  @Test
  void retryAfter_parsesSecondsDatesAndRejectsGarbage() {
    Instant now = Instant.parse("2026-03-01T12:00:00Z");
    String inTenSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(10).atOffset(ZoneOffset.UTC));
    String past =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(10).atOffset(ZoneOffset.UTC));

    assertThat(RetryAfter.parse(Headers.of("Retry-After", "120"), now))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(RetryAfter.parse(Headers.of("Retry-After", " 0 "), now)).isZero();
    assertThat(RetryAfter.parse(Headers.of("Retry-After", inTenSeconds), now))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(RetryAfter.parse(Headers.of("Retry-After", past), now)).isZero();
    assertThat(RetryAfter.parse(Headers.of("Retry-After", "99999999999"), now))
        .isEqualTo(RetryAfter.CAP);
    assertThat(RetryAfter.parse(Headers.of("Retry-After", "-5"), now)).isNull();
    assertThat(RetryAfter.parse(Headers.of("Retry-After", "soon"), now)).isNull();
    assertThat(RetryAfter.parse(Headers.of(), now)).isNull();
  }
}
