package dev.keyguard.aws;

import static dev.keyguard.aws.SecretsAdmin.randomKey;
import static dev.keyguard.aws.SecretsAdmin.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyguard.testing.HostsFile;
import dev.keyguard.testing.KeyFaultScenario;
import dev.keyguard.testing.ToxiproxyServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real network faults between the AWS provider and moto, injected by Toxiproxy, while 16 threads
 * read the key; what each scenario must show is {@link KeyFaultScenario}'s list (no failed read, at
 * most one backend call per retry interval counted at Toxiproxy, RefreshFailed then
 * RefreshRecovered, recovery within one retry interval, no thread left).
 *
 * <p>Timings: refresh every 1 s, retry every 1 s (no jitter), AWS call timeout 1 s, each fault held
 * for 3 s (three refresh periods).
 */
class AwsNetworkFaultsIT {

  @RegisterExtension static final MotoServer MOTO = new MotoServer();
  @RegisterExtension static final ToxiproxyServer TOXIPROXY = new ToxiproxyServer();

  /** The endpoint's host name in the DNS scenario. */
  private static final String MOTO_HOST = "moto.keyguard.test";

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final AtomicInteger PROXIES = new AtomicInteger();

  private final CallCounter calls = new CallCounter();
  private SecretsAdmin admin;
  private ToxiproxyServer.Proxy proxy;

  @BeforeEach
  void setUp() {
    admin = new SecretsAdmin(MOTO.client());
    proxy = TOXIPROXY.proxy("moto-" + PROXIES.incrementAndGet(), MOTO.port());
  }

  @AfterEach
  void tearDown() {
    TOXIPROXY.reset();
  }

  @Test
  void latencyOfFiveSecondsOnEveryResponse_refreshTimesOutAndTheLastGoodKeyIsServed()
      throws Exception {
    run("latency 5 s", p -> p.latency("slow", Duration.ofSeconds(5)), proxy::acceptedConnections);
  }

  @Test
  void connectionCutMidResponse_isARetryableFailureAndTheLastGoodKeyIsServed() throws Exception {
    // the status line and part of the headers pass, then the connection closes
    run(
        "connection cut mid-response",
        p -> p.cutResponsesAfter("cut", 60),
        proxy::acceptedConnections);
  }

  @Test
  void backendDownBehindALoadBalancerForThreeRefreshPeriods_servesStaleThenRecovers()
      throws Exception {
    run(
        "backend down (connections reset)",
        p -> p.resetConnections("down", Duration.ZERO),
        proxy::acceptedConnections);
  }

  @Test
  void bandwidthThrottledToATrickle_refreshTimesOutAndTheLastGoodKeyIsServed() throws Exception {
    run(
        "trickle (8-byte slices every 200 ms)",
        p -> p.slicer("trickle", 8, Duration.ofMillis(200)),
        proxy::acceptedConnections);
  }

  @Test
  void halfOpenConnectionThatNeverAnswers_timeoutsFireAndNoThreadIsLeft() throws Exception {
    run("half-open (never answers)", p -> p.blackHole("silent"), proxy::acceptedConnections);
  }

  @Test
  void portRefused_servesStaleAndRecoversWhenTheBackendListensAgain() throws Exception {
    // a refused connection never reaches Toxiproxy's accept: count the SDK's attempts instead
    run("port refused", ToxiproxyServer.Proxy::disable, () -> calls.attempts("GetSecretValue"));
  }

  @Test
  void nameStopsResolving_servesStaleAndRecoversWhenItResolvesAgain() throws Exception {
    // Open connections are dropped with the name, as when the backend moves, so the next call
    // needs a lookup; a failed lookup never reaches Toxiproxy: count the SDK's attempts.
    HostsFile hosts = HostsFile.ofThisJvm().map(MOTO_HOST, "127.0.0.1");
    try {
      run(
              "DNS failure (name does not resolve)",
              p -> {
                hosts.stopResolving(MOTO_HOST);
                p.clearToxics();
              },
              () -> hosts.resolveAgain(MOTO_HOST),
              MOTO_HOST,
              () -> calls.attempts("GetSecretValue"))
          .assertFailuresCausedBy("java.net.UnknownHostException");
    } finally {
      hosts.resolveAgain(MOTO_HOST);
    }
  }

  private void run(
      String scenario, Consumer<ToxiproxyServer.Proxy> inject, IntSupplier backendCalls)
      throws Exception {
    run(scenario, inject, () -> proxy.clearToxics(), "127.0.0.1", backendCalls);
  }

  private KeyFaultScenario.Outcome run(
      String scenario,
      Consumer<ToxiproxyServer.Proxy> inject,
      Runnable clear,
      String host,
      IntSupplier backendCalls)
      throws Exception {
    String name = uniqueName("fault");
    String firstKey = randomKey();
    String rotatedKey = randomKey();
    admin.create(name, firstKey);
    KeyFaultScenario.Outcome o =
        KeyFaultScenario.builder("aws", scenario)
            .setUp(
                () ->
                    KeyFaultScenario.keyManagerSetUp(
                        provider(host),
                        name,
                        SECOND,
                        () -> admin.rotate(name, rotatedKey),
                        rotatedKey))
            .inject(() -> inject.accept(proxy))
            .clear(clear)
            .backendCalls(backendCalls)
            .retryInterval(SECOND)
            .callTimeout(SECOND)
            .run();
    o.assertExpected();
    assertThat(o.events().toString()).doesNotContain(firstKey).doesNotContain(rotatedKey);
    return o;
  }

  private AwsSecretsManagerKeyProvider provider(String host) {
    return AwsSecretsManagerKeyProvider.builder()
        .region(MotoServer.REGION)
        .endpointOverride(URI.create("http://127.0.0.1:" + proxy.port()))
        .credentialsProvider(MotoServer.DUMMY_CREDENTIALS)
        .connectTimeout(SECOND)
        .apiCallTimeout(SECOND)
        .cleartextHostForTesting(host)
        .clientCustomizer(
            b -> {
              b.overrideConfiguration(o -> o.addExecutionInterceptor(calls));
              if (!host.equals("127.0.0.1")) {
                // endpointOverride(...) allows cleartext to loopback addresses and localhost only
                // (and the JDK resolves localhost whatever the hosts file says): the DNS scenario's
                // name, resolved to 127.0.0.1 by the hosts file, is set on the SDK client directly
                // and allowed in cleartext by the package-private testing switch
                b.endpointOverride(URI.create("http://" + host + ":" + proxy.port()));
              }
            })
        .build();
  }
}
