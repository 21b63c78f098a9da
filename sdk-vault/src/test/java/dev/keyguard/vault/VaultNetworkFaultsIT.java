package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.KeyFaultScenario;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ToxiproxyServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real network faults between the Vault provider and OpenBao, injected by Toxiproxy, while 16
 * threads read the key; what each scenario must show is {@link KeyFaultScenario}'s list (no failed
 * read, at most one backend call per retry interval counted at Toxiproxy, RefreshFailed then
 * RefreshRecovered, recovery within one retry interval, no thread left).
 *
 * <p>Timings: refresh every 1 s, retry every 1 s (no jitter), Vault call timeout 1 s (connect 400
 * ms + 2 × read 300 ms), each fault held for 3 s.
 */
class VaultNetworkFaultsIT {

  @RegisterExtension static final OpenBaoServer BAO = new OpenBaoServer();
  @RegisterExtension static final ToxiproxyServer TOXIPROXY = new ToxiproxyServer();

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final AtomicInteger PROXIES = new AtomicInteger();

  private ToxiproxyServer.Proxy proxy;

  @BeforeEach
  void setUp() {
    String address = BAO.address(); // http://127.0.0.1:PORT
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    proxy = TOXIPROXY.proxy("bao-" + PROXIES.incrementAndGet(), port);
  }

  @AfterEach
  void tearDown() {
    TOXIPROXY.reset();
  }

  @Test
  void latencyOfFiveSecondsOnEveryResponse_refreshTimesOutAndTheLastGoodKeyIsServed()
      throws Exception {
    run("latency 5 s", p -> p.latency("slow", Duration.ofSeconds(5)));
  }

  @Test
  void connectionCutMidResponse_isARetryableFailureAndTheLastGoodKeyIsServed() throws Exception {
    run("connection cut mid-response", p -> p.cutResponsesAfter("cut", 60));
  }

  @Test
  void backendDownBehindALoadBalancerForThreeRefreshPeriods_servesStaleThenRecovers()
      throws Exception {
    run("backend down (connections reset)", p -> p.resetConnections("down", Duration.ZERO));
  }

  @Test
  void bandwidthThrottledToATrickle_refreshTimesOutAndTheLastGoodKeyIsServed() throws Exception {
    run(
        "trickle (8-byte slices every 200 ms)",
        p -> p.slicer("trickle", 8, Duration.ofMillis(200)));
  }

  @Test
  void halfOpenConnectionThatNeverAnswers_timeoutsFireAndNoThreadIsLeft() throws Exception {
    run("half-open (never answers)", p -> p.blackHole("silent"));
  }

  private void run(String scenario, Consumer<ToxiproxyServer.Proxy> inject) throws Exception {
    String path = "faults/market-data-" + PROXIES.get();
    String firstKey = TestSecrets.randomValue();
    String rotatedKey = TestSecrets.randomValue();
    BAO.put("secret", path, Map.of("apiKey", firstKey));
    KeyFaultScenario.Outcome o =
        KeyFaultScenario.builder("vault", scenario)
            .setUp(() -> setUp(path, rotatedKey))
            .inject(() -> inject.accept(proxy))
            .clear(proxy::clearToxics)
            .backendCalls(proxy::acceptedConnections)
            .retryInterval(SECOND)
            .callTimeout(SECOND)
            .run();
    o.assertExpected();
    assertThat(o.events().toString()).doesNotContain(firstKey).doesNotContain(rotatedKey);
  }

  private KeyFaultScenario.Setup setUp(String path, String rotatedKey) {
    VaultKeyProvider provider =
        BAO.providerBuilder()
            .address("http://127.0.0.1:" + proxy.port())
            .connectTimeout(Duration.ofMillis(400))
            .readTimeout(Duration.ofMillis(300))
            .build();
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    KeyManager manager =
        KeyManager.builder()
            .provider(provider)
            .refreshAfter(SECOND)
            .jitter(0)
            .retryBackoff(SECOND, SECOND)
            .maxStale(Duration.ofMinutes(1))
            .listener(events::add)
            .build();
    ManagedKey key = manager.key(path);
    key.awaitReady(Duration.ofSeconds(10));
    return new KeyFaultScenario.Setup() {
      @Override
      public ManagedKey key() {
        return key;
      }

      @Override
      public List<KeyEvent> events() {
        return events;
      }

      @Override
      public void rotate() {
        BAO.put("secret", path, Map.of("apiKey", rotatedKey));
      }

      @Override
      public boolean servesRotated() {
        return rotatedKey.equals(key.current().apiKey().value(InsecureSecretAccess.get()));
      }

      @Override
      public void close() {
        manager.close();
        provider.close();
      }
    };
  }
}
