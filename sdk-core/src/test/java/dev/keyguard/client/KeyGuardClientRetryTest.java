package dev.keyguard.client;

import static dev.keyguard.client.MockServers.json;
import static dev.keyguard.client.MockServers.takeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.TimeSource;
import dev.keyguard.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Throttling: 429/418/503 with Retry-After, backoff with jitter, maximum total wait, client limit.
 */
class KeyGuardClientRetryTest {

  @RegisterExtension static final HttpsMockServer API = new HttpsMockServer();
  private static final MockWebServer api = API.server();

  private static final Instant START = FakeClock.DEFAULT_START;

  private FakeClock time;
  private FakeManagedKey key;

  /** When each attempt went on the wire, on the fake clock. */
  private final List<Instant> sentAt = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    time = new FakeClock(START);
    sentAt.clear();
    key = new FakeManagedKey(TestCredentials.credential(KeyId.of("retry-test"), "1"));
  }

  private KeyGuardClient.Builder builder() {
    return KeyGuardClient.builder()
        .baseUrl(api.url("/"))
        .managedKey(key)
        .authScheme(TestSchemes.header())
        .okHttpClient(
            TestTls.TRUSTING_OKHTTP
                .newBuilder()
                .addNetworkInterceptor(
                    chain -> {
                      sentAt.add(time.now());
                      return chain.proceed(chain.request());
                    })
                .build())
        .timeSource(time);
  }

  /**
   * What the client waited for: the time between consecutive attempts on the fake clock, which
   * moves only when the client sleeps (attempts sent back to back, without a wait, add nothing).
   */
  private List<Duration> sleeps() {
    List<Duration> waits = new ArrayList<>();
    Instant previous = START;
    for (Instant t : sentAt) {
      Duration gap = Duration.between(previous, t);
      if (!gap.isZero()) {
        waits.add(gap);
      }
      previous = t;
    }
    Duration sinceLast = Duration.between(previous, time.now());
    if (!sinceLast.isZero()) {
      waits.add(sinceLast);
    }
    return waits;
  }

  private Duration totalSlept() {
    return Duration.between(START, time.now());
  }

  private static MockResponse throttled(int code, String retryAfter) {
    MockResponse.Builder b = new MockResponse.Builder().code(code).body("{\"msg\":\"slow down\"}");
    if (retryAfter != null) {
      b.setHeader("Retry-After", retryAfter);
    }
    return b.build();
  }

  @Test
  void get_when429WithRetryAfterSeconds_waitsExactlyThatLongThenRetries() {
    api.enqueue(throttled(429, "7"));
    api.enqueue(json(200, "{\"ok\":true}"));

    JsonNode body = builder().build().get("/price", JsonNode.class);

    assertThat(body.get("ok").asBoolean()).isTrue();
    assertThat(sleeps()).containsExactly(Duration.ofSeconds(7));
    assertThat(takeAll(api)).hasSize(2);
  }

  @Test
  void get_when429WithRetryAfterHttpDate_waitsUntilThatDate() {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(START.plusSeconds(12).atOffset(ZoneOffset.UTC));
    api.enqueue(throttled(429, date));
    api.enqueue(json(200, "{}"));

    builder().build().get("/price", JsonNode.class);

    assertThat(sleeps()).containsExactly(Duration.ofSeconds(12));
  }

  @Test
  void get_when418And503WithRetryAfter_areRetriedToo() {
    api.enqueue(throttled(418, "2"));
    api.enqueue(throttled(503, "3"));
    api.enqueue(json(200, "{}"));

    builder().build().get("/price", JsonNode.class);

    assertThat(sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3));
    assertThat(takeAll(api)).hasSize(3);
  }

  @Test
  void get_whenRetryAfterExceedsMaxTotalWait_doesNotWaitAndReportsTheDelay() {
    api.enqueue(throttled(429, "40"));
    api.enqueue(json(200, "{}")); // must not be used
    KeyGuardClient client =
        builder()
            .retryOptions(RetryOptions.builder().maxTotalWait(Duration.ofSeconds(30)).build())
            .build();

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> client.get("/price", JsonNode.class));

    assertThat(e.status()).isEqualTo(429);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(40));
    assertThat(e.rateLimitHeaders()).containsEntry("Retry-After", "40");
    assertThat(sleeps()).isEmpty();
    assertThat(takeAll(api)).hasSize(1);
  }

  @Test
  void get_whenRepeatedlyThrottled_stopsBeforeTheTotalWaitWouldBeExceeded() {
    for (int i = 0; i < 5; i++) {
      api.enqueue(throttled(429, "10"));
    }
    KeyGuardClient client =
        builder()
            .retryOptions(
                RetryOptions.builder().maxAttempts(5).maxTotalWait(Duration.ofSeconds(25)).build())
            .build();

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> client.get("/price", JsonNode.class));

    assertThat(e.status()).isEqualTo(429);
    assertThat(sleeps()).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(10));
    assertThat(totalSlept()).isLessThanOrEqualTo(Duration.ofSeconds(25));
    assertThat(takeAll(api)).hasSize(3);
  }

  @Test
  void get_whenThrottledWithoutRetryAfter_backsOffExponentiallyWithJitterWithinTheCap() {
    for (int i = 0; i < 4; i++) {
      api.enqueue(throttled(503, null));
    }
    api.enqueue(json(200, "{}"));
    KeyGuardClient client =
        builder()
            .retryOptions(
                RetryOptions.builder()
                    .maxAttempts(5)
                    .baseBackoff(Duration.ofMillis(100))
                    .maxBackoff(Duration.ofMillis(300))
                    .build())
            .build();

    client.get("/price", JsonNode.class);

    assertThat(sleeps()).hasSize(4);
    assertThat(sleeps().get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sleeps().get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(sleeps().get(2)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
    assertThat(sleeps().get(3)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
  }

  @Test
  void get_whenThrottledMoreThanMaxAttempts_givesUpAfterMaxAttempts() {
    for (int i = 0; i < 3; i++) {
      api.enqueue(throttled(429, "1"));
    }
    api.enqueue(json(200, "{}")); // must not be used

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> builder().build().get("/price", JsonNode.class));

    assertThat(e.status()).isEqualTo(429);
    assertThat(takeAll(api)).hasSize(3); // default maxAttempts
  }

  @Test
  void post_when429_isNotRetriedByDefault() {
    api.enqueue(throttled(429, "1"));
    api.enqueue(json(200, "{}")); // must not be used

    catchThrowableOfType(
        ApiResponseException.class,
        () -> builder().build().post("/orders", Map.of("qty", 1), JsonNode.class));

    assertThat(takeAll(api)).hasSize(1);
    assertThat(sleeps()).isEmpty();
  }

  @Test
  void post_when429AndNonIdempotentRetryAllowed_isRetried() {
    api.enqueue(throttled(429, "1"));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client =
        builder().retryOptions(RetryOptions.builder().retryNonIdempotent(true).build()).build();

    client.post("/orders", Map.of("qty", 1), JsonNode.class);

    assertThat(takeAll(api)).hasSize(2);
  }

  @Test
  void get_when500_isNotRetriedByDefault() {
    api.enqueue(json(500, "{}"));

    ApiResponseException e =
        catchThrowableOfType(
            ApiResponseException.class, () -> builder().build().get("/price", JsonNode.class));

    assertThat(e.status()).isEqualTo(500);
    assertThat(e.isRetryable()).isTrue();
    assertThat(takeAll(api)).hasSize(1);
  }

  @Test
  void get_withClientRateLimit_spacesRequestsToTheLimit() {
    for (int i = 0; i < 5; i++) {
      api.enqueue(json(200, "{}"));
    }
    KeyGuardClient client = builder().clientRateLimit(2, Duration.ofSeconds(1)).build();

    for (int i = 0; i < 5; i++) {
      client.get("/price", JsonNode.class);
    }

    // sent at 0 s, 0 s, 1 s, 1 s, 2 s: never more than 2 in any one-second window
    assertThat(sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(totalSlept()).isEqualTo(Duration.ofSeconds(2));
    assertThat(takeAll(api)).hasSize(5);
  }

  @Test
  void get_whenKeyRejectedAndRetriedWithRotatedKey_theRetryWaitsForTheClientRateLimit() {
    key.onRejectionOffer(TestCredentials.credential(KeyId.of("retry-test"), "2"));
    api.enqueue(json(401, "{}"));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = builder().clientRateLimit(1, Duration.ofSeconds(10)).build();

    client.get("/price", JsonNode.class);

    // two requests with a limit of one per 10 s: the second is sent no earlier than 10 s later
    assertThat(takeAll(api)).hasSize(2);
    assertThat(sleeps()).containsExactly(Duration.ofSeconds(10));
  }

  @Test
  void get_whenRetryAfterWithTheSystemClock_reallyWaits() {
    api.enqueue(throttled(429, "1"));
    api.enqueue(json(200, "{}"));
    KeyGuardClient client = builder().timeSource(TimeSource.system()).build();

    long start = System.nanoTime();
    client.get("/price", JsonNode.class);

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(takeAll(api)).hasSize(2);
  }
}
