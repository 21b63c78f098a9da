package dev.keyguard.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.security.keyvault.secrets.SecretClient;
import dev.keyguard.testing.HostsFile;
import dev.keyguard.testing.KeyFaultScenario;
import dev.keyguard.testing.TestSecrets;
import dev.keyguard.testing.ToxiproxyServer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real network faults between the Azure provider (the SDK's SecretClient on Netty) and the Key
 * Vault emulator, injected by Toxiproxy, while 16 threads read the key; what each scenario must
 * show is {@link KeyFaultScenario}'s list (no failed read, at most one backend call per retry
 * interval, RefreshFailed then RefreshRecovered, recovery within one retry interval, no thread
 * left). Backend calls are counted at Toxiproxy (accepted connections), except where the fault
 * stops them before Toxiproxy (a refused port, a name that does not resolve): there the requests
 * the SDK hands to its HTTP client are counted ({@link CountingHttpClient}).
 *
 * <p>The SDK's own retries are off here (one HTTP attempt per fetch), so that the key manager's
 * backoff is what is measured; by default the SDK makes up to 4 attempts per fetch under the key
 * manager's backoff. Timings: refresh every 1 s, retry every 1 s (no jitter), response timeout 1 s,
 * each fault held for 3 s.
 */
class AzureNetworkFaultsIT {

  @RegisterExtension static final ToxiproxyServer TOXIPROXY = new ToxiproxyServer();

  /** The vault's host name in the DNS scenario; the emulator's certificate names it. */
  static final String VAULT_HOST = "kv.keyguard.test";

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final AtomicInteger PROXIES = new AtomicInteger();

  private static KeyVaultEmulator emulator;
  private static SecretClient admin;

  private ToxiproxyServer.Proxy proxy;
  private CountingHttpClient http;

  @BeforeAll
  static void start() throws Exception {
    emulator = KeyVaultEmulator.start(AzureTestSupport.oneSecondPerWrite());
    admin = AzureTestSupport.admin(emulator);
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @BeforeEach
  void setUp() {
    String url = emulator.vaultUrl(); // https://127.0.0.1:PORT
    proxy =
        TOXIPROXY.proxy(
            "kv-" + PROXIES.incrementAndGet(),
            Integer.parseInt(url.substring(url.lastIndexOf(':') + 1)));
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
    run("connection cut mid-response", p -> p.cutResponsesAfter("cut", 200));
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
    // a refused connection never reaches Toxiproxy's accept: count the requests the SDK sends
    run(
        "port refused",
        ToxiproxyServer.Proxy::disable,
        () -> proxy.clearToxics(),
        "127.0.0.1",
        () -> http.sent());
  }

  @Test
  void nameStopsResolving_servesStaleAndRecoversWhenItResolvesAgain() throws Exception {
    // The SDK's Netty client resolves through the JVM (azure-core-http-netty sets Netty's
    // DefaultAddressResolverGroup when no resolver is set), so the hosts file applies. Open
    // connections are dropped with the name, as when the backend moves, so the next call needs a
    // lookup; a failed lookup never reaches Toxiproxy: count the requests the SDK sends.
    HostsFile hosts = HostsFile.ofThisJvm().map(VAULT_HOST, "127.0.0.1");
    try {
      run(
              "DNS failure (name does not resolve)",
              p -> {
                hosts.stopResolving(VAULT_HOST);
                p.clearToxics();
              },
              () -> hosts.resolveAgain(VAULT_HOST),
              VAULT_HOST,
              () -> http.sent())
          .assertFailuresCausedBy("java.net.UnknownHostException");
    } finally {
      hosts.resolveAgain(VAULT_HOST);
    }
  }

  private void run(String scenario, Consumer<ToxiproxyServer.Proxy> inject) throws Exception {
    run(scenario, inject, () -> proxy.clearToxics(), "127.0.0.1", proxy::acceptedConnections);
  }

  private KeyFaultScenario.Outcome run(
      String scenario,
      Consumer<ToxiproxyServer.Proxy> inject,
      Runnable clear,
      String host,
      IntSupplier backendCalls)
      throws Exception {
    String name = "faults-" + PROXIES.get();
    String firstKey = TestSecrets.randomValue();
    String rotatedKey = TestSecrets.randomValue();
    admin.setSecret(name, firstKey);
    KeyFaultScenario.Outcome o =
        KeyFaultScenario.builder("azure", scenario)
            .setUp(
                () ->
                    KeyFaultScenario.keyManagerSetUp(
                        provider("https://" + host + ":" + proxy.port()),
                        name,
                        SECOND,
                        () -> admin.setSecret(name, rotatedKey),
                        rotatedKey))
            .inject(() -> inject.accept(proxy))
            .clear(clear)
            .backendCalls(backendCalls)
            .retryInterval(SECOND)
            .callTimeout(SECOND)
            // Reactor's and Reactor Netty's process-wide pools, and the emulator's own threads
            .ignoringSharedThreads(
                "reactor-", "parallel-", "boundedElastic-", "key-vault-emulator", "azure-sdk-")
            .run();
    o.assertExpected();
    assertThat(o.events().toString()).doesNotContain(firstKey).doesNotContain(rotatedKey);
    return o;
  }

  private AzureKeyVaultKeyProvider provider(String vaultUrl) throws Exception {
    SslContext ssl = SslContextBuilder.forClient().trustManager(emulator.trustManager()).build();
    http =
        new CountingHttpClient(
            new NettyAsyncHttpClientBuilder(
                    reactor.netty.http.client.HttpClient.create()
                        .secure(spec -> spec.sslContext(ssl)))
                .connectTimeout(SECOND)
                .responseTimeout(SECOND)
                .readTimeout(SECOND)
                .build());
    return AzureKeyVaultKeyProvider.builder()
        .vaultUrl(vaultUrl)
        .credential(
            new AzureTestSupport.StaticTokenCredential(
                emulator.issueToken(KeyVaultEmulator.Role.SECRETS_USER)))
        .httpClient(http)
        .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
        .disableChallengeResourceVerificationForTesting()
        .build();
  }
}
