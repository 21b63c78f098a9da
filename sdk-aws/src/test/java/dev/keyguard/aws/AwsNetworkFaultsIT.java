package dev.keyguard.aws;

import static dev.keyguard.aws.SecretsAdmin.randomKey;
import static dev.keyguard.aws.SecretsAdmin.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.ReaderThreads;
import dev.keyguard.testing.ThreadSnapshot;
import dev.keyguard.testing.ToxiproxyServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real network faults between the AWS provider and moto, injected by Toxiproxy, while 16 threads
 * read the key. Every scenario expects the same: no failed read (the fault is shorter than {@code
 * maxStale}), no read slower than 100 ms (nobody waits on the backend), at most one connection per
 * retry interval during the fault (counted at Toxiproxy, or for refused connections by the AWS SDK's
 * attempt counter), a {@code RefreshFailed} then a {@code RefreshRecovered} event, recovery within
 * one retry interval plus the call in flight after the fault clears (a version rotated during the
 * fault is served), and no thread left once the manager and the provider are closed.
 *
 * <p>Timings: refresh every 1 s, retry every 1 s (no jitter), AWS call timeout 1 s, each fault held
 * for 3 s (three refresh periods).
 */
class AwsNetworkFaultsIT {

  @RegisterExtension static final MotoServer MOTO = new MotoServer();
  @RegisterExtension static final ToxiproxyServer TOXIPROXY = new ToxiproxyServer();

  private static final int THREADS = 16;
  private static final Duration REFRESH = Duration.ofSeconds(1);
  private static final Duration BACKOFF = Duration.ofSeconds(1);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration FAULT = REFRESH.multipliedBy(3);
  private static final Duration SLOWEST_READ = Duration.ofMillis(100);
  private static final AtomicInteger PROXIES = new AtomicInteger();

  private final List<KeyEvent> events = new CopyOnWriteArrayList<>();
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
  void latencyOfFiveSecondsOnEveryResponse_refreshTimesOutAndTheLastGoodKeyIsServed() {
    Outcome o =
        run(
            "latency 5 s",
            p -> p.latency("slow", Duration.ofSeconds(5)),
            p -> p.clearToxic("slow"),
            proxy::acceptedConnections);
    o.assertExpected();
  }

  @Test
  void connectionCutMidResponse_isARetryableFailureAndTheLastGoodKeyIsServed() {
    Outcome o =
        run(
            "connection cut mid-response",
            // the status line and part of the headers pass, then the connection closes
            p -> p.cutResponsesAfter("cut", 60),
            p -> p.clearToxic("cut"),
            proxy::acceptedConnections);
    o.assertExpected();
  }

  @Test
  void backendDownBehindALoadBalancerForThreeRefreshPeriods_servesStaleThenRecovers() {
    Outcome o =
        run(
            "backend down (connections reset)",
            p -> p.resetConnections("down", Duration.ZERO),
            p -> p.clearToxic("down"),
            proxy::acceptedConnections);
    o.assertExpected();
  }

  @Test
  void bandwidthThrottledToATrickle_refreshTimesOutAndTheLastGoodKeyIsServed() {
    Outcome o =
        run(
            "trickle (8-byte slices every 200 ms)",
            p -> p.slicer("trickle", 8, Duration.ofMillis(200)),
            p -> p.clearToxic("trickle"),
            proxy::acceptedConnections);
    o.assertExpected();
  }

  @Test
  void halfOpenConnectionThatNeverAnswers_timeoutsFireAndNoThreadIsLeft() {
    Outcome o =
        run(
            "half-open (never answers)",
            p -> p.blackHole("silent"),
            p -> p.clearToxic("silent"),
            proxy::acceptedConnections);
    o.assertExpected();
  }

  @Test
  void portRefused_servesStaleAndRecoversWhenTheBackendListensAgain() {
    // a refused connection never reaches Toxiproxy's accept: count the SDK's attempts instead
    Outcome o =
        run(
            "port refused",
            ToxiproxyServer.Proxy::disable,
            ToxiproxyServer.Proxy::enable,
            () -> calls.attempts("GetSecretValue"));
    o.assertExpected();
  }

  // ------------------------------------------------------------------------------------ harness

  private Outcome run(
      String scenario,
      Consumer<ToxiproxyServer.Proxy> inject,
      Consumer<ToxiproxyServer.Proxy> clear,
      IntSupplier backendCalls) {
    ThreadSnapshot threadsBefore = ThreadSnapshot.take();
    String name = uniqueName("fault");
    String firstKey = randomKey();
    admin.create(name, firstKey);
    AwsSecretsManagerKeyProvider provider =
        AwsSecretsManagerKeyProvider.builder()
            .region(MotoServer.REGION)
            .endpointOverride(URI.create("http://127.0.0.1:" + proxy.port()))
            .credentialsProvider(MotoServer.DUMMY_CREDENTIALS)
            .connectTimeout(CALL_TIMEOUT)
            .apiCallTimeout(CALL_TIMEOUT)
            .clientCustomizer(b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(calls)))
            .build();
    KeyManager manager =
        KeyManager.builder()
            .provider(provider)
            .refreshAfter(REFRESH)
            .jitter(0)
            .retryBackoff(BACKOFF, BACKOFF)
            .maxStale(Duration.ofMinutes(1))
            .listener(events::add)
            .build();
    Outcome o = new Outcome(scenario);
    try {
      ManagedKey key = manager.key(name);
      key.awaitReady(Duration.ofSeconds(10));
      String rotatedKey = randomKey();
      try (ReaderThreads readers = ReaderThreads.start(THREADS, "reader", key::current)) {
        long callsBefore = backendCalls.getAsInt();
        long faultStart = System.nanoTime();
        inject.accept(proxy);
        // rotated behind the fault: recovery is seen as the new version being served
        admin.rotate(name, rotatedKey);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> events.stream().anyMatch(e -> e instanceof KeyEvent.RefreshFailed));
        sleepUntil(faultStart + FAULT.toNanos());
        o.faultNanos = System.nanoTime() - faultStart;
        o.backendCallsDuringFault = backendCalls.getAsInt() - callsBefore;
        o.servedDuringFault = value(key);
        clear.accept(proxy);
        long cleared = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> rotatedKey.equals(value(key)));
        o.recoveryNanos = System.nanoTime() - cleared;
        readers.close();
        o.reads = readers.calls();
        o.failedReads = readers.failures();
        o.failureSample = readers.failureSample().toString();
        o.slowestRead = readers.slowest();
      }
      o.firstKey = firstKey;
      o.rotatedKey = rotatedKey;
      o.events = List.copyOf(events);
    } finally {
      manager.close();
      provider.close();
    }
    o.threadsLeft = awaitNoNewThreads(threadsBefore, Duration.ofSeconds(10));
    System.out.println(o.figures());
    return o;
  }

  /** Waits for the threads started since the snapshot to end; returns those still alive. */
  private static List<String> awaitNoNewThreads(ThreadSnapshot before, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    List<String> left = before.newThreads();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      sleepUntil(System.nanoTime() + 100_000_000L);
      left = before.newThreads();
    }
    return left;
  }

  private static String value(ManagedKey key) {
    return key.current().apiKey().value(InsecureSecretAccess.get());
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** What one scenario measured. */
  private static final class Outcome {
    final String scenario;
    long reads;
    long failedReads;
    String failureSample = "";
    Duration slowestRead = Duration.ZERO;
    long faultNanos;
    long backendCallsDuringFault;
    long recoveryNanos;
    String servedDuringFault = "";
    String firstKey = "";
    String rotatedKey = "";
    List<KeyEvent> events = List.of();
    List<String> threadsLeft = List.of();

    Outcome(String scenario) {
      this.scenario = scenario;
    }

    long maxCallsDuringFault() {
      // one attempt per retry interval, plus the one that found the fault
      return faultNanos / BACKOFF.toNanos() + 1;
    }

    String figures() {
      return String.format(
          "FAULT aws | %s | reads %d, failed %d, slowest read %d ms | backend calls during the"
              + " %.1f s fault: %d (bound %d) | RefreshFailed %d | recovered %d ms after the"
              + " fault cleared | threads left %d",
          scenario,
          reads,
          failedReads,
          slowestRead.toMillis(),
          faultNanos / 1e9,
          backendCallsDuringFault,
          maxCallsDuringFault(),
          events.stream().filter(e -> e instanceof KeyEvent.RefreshFailed).count(),
          recoveryNanos / 1_000_000,
          threadsLeft.size())
          + (threadsLeft.isEmpty() ? "" : " " + threadsLeft);
    }

    void assertExpected() {
      assertThat(failedReads).as("failed reads within maxStale: " + failureSample).isZero();
      assertThat(reads).as("the readers ran").isGreaterThan(THREADS * 100L);
      assertThat(slowestRead).as("no reader blocked on the backend").isLessThan(SLOWEST_READ);
      assertThat(servedDuringFault).as("the last good key during the fault").isEqualTo(firstKey);
      assertThat(backendCallsDuringFault)
          .as("at most one backend call per retry interval during the fault")
          .isBetween(1L, maxCallsDuringFault());
      assertThat(Duration.ofNanos(recoveryNanos))
          .as("recovered within one retry interval plus the call in flight")
          .isLessThanOrEqualTo(BACKOFF.plus(CALL_TIMEOUT).plusMillis(500));
      int firstFailed = indexOf(KeyEvent.RefreshFailed.class);
      int recovered = indexOf(KeyEvent.RefreshRecovered.class);
      assertThat(firstFailed).as("a RefreshFailed event: " + events).isNotNegative();
      assertThat(recovered).as("then a RefreshRecovered event").isGreaterThan(firstFailed);
      assertThat(events)
          .filteredOn(e -> e instanceof KeyEvent.RefreshFailed)
          .allSatisfy(
              e -> {
                KeyEvent.RefreshFailed f = (KeyEvent.RefreshFailed) e;
                assertThat(f.retryable()).as(f.toString()).isTrue();
                assertThat(f.servingStale()).isTrue();
              });
      assertThat(threadsLeft).as("threads left after close").isEmpty();
      assertThat(events.toString()).doesNotContain(firstKey).doesNotContain(rotatedKey);
    }

    private int indexOf(Class<? extends KeyEvent> type) {
      for (int i = 0; i < events.size(); i++) {
        if (type.isInstance(events.get(i))) {
          return i;
        }
      }
      return -1;
    }
  }
}
