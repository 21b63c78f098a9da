package dev.keyguard.aws;

import static dev.keyguard.aws.SecretsAdmin.randomKey;
import static dev.keyguard.aws.SecretsAdmin.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.VersionedCredential;
import dev.keyguard.auth.AuthSchemes;
import dev.keyguard.client.KeyGuardClient;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KeyManager over the AWS provider against moto: rotation under load, outages, rotation
 * windows.
 */
class AwsKeyManagerIT {

  @RegisterExtension static final MotoServer MOTO = new MotoServer();

  private static final int THREADS = 16;

  private final CallCounter calls = new CallCounter();
  private final List<KeyEvent> events = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private SecretsAdmin admin;

  @BeforeEach
  void setUp() {
    admin = new SecretsAdmin(MOTO.client());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private AwsSecretsManagerKeyProvider provider(AwsSecretsManagerKeyProvider.Builder builder) {
    AwsSecretsManagerKeyProvider provider =
        builder
            .clientCustomizer(b -> b.overrideConfiguration(o -> o.addExecutionInterceptor(calls)))
            .build();
    closeables.add(provider);
    return provider;
  }

  private KeyManager manager(KeyManager.Builder builder) {
    KeyManager manager = builder.listener(events::add).build();
    closeables.add(manager);
    return manager;
  }

  /** Reader threads that call current() in a loop and record everything a test asserts on. */
  private static final class Readers implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong regressions = new AtomicLong();

    /** Per thread: when it first saw the newest version; 0 until then. */
    final AtomicLongArray firstSawNewest;

    final Map<String, Integer> order = new ConcurrentHashMap<>();
    final List<Thread> threads = new ArrayList<>();
    volatile String newest;

    Readers(ManagedKey key, int count, String firstVersion) {
      firstSawNewest = new AtomicLongArray(count);
      order.put(firstVersion, 0);
      newest = firstVersion;
      for (int t = 0; t < count; t++) {
        int id = t;
        Thread thread =
            new Thread(
                () -> {
                  int seen = 0;
                  while (!stop.get()) {
                    try {
                      VersionedCredential c = key.current();
                      reads.incrementAndGet();
                      Integer index = order.get(c.version());
                      if (index == null) {
                        errors.add(new AssertionError("unknown version " + c.version()));
                      } else if (index < seen) {
                        regressions.incrementAndGet();
                      } else {
                        seen = index;
                      }
                      if (c.version().equals(newest) && firstSawNewest.get(id) == 0) {
                        firstSawNewest.set(id, System.nanoTime());
                      }
                    } catch (Throwable e) {
                      errors.add(e);
                    }
                    LockSupport.parkNanos(200_000);
                  }
                },
                "reader-" + t);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    void expectNewVersion(String version) {
      order.put(version, order.size());
      for (int i = 0; i < firstSawNewest.length(); i++) {
        firstSawNewest.set(i, 0);
      }
      newest = version;
    }

    boolean allSawNewest() {
      for (int i = 0; i < firstSawNewest.length(); i++) {
        if (firstSawNewest.get(i) == 0) {
          return false;
        }
      }
      return true;
    }

    long latestFirstSight() {
      long max = 0;
      for (int i = 0; i < firstSawNewest.length(); i++) {
        max = Math.max(max, firstSawNewest.get(i));
      }
      return max;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(5_000);
      }
    }
  }

  @ParameterizedTest(name = "versionCheck={0}")
  @ValueSource(booleans = {false, true})
  void
      current_whileSixteenThreadsReadAcrossARotation_neverFailsAndServesTheNewVersionWithinOneRefresh(
          boolean versionCheck) throws Exception {
    String name = uniqueName("sixteen");
    String v1 = admin.create(name, randomKey());
    Duration refresh = Duration.ofSeconds(2);
    AwsSecretsManagerKeyProvider provider =
        provider(MOTO.providerBuilder().versionCheck(versionCheck));
    KeyManager keys =
        manager(KeyManager.builder().provider(provider).refreshAfter(refresh).jitter(0));
    ManagedKey key = keys.key(name);
    long start = System.nanoTime(); // before the cold-start fetch, which the call counts include
    key.awaitReady(Duration.ofSeconds(10));
    String secondKey = randomKey();
    long rotatedAt;
    long elapsed;
    try (Readers readers = new Readers(key, THREADS, v1)) {
      Thread.sleep(3_000); // a little over one refresh period on v1
      String pending = admin.putPending(name, secondKey);
      readers.expectNewVersion(pending);
      admin.promote(name, pending);
      rotatedAt = System.nanoTime();

      await()
          .atMost(refresh.plusSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .until(readers::allSawNewest);
      long lag = readers.latestFirstSight() - rotatedAt;
      Thread.sleep(refresh.toMillis()); // one more refresh period on v2
      readers.close();
      assertThat(key.current().apiKey().value(InsecureSecretAccess.get())).isEqualTo(secondKey);
      keys.close(); // no refresh after the window is measured
      elapsed = System.nanoTime() - start;

      assertThat(readers.errors).as("no reader ever got an error").isEmpty();
      assertThat(readers.regressions.get()).as("no reader saw v1 after v2").isZero();
      assertThat(readers.reads.get()).isGreaterThan(THREADS * 100L);
      assertThat(Duration.ofNanos(lag))
          .as("every thread served v2 within one refresh period (+fetch time)")
          .isLessThanOrEqualTo(refresh.plusSeconds(1));
    }

    // single flight: the backend sees the cold-start fetch plus one call per refresh period,
    // whatever the number of threads (at most 1 + elapsed / refresh; one fewer when fetch times add
    // up)
    long refreshes = elapsed / refresh.toNanos();
    if (versionCheck) {
      assertThat(calls.calls("DescribeSecret"))
          .as(calls.toString())
          .isBetween((int) refreshes, (int) refreshes + 1);
      assertThat(calls.calls("GetSecretValue")).as("one download per version").isEqualTo(2);
    } else {
      assertThat(calls.calls("GetSecretValue"))
          .as(calls.toString())
          .isBetween((int) refreshes, (int) refreshes + 1);
      assertThat(calls.calls("DescribeSecret")).isZero();
    }
    assertThat(events).filteredOn(e -> e instanceof KeyEvent.KeyRotated).hasSize(1);
  }

  @Test
  void current_whenMotoStopsMidRun_servesTheLastGoodKeyAndRecoversWhenItIsBack() throws Exception {
    String name = uniqueName("outage");
    String firstKey = randomKey();
    String v1 = admin.create(name, firstKey);
    AwsSecretsManagerKeyProvider provider =
        provider(MOTO.providerBuilder().apiCallTimeout(Duration.ofSeconds(2)));
    KeyManager keys =
        manager(
            KeyManager.builder()
                .provider(provider)
                .refreshAfter(Duration.ofSeconds(1))
                .maxStale(Duration.ofMinutes(5))
                .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)));
    ManagedKey key = keys.key(name);
    key.awaitReady(Duration.ofSeconds(10));

    String backKey = randomKey();
    String v2;
    try (Readers readers = new Readers(key, THREADS, v1)) {
      MOTO.stop();
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    events.stream().filter(e -> e instanceof KeyEvent.RefreshFailed).count() >= 2);
        assertThat(key.current().version()).as("the last good key during the outage").isEqualTo(v1);
      } finally {
        MOTO.start();
      }
      // moto lost its state: the secret comes back with a new version, as after a restore
      v2 = new SecretsAdmin(MOTO.client()).create(name, backKey);
      readers.expectNewVersion(v2);

      await().atMost(Duration.ofSeconds(20)).until(readers::allSawNewest);
      readers.close();

      assertThat(readers.errors).as("no reader got an error during the outage").isEmpty();
      assertThat(readers.regressions.get()).isZero();
    }
    assertThat(events).anyMatch(e -> e instanceof KeyEvent.RefreshRecovered);
    assertThat(key.current().apiKey().value(InsecureSecretAccess.get())).isEqualTo(backKey);
    assertThat(events.toString()).doesNotContain(firstKey).doesNotContain(backKey);
  }

  @Test
  void rejected_duringARotationWindow_fallsBackToTheAwsPendingVersion() {
    String name = uniqueName("window");
    String currentKey = randomKey();
    String pendingKey = randomKey();
    admin.create(name, currentKey);
    AwsSecretsManagerKeyProvider provider = provider(MOTO.providerBuilder());
    KeyManager keys =
        manager(KeyManager.builder().provider(provider).refreshAfter(Duration.ofMinutes(30)));
    ManagedKey key = keys.key(name);
    VersionedCredential current = key.current();
    String pendingVersion = admin.putPending(name, pendingKey);
    calls.reset();

    // the API already accepts only the pending key and answers 401 to the current one
    Optional<VersionedCredential> retryWith = key.rejected(current);

    assertThat(retryWith)
        .hasValueSatisfying(
            c -> {
              assertThat(c.version()).isEqualTo(pendingVersion);
              assertThat(c.apiKey().value(InsecureSecretAccess.get())).isEqualTo(pendingKey);
            });
    assertThat(calls.calls("GetSecretValue"))
        .as("one forced refresh of AWSCURRENT, one read of AWSPENDING")
        .isEqualTo(2);

    key.accepted(retryWith.orElseThrow());
    assertThat(key.current().version())
        .as("the accepted alternate is served")
        .isEqualTo(pendingVersion);

    int before = calls.totalCalls();
    key.rejected(current);
    assertThat(calls.totalCalls())
        .as("a repeated rejection within the cool-down does not reach AWS")
        .isEqualTo(before);
  }

  @Test
  void client_whenTheApiAcceptsOnlyThePendingKey_retriesWithAwsPendingAndSucceeds()
      throws Exception {
    String name = uniqueName("client-window");
    String currentKey = randomKey();
    String pendingKey = randomKey();
    admin.create(name, currentKey);
    AwsSecretsManagerKeyProvider provider = provider(MOTO.providerBuilder());
    KeyManager keys =
        manager(KeyManager.builder().provider(provider).refreshAfter(Duration.ofMinutes(30)));
    ManagedKey key = keys.key(name);
    key.awaitReady(Duration.ofSeconds(10));
    String pendingVersion = admin.putPending(name, pendingKey);

    HeldCertificate certificate =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    HandshakeCertificates serverTls =
        new HandshakeCertificates.Builder().heldCertificate(certificate).build();
    HandshakeCertificates clientTls =
        new HandshakeCertificates.Builder()
            .addTrustedCertificate(certificate.certificate())
            .build();
    List<String> seenKeys = new CopyOnWriteArrayList<>();
    try (MockWebServer api = new MockWebServer()) {
      api.useHttps(serverTls.sslSocketFactory());
      // a local HTTPS API in mid-rotation: it already accepts only the pending key
      api.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              String presented = request.getHeaders().get("x-api-key");
              seenKeys.add(presented == null ? "" : presented);
              return pendingKey.equals(presented)
                  ? new MockResponse.Builder()
                      .code(200)
                      .setHeader("Content-Type", "application/json")
                      .body("{\"symbol\":\"BTC\",\"price\":\"97234.51\"}")
                      .build()
                  : new MockResponse.Builder()
                      .code(401)
                      .body("{\"error\":\"invalid api key\"}")
                      .build();
            }
          });
      api.start(InetAddress.getByName("127.0.0.1"), 0);
      KeyGuardClient client =
          KeyGuardClient.builder()
              .baseUrl(api.url("/v2/").toString())
              .managedKey(key)
              .authScheme(AuthSchemes.header("x-api-key"))
              .okHttpClient(
                  new OkHttpClient.Builder()
                      .sslSocketFactory(clientTls.sslSocketFactory(), clientTls.trustManager())
                      .build())
              .build();

      Map<?, ?> first = client.get("price", Map.of("symbol", "BTC"), Map.class);
      Map<?, ?> second = client.get("price", Map.of("symbol", "BTC"), Map.class);

      assertThat(first.get("price")).isEqualTo("97234.51");
      assertThat(second.get("price")).isEqualTo("97234.51");
      assertThat(seenKeys)
          .as("current key refused once, then the AWSPENDING key, which is kept")
          .containsExactly(currentKey, pendingKey, pendingKey);
      assertThat(key.current().version()).isEqualTo(pendingVersion);
      assertThat(client.toString()).doesNotContain(currentKey).doesNotContain(pendingKey);
    }
  }

  @Test
  void awaitReady_whenSecretMissing_failsWithNotFound() {
    AwsSecretsManagerKeyProvider provider = provider(MOTO.providerBuilder());
    KeyManager keys = manager(KeyManager.builder().provider(provider));
    String name = uniqueName("missing");

    assertThatThrownBy(() -> keys.key(name).awaitReady(Duration.ofSeconds(10)))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining(name);
  }
}
