package dev.keyguard.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.HostsFile;
import dev.keyguard.testing.KeyFaultScenario;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ToxiproxyServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real network faults between the Vault provider and OpenBao, injected by Toxiproxy, while 16
 * threads read the key; what each scenario must show is {@link KeyFaultScenario}'s list (no failed
 * read, at most one backend call per retry interval, RefreshFailed then RefreshRecovered, recovery
 * within one retry interval, no thread left). Backend calls are counted at Toxiproxy (accepted
 * connections), except where the fault stops them before Toxiproxy: for a refused port the client's
 * connection attempts, for a name that does not resolve its DNS lookups ({@link NetworkAttempts}).
 *
 * <p>Timings: refresh every 1 s, retry every 1 s (no jitter), Vault call timeout 1 s (connect 400
 * ms + 2 × read 300 ms), each fault held for 3 s.
 */
class VaultNetworkFaultsIT {

  private static final String VAULT_HOST = "vault.keyguard.test";

  @RegisterExtension
  static final OpenBaoServer BAO = OpenBaoServer.withNamedTlsListener(VAULT_HOST);

  @RegisterExtension static final ToxiproxyServer TOXIPROXY = new ToxiproxyServer();

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final AtomicInteger PROXIES = new AtomicInteger();

  private final NetworkAttempts attempts = new NetworkAttempts();
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

  @Test
  void portRefused_servesStaleAndRecoversWhenTheBackendListensAgain() throws Exception {
    // a refused connection never reaches Toxiproxy's accept: count the client's connection attempts
    run(
        "port refused",
        proxy,
        ToxiproxyServer.Proxy::disable,
        () -> proxy.clearToxics(),
        "http://127.0.0.1:" + proxy.port(),
        attempts::connects);
  }

  @Test
  void nameStopsResolving_servesStaleAndRecoversWhenItResolvesAgain() throws Exception {
    // Vault by name needs TLS (cleartext is allowed to loopback addresses only): OpenBao's second
    // listener, through a proxy of its own. Open connections are dropped with the name, as when
    // the backend moves, so the next call needs a lookup; a failed lookup never reaches
    // Toxiproxy: count the client's DNS lookups.
    ToxiproxyServer.Proxy tls =
        TOXIPROXY.proxy("bao-tls-" + PROXIES.incrementAndGet(), BAO.namedTlsPort());
    HostsFile hosts = HostsFile.ofThisJvm().map(VAULT_HOST, "127.0.0.1");
    try {
      run(
              "DNS failure (name does not resolve)",
              tls,
              p -> {
                hosts.stopResolving(VAULT_HOST);
                p.clearToxics();
              },
              () -> hosts.resolveAgain(VAULT_HOST),
              "https://" + VAULT_HOST + ":" + tls.port(),
              attempts::lookups)
          .assertFailuresCausedBy("java.net.UnknownHostException");
    } finally {
      hosts.resolveAgain(VAULT_HOST);
    }
  }

  private void run(String scenario, Consumer<ToxiproxyServer.Proxy> inject) throws Exception {
    run(
        scenario,
        proxy,
        inject,
        () -> proxy.clearToxics(),
        "http://127.0.0.1:" + proxy.port(),
        proxy::acceptedConnections);
  }

  private KeyFaultScenario.Outcome run(
      String scenario,
      ToxiproxyServer.Proxy through,
      Consumer<ToxiproxyServer.Proxy> inject,
      Runnable clear,
      String address,
      IntSupplier backendCalls)
      throws Exception {
    String path = "faults/market-data-" + PROXIES.get();
    String firstKey = TestSecrets.randomValue();
    String rotatedKey = TestSecrets.randomValue();
    BAO.put("secret", path, Map.of("apiKey", firstKey));
    KeyFaultScenario.Outcome o =
        KeyFaultScenario.builder("vault", scenario)
            .setUp(
                () ->
                    KeyFaultScenario.keyManagerSetUp(
                        BAO.providerBuilder()
                            .address(address)
                            .caCertificate(BAO.namedTlsCaFile())
                            .connectTimeout(Duration.ofMillis(400))
                            .readTimeout(Duration.ofMillis(300))
                            .eventListenerForTesting(attempts)
                            .build(),
                        path,
                        SECOND,
                        () -> BAO.put("secret", path, Map.of("apiKey", rotatedKey)),
                        rotatedKey))
            .inject(() -> inject.accept(through))
            .clear(clear)
            .backendCalls(backendCalls)
            .retryInterval(SECOND)
            .callTimeout(SECOND)
            .run();
    o.assertExpected();
    assertThat(o.events().toString()).doesNotContain(firstKey).doesNotContain(rotatedKey);
    return o;
  }
}
