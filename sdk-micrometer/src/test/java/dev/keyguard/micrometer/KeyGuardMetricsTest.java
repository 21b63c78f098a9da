package dev.keyguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthScheme;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.client.UsageOptions;
import dev.keyguard.client.UsageSnapshot;
import dev.keyguard.client.UsageSnapshot.Outcome;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.InMemoryKeyProviderForTesting;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The binder registers and reports the same figures as the usage snapshot and the key manager's
 * status, and the canary key never reaches a meter name or tag.
 */
class KeyGuardMetricsTest {

  private static final KeyId KEY = KeyId.of("market-data");

  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final InMemoryKeyProviderForTesting backend = new InMemoryKeyProviderForTesting();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger status = new AtomicInteger(200);
  private KeyManager keyManager;
  private ManagedKey key;
  private KeyGuardClient client;

  /** Puts the key in {@code x-api-key}. */
  private static final AuthScheme HEADER =
      new AuthScheme() {
        @Override
        public Request apply(Request request, VersionedCredential credential) {
          return request
              .newBuilder()
              .header("x-api-key", credential.apiKey().value(InsecureSecretAccess.get()))
              .build();
        }

        @Override
        public Set<String> headerNames() {
          return Set.of("x-api-key");
        }
      };

  @BeforeEach
  void setUp() {
    // the canary is the key: it must not reach a meter name or tag
    Secret canary = Canaries.apiKey();
    backend.put(
        VersionedCredential.builder(KEY, canary).version("7").fetchedAt(clock.instant()).build());
    keyManager =
        KeyManager.builder()
            .provider(backend)
            .timeSource(clock)
            .scheduler(scheduler)
            .jitter(0)
            .refreshAfter(Duration.ofMinutes(5))
            .build();
    key = keyManager.key(KEY);
    client =
        KeyGuardClient.builder()
            .baseUrl("https://api.example.test/v2")
            .managedKey(key)
            .authScheme(HEADER)
            .timeSource(clock)
            .usageOptions(
                UsageOptions.builder().routes("GET /coins/{id}").dailyBudget(1000).build())
            .loggingInterceptor(
                chain -> {
                  clock.advance(Duration.ofMillis(20));
                  return new Response.Builder()
                      .request(chain.request())
                      .protocol(Protocol.HTTP_1_1)
                      .code(status.get())
                      .message("scripted")
                      .body(ResponseBody.create("{\"p\":1}", MediaType.get("application/json")))
                      .build();
                })
            .build();
  }

  @AfterEach
  void tearDown() {
    keyManager.close();
  }

  private void call(String path) {
    try {
      client.get(path, String.class);
    } catch (KeyGuardException expected) {
      // the outcome is what is counted
    }
  }

  private static String tag(Meter m, String key) {
    return m.getId().getTag(key);
  }

  @Test
  void bindTo_reportsTheSnapshotsFigures_andRegistersSeriesThatAppearLater() {
    KeyGuardMetrics metrics = new KeyGuardMetrics(List.of(client), List.of(keyManager));
    call("/coins/bitcoin");
    call("/coins/ethereum");
    metrics.bindTo(registry);

    status.set(404);
    call("/coins/dogecoin");
    call("/exchanges/binance"); // a new route, after binding
    registry.get("keyguard.usage.series").gauge().value(); // what a scrape does

    UsageSnapshot s = client.usage();
    UsageSnapshot.Entry coins =
        s.entries().stream().filter(e -> e.route().equals("GET /coins/{id}")).findFirst().get();
    FunctionCounter ok =
        registry
            .get("keyguard.requests")
            .tags("key", "market-data", "version", "7", "route", "GET /coins/{id}")
            .tag("outcome", "2xx")
            .functionCounter();
    FunctionCounter notFound =
        registry
            .get("keyguard.requests")
            .tags("route", "GET /coins/{id}", "outcome", "404")
            .functionCounter();
    assertThat(ok.count()).isEqualTo(coins.count(Outcome.SUCCESS)).isEqualTo(2);
    assertThat(notFound.count()).isEqualTo(coins.count(Outcome.NOT_FOUND)).isEqualTo(1);
    FunctionTimer latency =
        registry.get("keyguard.request.latency").tag("route", "GET /coins/{id}").functionTimer();
    assertThat(latency.count()).isEqualTo(coins.latency().count()).isEqualTo(3);
    assertThat(latency.totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(coins.latency().total().toMillis())
        .isEqualTo(60.0);
    assertThat(
            registry
                .get("keyguard.request.bytes.received")
                .tag("route", "GET /coins/{id}")
                .functionCounter()
                .count())
        .isEqualTo(coins.bytesReceived());
    assertThat(
            registry
                .get("keyguard.requests")
                .tags("route", "GET /exchanges/binance", "outcome", "404")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("keyguard.calls")
                .tag("route", "GET /coins/{id}")
                .functionCounter()
                .count())
        .isEqualTo(3);
    assertThat(registry.get("keyguard.key.budget.used").tag("key", "market-data").gauge().value())
        .isEqualTo(s.keys().get(0).budgetUsed())
        .isEqualTo(4);
    assertThat(registry.get("keyguard.key.budget.limit").gauge().value()).isEqualTo(1000);
    assertThat(
            registry
                .get("keyguard.usage.alerts")
                .tags("key", "market-data", "anomaly", "REJECTION_BURST")
                .gauge()
                .value())
        .isZero();
  }

  @Test
  void usageAlerts_gaugeIsOneWhileARejectionBurstLasts() {
    new KeyGuardMetrics(List.of(client), List.of()).bindTo(registry);
    status.set(401);
    for (int i = 0; i < 5; i++) {
      call("/coins/bitcoin");
    }
    registry.get("keyguard.usage.series").gauge().value(); // a scrape registers the new series
    Gauge burst =
        registry
            .get("keyguard.usage.alerts")
            .tags("key", "market-data", "anomaly", "REJECTION_BURST")
            .gauge();

    assertThat(burst.value()).isEqualTo(1);
    assertThat(
            registry
                .get("keyguard.requests")
                .tags("route", "GET /coins/{id}", "outcome", "401")
                .functionCounter()
                .count())
        .as("the first call is sent; the rejection circuit holds the other four back")
        .isEqualTo(1);
  }

  @Test
  void keyManagerGauges_showVersionAgeNextRefreshStalenessAndBackendCalls() {
    call("/coins/bitcoin");
    new KeyGuardMetrics(List.of(), List.of(keyManager)).bindTo(registry);
    clock.advance(Duration.ofMinutes(2));

    TimeGauge age = registry.get("keyguard.key.version.age").tag("key", "market-data").timeGauge();
    TimeGauge refreshIn = registry.get("keyguard.key.refresh.in").timeGauge();
    assertThat(age.value(TimeUnit.SECONDS)).isCloseTo(120.02, within(0.01));
    assertThat(refreshIn.value(TimeUnit.SECONDS)).isCloseTo(300 - 120.02, within(0.01));
    assertThat(registry.get("keyguard.key.staleness").timeGauge().value(TimeUnit.SECONDS)).isZero();
    assertThat(registry.get("keyguard.key.fetches").functionCounter().count()).isEqualTo(1);

    backend.failWith(new IllegalStateException("backend down"));
    scheduler.advance(Duration.ofMinutes(4)); // the refresh at 5 min fails

    double failures = registry.get("keyguard.key.failures").gauge().value();
    assertThat(failures)
        .isGreaterThanOrEqualTo(1)
        .isEqualTo(keyManager.status().get(0).consecutiveFailures());
    assertThat(registry.get("keyguard.key.fetch.failures").functionCounter().count())
        .isEqualTo(failures);
    assertThat(registry.get("keyguard.key.staleness").timeGauge().value(TimeUnit.SECONDS))
        .isGreaterThan(0);
    assertThat(keyManager.status().get(0).servedVersion()).isEqualTo("7");
  }

  @Test
  void noMeterNameOrTag_holdsTheKey_evenWhenAPathCarriesIt() {
    String canary = Canaries.apiKey().value(InsecureSecretAccess.get());
    call("/coins/bitcoin");
    call("/quote/" + canary);
    new KeyGuardMetrics(List.of(client), List.of(keyManager)).bindTo(registry);

    assertThat(registry.getMeters()).isNotEmpty();
    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().getName()).doesNotContain(canary);
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getValue()).doesNotContain(canary);
      }
    }
    assertThat(registry.getMetersAsString()).doesNotContain(canary);
  }
}
