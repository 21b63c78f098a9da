package dev.keyguard.client;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyguard.KeyGuardException;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.TestCredentials;
import dev.keyguard.VersionedCredential;
import dev.keyguard.client.ScriptedApi.Reply;
import dev.keyguard.client.UsageSnapshot.Outcome;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyEvent.UsageAlert;
import dev.keyguard.key.KeyEvent.UsageAnomaly;
import dev.keyguard.key.KeyEvent.UsageRecovered;
import dev.keyguard.key.KeyManagerFixture;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The usage monitor through a real client on a fake clock, against a scripted API without a
 * network: every counter and detector with scripted traffic, each anomaly and its recovery.
 */
class UsageMonitorTest {

  private static final String BASE = "https://api.example.test/api/v3";

  private final KeyManagerFixture f = new KeyManagerFixture();
  private final ScriptedApi api = new ScriptedApi(f.clock);
  private final LogCapture usageLog = LogCapture.of("dev.keyguard.usage");
  private VersionedCredential v1;
  private ManagedKey key;

  @BeforeEach
  void setUp() {
    v1 = f.put("1");
    key = f.start().key(KEY);
    key.current();
  }

  @AfterEach
  void tearDown() {
    usageLog.close();
    f.close();
  }

  private KeyGuardClient client(ManagedKey managedKey, UsageOptions options) {
    return KeyGuardClient.builder()
        .baseUrl(BASE)
        .managedKey(managedKey)
        .authScheme(TestSchemes.header())
        .timeSource(f.clock)
        .usageOptions(options)
        .loggingInterceptor(api)
        .build();
  }

  private KeyGuardClient client(UsageOptions options) {
    return client(key, options);
  }

  private static void call(KeyGuardClient client, String path) {
    try {
      client.get(path, JsonNode.class);
    } catch (KeyGuardException expected) {
      // the outcome is what the monitor counts
    }
  }

  /** {@code perMinute} calls a minute, evenly spaced, for {@code minutes}; the clock moves on. */
  private void traffic(KeyGuardClient client, int perMinute, double minutes) {
    Duration step = Duration.ofMillis(60_000 / perMinute);
    long n = Math.round(perMinute * minutes);
    for (long i = 0; i < n; i++) {
      call(client, "/coins/bitcoin");
      f.scheduler.advance(step);
    }
  }

  private <T extends KeyEvent.UsageEvent> List<T> usageEvents(Class<T> type, UsageAnomaly anomaly) {
    return f.events(type).stream().filter(e -> e.anomaly() == anomaly).toList();
  }

  private static UsageSnapshot.Entry entry(UsageSnapshot s, String route) {
    return s.entries().stream()
        .filter(e -> e.route().equals(route))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + route + " in " + s.entries()));
  }

  // ------------------------------------------------------------------ counters

  @Test
  void usage_countsAttemptsOutcomesLatencyAndBytesPerVersionAndRouteTemplate() {
    KeyGuardClient client =
        client(UsageOptions.builder().routes("GET /coins/{id}", "POST /orders").build());
    api.answer(
        r -> {
          String path = r.url().encodedPath();
          if (path.endsWith("/coins/bitcoin")) {
            return Reply.ok().body("{\"usd\":1}").latency(Duration.ofMillis(30));
          }
          if (path.endsWith("/coins/ethereum")) {
            return Reply.status(404).latency(Duration.ofMillis(3));
          }
          if (path.endsWith("/orders")) {
            return Reply.status(429);
          }
          return null; // connection failure
        });

    call(client, "/coins/bitcoin");
    call(client, "/coins/bitcoin");
    call(client, "/coins/ethereum");
    try {
      client.post("/orders", Map.of("side", "buy"), JsonNode.class);
    } catch (ApiResponseException expected) {
      // 429, counted
    }
    call(client, "/history/123456");

    UsageSnapshot s = client.usage();
    UsageSnapshot.Entry coins = entry(s, "GET /coins/{id}");
    assertThat(coins.keyId()).isEqualTo(KEY);
    assertThat(coins.version()).isEqualTo("1");
    assertThat(coins.fingerprint()).isEqualTo(KeyManagerFixture.fingerprint(v1));
    assertThat(coins.attempts()).isEqualTo(3);
    assertThat(coins.count(Outcome.SUCCESS)).isEqualTo(2);
    assertThat(coins.count(Outcome.NOT_FOUND)).isEqualTo(1);
    assertThat(coins.bytesReceived()).isEqualTo(2 * "{\"usd\":1}".length() + "{}".length());
    assertThat(coins.latency().count()).isEqualTo(3);
    assertThat(coins.latency().total()).isEqualTo(Duration.ofMillis(63));
    assertThat(coins.latency().quantileUpperBound(0.5)).isEqualTo(Duration.ofMillis(50));
    assertThat(coins.latency().quantileUpperBound(0.1)).isEqualTo(Duration.ofMillis(5));

    UsageSnapshot.Entry orders = entry(s, "POST /orders");
    assertThat(orders.count(Outcome.TOO_MANY_REQUESTS)).as("a POST is not retried").isEqualTo(1);
    assertThat(orders.bytesSent()).isEqualTo("{\"side\":\"buy\"}".length());

    UsageSnapshot.Entry history = entry(s, "GET /history/{id}");
    assertThat(history.count(Outcome.TRANSPORT_ERROR)).isEqualTo(1);
    assertThat(s.attempts(KEY)).isEqualTo(5);
  }

  @Test
  void usage_countsRetriesOfThrottledCallsOnTheirRoute() {
    KeyGuardClient client = client(UsageOptions.builder().routes("GET /coins/{id}").build());
    int[] n = {0};
    api.answer(r -> n[0]++ % 3 < 2 ? Reply.status(503).header("Retry-After", "1") : Reply.ok());

    call(client, "/coins/bitcoin");
    call(client, "/coins/ethereum");

    UsageSnapshot.RouteTotals totals = client.usage().routes().get(0);
    assertThat(totals.route()).isEqualTo("GET /coins/{id}");
    assertThat(totals.calls()).isEqualTo(2);
    assertThat(totals.attempts()).isEqualTo(6);
    assertThat(totals.retries()).isEqualTo(4);
    assertThat(entry(client.usage(), "GET /coins/{id}").count(Outcome.SERVER_ERROR)).isEqualTo(4);
  }

  @Test
  void usage_withoutDeclaredTemplates_derivesBoundedTemplatesFromPaths() {
    KeyGuardClient client = client(UsageOptions.builder().maxLearnedRoutes(2).build());

    call(client, "/coins/bitcoin/history/20240101");
    call(client, "/coins/bitcoin/history/20240102");
    call(client, "/orders/123");
    call(client, "/exchanges/binance");
    call(client, "/exchanges/kraken");

    assertThat(client.usage().entries())
        .extracting(UsageSnapshot.Entry::route, UsageSnapshot.Entry::attempts)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("GET /coins/bitcoin/history/{id}", 2L),
            org.assertj.core.groups.Tuple.tuple("GET /orders/{id}", 1L),
            org.assertj.core.groups.Tuple.tuple("GET (other)", 2L));
  }

  @Test
  void usage_whenDisabled_isEmptyAndCountsNothing() {
    KeyGuardClient client = client(UsageOptions.disabled());
    call(client, "/coins/bitcoin");

    assertThat(client.usage().entries()).isEmpty();
    assertThat(client.usage().summary()).isEqualTo("usage: no requests");
    assertThat(client.okHttpClient().interceptors())
        .noneMatch(i -> i.getClass().getEnclosingClass() == UsageMonitor.class);
    assertThat(client(UsageOptions.defaults()).okHttpClient().interceptors())
        .filteredOn(i -> i.getClass().getEnclosingClass() == UsageMonitor.class)
        .hasSize(1);
  }

  @Test
  void usage_isReadableAsOneLogLineAndAsJson_withoutASecret() throws Exception {
    KeyGuardClient client = client(UsageOptions.builder().routes("GET /coins/{id}").build());
    String inPath = TestCredentials.apiKeyOf(v1);
    call(client, "/coins/bitcoin");
    call(client, "/quote/" + inPath); // a path that (wrongly) carries the key

    UsageSnapshot s = client.usage();
    JsonNode json = new ObjectMapper().readTree(s.toJson());

    assertThat(json.get("keys").get(0).get("key").asText()).isEqualTo(KEY.value());
    assertThat(json.get("entries").get(0).get("outcomes").get("2xx").asLong()).isEqualTo(1);
    assertThat(s.toString()).doesNotContain("\n").contains("key 'market-data' 2 attempts");
    assertThat(s.summary()).contains("GET /coins/{id}: 1 attempt (2xx 1)");
    List<Secret> secrets = SecretLeakAssertions.secretsOf(v1);
    for (String text : List.of(s.toJson(), s.toString(), s.summary())) {
      SecretLeakAssertions.assertNoLeakInText(
          "usage snapshot", text, secrets.toArray(Secret[]::new));
    }
    assertThat(s.entries())
        .extracting(UsageSnapshot.Entry::route)
        .doesNotContain("GET /quote/" + inPath);
  }

  // ------------------------------------------------------------------ spike

  @Test
  void spike_fiveTimesTheLearnedBaselineForAMinute_alertsOnceThenRecovers() {
    KeyGuardClient client = client(UsageOptions.defaults());

    traffic(client, 60, 10.5); // warm-up at the baseline
    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.RATE_SPIKE)).isEmpty();
    traffic(client, 600, 1.5);
    traffic(client, 60, 1.5);
    client.usage();

    List<UsageAlert> alerts = usageEvents(UsageAlert.class, UsageAnomaly.RATE_SPIKE);
    assertThat(alerts).hasSize(1);
    UsageAlert alert = alerts.get(0);
    assertThat(alert.keyId()).isEqualTo(KEY);
    assertThat(alert.version()).isEqualTo("1");
    assertThat(alert.fingerprint()).isEqualTo(KeyManagerFixture.fingerprint(v1));
    assertThat(alert.route()).isEqualTo("GET /coins/bitcoin");
    assertThat(alert.observed()).isGreaterThanOrEqualTo(alert.threshold());
    assertThat(alert.threshold()).isCloseTo(300.0, org.assertj.core.data.Offset.offset(1.0));
    assertThat(usageEvents(UsageRecovered.class, UsageAnomaly.RATE_SPIKE)).hasSize(1);
    assertThat(usageLog.messages(Level.WARN))
        .filteredOn(m -> m.contains("RATE_SPIKE"))
        .singleElement()
        .asString()
        .contains("market-data", alert.fingerprint(), "GET /coins/bitcoin", "requests/min");
    assertThat(client.usage().alerts()).isEmpty();
  }

  @Test
  void spike_shorterThanTheDuration_doesNotAlert() {
    KeyGuardClient client = client(UsageOptions.defaults());

    traffic(client, 60, 10.5);
    traffic(client, 600, 0.5);
    traffic(client, 60, 2);

    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.RATE_SPIKE)).isEmpty();
  }

  @Test
  void spike_duringTheWarmUp_doesNotAlert() {
    KeyGuardClient client = client(UsageOptions.defaults());

    traffic(client, 60, 1);
    traffic(client, 900, 2);

    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.RATE_SPIKE)).isEmpty();
    assertThat(client.usage().keys().get(0).baselinePerMinute()).isGreaterThan(60);
  }

  // ------------------------------------------------------------------ rejections

  @Test
  void rejectionBurst_fiveRejectionsWithinAMinute_alertsOnceThenRecoversWhenQuiet() {
    KeyGuardClient client = client(UsageOptions.defaults());
    api.always(Reply.status(401));

    for (int i = 0; i < 7; i++) {
      call(client, "/coins/bitcoin");
      f.scheduler.advance(Duration.ofSeconds(5));
    }

    List<UsageAlert> alerts = usageEvents(UsageAlert.class, UsageAnomaly.REJECTION_BURST);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).detail())
        .contains("5 rejections (401/403, or requests held back after one) within 20 s");
    assertThat(client.usage().alerts())
        .extracting(UsageSnapshot.ActiveAlert::anomaly)
        .containsExactly(UsageAnomaly.REJECTION_BURST);

    api.always(Reply.ok());
    f.scheduler.advance(Duration.ofSeconds(61));
    call(client, "/coins/bitcoin");

    assertThat(usageEvents(UsageRecovered.class, UsageAnomaly.REJECTION_BURST)).hasSize(1);
    assertThat(client.usage().alerts()).isEmpty();
  }

  @Test
  void rejectionBurst_spreadOverMoreThanTheWindow_doesNotAlert() {
    KeyGuardClient client = client(UsageOptions.defaults());
    api.always(Reply.status(403));

    for (int i = 0; i < 8; i++) {
      call(client, "/coins/bitcoin");
      f.scheduler.advance(Duration.ofSeconds(20));
    }

    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.REJECTION_BURST)).isEmpty();
    // the rejection circuit holds some calls back between its probes: every 403 the API sent is
    // counted, and only those
    assertThat(entry(client.usage(), "GET /coins/bitcoin").count(Outcome.FORBIDDEN))
        .isEqualTo(api.attempts.get())
        .isGreaterThan(1);
  }

  // ------------------------------------------------------------------ retired versions

  @Test
  void retiredVersion_usedByAnotherClientAfterTheGrace_alertsTheKeyManagersListenersThenRecovers() {
    KeyGuardClient current = client(UsageOptions.defaults());
    FakeManagedKey staleCopy = new FakeManagedKey(v1);
    KeyGuardClient copy = client(staleCopy, UsageOptions.defaults());
    call(current, "/coins/bitcoin"); // v1 accepted
    f.put("2");
    f.scheduler.advance(KeyManagerFixture.REFRESH.plusSeconds(1)); // rotated to v2
    call(current, "/coins/bitcoin"); // v2 accepted
    call(copy, "/coins/bitcoin"); // within the grace: fine

    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.RETIRED_VERSION_IN_USE)).isEmpty();

    f.scheduler.advance(Duration.ofMinutes(6));
    call(current, "/coins/bitcoin");
    call(copy, "/coins/bitcoin");
    call(copy, "/coins/bitcoin");

    List<UsageAlert> alerts = usageEvents(UsageAlert.class, UsageAnomaly.RETIRED_VERSION_IN_USE);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).version()).isEqualTo("1");
    assertThat(alerts.get(0).fingerprint()).isEqualTo(KeyManagerFixture.fingerprint(v1));
    assertThat(alerts.get(0).detail()).contains("after version 2 took over");
    assertThat(staleCopy.usageEvents).containsExactly(alerts.get(0));
    assertThat(current.usage().alerts()).isEmpty();

    f.scheduler.advance(Duration.ofMinutes(6));
    copy.usage();

    assertThat(usageEvents(UsageRecovered.class, UsageAnomaly.RETIRED_VERSION_IN_USE)).hasSize(1);
  }

  // ------------------------------------------------------------------ headroom

  @Test
  void headroom_fallingBelowTheThreshold_alertsAndRecoversAboveTwiceIt_ignoringMalformedValues() {
    FakeManagedKey fixed =
        new FakeManagedKey(
            TestCredentials.credential(KeyId.of("binance-" + System.nanoTime()), "v1"));
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.BINANCE)
            .managedKey(fixed)
            .timeSource(f.clock)
            .loggingInterceptor(api)
            .build();
    String[] used = {"100"};
    api.answer(r -> Reply.ok().header("X-MBX-USED-WEIGHT-1M", used[0]));

    call(client, "/api/v3/ticker/price");
    used[0] = "5500"; // 8 % left
    call(client, "/api/v3/ticker/price");
    used[0] = "5700";
    call(client, "/api/v3/ticker/price");
    used[0] = "lots";
    call(client, "/api/v3/ticker/price");

    assertThat(fixed.usageEvents).hasSize(1).first().isInstanceOf(UsageAlert.class);
    UsageAlert alert = (UsageAlert) fixed.usageEvents.get(0);
    assertThat(alert.anomaly()).isEqualTo(UsageAnomaly.LOW_RATE_LIMIT_HEADROOM);
    assertThat(alert.observed()).isCloseTo(500.0 / 6000, org.assertj.core.data.Offset.offset(1e-9));
    UsageSnapshot.Headroom h = client.usage().keys().get(0).headroom().get(0);
    assertThat(h.header()).isEqualTo("X-MBX-USED-WEIGHT-1M");
    assertThat(h.fractionLeft()).isCloseTo(300.0 / 6000, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(h.readings()).isEqualTo(3);
    assertThat(h.malformed()).isEqualTo(1);

    used[0] = "4000"; // 33 % left, more than twice the threshold
    call(client, "/api/v3/ticker/price");

    assertThat(fixed.usageEvents).hasSize(2);
    assertThat(fixed.usageEvents.get(1)).isInstanceOf(UsageRecovered.class);
  }

  @Test
  void headroom_withAPresetThatNamesNoHeader_hasNoFigureAndNoAlert() {
    KeyGuardClient client = client(UsageOptions.defaults());
    api.always(Reply.ok().header("X-MBX-USED-WEIGHT-1M", "5999"));

    call(client, "/coins/bitcoin");

    assertThat(client.usage().keys().get(0).headroom()).isEmpty();
    assertThat(f.events(UsageAlert.class)).isEmpty();
  }

  // ------------------------------------------------------------------ budget

  @Test
  void budget_warnsAt80Percent_refusesPast100WithoutSending_andStartsAfreshTheNextDay() {
    KeyGuardClient client =
        client(UsageOptions.builder().dailyBudget(10).refuseOverBudget(true).build());

    for (int i = 0; i < 10; i++) {
      call(client, "/coins/bitcoin");
    }
    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.DAILY_BUDGET_WARNING))
        .singleElement()
        .extracting(UsageAlert::observed)
        .isEqualTo(8.0);
    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.DAILY_BUDGET_EXHAUSTED)).hasSize(1);

    assertThatThrownBy(() -> client.get("/coins/bitcoin", JsonNode.class))
        .isInstanceOf(UsageBudgetExceededException.class)
        .hasMessageContaining("daily budget of 10 is used up")
        .hasMessageContaining("market-data")
        .hasMessageContaining("not sent")
        .satisfies(e -> assertThat(((UsageBudgetExceededException) e).isRetryable()).isFalse());
    assertThat(api.attempts).hasValue(10);
    assertThat(client.usage().keys().get(0).refused()).isEqualTo(1);

    Instant midnight = Instant.parse("2026-01-02T00:00:00Z");
    f.scheduler.advanceTo(midnight.plusSeconds(1));
    call(client, "/coins/bitcoin");

    assertThat(api.attempts).hasValue(11);
    assertThat(usageEvents(UsageRecovered.class, UsageAnomaly.DAILY_BUDGET_EXHAUSTED)).hasSize(1);
    assertThat(usageEvents(UsageRecovered.class, UsageAnomaly.DAILY_BUDGET_WARNING)).hasSize(1);
    assertThat(client.usage().keys().get(0).budgetUsed()).isEqualTo(1);
  }

  @Test
  void budget_countsCreditsPerRouteWhereDeclared_andOnlyWarnsWithoutRefusal() {
    KeyGuardClient client =
        client(
            UsageOptions.builder()
                .routes("GET /coins/{id}/history")
                .routeCost("GET /coins/{id}/history", 5)
                .dailyBudget(12)
                .build());

    call(client, "/coins/bitcoin/history");
    call(client, "/ping");
    call(client, "/coins/bitcoin/history");
    call(client, "/coins/bitcoin/history");

    assertThat(api.attempts).hasValue(4);
    assertThat(client.usage().keys().get(0).budgetUsed()).isEqualTo(16);
    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.DAILY_BUDGET_EXHAUSTED))
        .singleElement()
        .extracting(UsageAlert::detail)
        .asString()
        .contains("requests go on");
  }

  @Test
  void build_withARouteCostForAnUndeclaredRoute_failsNamingIt() {
    UsageOptions options = UsageOptions.builder().routeCost("GET /x/{id}", 3).build();

    assertThatThrownBy(() -> client(options))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("UsageOptions.routeCost names GET /x/{id}");
  }

  @Test
  void presetRoutes_areTheTemplatesOfTheSnapshot() {
    FakeManagedKey fixed =
        new FakeManagedKey(
            TestCredentials.credential(KeyId.of("binance-routes-" + System.nanoTime()), "v1"));
    KeyGuardClient client =
        KeyGuardClient.builder()
            .preset(ApiPresets.BINANCE)
            .managedKey(fixed)
            .timeSource(f.clock)
            .loggingInterceptor(api)
            .build();

    call(client, "/api/v3/ticker/price");

    assertThat(client.usage().entries())
        .extracting(UsageSnapshot.Entry::route)
        .containsExactly("GET /api/v3/ticker/price");
  }

  @Test
  void theCanary_neverReachesASnapshotOrAnEvent_evenInAPath() {
    Secret canary = Canaries.apiKey();
    String raw = Canaries.rawValue(canary);
    FakeManagedKey canaryKey =
        new FakeManagedKey(
            VersionedCredential.builder(KeyId.of("canary-" + System.nanoTime()), canary)
                .version("c1")
                .build());
    KeyGuardClient client = client(canaryKey, UsageOptions.defaults());
    api.always(Reply.status(401));
    for (int i = 0; i < 5; i++) {
      call(client, "/quote/" + raw);
    }

    UsageSnapshot s = client.usage();
    assertThat(canaryKey.usageEvents).isNotEmpty();
    for (String text :
        List.of(s.toJson(), s.toString(), s.summary(), canaryKey.usageEvents.toString())) {
      assertThat(text).doesNotContain(raw);
    }
  }

  // ------------------------------------------------------------------ events

  @Test
  void events_neverCarryASecret_andDisabledDetectorsStaySilent() {
    KeyGuardClient client =
        client(
            UsageOptions.builder()
                .disable(UsageAnomaly.DAILY_BUDGET_WARNING)
                .dailyBudget(2)
                .build());
    api.always(Reply.status(401));
    for (int i = 0; i < 6; i++) {
      call(client, "/coins/" + TestCredentials.apiKeyOf(v1));
    }

    assertThat(f.events(KeyEvent.UsageEvent.class)).isNotEmpty();
    assertThat(usageEvents(UsageAlert.class, UsageAnomaly.DAILY_BUDGET_WARNING)).isEmpty();
    Secret[] secrets = SecretLeakAssertions.secretsOf(v1).toArray(Secret[]::new);
    for (KeyEvent e : f.events(KeyEvent.UsageEvent.class)) {
      SecretLeakAssertions.assertNoLeak(e, secrets);
    }
    SecretLeakAssertions.assertNoLeakInText("usage log", usageLog.text(), secrets);
    SecretLeakAssertions.assertNoLeakInText("snapshot", client.usage().toJson(), secrets);
  }
}
