package dev.keyguard.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.keyguard.InsecureSecretAccess;
import dev.keyguard.KeyId;
import dev.keyguard.Secret;
import dev.keyguard.VersionedCredential;
import dev.keyguard.key.KeyEvent;
import dev.keyguard.key.KeyManager;
import dev.keyguard.key.ManagedKey;
import dev.keyguard.testing.Canaries;
import dev.keyguard.testing.FakeClock;
import dev.keyguard.testing.FakeScheduler;
import dev.keyguard.testing.LogCapture;
import dev.keyguard.testing.SecretLeakAssertions;
import dev.keyguard.testing.TestSecrets;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key manager on the Azure provider, on the real {@code SecretClient}, against {@link
 * KeyVaultEmulator} (the emulator of the Key Vault REST specification, not the service): rotation
 * under concurrent reads, outages, staged versions on a fake clock, and no secret in any log at the
 * SDK's most verbose logging.
 */
class AzureKeyManagerIT {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static KeyVaultEmulator emulator;
  private static SecretClient admin;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    emulator = KeyVaultEmulator.start(AzureTestSupport.oneSecondPerWrite());
    admin = AzureTestSupport.admin(emulator);
  }

  @AfterAll
  static void stop() {
    emulator.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private KeyManager manager(KeyManager.Builder builder) {
    KeyManager manager = builder.listener(events::add).build();
    closeables.add(manager);
    return manager;
  }

  private static String uniqueName(String base) {
    return base + "-" + NAMES.incrementAndGet();
  }

  private static String raw(Secret secret) {
    return secret.value(InsecureSecretAccess.get());
  }

  @Test
  void aNewVersionSetMidRun_isPickedUpByRefresh_while16ThreadsRead() throws InterruptedException {
    String name = uniqueName("concurrent");
    KeyVaultSecret v1 = admin.setSecret(name, TestSecrets.randomValue());
    KeyManager manager =
        manager(
            KeyManager.builder()
                .provider(
                    AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER).build())
                .refreshAfter(Duration.ofMillis(300)));
    ManagedKey key = manager.key(name);
    key.awaitReady(Duration.ofSeconds(10));

    Map<String, Integer> order = new ConcurrentHashMap<>();
    order.put(v1.getProperties().getVersion(), 0);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicLong regressions = new AtomicLong();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      Thread thread =
          new Thread(
              () -> {
                int seen = 0;
                while (!stop.get()) {
                  try {
                    Integer index = order.get(key.current().version());
                    reads.incrementAndGet();
                    if (index == null) {
                      errors.add(new AssertionError("a version never set was served"));
                    } else if (index < seen) {
                      regressions.incrementAndGet();
                    } else {
                      seen = index;
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                  LockSupport.parkNanos(100_000);
                }
              },
              "reader-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }

    Secret next = TestSecrets.randomSecret();
    String v2;
    try {
      KeyVaultSecret second = admin.setSecret(name, raw(next));
      v2 = second.getProperties().getVersion();
      order.put(v2, 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> key.current().version().equals(v2));
      long before = reads.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> reads.get() > before + 1_000);
    } finally {
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(5_000);
      }
    }

    assertThat(errors).isEmpty();
    assertThat(regressions.get()).as("a reader saw the old version after the new one").isZero();
    assertThat(key.current().apiKey().equalsSecret(next)).isTrue();
    assertThat(events).anyMatch(e -> e instanceof KeyEvent.KeyRotated);
  }

  @Test
  void whileTheVaultIsDown_theLastGoodKeyIsServed_andAfterItComesBack_refreshRecovers()
      throws IOException {
    String name = uniqueName("outage");
    KeyVaultSecret v1 = admin.setSecret(name, TestSecrets.randomValue());
    KeyManager manager =
        manager(
            KeyManager.builder()
                .provider(
                    AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER).build())
                .refreshAfter(Duration.ofMillis(300))
                .retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .maxStale(Duration.ofMinutes(5)));
    ManagedKey key = manager.key(name);
    key.awaitReady(Duration.ofSeconds(10));

    emulator.stop();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> events.stream().anyMatch(e -> e instanceof KeyEvent.RefreshFailed));
      assertThat(key.current().version())
          .as("the last good key during the outage")
          .isEqualTo(v1.getProperties().getVersion());
      KeyEvent.RefreshFailed failed =
          (KeyEvent.RefreshFailed)
              events.stream().filter(e -> e instanceof KeyEvent.RefreshFailed).findFirst().get();
      assertThat(failed.retryable()).isTrue();
      assertThat(failed.servingStale()).isTrue();
    } finally {
      emulator.restart();
    }
    KeyVaultSecret v2 = admin.setSecret(name, TestSecrets.randomValue());

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> key.current().version().equals(v2.getProperties().getVersion()));
    assertThat(events).anyMatch(e -> e instanceof KeyEvent.RefreshRecovered);
  }

  @Test
  void aStagedVersion_isServedOnlyOnceItsNotBeforePasses_onAFakeClock() {
    FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    FakeScheduler scheduler = new FakeScheduler(clock);
    String name = uniqueName("staged");
    KeyVaultSecret v1 = admin.setSecret(name, TestSecrets.randomValue());
    KeyManager manager =
        manager(
            KeyManager.builder()
                .provider(
                    AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
                        .timeSource(clock)
                        .build())
                .timeSource(clock)
                .scheduler(scheduler)
                .jitter(0)
                .refreshAfter(Duration.ofMinutes(5)));
    ManagedKey key = manager.key(name);
    assertThat(key.current().version()).isEqualTo(v1.getProperties().getVersion());

    Instant notBefore = clock.now().plus(Duration.ofMinutes(30));
    KeyVaultSecret v2 =
        admin.setSecret(
            new KeyVaultSecret(name, TestSecrets.randomValue())
                .setProperties(
                    new SecretProperties().setNotBefore(notBefore.atOffset(ZoneOffset.UTC))));

    scheduler.advance(Duration.ofMinutes(6));
    assertThat(key.current().version())
        .as("before notBefore")
        .isEqualTo(v1.getProperties().getVersion());
    scheduler.advance(Duration.ofMinutes(25));
    assertThat(key.current().version())
        .as("30 min later, once refreshed")
        .isEqualTo(v2.getProperties().getVersion());
  }

  @Test
  void expiresOn_makesTheManagerRefreshAhead_andNeverServeTheExpiredValue() {
    FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    FakeScheduler scheduler = new FakeScheduler(clock);
    String name = uniqueName("expiring");
    Instant expires = clock.now().plus(Duration.ofHours(2));
    KeyVaultSecret v1 =
        admin.setSecret(
            new KeyVaultSecret(name, TestSecrets.randomValue())
                .setProperties(
                    new SecretProperties().setExpiresOn(expires.atOffset(ZoneOffset.UTC))));
    KeyManager manager =
        manager(
            KeyManager.builder()
                .provider(
                    AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
                        .timeSource(clock)
                        .build())
                .timeSource(clock)
                .scheduler(scheduler)
                .jitter(0)
                .refreshAfter(Duration.ofHours(12))
                .maxStale(Duration.ofDays(1)));
    ManagedKey key = manager.key(name);
    assertThat(key.current().expiresAt()).contains(expires);
    KeyVaultSecret v2 = admin.setSecret(name, TestSecrets.randomValue());

    // refreshAfter alone would wait 12 h; the expiry brings the refresh before it
    scheduler.advanceTo(expires.minusSeconds(1));

    assertThat(key.current().version())
        .isEqualTo(v2.getProperties().getVersion())
        .isNotEqualTo(v1.getProperties().getVersion());
  }

  @Test
  void aRejectedNewVersion_fallsBackToThePreviousEnabledOne_duringTheRotationWindow() {
    String name = uniqueName("rotation-window");
    Secret previous = TestSecrets.randomSecret();
    KeyVaultSecret v1 = admin.setSecret(name, raw(previous));
    KeyVaultSecret v2 = admin.setSecret(name, TestSecrets.randomValue());
    KeyManager manager =
        manager(
            KeyManager.builder()
                .provider(
                    AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
                        .build()));
    ManagedKey key = manager.key(name);
    key.awaitReady(Duration.ofSeconds(10));
    VersionedCredential current = key.current();
    assertThat(current.version()).isEqualTo(v2.getProperties().getVersion());

    // the API does not know the new key yet: the forced refresh finds nothing newer, so the
    // previous enabled version is offered, and once the API accepts it, it is served
    VersionedCredential retry = key.rejected(current).orElseThrow();
    key.accepted(retry);

    assertThat(retry.version()).isEqualTo(v1.getProperties().getVersion());
    assertThat(retry.apiKey().equalsSecret(previous)).isTrue();
    assertThat(key.current().version()).isEqualTo(v1.getProperties().getVersion());
    assertThat(events).anyMatch(e -> e instanceof KeyEvent.AlternatePromoted);
  }

  @Test
  void theCanary_neverAppearsInTheSdksOrAzuresLogs_atTheMostVerboseLevel() {
    assertThat(System.getenv("AZURE_HTTP_LOG_DETAIL_LEVEL"))
        .as("the pom runs the tests with body logging asked for")
        .isEqualTo("BODY_AND_HEADERS");
    String name = uniqueName("canary");
    Secret canary = Canaries.apiKey();
    Secret canarySecret = Canaries.apiSecret();
    admin.setSecret(
        new KeyVaultSecret(
                name,
                "{\"apiKey\":\"" + raw(canary) + "\",\"apiSecret\":\"" + raw(canarySecret) + "\"}")
            .setProperties(new SecretProperties().setContentType("application/json")));
    try (LogCapture logs = LogCapture.root()) {
      String token = emulator.issueToken(KeyVaultEmulator.Role.SECRETS_USER);
      AzureKeyVaultKeyProvider provider =
          AzureTestSupport.provider(emulator, KeyVaultEmulator.Role.SECRETS_USER)
              .credential(new AzureTestSupport.StaticTokenCredential(token))
              .httpLogLevel(HttpLogDetailLevel.BODY_AND_HEADERS) // asked for explicitly, too
              .build();
      KeyManager manager = manager(KeyManager.builder().provider(provider));
      ManagedKey key = manager.key(name);
      key.awaitReady(Duration.ofSeconds(10));
      VersionedCredential credential = key.current();
      provider.fetchAlternates(KeyId.of(name));

      assertThat(credential.apiKey().equalsSecret(canary)).isTrue();
      String text = logs.text();
      assertThat(text)
          .as("the SDK's HTTP log ran (at HEADERS)")
          .contains("\"az.sdk.message\":\"HTTP request\"")
          .contains("\"az.sdk.message\":\"HTTP response\"")
          .contains("/secrets/" + name);
      SecretLeakAssertions.assertNoLeakInText("every log line", text, canary, canarySecret);
      SecretLeakAssertions.assertNoLeakInText("every log line", text, Secret.of(token));
      assertThat(text).doesNotContain("\"value\"");
    }
  }
}
