package dev.keyguard.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyguard.KeyId;
import dev.keyguard.TestCredentials;
import dev.keyguard.client.ScriptedApi.Reply;
import dev.keyguard.client.UsageSnapshot.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The monitor's counters under real concurrency: no update is lost. */
class UsageMonitorConcurrencyTest {

  private static final int THREADS = 16;
  private static final int PER_THREAD = 2_000;

  @Test
  void sixteenThreads_giveExactTotals() throws Exception {
    FakeManagedKey key =
        new FakeManagedKey(
            TestCredentials.credential(KeyId.of("concurrent-" + System.nanoTime()), "v1"));
    ScriptedApi api =
        new ScriptedApi(null)
            .answer(
                r ->
                    r.url().encodedPath().endsWith("/b")
                        ? Reply.status(401).body("{\"e\":1}")
                        : Reply.ok().body("{\"ok\":true}"));
    KeyGuardClient client =
        KeyGuardClient.builder()
            .baseUrl("https://api.example.test")
            .managedKey(key)
            .authScheme(TestSchemes.header())
            .usageOptions(UsageOptions.builder().routes("GET /a", "GET /b").build())
            .loggingInterceptor(api)
            .build();

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < PER_THREAD; i++) {
                    if (i % 4 == 3) {
                      try {
                        client.get("/b", JsonNode.class);
                      } catch (KeyRejectedException expected) {
                        // a 401 with no other version: counted
                      }
                    } else {
                      client.get("/a", JsonNode.class);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    int total = THREADS * PER_THREAD;
    UsageSnapshot s = client.usage();
    UsageSnapshot.Entry a =
        s.entries().stream().filter(e -> e.route().equals("GET /a")).findFirst().orElseThrow();
    UsageSnapshot.Entry b =
        s.entries().stream().filter(e -> e.route().equals("GET /b")).findFirst().orElseThrow();
    assertThat(a.attempts()).isEqualTo(total * 3L / 4);
    assertThat(a.count(Outcome.SUCCESS)).isEqualTo(total * 3L / 4);
    assertThat(a.latency().count()).isEqualTo(total * 3L / 4);
    assertThat(a.bytesReceived()).isEqualTo(total * 3L / 4 * "{\"ok\":true}".length());
    assertThat(b.count(Outcome.UNAUTHORIZED)).isEqualTo(total / 4L);
    assertThat(s.routes())
        .extracting(UsageSnapshot.RouteTotals::calls)
        .containsExactlyInAnyOrder(total * 3L / 4, total / 4L);
    assertThat(s.keys().get(0).attempts()).isEqualTo(total);
    assertThat(api.attempts).hasValue(total);
    assertThat(s.alerts())
        .extracting(UsageSnapshot.ActiveAlert::anomaly)
        .containsExactly(dev.keyguard.key.KeyEvent.UsageAnomaly.REJECTION_BURST);
    assertThat(key.usageEvents).hasSize(1);
  }
}
