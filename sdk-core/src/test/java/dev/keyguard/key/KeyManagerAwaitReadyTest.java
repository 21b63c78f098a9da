package dev.keyguard.key;

import static dev.keyguard.key.KeyManagerFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.keyguard.KeyId;
import dev.keyguard.KeyNotFoundException;
import dev.keyguard.KeyProviderUnavailableException;
import dev.keyguard.VersionedCredential;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Start-up warm-up. {@code awaitReady} bounds real waiting, so these tests use the manager's own
 * executor (real threads) with the fake clock; the provider is in memory, so nothing is slow unless
 * a test holds it.
 */
class KeyManagerAwaitReadyTest {

  private final KeyManagerFixture f = new KeyManagerFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private KeyManager startWithOwnScheduler() {
    return f.start(
        KeyManager.builder()
            .provider(f.provider)
            .timeSource(f.clock)
            .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
            .listener(f.events::add));
  }

  @Test
  void awaitReady_whenTheKeyExists_fetchesItOnTheSchedulerSoThatCurrentNeverBlocks() {
    VersionedCredential v1 = f.put("1");
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(KEY);

    manager.awaitReady(Duration.ofSeconds(10));

    assertThat(f.fetchThreads)
        .singleElement()
        .matches(t -> t.getName().startsWith("keyguard-refresh-"));
    assertThat(key.current()).isSameAs(v1);
    assertThat(f.backend.fetchCount()).isEqualTo(1);
  }

  @Test
  void awaitReady_whenAlreadyReady_returnsWithoutFetching() {
    f.put("1");
    KeyManager manager = startWithOwnScheduler();
    manager.key(KEY).current();

    manager.awaitReady(Duration.ofSeconds(10));
    manager.key(KEY).awaitReady(Duration.ofSeconds(10));

    assertThat(f.backend.fetchCount()).isEqualTo(1);
  }

  @Test
  void awaitReady_whenAKeyIsMissing_throwsNotFoundNamingItWithoutWaitingForTheTimeout() {
    f.put("1");
    KeyManager manager = startWithOwnScheduler();
    manager.key(KEY);
    manager.key("missing-key");

    long started = System.nanoTime();
    KeyNotFoundException e =
        catchThrowableOfType(
            KeyNotFoundException.class, () -> manager.awaitReady(Duration.ofMinutes(5)));

    assertThat(e.keyId()).contains(KeyId.of("missing-key"));
    assertThat(e.getMessage()).contains("missing-key");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(1));
    assertThat(manager.key(KEY).current().version()).as("the other key is ready").isEqualTo("1");
  }

  @Test
  void awaitReady_whenTheFetchHangs_throwsUnavailableAfterTheTimeout() {
    f.put("1");
    f.backend.holdFetches();
    KeyManager manager = startWithOwnScheduler();
    manager.key(KEY);

    // The timeout runs on the manager's time source: the fake clock moves while the fetch hangs.
    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(() -> manager.awaitReady(Duration.ofMillis(200)));
    await().atMost(Duration.ofSeconds(10)).until(() -> f.backend.fetchesInProgress() == 1);
    f.clock.advance(Duration.ofMillis(200));

    KeyProviderUnavailableException e =
        catchThrowableOfType(KeyProviderUnavailableException.class, () -> joinUnwrapped(waiting));

    assertThat(e.getMessage()).contains("market-data").contains("200 ms").contains("still running");
    assertThat(f.backend.fetchesInProgress()).isEqualTo(1);
  }

  @Test
  void awaitReady_measuresTheTimeoutOnTheTimeSource_soAFakeClockEndsALongWaitAtOnce() {
    f.put("1");
    f.backend.holdFetches();
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(KEY);

    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(() -> key.awaitReady(Duration.ofHours(1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> f.backend.fetchesInProgress() == 1);
    assertThat(waiting).as("an hour has not passed on the time source").isNotDone();
    f.clock.advance(Duration.ofHours(1));

    // Real time would keep it waiting for an hour; the time source says the hour is over.
    KeyProviderUnavailableException e =
        catchThrowableOfType(KeyProviderUnavailableException.class, () -> joinUnwrapped(waiting));
    assertThat(e.getMessage()).contains("market-data").contains("1 h").contains("still running");
  }

  @Test
  void awaitReady_whileTheTimeSourceStandsStill_keepsWaitingForTheFetch() throws Exception {
    VersionedCredential v1 = f.put("1");
    f.backend.holdFetches();
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(KEY);

    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(() -> key.awaitReady(Duration.ofMillis(1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> f.backend.fetchesInProgress() == 1);
    // The waiter re-reads the (unmoving) time source every few tens of milliseconds: it must not
    // give up, whatever real time passes.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !waiting.isDone());
    f.backend.releaseFetches();

    waiting.get(10, TimeUnit.SECONDS);
    assertThat(key.current()).isSameAs(v1);
  }

  /** Waits for the future and rethrows what it failed with. */
  private static void joinUnwrapped(CompletableFuture<Void> future) throws Throwable {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  @Test
  void awaitReady_whenTheBackendIsDownAtFirst_waitsForTheBackgroundRetry() throws Exception {
    VersionedCredential v1 = f.put("1");
    f.backend.failWith(new KeyProviderUnavailableException("starting up (test)", KEY));
    KeyManager manager = startWithOwnScheduler();
    ManagedKey key = manager.key(KEY);

    CompletableFuture<Void> ready =
        CompletableFuture.runAsync(() -> key.awaitReady(Duration.ofSeconds(30)));
    await().atMost(Duration.ofSeconds(10)).until(() -> f.backend.fetchCount() >= 2);
    f.backend.recover();

    ready.get(10, TimeUnit.SECONDS);
    assertThat(key.current()).isSameAs(v1);
  }

  @Test
  void retries_onARealSchedulerWithTinyBackoff_keepChainingWhileTheBackendIsDown() {
    f.backend.failWith(new KeyProviderUnavailableException("down (test)", KEY));
    KeyManager manager =
        f.start(
            KeyManager.builder()
                .provider(f.provider)
                .timeSource(f.clock)
                .retryBackoff(Duration.ofNanos(1), Duration.ofMillis(1))
                .listener(f.events::add));
    ManagedKey key = manager.key(KEY);

    catchThrowableOfType(KeyProviderUnavailableException.class, key::current);

    // Each retry is scheduled the moment the previous one ends; none may be lost.
    await().atMost(Duration.ofSeconds(20)).until(() -> f.backend.fetchCount() >= 200);
  }
}
